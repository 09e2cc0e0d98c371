//! Every row of Debitura's troubleshooting page is a rule, with the page's
//! Issue, Cause and Solution text, in the page's section.

mod common;

use common::rows as page_rows;
use debitura_triage::RULES;

#[test]
fn the_page_has_the_rows_this_test_expects() {
    // Guards the page parser: 5 + 2 + 6 + 4 + 2 rows in five tables.
    let rows = page_rows();
    assert_eq!(rows.len(), 19);
    let sections: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.section.as_str()).collect();
    assert_eq!(sections.len(), 5, "{sections:?}");
}

#[test]
fn every_row_of_the_page_is_a_rule_with_its_text() {
    let mut missing = Vec::new();
    for row in page_rows() {
        let issue = &row.cells[0];
        let Some(rule) = RULES.iter().find(|r| r.title == issue) else {
            missing.push(format!("{}: no rule titled `{issue}`", row.section));
            continue;
        };
        if rule.section.title != row.section {
            missing.push(format!(
                "`{issue}`: in section {}, the page says {}",
                rule.section.title, row.section
            ));
        }
        // Client Management's table has no Cause column.
        let (cause, solution) = match row.cells.as_slice() {
            [_, cause, solution] => (Some(cause), solution),
            [_, solution] => (None, solution),
            other => panic!("unexpected row shape: {other:?}"),
        };
        // A rule whose answer follows a newer source keeps the page's words
        // apart (`as_on_page`), and the generated page shows those.
        let (rule_cause, rule_solution) = (
            rule.page_cause.unwrap_or(rule.cause),
            rule.page_solution.unwrap_or(rule.solution),
        );
        if cause.is_some_and(|c| c != rule_cause) {
            missing.push(format!(
                "`{issue}`: cause `{rule_cause}` differs from the page's `{}`",
                cause.unwrap()
            ));
        }
        if rule_solution != solution {
            missing.push(format!(
                "`{issue}`: solution `{rule_solution}` differs from the page's `{solution}`"
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn a_second_401_after_refresh_is_its_own_rule() {
    use debitura_triage::{diagnose, Credential, Operation, Query, Retry};
    let bearer = Query::new()
        .status(401)
        .operation(Operation::CustomerApi)
        .credential(Credential::Bearer);
    let first = diagnose(&bearer);
    let second = diagnose(&bearer.after_token_refresh(true));
    assert_ne!(first.rule_id(), second.rule_id());
    assert_eq!(first.retry(), Retry::TokenRefresh);
    assert_eq!(second.retry(), Retry::Never);
}
