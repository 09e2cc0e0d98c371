//! `debitura-triage`: ask the rule catalog what a failure means and what to do.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, Parser, Subcommand};
use serde_json::{json, Value};

mod html;
#[path = "../codegen/src/suggest.rs"]
mod suggest;

use suggest::nearest;

use debitura_triage::{
    diagnose, diagnose_response, docs, webhook, BodyShape, Decision, Diagnosis, Environment,
    ErrorSource, Operation, Query, ResponseDiagnosis, Rule, RuleId, Stop, RULES,
};

/// Tells you what to do when Debitura's referral-partner APIs say no.
///
/// Every answer comes from the rules under rules/: the matching rule's cause,
/// solution and retry policy (never, after-user-action, token-refresh, backoff).
#[derive(Parser)]
#[command(name = "debitura-triage", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Diagnose a failure from what you know about it.
    ///
    /// Give what you have; a rule matches only when everything it names is given. A failure no
    /// rule knows is reported as unrecognised, with retry `never`.
    #[command(after_help = DIAGNOSE_EXAMPLES)]
    #[command(group(ArgGroup::new("what").required(true).multiple(true).args(["status", "error_type", "message", "event", "symptom", "delivery_error"])))]
    Diagnose(DiagnoseArgs),
    /// Print one rule in full, as Markdown.
    Explain {
        /// The rule's id, e.g. missing-power-of-attorney (see `debitura-triage rules`).
        rule_id: String,
    },
    /// Regenerate the Markdown pages under docs/ from the rules, check them, or render HTML.
    ///
    /// Only files whose content changed are written.
    Docs {
        /// Directory for the Markdown pages.
        #[arg(long, value_name = "DIR", default_value = "docs")]
        out: PathBuf,
        /// Write nothing; exit 1 and name the stale files if any page differs from the rules.
        #[arg(long, conflicts_with = "html")]
        check: bool,
        /// Render standalone HTML pages into DIR instead of writing Markdown.
        #[arg(long, value_name = "DIR")]
        html: Option<PathBuf>,
    },
    /// Check a webhook signature and name the mistake, or sign a body to test a handler.
    Webhook {
        #[command(subcommand)]
        action: WebhookCommand,
    },
    /// List every rule.
    Rules {
        /// Print the whole catalog as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum WebhookCommand {
    /// Verify a delivery's X-Debitura-Signature against the body your code verified.
    ///
    /// Answers "valid", or the most likely documented mistake (secret used as text, body
    /// re-serialised, signature encoding, stale timestamp, malformed header, wrong secret).
    /// Exits 0 when valid, 1 when not. The secret is read from an environment variable or a
    /// file, never from the command line, and is never printed.
    Verify {
        /// The X-Debitura-Signature header value, `t=…,v1=…`.
        #[arg(long, value_name = "HEADER")]
        signature: String,
        /// The body bytes your code verified: a file, or `-` for standard input.
        #[arg(long, value_name = "FILE|-")]
        body: String,
        /// The signature your code computed, to tell encoding and key mistakes apart.
        #[arg(long, value_name = "SIG")]
        computed: Option<String>,
        /// The time to check the timestamp against, in Unix seconds (default: now).
        #[arg(long, value_name = "UNIX")]
        now: Option<u64>,
        /// Print one JSON object with `rule`, `valid`, `cause` and `solution`.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        secret: SecretSource,
    },
    /// Sign a body as Debitura would and print the X-Debitura-Signature header.
    Sign {
        /// The body to sign: a file, or `-` for standard input.
        #[arg(long, value_name = "FILE|-")]
        body: String,
        /// The signing time in Unix seconds (default: now).
        #[arg(long, value_name = "UNIX")]
        timestamp: Option<u64>,
        /// Print a curl command that posts the signed body to URL instead.
        #[arg(long, value_name = "URL")]
        curl: Option<String>,
        #[command(flatten)]
        secret: SecretSource,
    },
}

/// Where the webhook secret comes from. Never a plain argument: it would
/// land in shell history and the process list.
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
struct SecretSource {
    /// Read the secret (base64, as Debitura shows it) from this environment variable.
    #[arg(long, value_name = "NAME")]
    secret_env: Option<String>,
    /// Read the secret from this file (surrounding whitespace is ignored).
    #[arg(long, value_name = "PATH")]
    secret_file: Option<PathBuf>,
}

impl SecretSource {
    /// The secret; errors name where it was looked for, never its content.
    fn read(&self) -> Result<String, String> {
        match (&self.secret_env, &self.secret_file) {
            (Some(name), _) => std::env::var(name)
                .map(|s| s.trim().to_string())
                .map_err(|_| format!("the environment variable {name} is not set (or not UTF-8)")),
            (None, Some(path)) => fs::read_to_string(path)
                .map(|s| s.trim().to_string())
                .map_err(|e| format!("cannot read the secret file {}: {e}", path.display())),
            (None, None) => Err("give --secret-env NAME or --secret-file PATH".into()),
        }
    }
}

#[derive(clap::Args)]
struct DiagnoseArgs {
    /// HTTP status of the failed response (100-599).
    #[arg(long, value_parser = clap::value_parser!(u16).range(100..=599))]
    status: Option<u16>,
    /// Error type from the body, e.g. ClientExistsNeedsLinking (`businessErrors[].type` or the 409 `type`).
    #[arg(long = "type", value_name = "TYPE")]
    error_type: Option<String>,
    /// Error message from the body, for errors identified by their text (e.g. "Unknown country: XX").
    #[arg(long, value_name = "TEXT")]
    message: Option<String>,
    /// The raw response body, from a file or `-` for standard input; the error type, message,
    /// URL and retry delay are read from it.
    #[arg(long, value_name = "FILE|-", requires = "status", conflicts_with_all = ["error_type", "message"])]
    body: Option<String>,
    /// A webhook delivery-log error or disable reason, e.g. "Request timed out after 10 seconds".
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["status", "error_type", "message", "symptom", "event"])]
    delivery_error: Option<String>,
    /// The call that failed.
    #[arg(long = "op", value_name = "OP", value_parser = parse_operation, help = operation_help())]
    operation: Option<Operation>,
    /// A webhook event that announced the failure.
    #[arg(long, value_parser = parse_event, help = event_help())]
    event: Option<String>,
    /// A named symptom with no status.
    #[arg(long, value_parser = parse_symptom, help = symptom_help())]
    symptom: Option<String>,
    /// The call already failed once and was retried with a freshly minted token.
    #[arg(long)]
    after_token_refresh: bool,
    /// The environment the call went to (test or production).
    #[arg(long = "env", value_name = "ENV", value_parser = parse_environment)]
    environment: Option<Environment>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

const DIAGNOSE_EXAMPLES: &str = "Examples:
  debitura-triage diagnose --status 422 --type MissingPowerOfAttorney --op create-case
  debitura-triage diagnose --status 401 --op create-case --after-token-refresh
  debitura-triage diagnose --status 429 --body response.json --json
  debitura-triage diagnose --event client.link_expired
  debitura-triage diagnose --delivery-error \"Request timed out after 10 seconds\"";

fn event_help() -> String {
    format!(
        "A webhook event that announced the failure: {}",
        debitura_triage::EVENTS.join(", ")
    )
}

fn symptom_help() -> String {
    format!(
        "A named symptom with no status: {}",
        known_symptoms().join(", ")
    )
}

/// Every symptom some rule names, sorted.
fn known_symptoms() -> Vec<&'static str> {
    let mut known: Vec<&'static str> = RULES
        .iter()
        .flat_map(|r| r.when.symptom.iter().copied())
        .collect();
    known.sort_unstable();
    known.dedup();
    known
}

fn operation_help() -> String {
    let names: Vec<&str> = Operation::ALL.iter().map(|o| o.as_str()).collect();
    format!("The call that failed: {}", names.join(", "))
}

/// A vocabulary value, or an error naming the nearest valid one.
fn pick<T: Copy>(
    input: &str,
    all: impl Iterator<Item = (&'static str, T)>,
    what: &str,
) -> Result<T, String> {
    let all: Vec<(&str, T)> = all.collect();
    if let Some((_, value)) = all.iter().find(|(name, _)| *name == input) {
        return Ok(*value);
    }
    let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
    Err(match nearest(input, names.iter().copied()).first() {
        Some(near) => format!("unknown {what} `{input}`; did you mean `{near}`?"),
        None => format!(
            "unknown {what} `{input}`; expected one of: {}",
            names.join(", ")
        ),
    })
}

fn parse_operation(s: &str) -> Result<Operation, String> {
    pick(
        s,
        Operation::ALL.iter().map(|o| (o.as_str(), *o)),
        "operation",
    )
}

fn parse_environment(s: &str) -> Result<Environment, String> {
    pick(
        s,
        Environment::ALL.iter().map(|e| (e.as_str(), *e)),
        "environment",
    )
}

fn parse_event(s: &str) -> Result<String, String> {
    pick(
        s,
        debitura_triage::EVENTS.iter().map(|e| (*e, ())),
        "webhook event",
    )
    .map(|()| s.to_string())
}

fn parse_symptom(s: &str) -> Result<String, String> {
    pick(s, known_symptoms().into_iter().map(|k| (k, ())), "symptom").map(|()| s.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Diagnose(args) => {
            let mut query = Query::new();
            query.status = args.status;
            query.error_type = args.error_type.as_deref();
            query.message = args.message.as_deref();
            query.operation = args.operation;
            query.event = args.event.as_deref();
            query.symptom = args.symptom.as_deref();
            query.after_token_refresh = args.after_token_refresh;
            query.environment = args.environment;
            if let Some(text) = args.delivery_error.as_deref() {
                query = query.delivery_error(text);
            }
            let body = match args.body.as_deref().map(read_body).transpose() {
                Ok(body) => body,
                Err(message) => {
                    eprintln!("error: {message}");
                    return ExitCode::from(2);
                }
            };
            let response = match (&body, args.status) {
                (Some(body), Some(status)) => Some(diagnose_response(status, body, &query)),
                _ => None,
            };
            let diagnosis = response.map_or_else(|| diagnose(&query), |r| r.diagnosis());
            if args.json {
                let mut value = diagnosis_json(&query, &diagnosis);
                if let (Some(r), Value::Object(map)) = (&response, &mut value) {
                    map.extend(response_json(r));
                }
                println!("{value}");
            } else {
                print!("{}", diagnosis_text(&query, &diagnosis));
                if let Some(r) = &response {
                    print!("{}", response_text(r));
                }
            }
            ExitCode::SUCCESS
        }
        Command::Explain { rule_id } => match RuleId::from_id(&rule_id) {
            Some(id) => {
                print!("{}", docs::explain(id.rule()));
                ExitCode::SUCCESS
            }
            None => {
                let ids: Vec<&str> = RuleId::ALL.iter().map(|id| id.as_str()).collect();
                eprintln!("error: no rule has the id `{rule_id}`");
                match nearest(&rule_id, ids.iter().copied()).as_slice() {
                    [] => eprintln!("  run `debitura-triage rules` to list every rule"),
                    near => eprintln!("  did you mean: {}", near.join(", ")),
                }
                ExitCode::from(2)
            }
        },
        Command::Docs { out, check, html } => match (check, html) {
            (_, Some(dir)) => report(write_pages(&dir, |page| {
                (html::html_name(page.file), html::render(page))
            })),
            (true, None) => check_pages(&out),
            (false, None) => report(write_pages(&out, |page| {
                (page.file.to_string(), page.markdown.clone())
            })),
        },
        Command::Webhook { action } => match webhook_command(action) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        },
        Command::Rules { json } => {
            if json {
                let rules: Vec<Value> = RULES.iter().map(rule_json).collect();
                println!("{}", Value::Array(rules));
            } else {
                for rule in &RULES {
                    println!(
                        "{:<42} {:<18} {}",
                        rule.id.as_str(),
                        rule.retry.as_str(),
                        rule.title
                    );
                }
            }
            ExitCode::SUCCESS
        }
    }
}

fn diagnosis_text(query: &Query<'_>, d: &Diagnosis) -> String {
    let mut out = String::new();
    match d.rule() {
        Some(rule) => {
            out += &format!("rule:     {} ({})\n", rule.id.as_str(), rule.section.title);
            out += &format!("issue:    {}\n", rule.title);
        }
        None => {
            let asked = docs::diagnose_command(query);
            let asked = asked.trim_start_matches("debitura-triage diagnose ");
            out += &format!("rule:     none matched ({asked})\n");
        }
    }
    out += &format!("cause:    {}\n", d.cause());
    out += &format!("solution: {}\n", d.solution());
    out += &format!("retry:    {}: {}\n", d.retry(), d.retry().description());
    if let Some(rule) = d.rule() {
        out += &format!("docs:     {}\n", rule.id.docs_url());
        out += &format!("more:     debitura-triage explain {}\n", rule.id.as_str());
    }
    out
}

fn diagnosis_json(query: &Query<'_>, d: &Diagnosis) -> Value {
    json!({
        "rule": d.rule().map(|r| r.id.as_str()),
        "matched": d.is_matched(),
        "section": d.section().map(|s| s.title),
        "title": d.rule().map(|r| r.title),
        "cause": d.cause(),
        "solution": d.solution(),
        "retry": d.retry().as_str(),
        "docs_url": d.rule().map(|r| r.id.docs_url()),
        "query": query_json(query),
    })
}

fn query_json(q: &Query<'_>) -> Value {
    json!({
        "status": q.status,
        "type": q.error_type,
        "message": q.message,
        "operation": q.operation.map(Operation::as_str),
        "event": q.event,
        "symptom": q.symptom,
        "after_token_refresh": q.after_token_refresh,
        "environment": q.environment.map(Environment::as_str),
    })
}

fn rule_json(rule: &Rule) -> Value {
    let w = &rule.when;
    json!({
        "id": rule.id.as_str(),
        "section": rule.section.title,
        "title": rule.title,
        "cause": rule.cause,
        "solution": rule.solution,
        "retry": rule.retry.as_str(),
        "docs_url": rule.id.docs_url(),
        "notes": rule.notes,
        "see_also": rule.see_also.iter().map(|id| id.as_str()).collect::<Vec<_>>(),
        "when": {
            "status": w.status,
            "type": w.error_type,
            "message": w.message,
            "operation": w.operation.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
            "event": w.event,
            "symptom": w.symptom,
            "after_token_refresh": w.after_token_refresh,
            "environment": w.environment.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        },
        "examples": rule.examples.iter().map(query_json).collect::<Vec<_>>(),
        "counter_examples": rule.counter_examples.iter().map(query_json).collect::<Vec<_>>(),
    })
}

/// Writes every page into `dir` under the name and content `render` gives,
/// skipping files that already hold that content. Returns the files written.
fn write_pages(
    dir: &Path,
    render: impl Fn(&docs::Document) -> (String, String),
) -> Result<Vec<PathBuf>, String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for page in docs::pages() {
        let (name, content) = render(&page);
        let path = dir.join(name);
        if fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            fs::write(&path, content)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}

fn report(result: Result<Vec<PathBuf>, String>) -> ExitCode {
    match result {
        Ok(written) if written.is_empty() => {
            println!("up to date: nothing to write");
            ExitCode::SUCCESS
        }
        Ok(written) => {
            for path in written {
                println!("wrote {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Exit 1 naming every page under `dir` that differs from what the rules generate.
fn check_pages(dir: &Path) -> ExitCode {
    let stale: Vec<String> = docs::pages()
        .into_iter()
        .filter(|page| {
            fs::read_to_string(dir.join(page.file)).ok().as_deref() != Some(page.markdown.as_str())
        })
        .map(|page| dir.join(page.file).display().to_string())
        .collect();
    if stale.is_empty() {
        println!("{}: every page matches the rules", dir.display());
        ExitCode::SUCCESS
    } else {
        for file in &stale {
            eprintln!("stale: {file}");
        }
        eprintln!(
            "regenerate with `{}` and commit the result",
            docs::REGENERATE
        );
        ExitCode::FAILURE
    }
}

/// The body named by `--body`: a file, or standard input for `-`.
fn read_body(source: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut body = Vec::new();
    let result = if source == "-" {
        std::io::stdin().read_to_end(&mut body).map(drop)
    } else {
        fs::File::open(source)
            .and_then(|mut f| f.read_to_end(&mut body))
            .map(drop)
    };
    result.map_err(|e| format!("cannot read the body from {source}: {e}"))?;
    Ok(body)
}

fn shape_name(shape: BodyShape) -> &'static str {
    match shape {
        BodyShape::Empty => "empty",
        BodyShape::NotJson => "not-json",
        BodyShape::BusinessErrors => "business-errors",
        BodyShape::Conflict => "conflict",
        BodyShape::FieldValidation => "field-validation",
        BodyShape::ProblemDetails => "problem-details",
        BodyShape::RateLimit => "rate-limit",
        BodyShape::CaseResults => "case-results",
        _ => "other",
    }
}

fn decision_text(r: &ResponseDiagnosis<'_>) -> String {
    let count = r.findings().count();
    let decisive = r.decided_by().map_or(0, |i| i + 1);
    match r.decision() {
        Decision::StatusOnly => "the body names no error; the status and the context decide".into(),
        Decision::Single => "the one error in the body".into(),
        Decision::FirstOfEqual => format!("error {decisive} of {count}: all have the same retry policy, so the first decides"),
        Decision::Strictest => format!("error {decisive} of {count}: its retry policy is the strictest, and retrying cannot help while it stands"),
        Decision::Recognised => format!("error {decisive} of {count}: the strictest of the errors a rule recognises"),
        _ => format!("error {decisive} of {count}"),
    }
}

fn source_name(source: ErrorSource) -> &'static str {
    match source {
        ErrorSource::BusinessError => "business-error",
        ErrorSource::FieldValidation => "field-validation",
        ErrorSource::FailedCase => "failed-case",
        _ => "top-level",
    }
}

fn stop_text(stop: Stop) -> Option<String> {
    match stop {
        Stop::Malformed(at) => Some(format!(
            "not valid JSON from byte {at}; read what came before"
        )),
        Stop::TooLong => Some(format!(
            "longer than {} bytes; the rest was not read",
            debitura_triage::MAX_SCAN
        )),
        _ => None,
    }
}

/// `retryAfter` as JSON: a whole number when it is one.
fn seconds(d: std::time::Duration) -> Value {
    if d.subsec_nanos() == 0 {
        json!(d.as_secs())
    } else {
        json!(d.as_secs_f64())
    }
}

fn response_json(r: &ResponseDiagnosis<'_>) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    if let Some(url) = r.url() {
        map.insert("url".into(), json!(url.to_string()));
    }
    if let Some(delay) = r.retry_after() {
        map.insert("retry_after_secs".into(), seconds(delay));
    }
    map.insert("body".into(), json!(shape_name(r.shape())));
    if let Some(note) = stop_text(r.stop()) {
        map.insert("body_note".into(), json!(note));
    }
    let errors: Vec<Value> = r
        .findings()
        .enumerate()
        .map(|(i, f)| {
            json!({
                "source": source_name(f.source),
                "type": f.error_type.map(|s| s.to_string()),
                "message": f.message.map(|s| s.to_string()),
                "field": f.field.map(|s| s.to_string()),
                "rule": f.diagnosis.rule_id().map(|id| id.as_str()),
                "retry": f.diagnosis.retry().as_str(),
                "decisive": r.decided_by() == Some(i),
            })
        })
        .collect();
    map.insert("errors".into(), Value::Array(errors));
    if r.dropped() > 0 {
        map.insert("errors_not_kept".into(), json!(r.dropped()));
    }
    map.insert("decided_by".into(), json!(decision_text(r)));
    map
}

fn response_text(r: &ResponseDiagnosis<'_>) -> String {
    let mut out = String::new();
    if let Some(url) = r.url() {
        out += &format!("url:      {url}\n");
    }
    if let Some(delay) = r.retry_after() {
        out += &format!(
            "wait:     {} s before retrying (retryAfter)\n",
            seconds(delay)
        );
    }
    out += &format!("body:     {}", shape_name(r.shape()));
    if let Some(note) = stop_text(r.stop()) {
        out += &format!(", {note}");
    }
    out.push('\n');
    if r.findings().count() > 1 {
        for (i, f) in r.findings().enumerate() {
            let what = f
                .error_type
                .or(f.message)
                .map_or_else(String::new, |s| s.to_string());
            let rule = f
                .diagnosis
                .rule_id()
                .map_or("unrecognised", |id| id.as_str());
            out += &format!(
                "  error {}: {what} -> {rule} ({})\n",
                i + 1,
                f.diagnosis.retry()
            );
        }
    }
    out += &format!("decided:  {}\n", decision_text(r));
    out
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn webhook_command(action: WebhookCommand) -> Result<ExitCode, String> {
    match action {
        WebhookCommand::Verify {
            signature,
            body,
            computed,
            now,
            json,
            secret,
        } => {
            let secret = secret.read()?;
            let body = read_body(&body)?;
            let delivery = webhook::Delivery {
                secret: &secret,
                header: &signature,
                body: &body,
                now: now.unwrap_or_else(unix_now),
                computed: computed.as_deref(),
            };
            let verdict = webhook::check(&delivery);
            let diagnosis = match verdict {
                webhook::Verdict::Mistake(mistake) => Some(mistake.diagnosis()),
                _ => None,
            };
            if json {
                println!(
                    "{}",
                    json!({
                        "valid": diagnosis.is_none(),
                        "rule": diagnosis.and_then(|d| d.rule_id()).map(|id| id.as_str()),
                        "cause": diagnosis.map(|d| d.cause()),
                        "solution": diagnosis.map(|d| d.solution()),
                        "retry": diagnosis.map(|d| d.retry().as_str()),
                        "docs_url": diagnosis.and_then(|d| d.rule_id()).map(|id| id.docs_url()),
                    })
                );
            } else {
                match diagnosis {
                    None => println!(
                        "valid: the signature matches the body and the timestamp is within {} s",
                        webhook::TOLERANCE_SECS
                    ),
                    Some(d) => print!("{}", diagnosis_text(&Query::new(), &d)),
                }
            }
            Ok(if diagnosis.is_none() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        WebhookCommand::Sign {
            body: source,
            timestamp,
            curl,
            secret,
        } => {
            let secret = secret.read()?;
            let body = read_body(&source)?;
            let timestamp = timestamp.unwrap_or_else(unix_now);
            let header = webhook::sign(&secret, timestamp, &body).map_err(|_| {
                "the secret is not base64; give it exactly as Debitura shows it".to_string()
            })?;
            match curl {
                None => println!("{header}"),
                Some(url) => {
                    let data = if source == "-" {
                        shell_quote(&String::from_utf8_lossy(&body))
                    } else {
                        format!("@{}", shell_quote(&source))
                    };
                    println!(
                        "curl -X POST {} -H 'Content-Type: application/json' -H {} -H {} -H 'X-Debitura-Test: true' --data-binary {data}",
                        shell_quote(&url),
                        shell_quote(&format!("X-Debitura-Signature: {header}")),
                        shell_quote(&format!("X-Debitura-Timestamp: {timestamp}")),
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `text` in single quotes for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
