//! What is written into the lookup file after prettyplease has formatted it
//! (prettyplease keeps no comments): each leaf's answer with the comment
//! naming its rule and where it is written, the alternatives of a pattern
//! filled onto few lines, and the table of the answers where several rules
//! fit, one entry per line.

use std::fmt::Write as _;

use debitura_triage_rules_model::model::resolve::Resolution;
use debitura_triage_rules_model::model::{Catalog, Field, Rule};
use debitura_triage_rules_model::variant_name;

use crate::emit::names::{field_variant, rule_variant};
use crate::emit::tree::Leaf;

/// The code a leaf marker stands for until the file is formatted:
/// prettyplease keeps no comments, so leaves are written as `leaf!(N)` and
/// replaced afterwards by their answer and its comment.
const MARKER: &str = "leaf!(";

/// The widest a line of alternatives is filled to.
const WIDTH: usize = 100;

/// The lines of `text` with the alternatives of a pattern that
/// prettyplease writes one per line (`| Some(Operation::ListUsers)`) filled
/// onto as few lines as fit in [`WIDTH`] columns.
fn fill_alternatives(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(last) = lines.last_mut() {
            let continues = trimmed.starts_with("| ")
                && (last.trim_start().starts_with("| ") || last.trim_end().ends_with(')'));
            if continues && last.len() + 1 + trimmed.len() <= WIDTH {
                last.push(' ');
                last.push_str(trimmed);
                continue;
            }
        }
        lines.push(line.to_string());
    }
    lines
}

/// The formatted file with each `leaf!(N)` replaced by its answer, and a
/// comment at the end of its line naming the rule and where it is written,
/// or why there is no answer.
pub(super) fn comment_leaves(text: &str, leaves: &[Leaf], rules: &[Rule]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for line in fill_alternatives(text) {
        let mut rest = line.as_str();
        let mut code = String::new();
        let mut notes: Vec<String> = Vec::new();
        while let Some(at) = rest.find(MARKER) {
            code.push_str(&rest[..at]);
            let after = &rest[at + MARKER.len()..];
            let close = after.find(')').expect("a leaf marker closes");
            let n: usize = after[..close].parse().expect("a leaf number");
            let (answer, note) = leaf_code(n, leaves, rules);
            code.push_str(&answer);
            notes.push(note);
            rest = &after[close + 1..];
        }
        code.push_str(rest);
        out.push_str(&code);
        if !notes.is_empty() {
            out.push_str(" // ");
            out.push_str(&notes.join("; "));
        }
        out.push('\n');
    }
    out
}

/// Leaf `n`'s expression and the comment that says what it is; the leaves
/// where several rules fit are numbered in `leaves`' order.
fn leaf_code(n: usize, leaves: &[Leaf], rules: &[Rule]) -> (String, String) {
    match &leaves[n] {
        Leaf::Rule(i) => {
            let rule = &rules[*i];
            let variant = rule_variant(rule);
            (
                format!("Found::Rule(RuleId::{variant})"),
                format!("{}: {}:{}", rule.id, rule.origin.file, rule.origin.line),
            )
        }
        Leaf::NoRule => ("Found::None".into(), "no rule accepts these values".into()),
        Leaf::Several(fit, ..) => {
            let n = leaves[..n]
                .iter()
                .filter(|l| matches!(l, Leaf::Several(..)))
                .count();
            let ids: Vec<&str> = fit.iter().map(|&i| rules[i].id.as_str()).collect();
            (
                format!("Found::Several(&SEVERAL[{n}])"),
                format!("several fit: {}", ids.join(", ")),
            )
        }
    }
}

/// The library's names of the query fields that tell the rules apart, as
/// `Field` variants: whether a request is safe to send again is told by
/// its key and its method.
fn told_by(field: Field) -> Vec<String> {
    field
        .query_names()
        .into_iter()
        .map(|name| field_variant(name).to_string())
        .collect()
}

/// A leaf where several rules fit: the rules, whether some completion fits
/// none, and the fields that would tell them apart.
pub(super) type Several<'t> = (&'t Vec<usize>, bool, &'t [Field]);

/// The table of the leaves where several rules fit, one entry per line:
/// the rules, whether some completion fits none, the fields that would tell
/// them apart and the most cautious retry. Cause and solution are the
/// library's to word from the rules.
pub(super) fn several_table(catalog: &Catalog, several: &[Several<'_>]) -> String {
    let rules = &catalog.rules;
    let vocabulary = &catalog.vocabulary;
    let mut out = format!(
        "/// The answers where several rules fit, with the fields that tell them\n\
         /// apart and the most cautious retry; `SEVERAL[n]` is a leaf's.\n\
         static SEVERAL: [Several<RuleId>; {}] = [\n",
        several.len()
    );
    for &(fit, or_none, telling) in several {
        let retry = Resolution::Several {
            rules: fit.clone(),
            unanswered: or_none,
        }
        .retry(vocabulary, rules)
        .to_string();
        let ids: Vec<String> = fit
            .iter()
            .map(|&i| format!("RuleId::{}", rule_variant(&rules[i])))
            .collect();
        let mut fields: Vec<String> = telling.iter().flat_map(|&f| told_by(f)).collect();
        fields.dedup();
        let fields: Vec<String> = fields.iter().map(|f| format!("Field::{f}")).collect();
        let _ = writeln!(
            out,
            "    Several {{ rules: &[{}], or_none: {or_none}, telling: &[{}], retry: Retry::{} }},",
            ids.join(", "),
            fields.join(", "),
            variant_name(&retry),
        );
    }
    out.push_str("];\n");
    out
}
