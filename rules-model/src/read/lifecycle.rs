//! The file of released and retired ids.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Lifecycle, Origin, Retired};
use crate::read::layout::Layout;
use crate::read::raw::raw_struct;
use crate::read::yaml::yaml_problem;

raw_struct! {
    struct RawLifecycle {
        released: Option<Vec<String>> = default,
        retired: Option<Vec<RawRetired>> = default,
    }
}

/// Reads the file of released and retired ids; `None` when its YAML does
/// not read (the problem is in `out`).
pub fn load(file: &str, text: &str, out: &mut Vec<Diagnostic>) -> Option<Lifecycle> {
    let layout = Layout::new(text);
    match serde_yaml::from_str::<RawLifecycle>(text) {
        Ok(raw) => Some(lifecycle(file, &layout, raw.released, raw.retired, out)),
        Err(err) => {
            out.push(yaml_problem(file, &layout, &err, 0));
            None
        }
    }
}

raw_struct! {
    /// One retirement record as written.
    struct RawRetired {
        id: String,
        retired: String,
        replaced_by: Option<String> = default,
        reason: Option<String> = default,
    }
}

/// The released ids and retirement records, each with the line it is written on.
fn lifecycle(
    file: &str,
    layout: &Layout,
    released: Option<Vec<String>>,
    retired: Option<Vec<RawRetired>>,
    out: &mut Vec<Diagnostic>,
) -> Lifecycle {
    let origin = |line: usize| Origin {
        file: file.to_string(),
        line,
        id_line: line,
        see_also_lines: Vec::new(),
        example_lines: Vec::new(),
        counter_example_lines: Vec::new(),
    };
    let released_at = layout.top_key_line("released").unwrap_or(1);
    let retired_at = layout.top_key_line("retired").unwrap_or(1);
    let released = released
        .unwrap_or_default()
        .into_iter()
        .map(|id| {
            let line = layout.word_line(released_at, &id).unwrap_or(released_at);
            (id, origin(line))
        })
        .collect();
    let mut records = Vec::new();
    for (n, raw) in retired.unwrap_or_default().into_iter().enumerate() {
        let line = layout.nth_item_line(retired_at, n).unwrap_or(retired_at);
        let problem = |code: Code, message: String, hint: &str| {
            Diagnostic::new(code, message)
                .at(file, line)
                .in_rule(Some(&raw.id))
                .hint(hint)
        };
        if !is_date(&raw.retired) {
            out.push(problem(
                Code::BadDate,
                format!("retirement date `{}` is not a date", raw.retired),
                "write it as YYYY-MM-DD, e.g. `retired: 2026-11-26`",
            ));
        }
        if raw.reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
            out.push(problem(
                Code::EmptyText,
                "`reason` is empty".into(),
                "say why, or leave `reason` out",
            ));
        }
        records.push(Retired {
            id: raw.id,
            on: raw.retired,
            replaced_by: raw.replaced_by,
            origin: origin(line),
        });
    }
    Lifecycle {
        released,
        retired: records,
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_ten_characters_of_digits_and_dashes() {
        assert!(is_date("2026-11-26"));
        assert!(!is_date("2026/11/26"));
        assert!(!is_date("2026-11-2"));
        assert!(!is_date("yesterday!"));
    }
}
