//! The command line: subcommands, arguments and their validation.

use std::fs;
use std::path::PathBuf;

use clap::{ArgGroup, Parser, Subcommand};
use debitura_triage::{Environment, Operation};

use crate::printable;
use debitura_triage_rules_model::nearest;

/// Tells you what to do when Debitura's referral-partner APIs say no.
///
/// Every answer comes from the rules under rules/: the matching rule's cause,
/// solution and retry policy (never, after-user-action, token-refresh, backoff).
#[derive(Parser)]
#[command(name = "debitura-triage", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Diagnose a failure from what you know about it.
    ///
    /// Give what you have; a rule matches only when everything it names is given. A failure no
    /// rule knows is reported as unrecognised, with retry `never`.
    ///
    /// Exit status: 0 when a rule matched, 1 when the failure is unrecognised, 2 for bad usage.
    #[command(after_help = DIAGNOSE_EXAMPLES)]
    #[command(group(ArgGroup::new("what").required(true).multiple(true).args(["status", "error_type", "message", "event", "symptom", "delivery_error"])))]
    Diagnose(DiagnoseArgs),
    /// Print one rule in full, as Markdown (or JSON).
    Explain {
        /// The rule's id, e.g. missing-power-of-attorney (see `debitura-triage rules`).
        rule_id: String,
        /// Print the rule as one JSON object, as `rules --json` lists it.
        #[arg(long)]
        json: bool,
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
    /// Review a change of rules by what it does to the answers.
    Policy {
        #[command(subcommand)]
        action: PolicyCommand,
    },
    /// List every rule.
    Rules {
        /// Print the whole catalog as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Every distinct query whose answer differs between two rule sets, grouped by transition,
    /// riskiest first: retries more, stops retrying, recognition, another rule, rename, text.
    ///
    /// Loads both rule sets with the rule compiler's model (nothing is built). Exit status: 0, or
    /// 1 when a class named by --fail-on changed; 2 when a rule set does not load.
    #[command(after_help = "Examples:
  debitura-triage policy diff --base HEAD
  debitura-triage policy diff --base origin/main --markdown
  debitura-triage policy diff --base /tmp/old-rules --fail-on retries-more --fail-on stops-retrying")]
    Diff {
        /// The rule set to compare with: a folder of rules, or a git revision (its rules folder).
        #[arg(long, value_name = "DIR|REV")]
        base: String,
        /// The current rules folder.
        #[arg(long, value_name = "DIR", default_value = "rules")]
        rules: PathBuf,
        /// Print one JSON object, with every changed query.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Print Markdown ready to paste into a review.
        #[arg(long)]
        markdown: bool,
        /// Exit 1 when this class changed (repeatable): retries-more, stops-retrying,
        /// recognition, other-rule, rename, text.
        #[arg(long, value_name = "CLASS", value_parser = parse_risk)]
        fail_on: Vec<debitura_triage_rules_model::diff::Risk>,
    },
}

fn parse_risk(s: &str) -> Result<debitura_triage_rules_model::diff::Risk, String> {
    pick(
        s,
        debitura_triage_rules_model::diff::Risk::ALL
            .iter()
            .map(|r| (r.as_str(), *r)),
        "risk class",
    )
}

#[derive(Subcommand)]
pub enum WebhookCommand {
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
pub struct SecretSource {
    /// Read the secret (base64, as Debitura shows it) from this environment variable.
    #[arg(long, value_name = "NAME")]
    pub secret_env: Option<String>,
    /// Read the secret from this file (surrounding whitespace is ignored).
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
}

impl SecretSource {
    /// The secret. Errors never show what was given unless it is plainly a
    /// variable name: a secret pasted in place of the name must not be echoed.
    pub fn read(&self) -> Result<String, String> {
        match (&self.secret_env, &self.secret_file) {
            (Some(name), _) if !is_variable_name(name) => Err(
                "--secret-env takes the name of an environment variable (letters, digits and `_`), \
                 not the secret itself; what was given is not shown"
                    .into(),
            ),
            (Some(name), _) => std::env::var(name)
                .map(|s| s.trim().to_string())
                .map_err(|_| format!("the environment variable {name} is not set (or not UTF-8)")),
            (None, Some(path)) => read_secret_file(path)
                .map(|s| s.trim().to_string())
                .map_err(|e| format!("cannot read the file given with --secret-file: {e}")),
            (None, None) => Err("give --secret-env NAME or --secret-file PATH".into()),
        }
    }
}

/// What a shell accepts as a variable name, and reads like one: a long run
/// of mixed-case letters and digits without `_` is more likely a secret.
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    let shell_name = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    let random_looking = name.len() > 24
        && !name.contains('_')
        && name.chars().any(|c| c.is_ascii_lowercase())
        && name.chars().any(|c| c.is_ascii_uppercase());
    shell_name && name.len() <= 64 && !random_looking
}

/// The largest secret file read; a webhook secret is a few dozen bytes.
const MAX_SECRET_FILE: u64 = 4096;

fn read_secret_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    fs::File::open(path)?
        .take(MAX_SECRET_FILE + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_SECRET_FILE {
        return Err(std::io::Error::other(format!(
            "longer than {MAX_SECRET_FILE} bytes, so not a webhook secret"
        )));
    }
    Ok(text)
}

#[derive(clap::Args)]
pub struct DiagnoseArgs {
    /// HTTP status of the failed response (100-599).
    #[arg(long, value_parser = clap::value_parser!(u16).range(100..=599))]
    pub status: Option<u16>,
    /// Error type from the body, e.g. ClientExistsNeedsLinking (`businessErrors[].type` or the 409 `type`).
    #[arg(long = "type", value_name = "TYPE")]
    pub error_type: Option<String>,
    /// Error message from the body, for errors identified by their text (e.g. "Unknown country: XX").
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,
    /// The raw response body, from a file or `-` for standard input; the error type, message,
    /// URL and retry delay are read from it.
    #[arg(long, value_name = "FILE|-", requires = "status", conflicts_with_all = ["error_type", "message"])]
    pub body: Option<String>,
    /// A webhook delivery-log error or disable reason, e.g. "Request timed out after 10 seconds".
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["status", "error_type", "message", "symptom", "event"])]
    pub delivery_error: Option<String>,
    /// The call that failed.
    #[arg(long = "op", value_name = "OP", value_parser = parse_operation, help = operation_help())]
    pub operation: Option<Operation>,
    /// A webhook event that announced the failure.
    #[arg(long, value_parser = parse_event, help = event_help())]
    pub event: Option<String>,
    /// A named symptom with no status.
    #[arg(long, value_parser = parse_symptom, help = symptom_help())]
    pub symptom: Option<String>,
    /// The call already failed once and was retried with a freshly minted token.
    #[arg(long)]
    pub after_token_refresh: bool,
    /// The environment the call went to (test or production).
    #[arg(long = "env", value_name = "ENV", value_parser = parse_environment)]
    pub environment: Option<Environment>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

const DIAGNOSE_EXAMPLES: &str = "Examples:
  debitura-triage diagnose --status 422 --type MissingPowerOfAttorney --op create-case
  debitura-triage diagnose --status 401 --op create-case --after-token-refresh
  debitura-triage diagnose --status 429 --body response.json --json
  debitura-triage diagnose --event client.link_expired
  debitura-triage diagnose --delivery-error \"Request timed out after 10 seconds\"";

/// The names of a vocabulary list.
fn names(list: &'static [(&'static str, &'static str)]) -> Vec<&'static str> {
    list.iter().map(|(name, _)| *name).collect()
}

fn event_help() -> String {
    format!(
        "A webhook event that announced the failure: {}",
        names(debitura_triage::EVENTS).join(", ")
    )
}

fn symptom_help() -> String {
    format!(
        "A named symptom with no status: {}",
        names(debitura_triage::SYMPTOMS).join(", ")
    )
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
    let input = printable(input);
    Err(match nearest(&input, names.iter().copied()).first() {
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
        names(debitura_triage::EVENTS).into_iter().map(|e| (e, ())),
        "webhook event",
    )
    .map(|()| s.to_string())
}

fn parse_symptom(s: &str) -> Result<String, String> {
    pick(
        s,
        names(debitura_triage::SYMPTOMS)
            .into_iter()
            .map(|k| (k, ())),
        "symptom",
    )
    .map(|()| s.to_string())
}
