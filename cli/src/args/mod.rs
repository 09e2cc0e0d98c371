//! The command line: subcommands, arguments and their validation, declared
//! with clap's builder and read into plain data.

use std::path::PathBuf;

use clap::{value_parser, Arg, ArgAction, ArgGroup, ArgMatches};
use debitura_triage::{
    printable, Credential, Environment, Field, Operation, ParseNameError, Query, Symptom, Value,
    STATUSES,
};
use debitura_triage_rules_model::diff::Risk;

mod secret;

pub use secret::SecretSource;

/// What the command line asks for.
pub struct Cli {
    /// The subcommand and its arguments.
    pub command: Command,
}

/// A subcommand and its arguments.
pub enum Command {
    /// Diagnose a failure from what is known about it.
    Diagnose(DiagnoseArgs),
    /// Print one rule in full.
    Explain {
        /// The rule's id, as given.
        rule_id: String,
        /// As one JSON object.
        json: bool,
    },
    /// Regenerate, check or render the docs.
    Docs {
        /// Directory for the Markdown pages.
        out: PathBuf,
        /// Write nothing; report stale pages.
        check: bool,
        /// Render HTML into this directory instead.
        html: Option<PathBuf>,
    },
    /// Regenerate or check the conformance suite.
    Conformance {
        /// Directory of the suite.
        out: PathBuf,
        /// Directory of the rules.
        rules: PathBuf,
        /// Directory of the documented response bodies.
        bodies: PathBuf,
        /// Write nothing; report stale files.
        check: bool,
    },
    /// Check or make a webhook signature.
    Webhook {
        /// Which.
        action: WebhookCommand,
    },
    /// Review a change of rules.
    Policy {
        /// Which.
        action: PolicyCommand,
    },
    /// List every rule.
    Rules {
        /// As JSON.
        json: bool,
    },
}

/// `policy` subcommands.
pub enum PolicyCommand {
    /// Compare the answers of two rule sets.
    Diff {
        /// The rule set to compare with: a folder, or a git revision.
        base: String,
        /// The current rules folder.
        rules: PathBuf,
        /// Print JSON.
        json: bool,
        /// Print Markdown.
        markdown: bool,
        /// Exit 1 when one of these classes changed.
        fail_on: Vec<Risk>,
    },
}

/// `webhook` subcommands.
pub enum WebhookCommand {
    /// Verify a delivery's signature.
    Verify {
        /// The `X-Debitura-Signature` header value.
        signature: String,
        /// The body: a file, or `-` for standard input.
        body: String,
        /// The signature the caller's code computed.
        computed: Option<String>,
        /// The time to check against, in Unix seconds.
        now: Option<u64>,
        /// Print JSON.
        json: bool,
        /// Where the secret is read from.
        secret: SecretSource,
    },
    /// Sign a body as Debitura would.
    Sign {
        /// The body: a file, or `-` for standard input.
        body: String,
        /// The signing time in Unix seconds.
        timestamp: Option<u64>,
        /// Print a curl command posting to this URL.
        curl: Option<String>,
        /// Where the secret is read from.
        secret: SecretSource,
    },
    /// Each subscription, and why a disabled one is.
    Status {
        /// Where and how.
        remote: Remote,
        /// The client whose Customer API subscriptions to list too.
        tenant: Option<String>,
    },
    /// Deliveries not answered 2xx.
    Missed {
        /// Where and how.
        remote: Remote,
        /// The client whose delivery log to read.
        tenant: String,
        /// The log's `since`.
        since: String,
        /// The log's `caseId`.
        case: Option<String>,
    },
    /// Replay events once each.
    Replay {
        /// Where and how.
        remote: Remote,
        /// The client whose events to replay.
        tenant: String,
        /// Which.
        what: ReplayWhat,
        /// Re-enable disabled subscriptions first.
        enable: bool,
    },
    /// Fire a test event.
    Trigger {
        /// Where and how.
        remote: Remote,
        /// The event type.
        event: String,
        /// The case it is about (case events).
        case: Option<String>,
        /// The client it is about (client events).
        client: Option<String>,
    },
}

/// Where the webhook commands call Debitura, and with what key.
pub struct Remote {
    /// The environment: Debitura's hosts for it, or what `base_url` stands for.
    pub environment: Option<Environment>,
    /// One base URL for both APIs instead of Debitura's hosts.
    pub base_url: Option<String>,
    /// Where the API key is read from.
    pub key: SecretSource,
    /// Print JSON.
    pub json: bool,
}

/// What `webhook replay` replays.
pub enum ReplayWhat {
    /// These events of the delivery log.
    Ids(Vec<String>),
    /// Every delivery missed since this time (of one case, when given).
    AllMissed {
        /// The log's `since`.
        since: String,
        /// The log's `caseId`.
        case: Option<String>,
    },
}

/// What `diagnose` was given.
pub struct DiagnoseArgs {
    /// HTTP status of the failed response.
    pub status: Option<u16>,
    /// Error type from the body.
    pub error_type: Option<String>,
    /// Error message from the body.
    pub message: Option<String>,
    /// The raw body: a file, or `-` for standard input.
    pub body: Option<String>,
    /// A webhook delivery-log error or disable reason.
    pub delivery_error: Option<String>,
    /// The call that failed.
    pub operation: Option<Operation>,
    /// A webhook event that announced the failure.
    pub event: Option<String>,
    /// A named symptom with no status.
    pub symptom: Option<Symptom>,
    /// The call was retried with a freshly minted token.
    pub after_token_refresh: bool,
    /// The environment the call went to.
    pub environment: Option<Environment>,
    /// The credential the request carried.
    pub credential: Option<Credential>,
    /// The request's HTTP method, upper-case.
    pub method: Option<&'static str>,
    /// Whether the request carried an `Idempotency-Key`, if said.
    pub idempotency_key: Option<bool>,
    /// Print JSON.
    pub json: bool,
}

impl Cli {
    /// Reads the process's arguments; prints help, the version or a usage
    /// error and exits as clap does when they ask for that.
    pub fn parse() -> Cli {
        Cli::from_matches(&command().get_matches())
    }

    /// Reads `args` (the program name first), or the usage error.
    pub fn try_parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        Ok(Cli::from_matches(&command().try_get_matches_from(args)?))
    }

    fn from_matches(m: &ArgMatches) -> Cli {
        let command = match m.subcommand() {
            Some(("diagnose", m)) => Command::Diagnose(DiagnoseArgs {
                status: m.get_one("status").copied(),
                error_type: text(m, "error_type"),
                message: text(m, "message"),
                body: text(m, "body"),
                delivery_error: text(m, "delivery_error"),
                operation: m.get_one("operation").copied(),
                event: text(m, "event"),
                symptom: m.get_one::<Symptom>("symptom").copied(),
                after_token_refresh: m.get_flag("after_token_refresh"),
                environment: m.get_one("environment").copied(),
                credential: m.get_one("credential").copied(),
                method: m.get_one("method").copied(),
                idempotency_key: match (
                    m.get_flag("idempotency_key"),
                    m.get_flag("no_idempotency_key"),
                ) {
                    (true, _) => Some(true),
                    (_, true) => Some(false),
                    _ => None,
                },
                json: m.get_flag("json"),
            }),
            Some(("explain", m)) => Command::Explain {
                rule_id: text(m, "rule_id").unwrap_or_default(),
                json: m.get_flag("json"),
            },
            Some(("docs", m)) => Command::Docs {
                out: m.get_one::<PathBuf>("out").cloned().unwrap_or_default(),
                check: m.get_flag("check"),
                html: m.get_one::<PathBuf>("html").cloned(),
            },
            Some(("conformance", m)) => Command::Conformance {
                out: m.get_one::<PathBuf>("out").cloned().unwrap_or_default(),
                rules: m.get_one::<PathBuf>("rules").cloned().unwrap_or_default(),
                bodies: m.get_one::<PathBuf>("bodies").cloned().unwrap_or_default(),
                check: m.get_flag("check"),
            },
            Some(("webhook", m)) => Command::Webhook {
                action: match m.subcommand() {
                    Some(("verify", m)) => WebhookCommand::Verify {
                        signature: text(m, "signature").unwrap_or_default(),
                        body: text(m, "body").unwrap_or_default(),
                        computed: text(m, "computed"),
                        now: m.get_one("now").copied(),
                        json: m.get_flag("json"),
                        secret: SecretSource::from_matches(m),
                    },
                    Some(("status", m)) => WebhookCommand::Status {
                        remote: Remote::from_matches(m),
                        tenant: text(m, "tenant"),
                    },
                    Some(("missed", m)) => WebhookCommand::Missed {
                        remote: Remote::from_matches(m),
                        tenant: text(m, "tenant").unwrap_or_default(),
                        since: text(m, "since").unwrap_or_default(),
                        case: text(m, "case"),
                    },
                    Some(("replay", m)) => WebhookCommand::Replay {
                        remote: Remote::from_matches(m),
                        tenant: text(m, "tenant").unwrap_or_default(),
                        what: if m.get_flag("all_missed") {
                            ReplayWhat::AllMissed {
                                since: text(m, "since").unwrap_or_default(),
                                case: text(m, "case"),
                            }
                        } else {
                            ReplayWhat::Ids(
                                m.get_many::<String>("ids")
                                    .map(|ids| ids.cloned().collect())
                                    .unwrap_or_default(),
                            )
                        },
                        enable: m.get_flag("enable"),
                    },
                    Some(("trigger", m)) => WebhookCommand::Trigger {
                        remote: Remote::from_matches(m),
                        event: text(m, "event").unwrap_or_default(),
                        case: text(m, "case"),
                        client: text(m, "client"),
                    },
                    _ => {
                        let m = m.subcommand_matches("sign").unwrap_or(m);
                        WebhookCommand::Sign {
                            body: text(m, "body").unwrap_or_default(),
                            timestamp: m.get_one("timestamp").copied(),
                            curl: text(m, "curl"),
                            secret: SecretSource::from_matches(m),
                        }
                    }
                },
            },
            Some(("policy", m)) => {
                let m = m.subcommand_matches("diff").unwrap_or(m);
                Command::Policy {
                    action: PolicyCommand::Diff {
                        base: text(m, "base").unwrap_or_default(),
                        rules: m.get_one::<PathBuf>("rules").cloned().unwrap_or_default(),
                        json: m.get_flag("json"),
                        markdown: m.get_flag("markdown"),
                        fail_on: m
                            .get_many::<Risk>("fail_on")
                            .map(|risks| risks.copied().collect())
                            .unwrap_or_default(),
                    },
                }
            }
            _ => Command::Rules {
                json: m
                    .subcommand_matches("rules")
                    .is_some_and(|m| m.get_flag("json")),
            },
        };
        Cli { command }
    }
}

/// A text argument's value.
fn text(m: &ArgMatches, id: &str) -> Option<String> {
    m.get_one::<String>(id).cloned()
}

/// A `--name` option taking one value shown as `value`.
fn option(id: &'static str, long: &'static str, value: &'static str) -> Arg {
    Arg::new(id).long(long).value_name(value)
}

/// A `--name` flag.
fn flag(id: &'static str, long: &'static str) -> Arg {
    Arg::new(id).long(long).action(ArgAction::SetTrue)
}

/// The whole command line, as `--help` shows it.
pub fn command() -> clap::Command {
    clap::Command::new("debitura-triage")
        .version(env!("CARGO_PKG_VERSION"))
        .propagate_version(true)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .about("Tells you what to do when Debitura's referral-partner APIs say no")
        .long_about(
            "Tells you what to do when Debitura's referral-partner APIs say no.\n\n\
             Every answer comes from the rules under rules/: the matching rule's cause, solution \
             and retry policy (never, after-user-action, token-refresh, backoff).",
        )
        .subcommand(diagnose_command())
        .subcommand(
            clap::Command::new("explain")
                .about("Print one rule in full, as Markdown (or JSON)")
                .arg(Arg::new("rule_id").required(true).value_name("RULE_ID").help(
                    "The rule's id, e.g. missing-power-of-attorney (see `debitura-triage rules`)",
                ))
                .arg(
                    flag("json", "json")
                        .help("Print the rule as one JSON object, as `rules --json` lists it"),
                ),
        )
        .subcommand(
            clap::Command::new("docs")
                .about(
                    "Regenerate the Markdown pages and the site under docs/ from the rules, \
                     check them, or write the site elsewhere",
                )
                .long_about(
                    "Regenerate the Markdown pages and the site under docs/ from the rules, \
                     check them, or write the site elsewhere.\n\nThe site is docs/site/: \
                     index.html, the searchable catalog (one self-contained file that works \
                     opened from disk), and every page as HTML. Only files whose content \
                     changed are written.",
                )
                .arg(
                    option("out", "out", "DIR")
                        .value_parser(value_parser!(PathBuf))
                        .default_value("docs")
                        .help("Directory for the Markdown pages; the site goes in its site/ folder"),
                )
                .arg(flag("check", "check").conflicts_with("html").help(
                    "Write nothing; exit 1 and name the missing and stale files if any page \
                     or the site differs from the rules",
                ))
                .arg(
                    option("html", "html", "DIR")
                        .value_parser(value_parser!(PathBuf))
                        .help("Write only the site (index.html and the pages as HTML) into DIR"),
                ),
        )
        .subcommand(
            clap::Command::new("conformance")
                .about(
                    "Regenerate or check the conformance suite: the catalog's answers as JSON, \
                     for ports to test against",
                )
                .long_about(
                    "Regenerate or check the conformance suite: the catalog's answers as JSON, \
                     for ports to test against.\n\nWrites queries.json (every distinct query the \
                     catalog tells apart, with its answer), responses.json (every documented \
                     response body with its context and full answer), webhooks.json (signature \
                     vectors with their verdicts) and calls.json (scripted calls a driver of the \
                     call machine must carry out), and schema.json, the JSON Schema they follow. \
                     Only files whose content changed are written.",
                )
                .arg(
                    option("out", "out", "DIR")
                        .value_parser(value_parser!(PathBuf))
                        .default_value("conformance")
                        .help("Directory of the suite"),
                )
                .arg(
                    option("rules", "rules", "DIR")
                        .value_parser(value_parser!(PathBuf))
                        .default_value("rules")
                        .help("Directory of the rules this program was built from"),
                )
                .arg(
                    option("bodies", "bodies", "DIR")
                        .value_parser(value_parser!(PathBuf))
                        .default_value("tests/fixtures/bodies")
                        .help("Directory of the documented response bodies the suite embeds"),
                )
                .arg(flag("check", "check").help(
                    "Write nothing; exit 1 and name the missing and stale files if the suite \
                     differs from the catalog",
                )),
        )
        .subcommand(
            clap::Command::new("webhook")
                .about(
                    "Check a webhook signature, or sign a body to test a handler; find disabled \
                     subscriptions and missed deliveries, replay them, fire test events",
                )
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommand(webhook_verify_command())
                .subcommand(webhook_sign_command())
                .subcommand(webhook_status_command())
                .subcommand(webhook_missed_command())
                .subcommand(webhook_replay_command())
                .subcommand(webhook_trigger_command()),
        )
        .subcommand(
            clap::Command::new("policy")
                .about("Review a change of rules by what it does to the answers")
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommand(policy_diff_command()),
        )
        .subcommand(
            clap::Command::new("rules")
                .about("List every rule")
                .arg(flag("json", "json").help("Print the whole catalog as JSON")),
        )
}

const DIAGNOSE_ABOUT: &str = "Diagnose a failure from what you know about it.

Give what you have; nothing you leave out is assumed. The answer is the rule that every way of \
filling in what you left out agrees on, or the rule that matches what you gave as it stands. \
When what you left out decides between rules (the status or operation; whether the request \
carried an Idempotency-Key, its method, its credential), the answer names the rules that fit, \
the flags that would tell them apart, and the most cautious of their retry policies. A failure \
no rule knows is reported as unrecognised, with retry `never`.

Exit status: 0 when a rule matched, 1 when the failure is unrecognised, 2 for bad usage, 3 when \
several rules fit.";

fn diagnose_command() -> clap::Command {
    let what = [
        "status",
        "error_type",
        "message",
        "event",
        "symptom",
        "delivery_error",
    ];
    clap::Command::new("diagnose")
        .about("Diagnose a failure from what you know about it")
        .long_about(DIAGNOSE_ABOUT)
        .after_help(DIAGNOSE_EXAMPLES)
        .group(
            ArgGroup::new("what")
                .required(true)
                .multiple(true)
                .args(what),
        )
        .arg(
            option("status", "status", "STATUS")
                .value_parser(parse_status)
                .help(status_help()),
        )
        .arg(option("error_type", "type", "TYPE").help(
            "Error type from the body, e.g. ClientExistsNeedsLinking (`businessErrors[].type` or \
             the 409 `type`)",
        ))
        .arg(option("message", "message", "TEXT").help(
            "Error message from the body, for errors identified by their text (e.g. \"Unknown \
             country: XX\")",
        ))
        .arg(
            option("body", "body", "FILE|-")
                .requires("status")
                .conflicts_with_all(["error_type", "message"])
                .help(
                    "The raw response body, from a file or `-` for standard input; the error \
                     type, message, URL and retry delay are read from it",
                ),
        )
        .arg(
            option("delivery_error", "delivery-error", "TEXT")
                .conflicts_with_all(["status", "error_type", "message", "symptom", "event"])
                .help(
                    "A webhook delivery-log error or disable reason, e.g. \"Request timed out \
                     after 10 seconds\"",
                ),
        )
        .arg(
            option("operation", "op", "OP")
                .value_parser(parse_operation)
                .help(operation_help()),
        )
        .arg(
            option("event", "event", "EVENT")
                .value_parser(parse_event)
                .help(event_help()),
        )
        .arg(
            option("symptom", "symptom", "SYMPTOM")
                .value_parser(parse_symptom)
                .help(symptom_help()),
        )
        .arg(
            flag("after_token_refresh", "after-token-refresh")
                .help("The call already failed once and was retried with a freshly minted token"),
        )
        .arg(
            option("environment", "env", "ENV")
                .value_parser(parse_environment)
                .help("The environment the call went to (test or production)"),
        )
        .arg(
            option("credential", "auth", "AUTH")
                .value_parser(parse_credential)
                .help(credential_help()),
        )
        .arg(
            option("method", "method", "METHOD")
                .value_parser(parse_method)
                .help(
                    "The request's HTTP method (GET, POST, …): with --op, it tells which of the \
                     operation's routes it was, and so whether a resend is safe (a method the \
                     operation has no route for is set aside, with a note)",
                ),
        )
        .arg(flag("idempotency_key", "idempotency-key").help(
            "The request carried an Idempotency-Key header. Never assumed: without this flag or \
             --no-idempotency-key, a write that takes a key is not known to be safe to resend",
        ))
        .arg(
            flag("no_idempotency_key", "no-idempotency-key")
                .conflicts_with("idempotency_key")
                .help(
                    "The request carried no Idempotency-Key header, so a write that takes one is \
                     not safe to resend",
                ),
        )
        .arg(flag("json", "json").help("Print one JSON object instead of text"))
}

/// How `diagnose` is told a query field: the flag that gives it.
pub fn flag_of(field: Field) -> &'static str {
    match field {
        Field::Status => "--status",
        Field::Type => "--type",
        Field::Message => "--message",
        Field::Operation => "--op",
        Field::Event => "--event",
        Field::Symptom => "--symptom",
        Field::AfterTokenRefresh => "--after-token-refresh",
        Field::Environment => "--env",
        Field::Auth => "--auth",
        Field::Method => "--method",
        Field::IdempotencyKey => "--idempotency-key/--no-idempotency-key",
        _ => "more of the failure",
    }
}

/// The HTTP methods a route may name.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

fn parse_method(s: &str) -> Result<&'static str, String> {
    one_of(
        &s.to_ascii_uppercase(),
        METHODS.map(|m| (m, m)),
        "HTTP method",
    )
}

/// The value named `input` among `all`, or the library's error naming the
/// nearest valid names.
fn one_of<T: Copy>(
    input: &str,
    all: impl IntoIterator<Item = (&'static str, T)> + Clone,
    what: &'static str,
) -> Result<T, String> {
    match all.clone().into_iter().find(|(name, _)| *name == input) {
        Some((_, value)) => Ok(value),
        None => {
            Err(ParseNameError::among(what, input, all.into_iter().map(|(n, _)| n)).to_string())
        }
    }
}

fn policy_diff_command() -> clap::Command {
    clap::Command::new("diff")
        .about(
            "Every distinct query whose answer differs between two rule sets, grouped by \
             transition, riskiest first: retries more, stops retrying, recognition, another \
             rule, rename, text",
        )
        .long_about(
            "Every distinct query whose answer differs between two rule sets, grouped by \
             transition, riskiest first: retries more, stops retrying, recognition, another \
             rule, rename, text.\n\n\
             Loads both rule sets with the rule compiler's model (nothing is built). Exit \
             status: 0, or 1 when a class named by --fail-on changed; 2 when a rule set does \
             not load.",
        )
        .after_help(
            "Examples:
  debitura-triage policy diff --base HEAD
  debitura-triage policy diff --base origin/main --markdown
  debitura-triage policy diff --base /tmp/old-rules --fail-on retries-more --fail-on stops-retrying",
        )
        .arg(option("base", "base", "DIR|REV").required(true).help(
            "The rule set to compare with: a folder of rules, or a git revision (its rules \
             folder)",
        ))
        .arg(
            option("rules", "rules", "DIR")
                .value_parser(value_parser!(PathBuf))
                .default_value("rules")
                .help("The current rules folder"),
        )
        .arg(
            flag("json", "json")
                .conflicts_with("markdown")
                .help("Print one JSON object, with every changed query"),
        )
        .arg(flag("markdown", "markdown").help("Print Markdown ready to paste into a review"))
        .arg(
            option("fail_on", "fail-on", "CLASS")
                .action(ArgAction::Append)
                .value_parser(parse_risk)
                .help(
                    "Exit 1 when this class changed (repeatable): retries-more, stops-retrying, \
                     recognition, other-rule, rename, text",
                ),
        )
}

fn parse_risk(s: &str) -> Result<Risk, String> {
    one_of(s, Risk::ALL.iter().map(|r| (r.as_str(), *r)), "risk class")
}

fn webhook_verify_command() -> clap::Command {
    clap::Command::new("verify")
        .about("Verify a delivery's X-Debitura-Signature against the body your code verified")
        .long_about(
            "Verify a delivery's X-Debitura-Signature against the body your code verified.\n\n\
             Answers \"valid\", or the most likely documented mistake (secret used as text, body \
             re-serialised, signature encoding, stale timestamp, malformed header, wrong \
             secret). A header may carry several v1; it is valid when any matches. Exits 0 \
             when valid, 1 when not. The secret is read from an environment variable or a \
             file, never from the command line, and is never printed; during a rotation, give \
             the current secret and the old ones separated by commas. The timestamp may be \
             300 s old and 30 s ahead.",
        )
        .arg(
            option("signature", "signature", "HEADER")
                .required(true)
                .help("The X-Debitura-Signature header value, `t=…,v1=…`"),
        )
        .arg(
            option("body", "body", "FILE|-")
                .required(true)
                .help("The body bytes your code verified: a file, or `-` for standard input"),
        )
        .arg(
            option("computed", "computed", "SIG")
                .help("The signature your code computed, to tell encoding and key mistakes apart"),
        )
        .arg(
            option("now", "now", "UNIX")
                .value_parser(value_parser!(u64))
                .help("The time to check the timestamp against, in Unix seconds (default: now)"),
        )
        .arg(
            flag("json", "json")
                .help("Print one JSON object with `rule`, `valid`, `cause` and `solution`"),
        )
        .args(SecretSource::args())
        .group(SecretSource::group())
}

fn webhook_sign_command() -> clap::Command {
    clap::Command::new("sign")
        .about("Sign a body as Debitura would and print the X-Debitura-Signature header")
        .arg(
            option("body", "body", "FILE|-")
                .required(true)
                .help("The body to sign: a file, or `-` for standard input"),
        )
        .arg(
            option("timestamp", "timestamp", "UNIX")
                .value_parser(value_parser!(u64))
                .help("The signing time in Unix seconds (default: now)"),
        )
        .arg(
            option("curl", "curl", "URL")
                .help("Print a curl command that posts the signed body to URL instead"),
        )
        .args(SecretSource::args())
        .group(SecretSource::group())
}

impl Remote {
    /// Where to call, the key, and `--json`, as every webhook command that
    /// calls Debitura takes them.
    fn args(command: clap::Command) -> clap::Command {
        command
            .arg(
                option("env", "env", "ENV")
                    .value_parser(["test", "production"])
                    .help(
                        "Debitura's environment: its hosts (test: testreferral-api and \
                         testcustomer-api.debitura.com), or what --base-url stands for",
                    ),
            )
            .arg(option("base_url", "base-url", "URL").help(
                "Call both APIs at this base URL (a gateway, or a test server) instead of \
                 Debitura's hosts",
            ))
            .group(
                ArgGroup::new("where")
                    .required(true)
                    .multiple(true)
                    .args(["env", "base_url"]),
            )
            .args(SecretSource::key_args())
            .group(SecretSource::key_group())
            .arg(flag("json", "json").help("Print JSON"))
            .after_help(REMOTE_HELP)
    }

    fn from_matches(m: &ArgMatches) -> Remote {
        Remote {
            environment: text(m, "env").and_then(|e| e.parse().ok()),
            base_url: text(m, "base_url"),
            key: SecretSource::key_from_matches(m),
            json: m.get_flag("json"),
        }
    }
}

const REMOTE_HELP: &str = "Every request goes through the call machine: a 429's delay is \
honoured, a refused token is replaced once, and a request whose outcome is unknown is never \
sent twice. The key and tokens are never printed.

Exit status: 0 when nothing is wrong (all active, nothing missed, every replay sent, something \
enqueued), 1 when something is (a disabled subscription, a missed delivery, a replay refused \
or of unknown outcome, nothing enqueued), 2 for bad usage, 4 when Debitura could not be asked \
(its answer is diagnosed).";

fn tenant_arg(required: bool) -> Arg {
    option("tenant", "tenant", "ID")
        .required(required)
        .help(if required {
            "The client (externalTenantId) whose Customer API log to read: a token is minted for it"
        } else {
            "Also list this client's Customer API subscriptions (externalTenantId)"
        })
}

fn since_arg() -> Arg {
    option("since", "since", "TIME").help(
        "Deliveries since this time, as the API takes it (e.g. 2026-12-01T00:00:00Z); rows \
         appear up to about 30 s after an event",
    )
}

fn webhook_status_command() -> clap::Command {
    Remote::args(
        clap::Command::new("status")
            .about("List each subscription (URL, events, active or disabled and why, which API)")
            .arg(tenant_arg(false)),
    )
}

fn webhook_missed_command() -> clap::Command {
    Remote::args(
        clap::Command::new("missed")
            .about(
                "List deliveries not answered 2xx, by subscription and event, each with what to \
                 fix at the receiver",
            )
            .arg(tenant_arg(true))
            .arg(since_arg().required(true))
            .arg(option("case", "case", "ID").help("Only this case's deliveries (caseId)")),
    )
}

fn webhook_replay_command() -> clap::Command {
    Remote::args(
        clap::Command::new("replay")
            .about("Replay events once each (attempt 1 again, with X-Debitura-Replay: true)")
            .arg(tenant_arg(true))
            .arg(
                Arg::new("ids")
                    .value_name("ID")
                    .num_args(1..)
                    .help("The events to replay: ids from `webhook missed`"),
            )
            .arg(
                flag("all_missed", "all-missed")
                    .requires("since")
                    .help("Replay every delivery missed since --since"),
            )
            .arg(since_arg())
            .arg(option("case", "case", "ID").help("With --all-missed: only this case's"))
            .group(
                ArgGroup::new("which")
                    .required(true)
                    .multiple(false)
                    .args(["ids", "all_missed"]),
            )
            .arg(flag("enable", "enable").help(
                "First set every disabled subscription active again (Referral Partner API, and \
                 the client's on the Customer API); without it none is changed",
            )),
    )
}

fn webhook_trigger_command() -> clap::Command {
    Remote::args(
        clap::Command::new("trigger")
            .about("Fire a test event to your subscriptions (test environment only)")
            .arg(
                option("event", "event", "EVENT")
                    .required(true)
                    .help("The event type, e.g. case.updated"),
            )
            .arg(option("case", "case", "ID").help("The case a case event is about (caseId)"))
            .arg(
                option("client", "client", "ID")
                    .help("The client a client event is about (externalTenantId)"),
            )
            .group(
                ArgGroup::new("about")
                    .required(true)
                    .multiple(false)
                    .args(["case", "client"]),
            ),
    )
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

/// A status as the library reads one (`Query::set`), its error as the
/// library words it.
fn parse_status(s: &str) -> Result<u16, String> {
    let n: f64 = s
        .parse()
        .map_err(|_| format!("`{}` is not a number", printable(s)))?;
    let mut q = Query::new();
    q.set_field(Field::Status, Value::Number(n))
        .map_err(|e| e.to_string())?;
    q.status
        .ok_or_else(|| format!("`{}` is not a status", printable(s)))
}

fn status_help() -> String {
    let (low, high) = (STATUSES.start(), STATUSES.end());
    format!("HTTP status of the failed response ({low}-{high})")
}

/// A name read as the library reads it, its error as the library words it.
fn parsed<T: std::str::FromStr<Err = ParseNameError>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e: ParseNameError| e.to_string())
}

fn parse_operation(s: &str) -> Result<Operation, String> {
    parsed(s)
}

fn parse_credential(s: &str) -> Result<Credential, String> {
    parsed(s)
}

/// The `--auth` help: every credential with what it is.
fn credential_help() -> String {
    let names: Vec<String> = Credential::ALL
        .iter()
        .map(|c| format!("{} ({})", c.as_str(), c.description()))
        .collect();
    format!(
        "The credential the request carried: {}. On the Customer API a 401 with a bearer token \
         is cured by minting a new one; with a key it is not",
        names.join("; ")
    )
}

fn parse_environment(s: &str) -> Result<Environment, String> {
    parsed(s)
}

fn parse_event(s: &str) -> Result<String, String> {
    let events = names(debitura_triage::EVENTS);
    one_of(s, events.iter().map(|e| (*e, ())), "webhook event").map(|()| s.to_string())
}

fn parse_symptom(s: &str) -> Result<Symptom, String> {
    parsed(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        command().debug_assert();
    }

    #[test]
    fn arguments_are_read_into_their_fields() {
        let cli = Cli::try_parse_from([
            "debitura-triage",
            "diagnose",
            "--status",
            "422",
            "--type",
            "MissingPowerOfAttorney",
            "--op",
            "create-case",
            "--env",
            "test",
            "--after-token-refresh",
        ])
        .unwrap();
        let Command::Diagnose(args) = cli.command else {
            panic!("not diagnose");
        };
        assert_eq!(args.status, Some(422));
        assert_eq!(args.error_type.as_deref(), Some("MissingPowerOfAttorney"));
        assert_eq!(args.operation, Some(Operation::CreateCase));
        assert_eq!(args.environment, Some(Environment::Test));
        assert!(args.after_token_refresh && !args.json);

        let cli = Cli::try_parse_from([
            "debitura-triage",
            "policy",
            "diff",
            "--base",
            "HEAD",
            "--fail-on",
            "retries-more",
            "--fail-on",
            "text",
        ])
        .unwrap();
        let Command::Policy {
            action:
                PolicyCommand::Diff {
                    base,
                    rules,
                    fail_on,
                    ..
                },
        } = cli.command
        else {
            panic!("not policy diff");
        };
        assert_eq!((base.as_str(), rules), ("HEAD", PathBuf::from("rules")));
        assert_eq!(fail_on, [Risk::RetriesMore, Risk::Text]);

        let cli = Cli::try_parse_from([
            "debitura-triage",
            "webhook",
            "sign",
            "--body",
            "-",
            "--secret-file",
            "s",
        ])
        .unwrap();
        let Command::Webhook {
            action: WebhookCommand::Sign { body, secret, .. },
        } = cli.command
        else {
            panic!("not webhook sign");
        };
        assert_eq!(body, "-");
        assert_eq!(secret.secret_file, Some(PathBuf::from("s")));
    }

    #[test]
    fn a_secret_source_is_required_and_single() {
        for args in [
            &["debitura-triage", "webhook", "sign", "--body", "-"][..],
            &[
                "debitura-triage",
                "webhook",
                "sign",
                "--body",
                "-",
                "--secret-env",
                "A",
                "--secret-file",
                "b",
            ],
        ] {
            assert!(Cli::try_parse_from(args).is_err(), "{args:?}");
        }
    }
}
