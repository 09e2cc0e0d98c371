//! The examples written in the rules are the matcher's test cases: each must
//! resolve to its own rule through the generated code, and each
//! counter-example must not.

use debitura_triage::{diagnose, Query, Rule, RuleId, RULES};

fn failures(check: impl Fn(&Rule, &mut Vec<String>)) -> Vec<String> {
    let mut out = Vec::new();
    for rule in &RULES {
        check(rule, &mut out);
    }
    out
}

fn answer(query: &Query<'_>) -> &'static str {
    diagnose(query)
        .rule_id()
        .map_or("(unrecognised)", RuleId::as_str)
}

#[test]
fn every_example_resolves_to_its_own_rule() {
    let bad = failures(|rule, out| {
        for example in rule.examples {
            if diagnose(example).rule_id() != Some(rule.id) {
                out.push(format!(
                    "rule `{}`: `debitura-triage diagnose {example}` resolved to {}",
                    rule.id.as_str(),
                    answer(example)
                ));
            }
        }
    });
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn no_counter_example_resolves_to_its_rule() {
    let bad = failures(|rule, out| {
        for counter in rule.counter_examples {
            if diagnose(counter).rule_id() == Some(rule.id) {
                out.push(format!(
                    "rule `{}`: counter-example `debitura-triage diagnose {counter}` resolved to it",
                    rule.id.as_str()
                ));
            }
        }
    });
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_rule_has_an_example() {
    let bare: Vec<&str> = RULES
        .iter()
        .filter(|r| r.examples.is_empty())
        .map(|r| r.id.as_str())
        .collect();
    assert!(bare.is_empty(), "rules without examples: {bare:?}");
}

#[test]
fn ids_round_trip_and_index_the_catalog() {
    for (index, id) in RuleId::ALL.iter().enumerate() {
        assert_eq!(RULES[index].id, *id, "RULES[{index}]");
        assert_eq!(RuleId::from_id(id.as_str()), Some(*id));
        assert_eq!(id.rule().id, *id);
    }
    assert_eq!(RuleId::ALL.len(), RULES.len());
}
