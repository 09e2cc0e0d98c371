//! Every id makes a Rust name of its own.

use std::collections::HashMap;

use crate::check::at::at_line;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Rule;
use crate::names::{is_rust_name, variant_name};

/// Every id becomes a `RuleId` variant: it must make a Rust name that is not
/// a keyword, and no two ids may make the same one (`a-2` and `a2` both make
/// `A2`).
pub fn check_rust_names(rules: &[Rule], out: &mut Vec<Diagnostic>) {
    let mut taken: HashMap<String, &Rule> = HashMap::new();
    for rule in rules {
        let name = variant_name(&rule.id);
        if !is_rust_name(&name) {
            out.push(at_line(Code::BadRustName, rule, rule.origin.id_line, format!("id `{}` makes the Rust name `{name}`, which Rust cannot use", rule.id)).hint("start the id with a letter and avoid Rust keywords such as `self`; the id names a `RuleId` variant"));
            continue;
        }
        match taken.get(&name) {
            Some(first) if first.id != rule.id => out.push(
                at_line(
                    Code::RustNameCollision,
                    rule,
                    rule.origin.id_line,
                    format!(
                        "id `{}` makes the Rust name `{name}`, as `{}` does ({}:{})",
                        rule.id, first.id, first.origin.file, first.origin.id_line
                    ),
                )
                .hint("ids that differ only in `-` before a digit collide; choose a distinct id"),
            ),
            _ => {
                taken.entry(name).or_insert(rule);
            }
        }
    }
}
