//! Markdown renderings of the catalog: the pages under `docs/`, one rule in
//! full (`explain`), and the command line that reproduces a query.
//!
//! Rule text (titles, causes, solutions) is escaped so that it always renders
//! as literal text; section prose and rule notes are Markdown written for the
//! page and are copied as they are.

use std::fmt::Write;

use debitura_triage::{
    Operation, Query, Retired, Retry, Rule, COVERAGE, PAGE, RETIRED, RULES, SECTIONS,
};
use debitura_triage_rules_model::Code;

/// The command that regenerates `docs/`.
pub const REGENERATE: &str = "cargo run -q -- docs";

/// One generated page: its file name under `docs/` and its Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// File name, e.g. `troubleshooting.md`.
    pub file: &'static str,
    /// The whole page, starting with a comment that names [`REGENERATE`].
    pub markdown: String,
}

/// Every page under `docs/`, generated from the catalog.
///
/// ```
/// let pages = debitura_triage_cli::docs::pages();
/// let names: Vec<&str> = pages.iter().map(|p| p.file).collect();
/// assert_eq!(
///     names,
///     [
///         "troubleshooting.md",
///         "error-reference.md",
///         "retry-policy.md",
///         "coverage.md",
///         "diagnostics.md"
///     ]
/// );
/// assert!(pages.iter().all(|p| p.markdown.starts_with("<!-- Generated")));
/// ```
pub fn pages() -> Vec<Document> {
    vec![
        Document {
            file: "troubleshooting.md",
            markdown: troubleshooting(),
        },
        Document {
            file: "error-reference.md",
            markdown: error_reference(),
        },
        Document {
            file: "retry-policy.md",
            markdown: retry_policy(),
        },
        Document {
            file: "coverage.md",
            markdown: coverage(),
        },
        Document {
            file: "diagnostics.md",
            markdown: diagnostics(),
        },
    ]
}

/// Every code the rule compiler reports, with what causes it and an
/// example, in the manner of rustc's error index.
fn diagnostics() -> String {
    let mut md = format!(
        "<!-- Generated from the diagnostic codes of debitura-triage-rules-model by `debitura-triage \
         docs`. Do not edit: change `rules-model/src/diagnostic.rs` and run `{REGENERATE}`. -->\n\n"
    );
    let _ = writeln!(
        md,
        "# Diagnostics\n\n\
         A rules file the compiler cannot accept stops the build with one line per problem, all \
         problems at once, each with a stable code:\n\n\
         ```text\n\
         rules/FILE.yaml:LINE: rule `id`: what is wrong [code] (how to fix it)\n\
         ```\n\n\
         Every problem below is an error: the rule set is not built until it is fixed. \
         `debitura-triage policy diff` reports the same lines for the rule sets it reads. The \
         {} codes, in the order the compiler meets them:\n",
        Code::ALL.len()
    );
    for code in Code::ALL {
        let _ = writeln!(md, "- [`{0}`](#{0})", code.as_str());
    }
    let _ = writeln!(md);
    for code in Code::ALL {
        let _ = writeln!(
            md,
            "## {}\n\n{} ({}.)\n\nFor example:\n\n```text\n{}\n```\n",
            code.as_str(),
            code.cause(),
            capitalised(code.severity().as_str()),
            code.example()
        );
    }
    finish(md)
}

/// `error` → `Error`.
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The source catalogue row by row, with the rules that answer each row.
fn coverage() -> String {
    let mut md = header();
    let rows = COVERAGE;
    let _ = writeln!(
        md,
        "# Catalogue coverage\n\n\
         The rules were written from a catalogue of {} documented errors and symptoms (Debitura's \
         error reference, troubleshooting pages and OpenAPI specs). Every row is answered by the \
         rules listed; a note says why when a rule covers a row only in part. The table comes \
         from `rules/coverage.yaml`.\n",
        rows.len()
    );
    let mut group = "";
    let mut table_rows: Vec<Vec<Cell>> = Vec::new();
    let headers = ["Row", "Rules", "Note"];
    for row in rows {
        if row.group != group {
            if !table_rows.is_empty() {
                let _ = writeln!(md, "{}", table(&headers, &table_rows));
                table_rows.clear();
            }
            let _ = writeln!(md, "## {}\n", row.group);
            group = row.group;
        }
        let rules: Vec<String> = row
            .rules
            .iter()
            .map(|id| format!("[`{0}`](error-reference.md#{0})", id.as_str()))
            .collect();
        table_rows.push(vec![
            Cell::Text(row.row.to_string()),
            Cell::Markdown(rules.join(", ")),
            Cell::Text(row.note.unwrap_or("").to_string()),
        ]);
    }
    if !table_rows.is_empty() {
        let _ = writeln!(md, "{}", table(&headers, &table_rows));
    }
    finish(md)
}

fn header() -> String {
    format!(
        "<!-- Generated from rules/*.yaml by `debitura-triage docs`. Do not edit: change the rules \
         and run `{REGENERATE}`. -->\n\n"
    )
}

/// `text` as Markdown that renders to exactly `text` on one line: newlines
/// fold to spaces and every character that could start Markdown or HTML
/// syntax is backslash-escaped.
///
/// ```
/// use debitura_triage_cli::docs::escape;
/// assert_eq!(escape("a | b <i>"), r"a \| b \<i\>");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if "\\`*_[]<>&|~!#".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A GitHub-flavoured Markdown table; every cell is [`escape`]d unless it is
/// given as already-rendered Markdown with [`Cell::Markdown`].
pub fn table(headers: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
    for row in rows {
        let cells: Vec<String> = row.iter().map(Cell::render).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// One table cell.
#[derive(Debug, Clone)]
pub enum Cell {
    /// Literal text, escaped when rendered.
    Text(String),
    /// Markdown produced by this module (links around escaped text).
    Markdown(String),
}

impl Cell {
    fn render(&self) -> String {
        match self {
            Cell::Text(text) => escape(text),
            Cell::Markdown(md) => md.clone(),
        }
    }
}

/// The anchor GitHub gives a heading: lower case, spaces to `-`, other
/// punctuation dropped. Rule ids are their own anchors.
///
/// ```
/// assert_eq!(debitura_triage_cli::docs::anchor("HTTP 409"), "http-409");
/// assert_eq!(debitura_triage_cli::docs::anchor("missing-power-of-attorney"), "missing-power-of-attorney");
/// ```
pub fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// A link to a rule's entry in the error reference, with its escaped title.
fn rule_link(rule: &Rule, from_reference: bool) -> String {
    let page = if from_reference {
        ""
    } else {
        "error-reference.md"
    };
    format!("[{}]({page}#{})", escape(rule.title), rule.id.as_str())
}

fn troubleshooting() -> String {
    let mut md = header();
    let _ = writeln!(md, "# {}\n\n{}\n", PAGE.title, PAGE.intro.trim());
    for section in &SECTIONS {
        let _ = writeln!(md, "## {}\n", section.title);
        if let Some(intro) = section.intro {
            let _ = writeln!(md, "{}\n", intro.trim());
        }
        let rules: Vec<&Rule> = RULES
            .iter()
            .filter(|r| std::ptr::eq(r.section, section))
            .collect();
        if !rules.is_empty() {
            let mut headers = vec!["Issue"];
            if section.show_cause {
                headers.push("Cause");
            }
            headers.push("Solution");
            let rows: Vec<Vec<Cell>> = rules
                .iter()
                .map(|rule| {
                    let mut row = vec![Cell::Markdown(rule_link(rule, false))];
                    // The page's own words, where the answer follows a newer source.
                    if section.show_cause {
                        row.push(Cell::Text(
                            rule.page_cause.unwrap_or(rule.cause).to_string(),
                        ));
                    }
                    row.push(Cell::Text(
                        rule.page_solution.unwrap_or(rule.solution).to_string(),
                    ));
                    row
                })
                .collect();
            let _ = writeln!(md, "{}", table(&headers, &rows));
        }
        if let Some(outro) = section.outro {
            let _ = writeln!(md, "{}\n", outro.trim());
        }
    }
    finish(md)
}

/// The heading a rule is filed under in the error reference.
fn group_of(rule: &Rule) -> (u8, u16, String) {
    if let Some(status) = rule.when.status.first() {
        (0, *status, format!("HTTP {status}"))
    } else if !rule.when.symptom.is_empty() {
        (1, 0, "Symptoms".to_string())
    } else if !rule.when.event.is_empty() {
        (2, 0, "Webhook events".to_string())
    } else {
        (3, 0, "Other".to_string())
    }
}

fn error_reference() -> String {
    let mut md = header();
    md.push_str(
        "# Error reference\n\n\
         Every rule in the catalog, grouped by HTTP status, then by symptom and webhook event. \
         Each rule's heading is its id and its stable anchor; `debitura-triage explain ID` prints \
         the same entry in a terminal. Retry policies are explained in [Retry policy](retry-policy.md); \
         the failures by topic are on the [Troubleshooting](troubleshooting.md) page.\n\n",
    );
    let mut rules: Vec<&Rule> = RULES.iter().collect();
    rules.sort_by_key(|r| {
        let (kind, status, _) = group_of(r);
        (kind, status)
    });
    let mut current = String::new();
    for rule in rules {
        let (_, _, group) = group_of(rule);
        if group != current {
            let _ = writeln!(md, "## {group}\n");
            current = group;
        }
        let _ = writeln!(md, "### {}\n", rule.id.as_str());
        let _ = writeln!(md, "**{}** ({})\n", escape(rule.title), rule.section.title);
        for (key, value) in conditions(rule) {
            let _ = writeln!(md, "- {key}: {value}");
        }
        let _ = writeln!(
            md,
            "- retry: [`{}`](retry-policy.md#{})",
            rule.retry,
            rule.retry.as_str()
        );
        if let Some(bounds) = rule.backoff {
            let _ = writeln!(md, "- backoff: {bounds}");
        }
        md.push('\n');
        let _ = writeln!(md, "**Cause.** {}\n", escape(rule.cause));
        let _ = writeln!(md, "**Solution.** {}\n", escape(rule.solution));
        if let Some(notes) = rule.notes {
            let _ = writeln!(md, "{}\n", notes.trim());
        }
        md.push_str("Examples:\n\n");
        for example in rule.examples {
            let _ = writeln!(md, "    {}", diagnose_command(example));
        }
        md.push('\n');
        if !rule.see_also.is_empty() {
            let links: Vec<String> = rule
                .see_also
                .iter()
                .map(|id| format!("[`{0}`](#{0})", id.as_str()))
                .collect();
            let _ = writeln!(md, "See also: {}.\n", links.join(", "));
        }
    }
    if !RETIRED.is_empty() {
        md.push_str(
            "## Retired ids\n\n\
             Ids that are no longer rules keep their anchors here, so old links still lead somewhere. \
             `RuleId::from_id` returns the replacement for a retired id.\n\n",
        );
        for record in &RETIRED {
            let _ = writeln!(md, "### {}\n", record.id);
            let _ = match record.replaced_by {
                Some(id) => writeln!(
                    md,
                    "Retired on {}; replaced by [`{id}`](#{id}).\n",
                    record.on
                ),
                None => writeln!(md, "Retired on {}; no rule replaces it.\n", record.on),
            };
        }
    }
    finish(md)
}

/// What became of a retired id, as one Markdown paragraph for `explain`.
pub fn retired_note(record: &Retired) -> String {
    match record.replaced_by {
        Some(id) => format!(
            "`{}` was retired on {}; `{id}` answers its queries now.\n\n",
            record.id, record.on
        ),
        None => format!(
            "`{}` was retired on {}; no rule replaces it.\n",
            record.id, record.on
        ),
    }
}

fn retry_policy() -> String {
    let mut md = header();
    md.push_str(
        "# Retry policy\n\n\
         Every rule carries one retry policy: what a service should do about the call that failed. \
         A failure that no rule matches is reported as unrecognised and is never retried \
         automatically. Rule entries are in the [Error reference](error-reference.md).\n\n",
    );
    let mut headers = vec!["Rule", "Issue"];
    headers.extend(Retry::ALL.iter().map(|r| r.as_str()));
    let rows: Vec<Vec<Cell>> = RULES
        .iter()
        .map(|rule| {
            let mut row = vec![
                Cell::Markdown(format!("[`{0}`](error-reference.md#{0})", rule.id.as_str())),
                Cell::Text(rule.title.to_string()),
            ];
            row.extend(
                Retry::ALL
                    .iter()
                    .map(|r| Cell::Text(if *r == rule.retry { "✓" } else { "" }.to_string())),
            );
            row
        })
        .collect();
    let _ = writeln!(md, "{}", table(&headers, &rows));
    md.push_str(
        "A query that leaves out its status, operation or environment never gets an answer \
         that resends more often than the answers it could have had, had it given them.\n\n",
    );
    for retry in Retry::ALL {
        let _ = writeln!(md, "## {retry}\n\n{}\n", retry.description());
        match retry.default_backoff() {
            Some(bounds) => {
                let _ = writeln!(md, "Default bounds: {bounds}.\n");
                let rows: Vec<Vec<Cell>> = RULES
                    .iter()
                    .filter_map(|r| Some((r, r.backoff?)))
                    .map(|(r, b)| {
                        vec![
                            Cell::Markdown(format!(
                                "[`{0}`](error-reference.md#{0})",
                                r.id.as_str()
                            )),
                            Cell::Text(b.attempts.to_string()),
                            Cell::Text(format!("{} ms", b.base_delay.as_millis())),
                            Cell::Text(format!("{} ms", b.max_delay.as_millis())),
                            Cell::Text(format!("±{} %", b.jitter_percent)),
                            Cell::Text(if b.honour_retry_after { "yes" } else { "no" }.into()),
                        ]
                    })
                    .collect();
                let headers = [
                    "Rule",
                    "Attempts",
                    "Base delay",
                    "Max delay",
                    "Jitter",
                    "Waits for retryAfter",
                ];
                let _ = writeln!(md, "{}", table(&headers, &rows));
            }
            None => {
                let _ = writeln!(
                    md,
                    "A service following it sends the request again on its own {} time(s).\n",
                    retry.resends()
                );
            }
        }
        let rules: Vec<String> = RULES
            .iter()
            .filter(|r| r.retry == *retry)
            .map(|r| {
                format!(
                    "- [`{}`](error-reference.md#{}): {}",
                    r.id.as_str(),
                    r.id.as_str(),
                    escape(r.title)
                )
            })
            .collect();
        if rules.is_empty() {
            md.push_str("No rule uses this policy yet.\n\n");
        } else {
            let _ = writeln!(md, "{}\n", rules.join("\n"));
        }
    }
    md.push_str(&resend_table());
    finish(md)
}

/// Every documented route, whether sending it twice is safe, and why.
fn resend_table() -> String {
    let mut md = String::from(
        "## Sending a request twice\n\n\
         A request whose answer never came may have been acted on. Sending it again is safe only \
         where a second copy cannot act twice: by its HTTP method, by an `Idempotency-Key` \
         exactly where the API's spec declares one, or by a key in the request that names what \
         it creates. Every other write is sent once; when its outcome is unknown, check whether \
         it took effect before sending it again.\n\n\
         Nothing is assumed. A query that does not say whether a write that takes a key was sent \
         with one (`--idempotency-key` or `--no-idempotency-key`), or which method a request of \
         an operation with several kinds of route used (`--method`), is answered with both rules \
         and the more cautious of their policies: check first. A method that none of the \
         operation's routes uses is set aside, with a note; the operation's own routes decide.\n\n",
    );
    let rows: Vec<Vec<Cell>> = resend_routes()
        .into_iter()
        .map(|route| {
            vec![
                Cell::Markdown(format!("`{}`", route.operation.as_str())),
                Cell::Markdown(format!("`{} {}`", route.method, route.path)),
                Cell::Markdown(route.safe.to_string()),
                Cell::Markdown(route.why),
            ]
        })
        .collect();
    let _ = writeln!(
        md,
        "{}",
        table(&["Operation", "Route", "Safe to send twice", "Why"], &rows)
    );
    md
}

/// One documented route and whether sending it twice is safe.
#[derive(Debug, Clone)]
pub struct ResendRoute {
    /// The operation the route belongs to.
    pub operation: Operation,
    /// Its HTTP method.
    pub method: &'static str,
    /// Its path, with `{parameters}`.
    pub path: &'static str,
    /// `yes`, `with the same \`Idempotency-Key\`` or `no`, as Markdown.
    pub safe: &'static str,
    /// Why, as Markdown.
    pub why: String,
}

/// Every documented route, in the vocabulary's order, with whether sending
/// it twice is safe: what the retry-policy page tabulates.
pub fn resend_routes() -> Vec<ResendRoute> {
    Operation::ALL
        .iter()
        .flat_map(|&op| op.routes().map(move |(method, path)| (op, method, path)))
        .map(|(operation, method, path)| {
            let resend = operation.resend(Some(method));
            let safe = match (resend.is_safe(false), resend.is_safe(true)) {
                (true, _) => "yes",
                (false, true) => "with the same `Idempotency-Key`",
                (false, false) => "no",
            };
            ResendRoute {
                operation,
                method,
                path,
                safe,
                why: format!("`{resend}`: {}", resend.description()),
            }
        })
        .collect()
}

/// One trailing newline, no trailing blank lines.
fn finish(mut md: String) -> String {
    while md.ends_with("\n\n") {
        md.pop();
    }
    md
}

/// The `debitura-triage diagnose` command that asks `query`.
pub fn diagnose_command(query: &Query<'_>) -> String {
    let args = query.to_string();
    if args.is_empty() {
        "debitura-triage diagnose".into()
    } else {
        format!("debitura-triage diagnose {args}")
    }
}

/// The conditions of a rule as `key: value` lines.
pub fn conditions(rule: &Rule) -> Vec<(&'static str, String)> {
    let w = &rule.when;
    let join = |items: Vec<String>| items.join(" or ");
    let texts = |items: &[&str]| -> String {
        join(
            items
                .iter()
                .map(|t| match t.strip_suffix('*') {
                    _ if t.is_empty() => "none".to_string(),
                    Some(prefix) => format!("starts with `{prefix}`"),
                    None => format!("`{t}`"),
                })
                .collect(),
        )
    };
    let mut out = Vec::new();
    if !w.symptom.is_empty() {
        out.push((
            "symptom",
            join(w.symptom.iter().map(|s| format!("`{s}`")).collect()),
        ));
    }
    if !w.event.is_empty() {
        out.push((
            "event",
            join(w.event.iter().map(|s| format!("`{s}`")).collect()),
        ));
    }
    if !w.status.is_empty() {
        out.push((
            "status",
            join(w.status.iter().map(u16::to_string).collect()),
        ));
    }
    if !w.error_type.is_empty() {
        out.push(("type", texts(w.error_type)));
    }
    if !w.message.is_empty() {
        out.push(("message", texts(w.message)));
    }
    if !w.operation.is_empty() {
        let ops = w.operation.iter().map(|o| format!("`{o}`")).collect();
        // Only an API (or another operation with children) covers more.
        let broad = w
            .operation
            .iter()
            .any(|op| Operation::ALL.iter().any(|o| o.parent() == Some(*op)));
        let within = if broad {
            " (and the operations within it)"
        } else {
            ""
        };
        out.push(("operation", join(ops) + within));
    }
    if let Some(after) = w.after_token_refresh {
        let text = if after {
            "yes: the call was already retried with a fresh token"
        } else {
            "no: first failure, not yet retried with a fresh token"
        };
        out.push(("after a token refresh", text.to_string()));
    }
    if let Some(safe) = w.safe_to_resend {
        let text = if safe {
            "yes: a second copy cannot act twice (a safe method, a write with its `Idempotency-Key`, or a request whose own key names what it creates)"
        } else {
            "no: a second copy could act twice, or the query does not say enough to tell"
        };
        out.push(("safe to send twice", text.to_string()));
    }
    if !w.environment.is_empty() {
        out.push((
            "environment",
            join(w.environment.iter().map(|e| format!("`{e}`")).collect()),
        ));
    }
    out
}

/// One rule in full, as Markdown: what `debitura-triage explain` prints.
pub fn explain(rule: &Rule) -> String {
    format!(
        "# {}: {}\n\n{}",
        rule.id.as_str(),
        escape(rule.title),
        explain_body(rule, true)
    )
}

/// Everything [`explain`] prints under its heading. `docs_line` adds the
/// rule's docs URL, which a page that is itself the docs leaves out.
pub fn explain_body(rule: &Rule, docs_line: bool) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Section: {}. Retry policy: `{}`.\n",
        rule.section.title, rule.retry
    );
    md.push_str("## When it applies\n\n");
    for (key, value) in conditions(rule) {
        let _ = writeln!(md, "- {key}: {value}");
    }
    let _ = writeln!(md, "\n## Cause\n\n{}\n", escape(rule.cause));
    let _ = writeln!(md, "## Solution\n\n{}\n", escape(rule.solution));
    let _ = writeln!(
        md,
        "## Retry policy: `{}`\n\n{}\n",
        rule.retry,
        rule.retry.description()
    );
    if let Some(bounds) = rule.backoff {
        let _ = writeln!(md, "Bounds: {bounds}.\n");
    }
    if let Some(notes) = rule.notes {
        let _ = writeln!(md, "## Notes\n\n{notes}\n");
    }
    if docs_line {
        let _ = writeln!(md, "Docs: {}\n", rule.id.docs_url());
    }
    let _ = writeln!(md, "Written at: {}:{}\n", rule.file, rule.line);
    md.push_str("## Examples\n\n");
    for example in rule.examples {
        let _ = writeln!(md, "    {}", diagnose_command(example));
    }
    if !rule.see_also.is_empty() {
        md.push_str("\n## See also\n\n");
        for id in rule.see_also {
            let _ = writeln!(md, "- `{}`: {}", id.as_str(), escape(id.rule().title));
        }
    }
    md
}
