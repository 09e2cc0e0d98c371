//! A section file → model: its section and rules, each rule's fields
//! checked, every problem reported with the line it was written on.

use std::collections::BTreeSet;

use serde_yaml::Value;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::vocabulary::Vocabulary;
use crate::model::{Conditions, Field, Origin, Query, Rule, Section, FIELDS, NONE};
use crate::names::is_kebab;
use crate::read::layout::{Layout, Step};
use crate::read::raw::raw_struct;
use crate::read::vocabulary::{rule_bounds, RawBounds};
use crate::read::yaml::{rule_label_from_text, serde_problem, yaml_message, yaml_problem};

raw_struct! {
    struct RawFile {
        section: Option<RawSection> = default,
        rules: Vec<Value> = default,
    }
}

raw_struct! {
    struct RawSection {
        title: String,
        order: u32,
        summary: String,
        intro: Option<String> = default,
        outro: Option<String> = default,
        columns: Option<Vec<String>> = default,
    }
}

raw_struct! {
    struct RawRule {
        id: String,
        title: String,
        cause: Option<String> = default,
        solution: Option<String> = default,
        retry: String,
        when: RawConditions,
        notes: Option<String> = default,
        see_also: Vec<String> = default,
        examples: Vec<RawConditions> = default,
        counter_examples: Vec<RawConditions> = default,
        backoff: Option<RawBounds> = default,
        as_on_page: RawPageText = default,
    }
}

raw_struct! {
    /// The troubleshooting page's own words for a rule whose answer follows
    /// a newer source: reproduced on the generated page, never answered.
    #[derive(Default)]
    struct RawPageText {
        cause: Option<String> = default,
        solution: Option<String> = default,
    }
}

raw_struct! {
    /// The shape shared by `when` and by each example. In `when` a key may hold a
    /// list of accepted values; in an example every key holds one value.
    /// `type: null` means "no type", which differs from leaving `type` out
    /// ("any type"); `message` likewise.
    #[derive(Default)]
    struct RawConditions {
        status: Option<Value> = default,
        error_type as "type": Option<Value> = keep_null,
        message: Option<Value> = keep_null,
        operation: Option<Value> = default,
        event: Option<Value> = default,
        symptom: Option<Value> = default,
        after_token_refresh: Option<bool> = default,
        safe_to_resend: Option<bool> = default,
        environment: Option<Value> = default,
        auth: Option<Value> = default,
    }
}

impl RawConditions {
    fn fields(&self) -> [(Field, Option<Value>); FIELDS] {
        [
            (Field::Status, self.status.clone()),
            (Field::Type, self.error_type.clone()),
            (Field::Message, self.message.clone()),
            (Field::Operation, self.operation.clone()),
            (Field::Event, self.event.clone()),
            (Field::Symptom, self.symptom.clone()),
            (
                Field::AfterTokenRefresh,
                self.after_token_refresh.map(Value::Bool),
            ),
            (Field::Environment, self.environment.clone()),
            (Field::Credential, self.auth.clone()),
            (Field::SafeToResend, self.safe_to_resend.map(Value::Bool)),
        ]
    }
}

/// A section file's section and the rules that could be read.
#[derive(Default)]
pub struct Loaded {
    pub section: Option<Section>,
    pub rules: Vec<Rule>,
}

/// The troubleshooting table's columns, in order.
pub const COLUMNS: [&str; 3] = ["issue", "cause", "solution"];

/// Reads one section file. Problems go to `out`; whatever could be read is returned.
pub fn load_file(
    file: &str,
    slug: &str,
    text: &str,
    vocabulary: &Vocabulary,
    out: &mut Vec<Diagnostic>,
) -> Loaded {
    let layout = Layout::new(text);
    // A rule whose YAML is broken is skipped; `None` when the file reads whole.
    let mut broken = None;
    let raw: RawFile = match serde_yaml::from_str(text) {
        Ok(raw) => raw,
        Err(err) => {
            let problem = yaml_problem(file, &layout, &err, 0);
            broken = layout.rule_at(problem.line);
            out.push(problem.in_rule(broken.map(|i| rule_label_from_text(&layout, i))));
            // When the problem lies inside one rule, the header and the other
            // rules are still read, so that every problem is reported at once.
            let header =
                broken.and_then(|_| serde_yaml::from_str::<RawFile>(&layout.head_text()).ok());
            match header {
                Some(header) => RawFile {
                    rules: vec![Value::Null; layout.rule_count()],
                    ..header
                },
                None => return Loaded::default(),
            }
        }
    };
    let file_problem = |code: Code, line: usize, message: &str, hint: &str| {
        Diagnostic::new(code, message).at(file, line).hint(hint)
    };
    let Some(raw_section) = raw.section else {
        out.push(file_problem(
            Code::MissingSection,
            1,
            "missing `section:`",
            "start the file with a `section:` block naming its title, order and summary",
        ));
        return Loaded::default();
    };
    let columns = raw_section
        .columns
        .unwrap_or_else(|| COLUMNS.iter().map(|c| c.to_string()).collect());
    let canonical: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| columns.iter().any(|x| x == c))
        .collect();
    if canonical != columns || !canonical.contains(&"issue") || !canonical.contains(&"solution") {
        let line = layout.key_line(1, "columns").unwrap_or(1);
        out.push(file_problem(
            Code::BadColumns,
            line,
            &format!(
                "section columns [{}] are not issue, cause, solution in that order",
                columns.join(", ")
            ),
            "write `columns: [issue, solution]`, or leave `columns` out for all three",
        ));
    }
    let section = Section {
        slug: slug.to_string(),
        title: raw_section.title,
        order: raw_section.order,
        summary: raw_section.summary,
        intro: raw_section.intro,
        outro: raw_section.outro,
        show_cause: columns.iter().any(|c| c == "cause"),
    };
    let exact_spans = layout.rule_count() == raw.rules.len();
    let mut rules = Vec::new();
    for (index, value) in raw.rules.into_iter().enumerate() {
        if broken == Some(index) {
            continue;
        }
        let ctx = RuleCtx {
            file,
            layout: &layout,
            vocabulary,
            index,
            label: format!("#{}", index + 1),
        };
        // Parsing the rule's own text keeps serde_yaml's field path and line
        // in the message; a file written in flow style falls back to the value.
        let parsed = match layout.rule_text(index).filter(|_| exact_spans) {
            Some((rule_text, offset)) => serde_yaml::from_str::<RawRule>(&rule_text)
                .map_err(|e| yaml_problem(file, &layout, &e, offset)),
            None => serde_yaml::from_value::<RawRule>(value)
                .map_err(|e| serde_problem(yaml_message(&e)).at(file, ctx.line(&[]))),
        };
        match parsed {
            Ok(raw_rule) => {
                let ctx = RuleCtx {
                    label: raw_rule.id.clone(),
                    ..ctx
                };
                if let Some(rule) = convert_rule(&ctx, raw_rule, out) {
                    rules.push(rule);
                }
            }
            Err(problem) => {
                out.push(problem.in_rule(Some(rule_label_from_text(&layout, index))));
            }
        }
    }
    Loaded {
        section: Some(section),
        rules,
    }
}

struct RuleCtx<'a> {
    file: &'a str,
    layout: &'a Layout<'a>,
    vocabulary: &'a Vocabulary,
    index: usize,
    label: String,
}

impl RuleCtx<'_> {
    fn line(&self, path: &[Step]) -> usize {
        self.layout.locate(self.index, path)
    }

    /// `problem`, placed at the entry `path` leads to in this rule.
    fn report(&self, out: &mut Vec<Diagnostic>, path: &[Step], problem: Diagnostic) {
        out.push(
            problem
                .at(self.file, self.line(path))
                .in_rule(Some(&self.label)),
        );
    }
}

fn convert_rule(ctx: &RuleCtx, raw: RawRule, out: &mut Vec<Diagnostic>) -> Option<Rule> {
    let before = out.len();
    if !is_kebab(&raw.id) {
        ctx.report(
            out,
            &[Step::Key("id")],
            Diagnostic::new(
                Code::IdNotKebab,
                format!("id `{}` is not kebab-case", raw.id),
            )
            .hint("use lower-case words joined by `-`, e.g. `missing-power-of-attorney`"),
        );
    }
    if raw.title.trim().is_empty() {
        ctx.report(
            out,
            &[Step::Key("title")],
            Diagnostic::new(Code::EmptyText, "title is empty")
                .hint("name the failure as a reader would search for it"),
        );
    }
    let text = |key: &str, value: Option<String>, out: &mut Vec<Diagnostic>| -> String {
        match value {
            Some(v) if !v.trim().is_empty() => v,
            Some(_) => {
                ctx.report(
                    out,
                    &[Step::Key(key)],
                    Diagnostic::new(Code::EmptyText, format!("{key} is empty"))
                        .hint(format!("say in one or two sentences what the {key} is")),
                );
                String::new()
            }
            None => {
                ctx.report(
                    out,
                    &[],
                    Diagnostic::new(Code::MissingText, format!("missing {key}")).hint(format!(
                        "add a `{key}:` entry; every rule needs a cause and a solution"
                    )),
                );
                String::new()
            }
        }
    };
    let cause = text("cause", raw.cause, out);
    let solution = text("solution", raw.solution, out);
    let page_cause = raw.as_on_page.cause;
    let page_solution = raw.as_on_page.solution;
    // Services show these to people and the docs escape them: they are plain text.
    for (key, value) in [
        ("title", &raw.title),
        ("cause", &cause),
        ("solution", &solution),
        ("as_on_page", page_cause.as_ref().unwrap_or(&String::new())),
        (
            "as_on_page",
            page_solution.as_ref().unwrap_or(&String::new()),
        ),
    ] {
        if value.contains('`') {
            ctx.report(
                out,
                &[Step::Key(key)],
                Diagnostic::new(
                    Code::BacktickInText,
                    format!("{key} holds a backtick; it is plain text, shown as written"),
                )
                .hint("drop the backticks, and put Markdown in `notes`"),
            );
        }
        if let Some(c) = value.chars().find(|c| c.is_control()) {
            ctx.report(
out,
&[Step::Key(key)],
Diagnostic::new(Code::ControlInText, format!("{key} holds the control character U+{:04X}", u32::from(c))).hint("services print this text as it is: write it on one line, without escapes such as `\\e` or `\\n`"),
);
        }
    }

    let mut backoff = None;
    match ctx.vocabulary.retry_policy(&raw.retry) {
        Some(policy) => match rule_bounds(policy, raw.backoff.as_ref()) {
            Ok(bounds) => backoff = bounds,
            Err(problem) => ctx.report(
                out,
                &[Step::Key("backoff")],
                Diagnostic::new(Code::BadBounds, problem).hint(
                    "give `backoff:` only on a `retry: backoff` rule, with bounds that end (see rules/vocabulary.yaml)",
                ),
            ),
        },
        None => ctx.report(
out,
&[Step::Key("retry")],
Diagnostic::new(Code::UnknownRetry, format!("unknown retry policy `{}`", raw.retry)).suggest_one_of(&raw.retry, &ctx.vocabulary.retry_names()),
),
    }

    let problems_before_when = out.len();
    let when = conditions(ctx, &raw.when, &[Step::Key("when")], true, out);
    // A `when` whose values were all rejected is already reported.
    if out.len() == problems_before_when && when.is_only_implicit() {
        ctx.report(
            out,
            &[Step::Key("when")],
            Diagnostic::new(
                Code::EmptyWhen,
                "`when` names no condition, so the rule would answer every query",
            )
            .hint("name at least a status, type, operation, event or symptom"),
        );
    }
    if raw.examples.is_empty() {
        ctx.report(
            out,
            &[],
            Diagnostic::new(Code::NoExamples, "no examples")
                .hint("add `examples:` with at least one query that must resolve to this rule"),
        );
    }
    let queries = |key: &str, list: &[RawConditions], out: &mut Vec<Diagnostic>| -> Vec<Query> {
        list.iter()
            .enumerate()
            .map(|(n, raw)| {
                let path = [Step::Key(key), Step::Item(n)];
                let accepted = conditions(ctx, raw, &path, false, out);
                let mut query = Query::default();
                for f in Field::ALL {
                    if let Some(value) = accepted.get(f).and_then(|s| s.iter().next()) {
                        query.set(f, value.clone());
                    }
                }
                let operation = query.get(Field::Operation);
                match accepted.get(Field::SafeToResend) {
                    // Left out, as the library leaves out the method and key:
                    // as safe as the operation's requests are.
                    None => {
                        if let Some(safe) = ctx.vocabulary.safe_to_resend(operation, None, None) {
                            query.set(Field::SafeToResend, safe.to_string());
                        }
                    }
                    Some(_) if ctx.vocabulary.request_with(operation, query.safe_to_resend()).is_none() => {
                        let op = operation.unwrap_or("(no operation)");
                        ctx.report(
                            out,
                            &[Step::Key(key), Step::Item(n), Step::Key("safe_to_resend")],
                            Diagnostic::new(
                                Code::ImpossibleExample,
                                format!(
                                    "no request of `{op}` is {}safe to send twice",
                                    if query.safe_to_resend() == Some(true) { "" } else { "un" }
                                ),
                            )
                            .hint("give the example an operation whose requests can be, or drop `safe_to_resend`"),
                        );
                    }
                    Some(_) => {}
                }
                query
            })
            .collect()
    };
    let examples = queries("examples", &raw.examples, out);
    let counter_examples = queries("counter_examples", &raw.counter_examples, out);
    let origin = Origin {
        file: ctx.file.to_string(),
        line: ctx.line(&[]),
        id_line: ctx.line(&[Step::Key("id")]),
        see_also_lines: entry_lines(ctx, "see_also", raw.see_also.len()),
        example_lines: entry_lines(ctx, "examples", raw.examples.len()),
        counter_example_lines: entry_lines(ctx, "counter_examples", raw.counter_examples.len()),
    };

    (out.len() == before).then(|| Rule {
        id: raw.id,
        section: 0,
        title: raw.title,
        cause,
        solution,
        page_cause,
        page_solution,
        retry: raw.retry,
        backoff,
        notes: raw.notes.filter(|n| !n.trim().is_empty()),
        see_also: raw.see_also,
        when,
        examples,
        counter_examples,
        origin,
    })
}

/// The line of each of the `count` items listed under `key` (the key's own
/// line for a list written on one line).
fn entry_lines(ctx: &RuleCtx, key: &str, count: usize) -> Vec<usize> {
    (0..count)
        .map(|n| ctx.line(&[Step::Key(key), Step::Item(n)]))
        .collect()
}

/// Checks and normalises the values of a `when` block (`lists` allowed) or an example.
fn conditions(
    ctx: &RuleCtx,
    raw: &RawConditions,
    base: &[Step],
    lists: bool,
    out: &mut Vec<Diagnostic>,
) -> Conditions {
    let mut accepted = Conditions::default();
    for (field, value) in raw.fields() {
        let Some(value) = value else {
            if let Some(implicit) = field.implicit_condition().filter(|_| lists) {
                accepted.set(field, BTreeSet::from([implicit.to_string()]));
            }
            continue;
        };
        let mut path = base.to_vec();
        path.push(Step::Key(field.key()));
        let items: Vec<Value> = match value {
            Value::Sequence(items) if lists => items,
            Value::Sequence(_) => {
                ctx.report(
                    out,
                    &path,
                    Diagnostic::new(
                        Code::ExampleNotSingle,
                        format!("`{}` in an example must be a single value", field.key()),
                    )
                    .hint("an example is one concrete query; write one example per value"),
                );
                continue;
            }
            single => vec![single],
        };
        if items.is_empty() {
            ctx.report(
                out,
                &path,
                Diagnostic::new(Code::EmptyList, format!("`{}` lists no value", field.key()))
                    .hint("leave the key out to accept any value"),
            );
            continue;
        }
        let mut set = BTreeSet::new();
        for item in items {
            match normalise(ctx.vocabulary, field, &item) {
                // A condition on an operation also accepts the operations within it.
                Ok(values) if lists && field == Field::Operation => {
                    set.extend(
                        values
                            .iter()
                            .flat_map(|v| ctx.vocabulary.operation_and_descendants(v))
                            .map(String::from),
                    );
                }
                Ok(values) => set.extend(values),
                Err(problem) => ctx.report(out, &path, problem),
            }
        }
        if !set.is_empty() {
            accepted.set(field, set);
        }
    }
    accepted
}

/// One YAML value of `field` as the query values it accepts.
fn normalise(
    vocabulary: &Vocabulary,
    field: Field,
    value: &Value,
) -> Result<Vec<String>, Diagnostic> {
    let key = field.key();
    if value.is_null() && matches!(field, Field::Type | Field::Message) {
        return Ok(vec![NONE.to_string()]);
    }
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => {
            return Err(
                Diagnostic::new(Code::NotScalar, format!("`{key}` must be a scalar value")).hint(
                    format!("write `{key}: value`, or a list of values in `when`"),
                ),
            )
        }
    };
    let from = |names: &[&str]| -> Result<Vec<String>, Diagnostic> {
        if names.contains(&text.as_str()) {
            Ok(vec![text.clone()])
        } else {
            let message = format!("unknown {} `{text}`", key.replace('_', " "));
            Err(Diagnostic::new(Code::UnknownName, message).suggest_one_of(&text, names))
        }
    };
    match field {
        Field::Status => match value.as_i64() {
            Some(code) if (100..=599).contains(&code) => Ok(vec![code.to_string()]),
            Some(code) => Err(Diagnostic::new(
                Code::StatusRange,
                format!("HTTP status {code} is outside 100-599"),
            )
            .hint("use the status code the API returned, e.g. 409")),
            None if value.is_number() => Err(Diagnostic::new(
                Code::StatusNotNumber,
                format!("status `{text}` is not a whole number"),
            )
            .hint("write the code as digits only, e.g. `status: 422`")),
            None => Err(Diagnostic::new(
                Code::StatusNotNumber,
                format!("status `{text}` is not a number"),
            )
            .hint("write the code as a bare number, e.g. `status: 422`")),
        },
        Field::Operation => from(&vocabulary.operation_names()),
        Field::Environment => from(&vocabulary.environment_names()),
        Field::Credential => from(&vocabulary.credential_names()),
        Field::Event => from(&vocabulary.event_names()),
        Field::Symptom => from(&vocabulary.symptom_names()),
        Field::Type | Field::Message if text.trim().is_empty() => Err(Diagnostic::new(
            Code::EmptyStringCondition,
            format!("`{key}` is empty"),
        )
        .hint(format!("write `{key}: null` to require that the response has no {key}"))),
        Field::Type if text.contains('*') => Err(Diagnostic::new(
            Code::StarInType,
            format!("`type` `{text}` holds `*`; types are matched exactly"),
        )
        .hint("only `message` patterns may end in `*`")),
        Field::Message if text.trim_end_matches('*').contains('*') || text == "*" => {
            Err(Diagnostic::new(
                Code::MisplacedStar,
                format!("message pattern `{text}` has `*` somewhere other than after a prefix"),
            )
            .hint("write the fixed start of the message followed by one `*`, e.g. `Unknown country: *`"))
        }
        Field::Type | Field::Message | Field::AfterTokenRefresh | Field::SafeToResend => {
            Ok(vec![text])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_in_flow_style_names_its_unknown_key_with_a_hint() {
        let text = "section: { title: T, order: 1, summary: S }\nrules: [{ id: a, title: t, soluton: s }]\n";
        let mut out = Vec::new();
        load_file("rules/x.yaml", "x", text, &Vocabulary::default(), &mut out);
        let problem = out.first().expect("the unknown key is reported");
        assert_eq!(problem.code, Code::UnknownKey, "{problem}");
        assert!(
            problem.message.contains("unknown field `soluton`"),
            "{problem}"
        );
        assert_eq!(
            problem.hint.as_deref(),
            Some("did you mean `solution`?"),
            "{problem}"
        );
        // Written in flow style, the rule is named by its place in the list.
        assert_eq!(problem.rule.as_deref(), Some("#1"), "{problem}");
    }
}
