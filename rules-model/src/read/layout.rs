//! Line numbers for a rules file. `serde_yaml` values carry no positions, so
//! the loader finds them in the text: where each rule of the `rules:` list
//! starts, and on which line a key inside a rule is written.

use std::ops::Range;

/// One step of a path inside a rule: a mapping key or the n-th list item.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    Key(&'a str),
    Item(usize),
}

pub struct Layout<'t> {
    lines: Vec<&'t str>,
    /// 0-based line ranges of the items of the top-level `rules:` list.
    spans: Vec<Range<usize>>,
}

impl<'t> Layout<'t> {
    pub fn new(text: &'t str) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let spans = rule_spans(&lines);
        Layout { lines, spans }
    }

    pub fn rule_count(&self) -> usize {
        self.spans.len()
    }

    /// 1-based first line of rule `index`, or of the `rules:` key when unknown.
    pub fn rule_line(&self, index: usize) -> usize {
        match self.spans.get(index) {
            Some(span) => span.start + 1,
            None => self.top_key_line("rules").unwrap_or(1),
        }
    }

    /// The index of the rule whose text holds 1-based `line`.
    pub fn rule_at(&self, line: usize) -> Option<usize> {
        self.spans
            .iter()
            .position(|s| s.contains(&(line.saturating_sub(1))))
    }

    /// The text of rule `index` as a standalone YAML mapping (the list dash
    /// blanked out, so columns stay as in the file), and the number of file
    /// lines before it, to add to serde_yaml's line numbers.
    pub fn rule_text(&self, index: usize) -> Option<(String, usize)> {
        let span = self.spans.get(index)?;
        let mut out = String::new();
        for (n, line) in self.lines[span.clone()].iter().enumerate() {
            if n == 0 {
                out.push_str(&line.replacen('-', " ", 1));
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        Some((out, span.start))
    }

    /// The lines before the `rules:` key: the file's header.
    pub fn head_text(&self) -> String {
        let end = self
            .top_key_line("rules")
            .map_or(self.lines.len(), |line| line - 1);
        self.lines[..end].join("\n")
    }

    /// The plain scalar written after `key:` at the top of rule `index`.
    pub fn written_value(&self, index: usize, key: &str) -> Option<String> {
        let span = self.spans.get(index)?;
        let line = self.lines[span.clone()]
            .iter()
            .find(|l| key_of(l) == Some(key))?;
        let (_, value) = line.split_once(':')?;
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty()).then(|| value.to_string())
    }

    /// 1-based line of a top-level key such as `section:`.
    pub fn top_key_line(&self, key: &str) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| key_of(l) == Some(key) && indent(l) == 0)
            .map(|i| i + 1)
    }

    /// 1-based line where `key` appears a second time in the block mapping
    /// whose first key is on 1-based line `start`.
    pub fn repeated_key(&self, start: usize, key: &str) -> Option<usize> {
        let first = start.checked_sub(1)?;
        let column = key_indent(self.lines.get(first)?);
        let mut seen = 0;
        for (i, line) in self.lines.iter().enumerate().skip(first) {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let at = key_indent(line);
            if i > first && (at < column || (at == column && trimmed.starts_with("- "))) {
                break;
            }
            if at == column && key_of(line) == Some(key) {
                seen += 1;
                if seen == 2 {
                    return Some(i + 1);
                }
            }
        }
        None
    }

    /// 1-based line, from 1-based line `from` on, that opens the mapping key `key`.
    pub fn key_line(&self, from: usize, key: &str) -> Option<usize> {
        (from.saturating_sub(1)..self.lines.len())
            .find(|&i| key_of(self.lines[i]) == Some(key))
            .map(|i| i + 1)
    }

    /// 1-based line, from 1-based line `from` on, where `word` is written
    /// as a whole list entry or value.
    pub fn word_line(&self, from: usize, word: &str) -> Option<usize> {
        let whole = |line: &str| {
            line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .any(|w| w == word)
        };
        (from.saturating_sub(1)..self.lines.len())
            .find(|&i| whole(self.lines[i]))
            .map(|i| i + 1)
    }

    /// 1-based line of item `n` of the block list under the key on 1-based line `key_line`.
    pub fn nth_item_line(&self, key_line: usize, n: usize) -> Option<usize> {
        let start = key_line.checked_sub(1)?;
        let column = key_indent(self.lines.get(start)?);
        self.item(start + 1..self.lines.len(), column, n)
            .map(|i| i + 1)
    }

    /// 1-based line of a document marker (`---` or `...`) that follows content.
    pub fn second_document(&self) -> Option<usize> {
        let content = self.lines.iter().position(|l| {
            let t = l.trim_start();
            !t.is_empty() && !t.starts_with('#') && !t.starts_with("---")
        })?;
        self.lines
            .iter()
            .enumerate()
            .skip(content + 1)
            .find(|(_, l)| l.starts_with("---") || l.starts_with("..."))
            .map(|(i, _)| i + 1)
    }

    /// 1-based line of the first YAML alias (`*name`) outside quotes and comments.
    pub fn first_alias(&self) -> Option<usize> {
        self.lines.iter().position(|l| has_alias(l)).map(|i| i + 1)
    }

    /// 1-based line of `path` inside rule `index`: the deepest step found.
    pub fn locate(&self, index: usize, path: &[Step]) -> usize {
        let Some(span) = self.spans.get(index) else {
            return self.rule_line(index);
        };
        let mut found = span.start;
        let mut parent_indent = indent(self.lines[span.start]);
        let mut from = span.start;
        for step in path {
            let hit = match *step {
                Step::Key(key) => (from..span.end).find(|&i| {
                    let line = self.lines[i];
                    key_of(line) == Some(key) && key_indent(line) >= parent_indent && i >= from
                }),
                Step::Item(n) => self.item(from + 1..span.end, parent_indent, n),
            };
            match hit {
                Some(i) => {
                    found = i;
                    from = i;
                    parent_indent = key_indent(self.lines[i]);
                }
                None => break,
            }
        }
        found + 1
    }
}

impl Layout<'_> {
    /// The 0-based line of item `n` of the block list that starts within
    /// `lines` under a key at column `parent_indent`; `None` for a list
    /// written on one line, or one with fewer items.
    fn item(&self, lines: Range<usize>, parent_indent: usize, n: usize) -> Option<usize> {
        let mut item_indent = None;
        let mut count = 0;
        for i in lines {
            let line = self.lines[i];
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let at = indent(line);
            let is_item = trimmed.starts_with("- ") || trimmed == "-";
            // A line at the key's column that is not an item ends the block.
            if at < parent_indent || (at == parent_indent && !is_item) {
                return None;
            }
            if is_item && *item_indent.get_or_insert(at) == at {
                if count == n {
                    return Some(i);
                }
                count += 1;
            }
        }
        None
    }
}

fn has_alias(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        let after_separator = i == 0 || b" [{,:-".contains(&bytes[i - 1]);
        match (quote, b) {
            (Some(q), _) if q == b => quote = None,
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'#') if after_separator => return false,
            (None, b'*')
                if after_separator && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Column where a line's key starts, past any list dash.
fn key_indent(line: &str) -> usize {
    let trimmed = line.trim_start();
    match trimmed.strip_prefix("- ") {
        Some(rest) => line.len() - rest.trim_start().len(),
        None => indent(line),
    }
}

/// The mapping key a line opens, if any (`  - id: x` gives `id`).
fn key_of(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    let trimmed = trimmed
        .strip_prefix("- ")
        .map(str::trim_start)
        .unwrap_or(trimmed);
    let (key, _) = trimmed.split_once(':')?;
    let key = key.trim();
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    plain.then_some(key)
}

fn rule_spans(lines: &[&str]) -> Vec<Range<usize>> {
    let Some(rules_line) = lines
        .iter()
        .position(|l| indent(l) == 0 && key_of(l) == Some("rules"))
    else {
        return Vec::new();
    };
    let mut starts = Vec::new();
    let mut item_indent = None;
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate().skip(rules_line + 1) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent(line) == 0 && !trimmed.starts_with("- ") {
            end = i;
            break;
        }
        if trimmed.starts_with("- ") || trimmed == "-" {
            let here = indent(line);
            if *item_indent.get_or_insert(here) == here {
                starts.push(i);
            }
        }
    }
    let mut spans: Vec<Range<usize>> = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let mut stop = starts.get(n + 1).copied().unwrap_or(end);
        // Comments and blank lines just above the next rule belong to no
        // rule. The walk ends at the item's own line, which is neither.
        while {
            let t = lines[stop - 1].trim_start();
            t.is_empty() || t.starts_with('#')
        } {
            stop -= 1;
        }
        spans.push(start..stop);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
section:
  title: T
rules:
  - id: first
    title: \"One\"
    when:
      status: 409
      type: X
    examples:
      - { status: 409 }
      - { status: 410 }

  - id: 'second'
    see_also: [first]
    when: { status: 400 }
";

    #[test]
    fn rules_are_found_with_their_lines() {
        let layout = Layout::new(FILE);
        assert_eq!(layout.rule_count(), 2);
        assert_eq!(layout.rule_line(0), 4);
        assert_eq!(layout.rule_line(1), 13);
        // An index past the last rule points at the `rules:` key.
        assert_eq!(layout.rule_line(2), 3);
        assert_eq!(Layout::new("section:\n  a: b\n").rule_line(0), 1);
        assert_eq!(layout.rule_at(4), Some(0));
        assert_eq!(layout.rule_at(11), Some(0));
        assert_eq!(layout.rule_at(13), Some(1));
        assert_eq!(layout.rule_at(2), None);
    }

    #[test]
    fn the_head_is_what_comes_before_the_rules() {
        assert_eq!(Layout::new(FILE).head_text(), "section:\n  title: T");
        assert_eq!(
            Layout::new("section:\n  a: b").head_text(),
            "section:\n  a: b"
        );
    }

    #[test]
    fn written_values_are_read_unquoted() {
        let layout = Layout::new(FILE);
        assert_eq!(layout.written_value(0, "id").as_deref(), Some("first"));
        assert_eq!(layout.written_value(1, "id").as_deref(), Some("second"));
        assert_eq!(layout.written_value(0, "title").as_deref(), Some("One"));
        assert_eq!(layout.written_value(0, "when"), None);
        assert_eq!(layout.written_value(5, "id"), None);
    }

    #[test]
    fn paths_inside_a_rule_are_located() {
        let layout = Layout::new(FILE);
        assert_eq!(layout.locate(0, &[]), 4);
        assert_eq!(layout.locate(0, &[Step::Key("when"), Step::Key("type")]), 8);
        assert_eq!(
            layout.locate(0, &[Step::Key("examples"), Step::Item(1)]),
            11
        );
        // A missing step stops at the deepest one found.
        assert_eq!(layout.locate(0, &[Step::Key("examples"), Step::Item(2)]), 9);
        // A list on one line has no item lines.
        assert_eq!(
            layout.locate(1, &[Step::Key("see_also"), Step::Item(0)]),
            14
        );
        assert_eq!(layout.locate(7, &[Step::Key("id")]), 3);
    }

    #[test]
    fn the_second_of_two_equal_keys_is_found() {
        let text = "rules:\n  - id: a\n    retry: never\n    when:\n      retry: x\n    retry: again\n  - id: b\n    retry: never\n";
        let layout = Layout::new(text);
        assert_eq!(layout.repeated_key(2, "retry"), Some(6));
        // The nested `retry` under `when` is another mapping's; the next
        // rule's is another rule's.
        assert_eq!(layout.repeated_key(2, "when"), None);
        assert_eq!(layout.repeated_key(5, "retry"), None);
        assert_eq!(layout.repeated_key(0, "retry"), None);
        assert_eq!(layout.repeated_key(99, "retry"), None);
        let comments = "a: 1\n# a: 2\n\nb: 3\na: 4\n";
        assert_eq!(Layout::new(comments).repeated_key(1, "a"), Some(5));
    }

    #[test]
    fn a_second_document_marker_after_content_is_found() {
        assert_eq!(Layout::new("a: 1\n---\nb: 2\n").second_document(), Some(2));
        assert_eq!(Layout::new("---\na: 1\n").second_document(), None);
        assert_eq!(
            Layout::new("# c\n---\na: 1\n...\n").second_document(),
            Some(4)
        );
        assert_eq!(Layout::new("a: 1\n  ---\n").second_document(), None);
        assert_eq!(Layout::new("").second_document(), None);
    }

    #[test]
    fn aliases_are_found_outside_quotes_and_comments() {
        let alias_line = |text: &str| Layout::new(text).first_alias();
        assert_eq!(alias_line("a: &x [1]\nb: *x\n"), Some(2));
        assert_eq!(alias_line("a: [*x, 1]\n"), Some(1));
        assert_eq!(alias_line("- *x\n"), Some(1));
        assert_eq!(alias_line("*x\n"), Some(1));
        assert_eq!(alias_line("a: {b: *x}\n"), Some(1));
        assert_eq!(alias_line("m: \"Unknown country: *\"\n"), None);
        assert_eq!(alias_line("m: \"x *y\"\nn: 'a *b'\n"), None);
        assert_eq!(alias_line("m: \"it's\" *x\n"), Some(1));
        assert_eq!(alias_line("a: 1 # see *x\n"), None);
        assert_eq!(alias_line("a: 2*x\n"), None);
        assert_eq!(alias_line("a: * x\n"), None);
        assert_eq!(alias_line("a: b#*x\n"), None);
    }

    #[test]
    fn list_items_end_with_their_block() {
        let text = "retired:\n  - a\n  - b\nreleased:\n  - c\n";
        let layout = Layout::new(text);
        assert_eq!(layout.nth_item_line(1, 0), Some(2));
        assert_eq!(layout.nth_item_line(1, 1), Some(3));
        assert_eq!(layout.nth_item_line(1, 2), None);
        assert_eq!(layout.nth_item_line(4, 0), Some(5));
        // Items written at the key's own column belong to it too.
        let flush = "retired:\n- a\n- b\nother: 1\n";
        assert_eq!(Layout::new(flush).nth_item_line(1, 1), Some(3));
        assert_eq!(Layout::new(flush).nth_item_line(1, 2), None);
        // Nested lists inside an item are not items of the outer list.
        let nested = "k:\n  - a:\n      - x\n      - y\n  - b\n";
        assert_eq!(Layout::new(nested).nth_item_line(1, 1), Some(5));
        assert_eq!(Layout::new("k: [a, b]\n").nth_item_line(1, 0), None);
    }

    #[test]
    fn words_are_found_whole() {
        let layout = Layout::new("released:\n  - busy-server\n  - busy\n");
        assert_eq!(layout.word_line(1, "busy"), Some(3));
        assert_eq!(layout.word_line(1, "busy-server"), Some(2));
        assert_eq!(layout.word_line(1, "bus"), None);
        assert_eq!(layout.word_line(3, "busy-server"), None);
    }

    #[test]
    fn keys_are_plain_words_before_a_colon() {
        assert_eq!(key_of("  - id: x"), Some("id"));
        assert_eq!(key_of("    when:"), Some("when"));
        assert_eq!(
            key_of("after_token_refresh: true"),
            Some("after_token_refresh")
        );
        assert_eq!(key_of("  - { status: 1 }"), None);
        assert_eq!(key_of("\"quoted\": 1"), None);
        assert_eq!(key_of(": x"), None);
        assert_eq!(key_of("no colon"), None);
        assert_eq!(key_indent("  - id: x"), 4);
        assert_eq!(key_indent("    when:"), 4);
    }

    #[test]
    fn a_repeated_key_is_found_past_comments_and_not_in_the_next_item() {
        let text = "rules:\n  - id: a\n    title: x\n# about the title\n\n    title: y\n";
        assert_eq!(Layout::new(text).repeated_key(2, "title"), Some(6));
        let text = "rules:\n  - id: a\n    title: x\n  - id: b\n    title: y\n";
        assert_eq!(Layout::new(text).repeated_key(2, "title"), None);
        let text = "rules:\n  - id: a\n    title: x\nother: 1\n    title: y\n";
        assert_eq!(Layout::new(text).repeated_key(2, "title"), None);
    }

    #[test]
    fn a_document_marker_counts_only_after_content() {
        assert_eq!(
            Layout::new("...\nkey: 1\n---\nb: 2\n").second_document(),
            Some(3)
        );
        assert_eq!(Layout::new("---\nkey: 1\n").second_document(), None);
    }

    #[test]
    fn list_items_are_counted_past_blank_lines_and_comments() {
        let layout = Layout::new("list:\n  - a\n\n# b next\n  - b\nnext: 1\n");
        assert_eq!(layout.nth_item_line(1, 1), Some(5));
        assert_eq!(layout.nth_item_line(1, 2), None);
    }

    #[test]
    fn an_alias_is_a_star_after_a_separator_outside_quotes_and_comments() {
        assert!(has_alias("x: a#b *ref"));
        assert!(has_alias("x: [*ref]"));
        assert!(!has_alias("x: a # *ref"));
        assert!(!has_alias("x: \"*ref\""));
        assert!(!has_alias("x: a*b"));
    }

    #[test]
    fn a_bare_dash_starts_a_rule() {
        let layout = Layout::new("rules:\n  -\n    id: a\n    title: x\n  -\n    id: b\n");
        assert_eq!(layout.rule_count(), 2);
        assert_eq!(layout.rule_line(0), 2);
        assert_eq!(layout.rule_line(1), 5);
    }

    #[test]
    fn blank_lines_and_comments_before_a_rule_belong_to_no_rule() {
        let text = "rules:\n  - id: a\n    when:\n      - nested\n\n# about b\n  - id: b\n";
        let layout = Layout::new(text);
        assert_eq!(layout.rule_count(), 2);
        assert_eq!(layout.rule_line(0), 2);
        assert_eq!(layout.rule_line(1), 7);
        assert_eq!(layout.rule_at(4), Some(0));
        assert_eq!(layout.rule_at(5), None);
        assert_eq!(layout.rule_at(6), None);
        assert_eq!(layout.rule_at(7), Some(1));
    }
}
