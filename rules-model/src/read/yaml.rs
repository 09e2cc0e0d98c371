//! YAML errors in our words: where they lie, what they are, how to fix them.

use crate::diagnostic::{Code, Diagnostic};
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

/// The problem a YAML error reports, in `file`, at the line it lies on
/// (`offset` lines added for a rule parsed on its own).
pub fn yaml_problem(
    file: &str,
    layout: &Layout,
    err: &serde_yaml::Error,
    offset: usize,
) -> Diagnostic {
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
        return Diagnostic::new(Code::YamlSyntax, message)
            .at(file, line + offset)
            .hint(quoting_hint());
    }
    if let Some(key) = quoted_after(&text, "duplicate entry with key \"") {
        let line = layout.repeated_key(reported, key).unwrap_or(reported);
        return Diagnostic::new(Code::DuplicateKey, message)
            .at(file, line)
            .hint("a key may appear once per mapping; merge the two entries or remove one");
    }
    if text.contains("more than one document") {
        let line = layout.second_document().unwrap_or(reported);
        return Diagnostic::new(Code::SecondDocument, "a second YAML document starts here")
            .at(file, line)
            .hint("a rules file is one YAML document: remove the `---` line, or move what follows into a file of its own");
    }
    if text.contains("repetition limit exceeded") || text.contains("recursion limit exceeded") {
        let line = layout.first_alias().unwrap_or(reported);
        return Diagnostic::new(Code::AliasLimit, "YAML aliases expand beyond the limit")
            .at(file, line)
            .hint("rules files need no YAML anchors or aliases (`&name`, `*name`); write the values out");
    }
    let huge = quoted_after(&text, "invalid type: integer `").filter(|_| text.contains("128"));
    if let Some(number) = huge {
        let hint = if text.contains("status") {
            "an HTTP status is a whole number from 100 to 599, e.g. `status: 422`"
        } else {
            "write the value the API returns"
        };
        return Diagnostic::new(
            Code::NumberTooLarge,
            format!("the number {number} is far too large"),
        )
        .at(file, reported)
        .hint(hint);
    }
    serde_problem(message).at(file, reported)
}

/// The problem serde reports in `message` (its positions left out): an
/// unknown key, a missing key, a wrong type, or else a syntax error.
pub fn serde_problem(message: String) -> Diagnostic {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    if message.contains("unknown field") {
        if let Some((&unknown, expected)) = quoted.split_first() {
            let allowed = format!("allowed keys: {}", expected.join(", "));
            let unknown = unknown.to_string();
            let expected: Vec<String> = expected.iter().map(|e| e.to_string()).collect();
            return Diagnostic::new(Code::UnknownKey, message).suggest(
                &unknown,
                expected.iter().map(String::as_str),
                allowed,
            );
        }
    }
    let readme = "see README.md, \"Adding a rule\", for the rule format";
    if let Some(missing) = message.strip_prefix("missing field ") {
        let hint = format!("add {missing}; see README.md, \"Adding a rule\"");
        return Diagnostic::new(Code::MissingKey, message.clone()).hint(hint);
    }
    if message.contains("missing field") {
        return Diagnostic::new(Code::MissingKey, message).hint(readme);
    }
    if message.contains("invalid type") || message.contains("invalid value") {
        return Diagnostic::new(Code::WrongType, message).hint(readme);
    }
    Diagnostic::new(Code::YamlSyntax, message).hint(quoting_hint())
}

/// The text between `prefix` and the next quote or backtick.
fn quoted_after<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let (_, rest) = text.split_once(prefix)?;
    rest.split(['"', '`']).next()
}

fn quoting_hint() -> String {
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
        let message = format!(
            "control character U+{:04X} at column {}",
            u32::from(c),
            column + 1
        );
        Some(
            Diagnostic::new(Code::ControlCharacter, message)
                .at(file, n + 1)
                .hint("remove it; a rules file is plain UTF-8 text"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_problem_in_a_rule_read_alone_is_moved_by_its_offset() {
        let text = "a: 1\nb: \"open\nc: 2\n";
        let err = serde_yaml::from_str::<serde_yaml::Value>(text).unwrap_err();
        let layout = Layout::new(text);
        let d = yaml_problem("f", &layout, &err, 0);
        assert_eq!((d.line, d.code), (2, Code::YamlSyntax));
        assert!(d.message.contains("quoted scalar"), "{d}");
        assert!(d.hint.as_deref().unwrap_or("").contains("quoting"), "{d}");
        assert_eq!(yaml_problem("f", &layout, &err, 10).line, 12);
        let err = serde_yaml::from_str::<serde_yaml::Value>("a: [1\n").unwrap_err();
        let plain = yaml_problem("f", &Layout::new("a: [1\n"), &err, 0).line;
        assert_eq!(
            yaml_problem("f", &Layout::new("a: [1\n"), &err, 7).line,
            plain + 7
        );
    }

    #[test]
    fn serde_messages_are_told_apart_by_code() {
        let unknown =
            serde_problem("unknown field `soluton`, expected one of `id`, `solution`".into());
        assert_eq!(unknown.code, Code::UnknownKey);
        assert_eq!(unknown.hint.as_deref(), Some("did you mean `solution`?"));
        let far = serde_problem("unknown field `zzz`, expected `id` or `title`".into());
        assert_eq!(far.hint.as_deref(), Some("allowed keys: id, title"));
        let missing = serde_problem("missing field `summary`".into());
        assert_eq!(missing.code, Code::MissingKey);
        assert!(missing.hint.unwrap().starts_with("add `summary`"));
        let typed = serde_problem("invalid type: string \"x\", expected u32".into());
        assert_eq!(typed.code, Code::WrongType);
        assert_eq!(
            serde_problem("mapping values are not allowed".into()).code,
            Code::YamlSyntax
        );
    }
}
