//! `debitura-triage`: ask the rule catalog what a failure means and what to do.

use std::io::Write;
use std::process::ExitCode;

use debitura_triage::{diagnose, diagnose_response, Query, RuleId, MAX_SCAN, RETIRED, RULES};
use debitura_triage_cli as cli;
use debitura_triage_rules_model::nearest;

use cli::args::{Cli, Command, DiagnoseArgs, PolicyCommand};
use cli::report::{answer_json, catalog_json, diagnosis_text, response_text, rule_json};
use cli::{conformance, docs, pages, policy, printable, read_body};

/// Exit status for a usage error, as clap uses.
const USAGE: u8 = 2;

/// Exit status of `diagnose` when several rules fit and none is singled out.
const SEVERAL: u8 = 3;

/// Exit status when standard output was closed early (`| head`): what a
/// process killed by SIGPIPE reports in a shell (128 + 13).
const CLOSED_PIPE: u8 = 141;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (text, code) = match cli.command {
        Command::Diagnose(args) => diagnose_command(&args),
        Command::Explain { rule_id, json } => {
            // A retired id: say what became of it, then explain its successor if any.
            let retired = RETIRED.iter().find(|r| r.id == rule_id);
            let note = retired.map(docs::retired_note).unwrap_or_default();
            match rule_id.parse::<RuleId>() {
                Ok(id) if json => (format!("{}\n", rule_json(id.rule())), 0),
                Ok(id) => (note + &docs::explain(id.rule()), 0),
                Err(_) if retired.is_some() => (note, 0),
                Err(err) => {
                    eprintln!("error: {err}");
                    if err.nearest().is_empty() {
                        eprintln!("  run `debitura-triage rules` to list every rule");
                    }
                    (String::new(), USAGE)
                }
            }
        }
        Command::Docs { out, check, html } => pages::run(&out, check, html.as_deref()),
        Command::Conformance {
            out,
            rules,
            bodies,
            check,
        } => conformance::run(
            &out,
            conformance::Inputs {
                rules: &rules,
                bodies: &bodies,
            },
            check,
        ),
        Command::Webhook { action } => match cli::webhook::run(action) {
            Ok(done) => done,
            Err(message) => {
                eprintln!("error: {message}");
                (String::new(), USAGE)
            }
        },
        Command::Policy {
            action:
                PolicyCommand::Diff {
                    base,
                    rules,
                    json,
                    markdown,
                    fail_on,
                },
        } => {
            let format = match (json, markdown) {
                (true, _) => policy::Format::Json,
                (_, true) => policy::Format::Markdown,
                _ => policy::Format::Text,
            };
            match policy::diff(&base, &rules, format, &fail_on) {
                Ok(done) => done,
                Err(message) => {
                    eprintln!("error: {message}");
                    (String::new(), USAGE)
                }
            }
        }
        Command::Rules { json } => {
            let text = if json {
                format!("{}\n", catalog_json())
            } else {
                RULES
                    .iter()
                    .map(|rule| format!("{:<42} {:<18} {}\n", rule.id, rule.retry, rule.title))
                    .collect()
            };
            (text, 0)
        }
    };
    ExitCode::from(emit(&text).map_or_else(|closed| closed, |()| code))
}

/// Writes `text` to standard output. A closed pipe ends the program quietly
/// with [`CLOSED_PIPE`]; another write error is reported.
fn emit(text: &str) -> Result<(), u8> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Err(CLOSED_PIPE),
        Err(err) => {
            eprintln!("error: cannot write the output: {err}");
            Err(1)
        }
    }
}

/// `diagnose`: exit 0 when a rule matched, 1 when the failure is unrecognised
/// (like grep), 2 for bad usage, 3 when several rules fit and none is
/// singled out.
fn diagnose_command(args: &DiagnoseArgs) -> (String, u8) {
    let mut query = Query::new();
    query.status = args.status;
    query.error_type = args.error_type.as_deref();
    query.message = args.message.as_deref();
    query.operation = args.operation;
    query.event = args.event.as_deref();
    query.symptom = args.symptom;
    query.after_token_refresh = args.after_token_refresh;
    query.environment = args.environment;
    query.credential = args.credential;
    query.method = args.method;
    query.idempotency_key = args.idempotency_key;
    if let Some(text) = args.delivery_error.as_deref() {
        query = query.delivery_error(text);
    }
    // The scanner reads at most MAX_SCAN bytes; one more tells it the body goes on.
    let body = match args
        .body
        .as_deref()
        .map(|b| read_body(b, MAX_SCAN + 1))
        .transpose()
    {
        Ok(body) => body.map(|(bytes, _)| bytes),
        Err(message) => {
            eprintln!("error: {message}");
            return (String::new(), USAGE);
        }
    };
    let response = match (&body, args.status) {
        (Some(body), Some(status)) => Some(diagnose_response(status, body, &query)),
        _ => None,
    };
    let diagnosis = response.map_or_else(|| diagnose(&query), |r| r.diagnosis());
    let text = match (&response, args.json) {
        (Some(r), true) => format!("{}\n", answer_json(&r.answer(), &query)),
        (None, true) => format!("{}\n", answer_json(&diagnosis.answer(), &query)),
        (Some(r), false) => diagnosis_text(&query, &diagnosis) + &response_text(r),
        (None, false) => diagnosis_text(&query, &diagnosis),
    };
    if diagnosis.is_unrecognised() {
        suggest_known(&query);
    }
    let code = match (diagnosis.is_matched(), diagnosis.several()) {
        (true, _) => 0,
        (false, Some(_)) => SEVERAL,
        (false, None) => 1,
    };
    (text, code)
}

/// On an unrecognised answer, names the known error type or message closest
/// to one that no rule mentions: most often a typo.
fn suggest_known(query: &Query<'_>) {
    let types = RULES.iter().flat_map(|r| r.when.error_type.iter().copied());
    let messages = RULES
        .iter()
        .flat_map(|r| r.when.message.iter().map(|m| m.trim_end_matches('*')));
    let checks = [
        ("type", query.error_type, types.collect::<Vec<_>>()),
        ("message", query.message, messages.collect()),
    ];
    for (what, given, known) in checks {
        let Some(given) = given else { continue };
        let known: Vec<&str> = known.into_iter().filter(|k| !k.is_empty()).collect();
        // A message rule may be a prefix; a type is matched exactly.
        if known
            .iter()
            .any(|k| given == *k || (what == "message" && given.starts_with(k)))
        {
            continue;
        }
        if let Some(near) = nearest(given, known.iter().copied()).first() {
            eprintln!(
                "note: no rule names the {what} `{}`; did you mean `{near}`?",
                printable(given)
            );
        }
    }
}
