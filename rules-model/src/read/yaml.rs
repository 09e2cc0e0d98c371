//! YAML errors in our words: where they lie, what they are, how to fix them.

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::read::layout::Layout;

/// The id as written in rule `index`, read from the text so that it is found
/// even when the rule does not parse; `#N` when there is none.
pub fn rule_label_from_text(layout: &Layout, index: usize) -> String {
    layout
        .written_value(index, "id")
        .unwrap_or_else(|| format!("#{}", index + 1))
}

/// serde_yaml's message without positions (the diagnostic has its own).
pub fn yaml_message(err: &serde_yaml::Error) -> String {
    let text = err.to_string();
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + " at line ".len()..];
        // Skip "N column M".
        let skip = tail
            .find(|c: char| !(c.is_ascii_digit() || c == ' ' || "column".contains(c)))
            .unwrap_or(tail.len());
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out
}

/// Where a YAML error lies (1-based, `offset` lines added for a rule parsed
/// on its own), what it is, and how to fix it.
pub fn yaml_problem(
    layout: &Layout,
    err: &serde_yaml::Error,
    offset: usize,
) -> (usize, String, String) {
    let text = err.to_string();
    let message = yaml_message(err);
    let reported = err.location().map_or(1, |l| l.line()) + offset;
    // An unterminated quote is found at the end of the text; the quote itself
    // is where serde_yaml says the scalar began.
    let quote_start = text
        .split_once(", while scanning a quoted scalar")
        .and_then(|(_, ctx)| ctx.rsplit_once(" at line "))
        .and_then(|(_, pos)| pos.split_whitespace().next()?.parse::<usize>().ok());
    if let Some(line) = quote_start {
        return (line + offset, message, quoting_hint());
    }
    if let Some(key) = quoted_after(&text, "duplicate entry with key \"") {
        let line = layout.repeated_key(reported, key).unwrap_or(reported);
        let hint = "a key may appear once per mapping; merge the two entries or remove one";
        return (line, message, hint.into());
    }
    if text.contains("more than one document") {
        let line = layout.second_document().unwrap_or(reported);
        let hint = "a rules file is one YAML document: remove the `---` line, or move what follows into a file of its own";
        return (
            line,
            "a second YAML document starts here".into(),
            hint.into(),
        );
    }
    if text.contains("repetition limit exceeded") || text.contains("recursion limit exceeded") {
        let line = layout.first_alias().unwrap_or(reported);
        let hint =
            "rules files need no YAML anchors or aliases (`&name`, `*name`); write the values out";
        return (
            line,
            "YAML aliases expand beyond the limit".into(),
            hint.into(),
        );
    }
    let huge = quoted_after(&text, "invalid type: integer `").filter(|_| text.contains("128"));
    if let Some(number) = huge {
        let hint = if text.contains("status") {
            "an HTTP status is a whole number from 100 to 599, e.g. `status: 422`"
        } else {
            "write the value the API returns"
        };
        return (
            reported,
            format!("the number {number} is far too large"),
            hint.into(),
        );
    }
    let hint = if text.contains("unknown field") || text.contains("missing field") {
        field_hint(&text)
    } else {
        quoting_hint()
    };
    (reported, message, hint)
}

/// The text between `prefix` and the next quote or backtick.
pub fn quoted_after<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let (_, rest) = text.split_once(prefix)?;
    rest.split(['"', '`']).next()
}

pub fn quoting_hint() -> String {
    "check the indentation and quoting near this line; values holding `: ` or starting with a quote character need quotes".into()
}

/// The first raw control character of a rules file (tabs and line ends
/// aside): YAML refuses them, and they have no place in text people read.
pub fn control_character(file: &str, text: &str) -> Option<Diagnostic> {
    text.lines().enumerate().find_map(|(n, line)| {
        let (column, c) = line
            .chars()
            .enumerate()
            .find(|&(_, c)| c.is_control() && c != '\t')?;
        Some(Diagnostic {
            file: file.to_string(),
            line: n + 1,
            rule: None,
            problem: format!(
                "control character U+{:04X} at column {}",
                u32::from(c),
                column + 1
            ),
            hint: Some("remove it; a rules file is plain UTF-8 text".into()),
        })
    })
}

/// A hint for serde's "unknown field `x`, expected one of …" and "missing field" messages.
pub fn field_hint(message: &str) -> String {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    if message.contains("unknown field") {
        if let Some((unknown, expected)) = quoted.split_first() {
            if let Some(near) = did_you_mean(unknown, expected.iter().copied()) {
                return format!("did you mean `{near}`?");
            }
            return format!("allowed keys: {}", expected.join(", "));
        }
    }
    if let Some(missing) = message.strip_prefix("missing field ") {
        return format!("add {missing}; see README.md, \"Adding a rule\"");
    }
    "see README.md, \"Adding a rule\", for the rule format".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_problem_in_a_rule_read_alone_is_moved_by_its_offset() {
        let text = "a: 1\nb: \"open\nc: 2\n";
        let err = serde_yaml::from_str::<serde_yaml::Value>(text).unwrap_err();
        let layout = Layout::new(text);
        let (line, problem, hint) = yaml_problem(&layout, &err, 0);
        assert_eq!(line, 2);
        assert!(problem.contains("quoted scalar"), "{problem}");
        assert!(hint.contains("quoting"), "{hint}");
        assert_eq!(yaml_problem(&layout, &err, 10).0, 12);
        let err = serde_yaml::from_str::<serde_yaml::Value>("a: [1\n").unwrap_err();
        let plain = yaml_problem(&Layout::new("a: [1\n"), &err, 0).0;
        assert_eq!(yaml_problem(&Layout::new("a: [1\n"), &err, 7).0, plain + 7);
    }
}
