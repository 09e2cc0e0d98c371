//! `debitura-triage policy diff`: what a change of rules does to the answers.

use std::path::Path;
use std::process::Command;

use debitura_triage::{Credential, Environment, Operation, Query, Symptom};
use debitura_triage_rules_model::diff::{self, PolicyDiff, Risk};
use debitura_triage_rules_model::model::vocabulary::Vocabulary;
use debitura_triage_rules_model::model::{Field, NONE};
use debitura_triage_rules_model::{self as rules_model, Source};
use serde_json::{json, Value};

/// Queries listed per group in text and Markdown; `--json` lists them all.
const SHOWN: usize = 10;

/// Output formats.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

/// Compares the rules in `base` (a folder, or a git revision) with those in
/// `rules`; exit 1 when a group of a `fail_on` class changed, 2 on an error.
pub fn diff(
    base: &str,
    rules: &Path,
    format: Format,
    fail_on: &[Risk],
) -> Result<(String, u8), String> {
    let current_sources =
        rules_model::read_dir(rules, &rules.display().to_string()).map_err(problems)?;
    let current = rules_model::load(&current_sources).map_err(problems)?;
    let mut base_sources = if Path::new(base).is_dir() {
        rules_model::read_dir(Path::new(base), base).map_err(problems)?
    } else {
        at_revision(base, rules)?
    };
    // Rules written before their vocabulary was a file of its own are read
    // with the current one.
    if !base_sources
        .iter()
        .any(|s| rules_model::is_vocabulary(&s.text))
    {
        base_sources.extend(
            current_sources
                .into_iter()
                .filter(|s| rules_model::is_vocabulary(&s.text)),
        );
    }
    // The base may predate requirements added since; its answers never
    // depended on them.
    let base_catalog = rules_model::load_earlier(&base_sources).map_err(problems)?;
    let diff = diff::diff(&base_catalog, &current);
    let text = match format {
        Format::Text => render(&diff, &current.vocabulary, base, false),
        Format::Markdown => render(&diff, &current.vocabulary, base, true),
        Format::Json => format!("{}\n", to_json(&diff, &current.vocabulary, base)),
    };
    let failed = fail_on.iter().any(|&risk| diff.count(risk) > 0);
    Ok((text, u8::from(failed)))
}

fn problems(problems: Vec<rules_model::Diagnostic>) -> String {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    format!("the rules do not load:\n{}", lines.join("\n"))
}

/// The rules files of `rules` as they were at git revision `rev`.
fn at_revision(rev: &str, rules: &Path) -> Result<Vec<Source>, String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let out = Command::new("git")
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`{}` is neither a folder nor a git revision with a rules folder ({})",
                rev,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        String::from_utf8(out.stdout).map_err(|_| "git printed something that is not UTF-8".into())
    };
    let folder = format!("{}/", rules.display().to_string().trim_end_matches('/'));
    let listing = git(&["ls-tree", "--name-only", rev, "--", &folder])?;
    listing
        .lines()
        .filter(|path| path.ends_with(".yaml"))
        .map(|path| {
            let name = path.rsplit('/').next().unwrap_or(path);
            Ok(Source {
                display: format!("{rev}:{}{name}", folder),
                text: git(&["show", &format!("{rev}:./{folder}{name}")])?,
            })
        })
        .collect()
}

/// The query as `debitura-triage diagnose` arguments, with a method and
/// key that make the request as safe to resend as the query says.
fn command(vocabulary: &Vocabulary, q: &rules_model::model::Query) -> String {
    let text = |f: Field| q.get(f).filter(|v| *v != NONE);
    let (method, key) = vocabulary
        .request_with(text(Field::Operation), q.safe_to_resend())
        .unwrap_or((None, None));
    format!("debitura-triage diagnose {}", with_request(q, method, key))
}

/// The library query for a query of the rule model, with a method and key
/// that make it as safe to send twice as the model query says; `None` when
/// no request of its operation can be.
pub fn library_query<'a>(
    vocabulary: &'a Vocabulary,
    m: &'a rules_model::model::Query,
) -> Option<Query<'a>> {
    let operation = m.get(Field::Operation).filter(|v| *v != NONE);
    let (method, key) = vocabulary.request_with(operation, m.safe_to_resend())?;
    Some(with_request(m, method, key))
}

/// The library query for a model query, sent with `method` and `key`.
fn with_request<'a>(
    m: &'a rules_model::model::Query,
    method: Option<&'a str>,
    key: Option<bool>,
) -> Query<'a> {
    let text = |f: Field| m.get(f).filter(|v| *v != NONE);
    let mut query = Query::new();
    query.status = text(Field::Status).and_then(|s| s.parse().ok());
    query.error_type = text(Field::Type);
    query.message = text(Field::Message);
    query.event = text(Field::Event);
    query.symptom = text(Field::Symptom).and_then(Symptom::from_name);
    query.operation = text(Field::Operation).and_then(Operation::from_name);
    query.environment = text(Field::Environment).and_then(Environment::from_name);
    query.credential = text(Field::Credential).and_then(Credential::from_name);
    query.after_token_refresh = m.after_token_refresh();
    query.method = method;
    query.idempotency_key = key;
    query
}

fn changed(diff: &PolicyDiff) -> usize {
    diff.groups.iter().map(|g| g.queries.len()).sum()
}

/// The report as plain text, or as Markdown for a review.
fn render(diff: &PolicyDiff, vocabulary: &Vocabulary, base: &str, markdown: bool) -> String {
    let (lead, code) = if markdown {
        (format!("**Policy diff** against `{base}`:"), "`")
    } else {
        (format!("policy diff against {base}:"), "")
    };
    if diff.is_empty() {
        return format!(
            "{lead} nothing changed ({} distinct queries compared)\n",
            diff.compared
        );
    }
    let mut out = format!(
        "{lead} {} of {} distinct queries answer differently\n",
        changed(diff),
        diff.compared
    );
    let indent = if markdown { "  " } else { "    " };
    for risk in Risk::ALL {
        let groups: Vec<_> = diff.groups.iter().filter(|g| g.risk == risk).collect();
        if groups.is_empty() {
            continue;
        }
        let heading = if markdown { "\n#### " } else { "\n" };
        let count = diff.count(risk);
        out += &format!(
            "{heading}{code}{risk}{code}: {} ({count} queries)\n",
            risk.describe()
        );
        for group in groups {
            let (from, to, n) = (&group.from, &group.to, group.queries.len());
            out += &if markdown {
                format!("\n- `{from}` → `{to}`: {n} queries\n\n  ```text\n")
            } else {
                format!("  {from} → {to}: {n} queries\n")
            };
            for q in group.queries.iter().take(SHOWN) {
                out += &format!("{indent}{}\n", command(vocabulary, q));
            }
            if n > SHOWN {
                out += &format!("{indent}… and {} more (--json lists them all)\n", n - SHOWN);
            }
            if markdown {
                out += "  ```\n";
            }
        }
    }
    for (id, replacement) in &diff.retired {
        let what = match replacement {
            Some(new) => format!("replaced by {code}{new}{code}"),
            None => "not replaced".into(),
        };
        out += &format!("\nretired: {code}{id}{code}, {what}\n");
    }
    out
}

fn to_json(diff: &PolicyDiff, vocabulary: &Vocabulary, base: &str) -> Value {
    let outcome =
        |o: &diff::Outcome| json!({ "rule": o.rule, "several": o.several, "retry": o.retry });
    json!({
        "base": base,
        "compared": diff.compared,
        "changed": changed(diff),
        "groups": diff.groups.iter().map(|g| json!({
            "risk": g.risk.as_str(),
            "from": outcome(&g.from),
            "to": outcome(&g.to),
            "queries": g.queries.iter().map(|q| command(vocabulary, q)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "retired": diff.retired.iter().map(|(id, new)| json!({ "rule": id, "replaced_by": new })).collect::<Vec<_>>(),
    })
}
