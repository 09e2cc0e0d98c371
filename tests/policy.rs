//! The whole policy as one reviewable snapshot: every query written in the
//! rules (examples and counter-examples), what it resolves to, the retry
//! policy that follows and, for a backoff, its bounds. A change of behaviour shows up as a diff here.

use std::collections::BTreeMap;

use debitura_triage::{diagnose, RULES};
use serde::Serialize;

#[derive(Serialize)]
struct Answer {
    rule: &'static str,
    retry: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    backoff: Option<String>,
}

#[test]
fn policy() {
    let mut policy: BTreeMap<String, Answer> = BTreeMap::new();
    for rule in &RULES {
        for query in rule.examples.iter().chain(rule.counter_examples) {
            let d = diagnose(query);
            let command = format!("debitura-triage diagnose {query}");
            let asked = command
                .trim_start_matches("debitura-triage diagnose ")
                .to_string();
            policy.insert(
                asked,
                Answer {
                    rule: d.rule_id().map_or("(unrecognised)", |id| id.as_str()),
                    retry: d.retry().as_str(),
                    backoff: d.rule().and_then(|r| r.backoff).map(|b| b.to_string()),
                },
            );
        }
    }
    insta::assert_yaml_snapshot!(policy);
}

/// Orphaned snapshots would keep passing review while testing nothing: every
/// file under `tests/snapshots/` belongs to a snapshot some test takes.
#[test]
fn every_snapshot_file_is_referenced() {
    let expected = ["policy__policy.snap".to_string()];
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots");
    for entry in std::fs::read_dir(dir).expect("tests/snapshots exists") {
        let name = entry
            .expect("readable")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".snap") {
            assert!(
                expected.contains(&name),
                "{name} is not taken by any test; delete it"
            );
        }
    }
}
