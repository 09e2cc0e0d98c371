//! The examples written in the rules are the matcher's test cases: each must
//! resolve to its own rule through the generated code, each counter-example
//! must not, and the generated matcher must agree with the codegen's
//! scan-every-rule definition of matching.

use std::path::Path;

use debitura_triage::{diagnose, docs, Query, Rule, RuleId, RULES};
use debitura_triage_codegen as codegen;

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
                    "rule `{}`: `{}` resolved to {}",
                    rule.id.as_str(),
                    docs::diagnose_command(example),
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
                    "rule `{}`: counter-example `{}` resolved to it",
                    rule.id.as_str(),
                    docs::diagnose_command(counter)
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

/// The generated decision tree and the codegen's scan over every rule give the
/// same answer for every example and counter-example, and for each of them
/// with the status, type or operation removed.
#[test]
fn generated_matcher_agrees_with_the_rule_model() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let sources = codegen::read_dir(&root, "rules").expect("rules/ is readable");
    let catalog = codegen::load(&sources).expect("rules/ is valid");
    let mut queries: Vec<Query<'static>> = Vec::new();
    for rule in &RULES {
        for q in rule.examples.iter().chain(rule.counter_examples) {
            queries.push(*q);
            let mut without_status = *q;
            without_status.status = None;
            let mut without_type = *q;
            without_type.error_type = None;
            let mut without_op = *q;
            without_op.operation = None;
            let mut without_message = *q;
            without_message.message = None;
            queries.push(without_message);
            let mut flipped = *q;
            flipped.after_token_refresh = !q.after_token_refresh;
            queries.extend([without_status, without_type, without_op, flipped]);
        }
    }
    let mut disagreements = Vec::new();
    for q in &queries {
        let model = to_model(q);
        let expected = catalog
            .resolve(&model)
            .map(|i| catalog.rules[i].id.as_str());
        let actual = diagnose(q).rule_id().map(RuleId::as_str);
        if expected != actual {
            disagreements.push(format!(
                "`{}`: model {expected:?}, matcher {actual:?}",
                docs::diagnose_command(q)
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

fn to_model(q: &Query<'_>) -> codegen::Query {
    use codegen::Field;
    let mut m = codegen::Query::default();
    let fields = [
        (Field::Status, q.status.map(|s| s.to_string())),
        (Field::Type, q.error_type.map(String::from)),
        (Field::Message, q.message.map(String::from)),
        (
            Field::Operation,
            q.operation.map(|o| o.as_str().to_string()),
        ),
        (Field::Event, q.event.map(String::from)),
        (Field::Symptom, q.symptom.map(String::from)),
        (
            Field::AfterTokenRefresh,
            Some(q.after_token_refresh.to_string()),
        ),
        (
            Field::Environment,
            q.environment.map(|e| e.as_str().to_string()),
        ),
    ];
    for (field, value) in fields {
        if let Some(v) = value {
            m.set(field, v);
        }
    }
    m
}
