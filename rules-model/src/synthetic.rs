//! Large synthetic rule sets for measuring the codegen and the generated
//! matcher at scale. They go through the same parsing and validation as
//! `rules/`, and are valid by construction: no overlaps, nothing shadowed.

use std::fmt::Write;

use crate::read::Source;

// 400 is left to the message rules, which sit under a generic 400 rule.
const STATUSES: [u16; 15] = [
    401, 403, 404, 409, 413, 415, 422, 429, 500, 502, 503, 504, 200, 201, 202,
];
const RETRY: [&str; 4] = ["never", "after-user-action", "token-refresh", "backoff"];
/// Symptoms of the real vocabulary: the synthetic matcher answers the
/// library's `Query`, whose symptom is the library's `Symptom`.
const SYMPTOMS: [&str; 2] = ["no-response", "duplicate-events"];

/// `n` rules in one file, in a realistic mix: per 24 rules, seven chains of
/// three (status and type; plus an operation guard; plus the token-refresh
/// flag), one message-prefix rule under a generic rule, and two rules
/// under a symptom, each with a type of its own.
pub fn sources(n: usize) -> Vec<Source> {
    let mut yaml = String::from(
        "section:\n  title: Synthetic\n  order: 1\n  summary: Generated rules for benchmarks.\nrules:\n",
    );
    let mut count = 0;
    // A chain cut short by `n` still leaves valid rules: each link lies within the one before.
    let rule = |yaml: &mut String, count: &mut usize, when: &str, example: &str| {
        if *count >= n {
            return;
        }
        let n = *count;
        let _ = write!(
            yaml,
            "  - id: synthetic-{n}\n    title: Synthetic rule {n}\n    cause: Cause {n}.\n    \
             solution: Solution {n}.\n    retry: {}\n    when: {{ {when} }}\n    examples:\n      - {{ {example} }}\n",
            RETRY[n % RETRY.len()]
        );
        *count += 1;
    };
    rule(
        &mut yaml,
        &mut count,
        "status: 400, operation: create-client",
        "status: 400, operation: create-client",
    );
    let mut group = 0;
    while count < n {
        let status = STATUSES[group % STATUSES.len()];
        match group % 10 {
            0..=6 => {
                let t = format!("type: SyntheticType{group}");
                // The example names another operation: without one, the
                // query could also be the next link's.
                rule(
                    &mut yaml,
                    &mut count,
                    &format!("status: {status}, {t}"),
                    &format!("status: {status}, {t}, operation: create-client"),
                );
                let op = "operation: create-case";
                rule(
                    &mut yaml,
                    &mut count,
                    &format!("status: {status}, {t}, {op}"),
                    &format!("status: {status}, {t}, {op}"),
                );
                let atr = "after_token_refresh: true";
                rule(
                    &mut yaml,
                    &mut count,
                    &format!("status: {status}, {t}, {op}, {atr}"),
                    &format!("status: {status}, {t}, {op}, {atr}"),
                );
            }
            7 => {
                let when = format!("status: 400, operation: create-client, type: null, message: \"Message {group} is synthetic: *\"");
                let example = format!("status: 400, operation: create-client, message: \"Message {group} is synthetic: x\"");
                rule(&mut yaml, &mut count, &when, &example);
            }
            _ => {
                let s = format!(
                    "symptom: {}, type: SyntheticSymptomType{group}",
                    SYMPTOMS[group % SYMPTOMS.len()]
                );
                rule(&mut yaml, &mut count, &s, &s);
            }
        }
        group += 1;
    }
    let symptoms: String = SYMPTOMS
        .iter()
        .map(|s| format!("  - {{ name: {s}, description: The symptom {s}. }}\n"))
        .collect();
    vec![
        Source {
            display: "synthetic/synthetic.yaml".into(),
            text: yaml,
        },
        Source {
            display: "synthetic/vocabulary.yaml".into(),
            text: format!("{VOCABULARY}symptoms:\n{symptoms}"),
        },
    ]
}

/// The words the synthetic rules use. The operations carry the library's
/// names, since the synthetic matcher is compiled against its `Operation`.
const VOCABULARY: &str = "retry:
  - { name: never, resends: 0, meaning: Never. }
  - { name: after-user-action, resends: 0, meaning: After a user acts. }
  - { name: token-refresh, resends: 1, meaning: Once with a new token. }
  - name: backoff
    meaning: With backoff.
    bounds: { attempts: 3, base_delay_ms: 1000, max_delay_ms: 30000, jitter_percent: 10, honour_retry_after: false }
operations:
  - { name: referral-api, description: One API. }
  - { name: create-client, parent: referral-api, description: One call. }
  - { name: customer-api, description: The other API. }
  - { name: create-case, parent: customer-api, description: Another call. }
environments:
  - { name: test, description: Test. }
  - { name: production, description: Production. }
credentials:
  - { name: api-key, description: A key. }
  - { name: bearer, description: A token. }
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;

    #[test]
    fn the_mix_is_as_documented() {
        // One generic rule, then ten groups of 24 rules.
        let catalog = crate::load(&sources(241)).expect("valid by construction");
        let rules = &catalog.rules;
        assert_eq!(rules.len(), 241);
        let count = |f: &dyn Fn(&crate::model::Rule) -> bool| rules.iter().filter(|r| f(r)).count();
        assert_eq!(
            count(&|r| r
                .when
                .get(Field::AfterTokenRefresh)
                .is_some_and(|v| v.contains("true"))),
            70
        );
        assert_eq!(
            count(&|r| r
                .when
                .get(Field::Operation)
                .is_some_and(|o| o.contains("create-case"))),
            140
        );
        assert_eq!(count(&|r| r.when.get(Field::Message).is_some()), 10);
        assert_eq!(
            count(&|r| r.when.get(Field::Symptom).is_some_and(|s| !s.contains(""))),
            20
        );
        // Statuses cycle through the list; 400 is left to the message rules.
        let statuses: std::collections::BTreeSet<&str> = rules
            .iter()
            .filter(|r| r.when.get(Field::Type).is_some_and(|t| !t.contains("")))
            .flat_map(|r| {
                r.when
                    .get(Field::Status)
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
            })
            .collect();
        assert_eq!(statuses.len(), STATUSES.len());
        assert!(!statuses.contains("400"));
        assert_eq!(rules[5].retry, RETRY[5 % RETRY.len()]);
        // The vocabulary declares the symptoms the rules name, and no others.
        assert_eq!(catalog.vocabulary.symptoms.len(), SYMPTOMS.len());
    }
}
