//! Released ids are never lost or reused.

use std::collections::HashMap;

use crate::check::at::at_line;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Lifecycle, Origin, Retired, Rule};

/// Ids once released are never lost or reused: every rule's id is released,
/// every released id is a rule or retired, and a retired id is no rule's.
pub fn check_lifecycle(rules: &[Rule], lifecycle: &Lifecycle, out: &mut Vec<Diagnostic>) {
    let at_origin = |code: Code, origin: &Origin, id: &str, message: String| {
        Diagnostic::new(code, message)
            .at(&origin.file, origin.line)
            .in_rule(Some(id))
    };
    let file = lifecycle
        .released
        .first()
        .map(|(_, o)| o.file.as_str())
        .or(lifecycle.retired.first().map(|r| r.origin.file.as_str()))
        .unwrap_or("the file of released ids");
    let mut released: HashMap<&str, &Origin> = HashMap::new();
    for (id, origin) in &lifecycle.released {
        if released.insert(id, origin).is_some() {
            out.push(
                at_origin(Code::ListedTwice, origin, id, "released twice".into())
                    .hint("list each id once"),
            );
        }
    }
    let retired: HashMap<&str, &Retired> = lifecycle
        .retired
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let current: HashMap<&str, &Rule> = rules.iter().map(|r| (r.id.as_str(), r)).collect();
    for rule in rules {
        if let Some(record) = retired.get(rule.id.as_str()) {
            out.push(
                at_line(
                    Code::IdRetired,
                    rule,
                    rule.origin.id_line,
                    format!(
                        "id `{}` was retired on {} ({}:{}); released ids are never reused",
                        rule.id, record.on, record.origin.file, record.origin.line
                    ),
                )
                .hint("choose a new id"),
            );
        } else if !released.contains_key(rule.id.as_str()) {
            out.push(
                at_line(
                    Code::IdNotReleased,
                    rule,
                    rule.origin.id_line,
                    format!("id `{}` is not in the released ids ({file})", rule.id),
                )
                .hint(format!(
                    "add `{}` to `released:` in {file}; from then on it is never reused",
                    rule.id
                )),
            );
        }
    }
    for (id, origin) in &lifecycle.released {
        if !current.contains_key(id.as_str()) && !retired.contains_key(id.as_str()) {
            let message =
                format!("released id `{id}` is no rule's any more, and has no retirement record");
            out.push(at_origin(Code::ReleasedIdLost, origin, id, message).hint(
                "restore the rule, or retire the id: add `- { id: ..., retired: YYYY-MM-DD, replaced_by: new-id }` under `retired:`",
            ));
        }
    }
    for record in &lifecycle.retired {
        if !released.contains_key(record.id.as_str()) {
            let message = format!("retired id `{}` was never released", record.id);
            out.push(
                at_origin(
                    Code::RetiredNeverReleased,
                    &record.origin,
                    &record.id,
                    message,
                )
                .hint("list it under `released:` too, or drop the record"),
            );
        }
        if let Some(target) = &record.replaced_by {
            if !current.contains_key(target.as_str()) {
                let message = format!("`replaced_by` names `{target}`, which is no rule");
                out.push(
                    at_origin(Code::UnknownRule, &record.origin, &record.id, message).suggest(
                        target,
                        current.keys().copied(),
                        "`replaced_by` names a current rule",
                    ),
                );
            }
        }
    }
}
