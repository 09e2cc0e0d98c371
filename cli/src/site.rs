//! The catalog page of the docs site (`index.html`): every rule rendered as
//! `explain` shows it, under an element whose id is the rule id, with a
//! search box and filters over the catalog's data embedded in the page.
//!
//! The page is one self-contained file: its style, script and data are
//! inline, and its content security policy forbids any other request, so it
//! works opened from disk. Without JavaScript it is the full list.

use std::collections::BTreeSet;
use std::fmt::Write;

use debitura_triage::{
    Environment, Operation, Retry, Rule, Symptom, PAGE, RETIRED, RULES, SECTIONS,
};

use crate::docs;
use crate::html::{self, escape, Render};
use crate::report::catalog_json;

/// The page's script: search, filters, state in the query string, deep links.
const SCRIPT: &str = include_str!("site/catalog.js");

/// A rule id that is no longer a rule, as the page gives it an anchor.
#[derive(Debug, Clone, Copy)]
pub struct Retirement<'a> {
    /// The id as it was released.
    pub id: &'a str,
    /// When it was retired, `YYYY-MM-DD`.
    pub on: &'a str,
    /// The rule whose entry its anchor leads to, if any.
    pub replaced_by: Option<&'a str>,
}

/// The catalog page, with an anchor for every retired id of the catalog.
pub fn index() -> String {
    let retired: Vec<Retirement<'_>> = RETIRED
        .iter()
        .map(|r| Retirement {
            id: r.id,
            on: r.on,
            replaced_by: r.replaced_by.map(|id| id.as_str()),
        })
        .collect();
    index_with(&retired)
}

/// The catalog page with these retired ids' anchors.
pub fn index_with(retired: &[Retirement<'_>]) -> String {
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<h1>Error catalog</h1>\n<p>Every rule of the catalog: what a failure from Debitura's \
         APIs means, what to do, and whether to retry. Search ids, titles, error types, messages, \
         causes and solutions, or filter; the address keeps the filters, so a view can be \
         linked. Press <kbd>/</kbd> to search. The same entries are printed by \
         <code>debitura-triage explain ID</code>; the failures by topic are on the \
         <a href=\"troubleshooting.html\">{}</a> page.</p>",
        escape(PAGE.title)
    );
    body.push_str(
        "<noscript><p>The search and the filters need JavaScript; every rule is listed \
         below.</p></noscript>\n",
    );
    body.push_str(&filters());
    let _ = writeln!(
        body,
        "<p id=\"count\" role=\"status\" aria-live=\"polite\">{0} of {0} rules{1}</p>",
        RULES.len(),
        if retired.is_empty() {
            String::new()
        } else {
            format!(", {0} of {0} retired ids", retired.len())
        }
    );
    body.push_str("<p id=\"notice\" class=\"notice\" role=\"status\" hidden></p>\n");
    body.push_str(&resend_notes());
    body.push_str("<section id=\"rules\" aria-label=\"Rules\">\n");
    for rule in RULES.iter() {
        body.push_str(&card(rule));
    }
    for record in retired {
        body.push_str(&retired_card(record));
    }
    body.push_str("</section>\n");
    let data = catalog_json().to_string();
    let _ = writeln!(
        body,
        "<script type=\"application/json\" id=\"catalog-data\">{}</script>",
        script_safe(&data)
    );
    html::document(
        "Error catalog — debitura-triage",
        "index.html",
        &body,
        Some(SCRIPT),
    )
}

/// JSON made safe inside a `<script>` element: `<`, `>` and `&` (which only
/// occur in strings) become `\u` escapes, so no `</script>` or `<!--` can
/// appear, and the text still parses to the same value.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// One rule, as `explain` shows it, with a link to itself and a copy control.
fn card(rule: &Rule) -> String {
    let id = rule.id.as_str();
    let (body, _) = html::fragment(
        &docs::explain_body(rule, false),
        Render {
            shift: 1,
            anchors: false,
            link_rules: true,
        },
    );
    format!(
        "<article class=\"rule\" id=\"{id}\" tabindex=\"-1\" aria-labelledby=\"{id}-title\">\n\
         <header><h2 id=\"{id}-title\"><a href=\"#{id}\">{id}</a>: {}</h2>\
         <button type=\"button\" class=\"copy\" data-id=\"{id}\" aria-label=\"Copy a link to {id}\" hidden>Copy link</button></header>\n\
         {body}</article>\n",
        escape(rule.title)
    )
}

/// A retired id's anchor: when it was retired and the rule that replaced it.
fn retired_card(record: &Retirement<'_>) -> String {
    let id = escape(record.id);
    let on = escape(record.on);
    let (attr, text) = match record.replaced_by {
        Some(to) => {
            let to = escape(to);
            (
                format!(" data-replaced-by=\"{to}\""),
                format!("replaced by <a href=\"#{to}\"><code>{to}</code></a>, which answers its queries now"),
            )
        }
        None => (String::new(), "no rule replaces it".to_string()),
    };
    format!(
        "<article class=\"retired\" id=\"{id}\" tabindex=\"-1\" data-on=\"{on}\"{attr}>\n\
         <header><h2><code>{id}</code> (retired)</h2></header>\n\
         <p>Retired on {on}; {text}.</p>\n</article>\n"
    )
}

/// For each operation with documented routes, whether sending it twice is
/// safe; the script shows the one for the operation filtered on.
fn resend_notes() -> String {
    let mut out = String::new();
    for op in Operation::ALL {
        let routes: Vec<String> = docs::resend_routes()
            .into_iter()
            .filter(|r| r.operation == *op)
            .map(|r| {
                format!(
                    "- `{} {}`: safe to send twice: {}. {}",
                    r.method, r.path, r.safe, r.why
                )
            })
            .collect();
        if routes.is_empty() {
            continue;
        }
        let markdown = format!(
            "Sending `{}` twice ([why it matters](retry-policy.md#sending-a-request-twice)):\n\n{}\n",
            op.as_str(),
            routes.join("\n")
        );
        let render = Render {
            shift: 0,
            anchors: false,
            link_rules: false,
        };
        let _ = writeln!(
            out,
            "<div class=\"resend\" data-op=\"{}\" hidden>{}</div>",
            op.as_str(),
            html::fragment(&markdown, render).0
        );
    }
    out
}

/// The filter controls, every one labelled; hidden until the script runs.
fn filters() -> String {
    let mut out = String::from(
        "<form id=\"filters\" role=\"search\" aria-label=\"Search and filter the rules\" hidden>\n\
         <label class=\"search\">Search<input type=\"search\" name=\"q\" id=\"q\" autocomplete=\"off\" \
         placeholder=\"id, title, type, message, cause or solution (press /)\"></label>\n",
    );
    let statuses: BTreeSet<u16> = RULES
        .iter()
        .flat_map(|r| r.when.status.iter().copied())
        .collect();
    let classes: BTreeSet<u16> = statuses.iter().map(|s| s / 100).collect();
    let mut status = Options::new("status", "HTTP status");
    status.group("Class");
    for class in &classes {
        status.option(&format!("{class}xx"), &format!("{class}xx"), "");
    }
    status.group("Status");
    for code in &statuses {
        status.option(&code.to_string(), &code.to_string(), "");
    }
    out += &status.finish();

    let mut types = Options::new("type", "Error type");
    let names: BTreeSet<&str> = RULES
        .iter()
        .flat_map(|r| r.when.error_type.iter().copied())
        .filter(|t| !t.is_empty())
        .collect();
    for name in names {
        types.option(name, name, "");
    }
    out += &types.finish();

    let mut ops = Options::new("op", "Operation");
    for op in operation_tree() {
        let ancestors: Vec<&str> = ancestors(op).map(Operation::as_str).collect();
        let indent = "\u{a0}\u{a0}".repeat(ancestors.len());
        ops.option_with(
            op.as_str(),
            &format!("{indent}{}", op.as_str()),
            &format!(
                " title=\"{}\" data-within=\"{}\"",
                escape(op.description()),
                ancestors.join(" ")
            ),
        );
    }
    out += &ops.finish();

    let mut retry = Options::new("retry", "Retry policy");
    for policy in Retry::ALL {
        let label = match policy.default_backoff() {
            Some(bounds) => format!("{policy} (by default {bounds})"),
            None => policy.to_string(),
        };
        retry.option(policy.as_str(), &label, policy.description());
    }
    out += &retry.finish();

    let mut section = Options::new("section", "Section");
    for s in &SECTIONS {
        section.option_with(
            s.slug,
            s.title,
            &format!(" data-title=\"{}\"", escape(s.title)),
        );
    }
    out += &section.finish();

    let mut event = Options::new("event", "Webhook event");
    let events: BTreeSet<&str> = RULES
        .iter()
        .flat_map(|r| r.when.event.iter().copied())
        .collect();
    for name in events {
        event.option(name, name, "");
    }
    out += &event.finish();

    let mut symptom = Options::new("symptom", "Symptom");
    for s in Symptom::ALL {
        symptom.option(s.as_str(), s.as_str(), s.description());
    }
    out += &symptom.finish();

    let mut env = Options::new("env", "Environment");
    for e in Environment::ALL {
        env.option(e.as_str(), e.as_str(), e.description());
    }
    out += &env.finish();

    let mut state = Options::new("state", "Released or retired");
    state.option("released", "released rules", "");
    state.option("retired", "retired ids", "");
    out += &state.finish();

    out.push_str(
        "<div class=\"actions\"><button type=\"reset\">Clear the search and filters</button></div>\n</form>\n",
    );
    out
}

/// Every operation, each API followed by the operations within it.
fn operation_tree() -> Vec<Operation> {
    fn push(parent: Option<Operation>, out: &mut Vec<Operation>) {
        for op in Operation::ALL.iter().filter(|o| o.parent() == parent) {
            out.push(*op);
            push(Some(*op), out);
        }
    }
    let mut out = Vec::new();
    push(None, &mut out);
    out
}

/// The operations that contain `op`, nearest first.
fn ancestors(op: Operation) -> impl Iterator<Item = Operation> {
    std::iter::successors(op.parent(), |o| o.parent())
}

/// A labelled `<select>` whose first option is "any".
struct Options {
    html: String,
    in_group: bool,
}

impl Options {
    fn new(name: &str, label: &str) -> Options {
        Options {
            html: format!(
                "<label>{label}<select name=\"{name}\" id=\"{name}\">\n<option value=\"\">any</option>\n"
            ),
            in_group: false,
        }
    }

    fn group(&mut self, label: &str) {
        if self.in_group {
            self.html.push_str("</optgroup>\n");
        }
        let _ = writeln!(self.html, "<optgroup label=\"{label}\">");
        self.in_group = true;
    }

    fn option(&mut self, value: &str, label: &str, title: &str) {
        let title = if title.is_empty() {
            String::new()
        } else {
            format!(" title=\"{}\"", escape(title))
        };
        self.option_with(value, label, &title);
    }

    fn option_with(&mut self, value: &str, label: &str, attributes: &str) {
        let _ = writeln!(
            self.html,
            "<option value=\"{}\"{attributes}>{}</option>",
            escape(value),
            escape(label)
        );
    }

    fn finish(mut self) -> String {
        if self.in_group {
            self.html.push_str("</optgroup>\n");
        }
        self.html.push_str("</select></label>\n");
        self.html
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_json_still_parses_to_the_same_value() {
        let value = serde_json::json!({"a": "</script><!-- & -->"});
        let safe = script_safe(&value.to_string());
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn the_operation_tree_lists_every_operation_once_under_its_parent() {
        let tree = operation_tree();
        assert_eq!(tree.len(), Operation::ALL.len());
        for (i, op) in tree.iter().enumerate() {
            if let Some(parent) = op.parent() {
                let at = tree.iter().position(|o| *o == parent).unwrap();
                assert!(at < i, "{op} comes before its parent {parent}");
            }
        }
    }

    #[test]
    fn a_retired_id_links_to_its_replacement_and_escapes_its_text() {
        let card = retired_card(&Retirement {
            id: "old-id",
            on: "2026-01-02",
            replaced_by: Some("missing-power-of-attorney"),
        });
        assert!(card.contains("id=\"old-id\""), "{card}");
        assert!(card.contains("data-replaced-by=\"missing-power-of-attorney\""));
        assert!(card.contains("href=\"#missing-power-of-attorney\""));
        let card = retired_card(&Retirement {
            id: "x\"<",
            on: "2026-01-02",
            replaced_by: None,
        });
        assert!(card.contains("id=\"x&quot;&lt;\""), "{card}");
        assert!(card.contains("no rule replaces it"));
    }
}
