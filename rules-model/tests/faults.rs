//! Faults injected into a copy of a real rules file: each stops the load with
//! a diagnostic at the line of the offending entry, naming the rule and the
//! problem, with a hint. No fault may panic or reach the generated code.

use std::path::{Path, PathBuf};

use debitura_triage_rules_model::{load, read_dir, Code, Diagnostic, Source};

const FILE: &str = "client-management.yaml";

/// An edit of the file's lines (0-based index into the original lines).
enum Edit {
    Replace(usize, &'static str),
    Insert(usize, &'static str),
}

struct Fault {
    name: &'static str,
    edits: &'static [Edit],
    /// Expected 1-based line, rule label, code, and a part of the message.
    line: usize,
    rule: Option<&'static str>,
    code: Code,
    problem: &'static str,
    /// A part of the hint.
    hint: &'static str,
}

use Edit::{Insert, Replace};

const FAULTS: &[Fault] = &[
    Fault {
        name: "a key indented too little inside `when`",
        edits: &[Replace(16, "   symptom: retest-onboarding-same-email")],
        line: 17,
        rule: Some("retest-onboarding-same-email"),
        code: Code::YamlSyntax,
        problem: "did not find expected '-' indicator",
        hint: "indentation",
    },
    Fault {
        name: "a key indented too far",
        edits: &[Replace(14, "     retry: after-user-action")],
        line: 15,
        rule: Some("retest-onboarding-same-email"),
        code: Code::YamlSyntax,
        problem: "mapping values are not allowed",
        hint: "indentation",
    },
    Fault {
        name: "a tab as indentation",
        edits: &[Replace(15, "\twhen:")],
        line: 16,
        rule: Some("retest-onboarding-same-email"),
        code: Code::YamlSyntax,
        problem: "tab",
        hint: "indentation",
    },
    Fault {
        name: "a tab inside a nested mapping",
        edits: &[Replace(16, "\tsymptom: retest-onboarding-same-email")],
        line: 17,
        rule: Some("retest-onboarding-same-email"),
        code: Code::YamlSyntax,
        problem: "cannot start any token",
        hint: "indentation",
    },
    Fault {
        name: "a rule key written twice",
        edits: &[Insert(15, "    retry: never")],
        line: 16,
        rule: Some("retest-onboarding-same-email"),
        code: Code::DuplicateKey,
        problem: "duplicate entry with key \"retry\"",
        hint: "once per mapping",
    },
    Fault {
        name: "a condition key written twice",
        edits: &[Insert(17, "      symptom: other-symptom")],
        line: 18,
        rule: Some("retest-onboarding-same-email"),
        code: Code::DuplicateKey,
        problem: "duplicate entry with key \"symptom\"",
        hint: "once per mapping",
    },
    Fault {
        name: "an unterminated quote",
        edits: &[Replace(45, "    solution: \"Call them on testreferral-api.debitura.com.")],
        line: 46,
        rule: Some("test-endpoint-in-production"),
        code: Code::YamlSyntax,
        problem: "quoted scalar",
        hint: "quoting",
    },
    Fault {
        name: "an example that matches another rule",
        edits: &[Replace(22, "      - { symptom: client-deletion-blocked }")],
        line: 23,
        rule: Some("retest-onboarding-same-email"),
        code: Code::ExampleMismatch,
        problem: "example 1",
        hint: "fix the example",
    },
    Fault {
        name: "an example that does not match its rule",
        edits: &[Insert(55, "      - { status: 404, operation: delete-client }")],
        line: 56,
        rule: Some("test-endpoint-in-production"),
        code: Code::ExampleMismatch,
        problem: "example 4 (`status 404, operation delete-client, safe_to_resend true`) does not match",
        hint: "fix the example",
    },
    Fault {
        name: "a counter-example that resolves to its rule",
        edits: &[Insert(
            55,
            "    counter_examples:\n      - { status: 404, operation: delete-client }\n      - { status: 403, operation: delete-client }",
        )],
        line: 58,
        rule: Some("test-endpoint-in-production"),
        code: Code::CounterExampleMatches,
        problem: "counter-example 2",
        hint: "narrow the rule",
    },
    Fault {
        name: "a bad value in a counter-example",
        edits: &[Insert(55, "    counter_examples:\n      - { status: 1 }")],
        line: 57,
        rule: Some("test-endpoint-in-production"),
        code: Code::StatusRange,
        problem: "outside 100-599",
        hint: "status code",
    },
    Fault {
        name: "an unknown id in see_also",
        edits: &[Insert(21, "    see_also: [client-deletion-blockd]")],
        line: 22,
        rule: Some("retest-onboarding-same-email"),
        code: Code::UnknownRule,
        problem: "`see_also` names unknown rule `client-deletion-blockd`",
        hint: "did you mean `client-deletion-blocked`?",
    },
    Fault {
        name: "an unknown id in a block see_also list",
        edits: &[Insert(
            21,
            "    see_also:\n      - client-deletion-blocked\n      - reset-client-not-fund",
        )],
        line: 24,
        rule: Some("retest-onboarding-same-email"),
        code: Code::UnknownRule,
        problem: "`reset-client-not-fund`",
        hint: "did you mean `reset-client-not-found`?",
    },
    Fault {
        name: "a NUL byte",
        edits: &[Replace(29, "    retry: after\0-user-action")],
        line: 30,
        rule: None,
        code: Code::ControlCharacter,
        problem: "control character U+0000 at column 17",
        hint: "plain UTF-8",
    },
    Fault {
        name: "an escape character",
        edits: &[Replace(28, "      A test client cannot be deleted \u{1b}[2J while it has blockers.")],
        line: 29,
        rule: None,
        code: Code::ControlCharacter,
        problem: "U+001B",
        hint: "plain UTF-8",
    },
    Fault {
        name: "a second YAML document",
        edits: &[Insert(40, "---")],
        line: 41,
        rule: None,
        code: Code::SecondDocument,
        problem: "a second YAML document",
        hint: "remove the `---` line",
    },
    Fault {
        name: "an alias bomb",
        edits: &[Insert(
            46,
            "    x: &a [1,1,1,1,1,1,1,1,1]\n    y: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n    z: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n    w: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n    v: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n    u: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
        )],
        line: 48,
        rule: Some("test-endpoint-in-production"),
        code: Code::AliasLimit,
        problem: "aliases",
        hint: "anchors or aliases",
    },
    Fault {
        name: "a status too large for any integer",
        edits: &[Replace(48, "      status: 99999999999999999999999")],
        line: 49,
        rule: Some("test-endpoint-in-production"),
        code: Code::NumberTooLarge,
        problem: "far too large",
        hint: "100 to 599",
    },
    Fault {
        name: "a status outside 100-599",
        edits: &[Replace(48, "      status: 4030")],
        line: 49,
        rule: Some("test-endpoint-in-production"),
        code: Code::StatusRange,
        problem: "HTTP status 4030 is outside 100-599",
        hint: "status code",
    },
    Fault {
        name: "a status in exponent notation",
        edits: &[Replace(48, "      status: 4.03e2")],
        line: 49,
        rule: Some("test-endpoint-in-production"),
        code: Code::StatusNotNumber,
        problem: "not a whole number",
        hint: "digits only",
    },
    Fault {
        name: "a symptom the vocabulary does not list",
        edits: &[Replace(16, "      symptom: retest-onboarding-same-mail")],
        line: 17,
        rule: Some("retest-onboarding-same-email"),
        code: Code::UnknownName,
        problem: "unknown symptom `retest-onboarding-same-mail`",
        hint: "did you mean `retest-onboarding-same-email`?",
    },
    Fault {
        name: "an empty type",
        edits: &[Insert(49, "      type: \"\"")],
        line: 50,
        rule: Some("test-endpoint-in-production"),
        code: Code::EmptyStringCondition,
        problem: "`type` is empty",
        hint: "type: null",
    },
    Fault {
        name: "a type with a star",
        edits: &[Insert(49, "      type: Missing*")],
        line: 50,
        rule: Some("test-endpoint-in-production"),
        code: Code::StarInType,
        problem: "`type` `Missing*` holds `*`",
        hint: "only `message` patterns",
    },
    Fault {
        name: "a star inside a message pattern",
        edits: &[Insert(49, "      message: \"Unknown * country\"")],
        line: 50,
        rule: Some("test-endpoint-in-production"),
        code: Code::MisplacedStar,
        problem: "has `*` somewhere other than after a prefix",
        hint: "fixed start of the message",
    },
    Fault {
        name: "a message pattern that is only a star",
        edits: &[Insert(49, "      message: \"*\"")],
        line: 50,
        rule: Some("test-endpoint-in-production"),
        code: Code::MisplacedStar,
        problem: "message pattern `*`",
        hint: "fixed start of the message",
    },
    Fault {
        name: "a `when` that names nothing",
        edits: &[Replace(16, "      symptom: null")],
        line: 16,
        rule: Some("retest-onboarding-same-email"),
        code: Code::EmptyWhen,
        problem: "`when` names no condition",
        hint: "name at least",
    },
    Fault {
        name: "a mapping where a value belongs",
        edits: &[Replace(48, "      status: { code: 403 }")],
        line: 49,
        rule: Some("test-endpoint-in-production"),
        code: Code::NotScalar,
        problem: "`status` must be a scalar value",
        hint: "a list of values",
    },
    Fault {
        name: "a status written as text",
        edits: &[Replace(48, "      status: forbidden")],
        line: 49,
        rule: Some("test-endpoint-in-production"),
        code: Code::StatusNotNumber,
        problem: "status `forbidden` is not a number",
        hint: "bare number",
    },
    Fault {
        name: "an id that is a Rust keyword",
        edits: &[Replace(40, "  - id: self")],
        line: 41,
        rule: Some("self"),
        code: Code::BadRustName,
        problem: "Rust name `Self`",
        hint: "keywords",
    },
    Fault {
        name: "an id that is a number",
        edits: &[Replace(40, "  - id: 500")],
        line: 41,
        rule: Some("500"),
        code: Code::BadRustName,
        problem: "Rust name `500`",
        hint: "start the id with a letter",
    },
    Fault {
        name: "an id that starts with a digit",
        edits: &[Replace(40, "  - id: 500-error")],
        line: 41,
        rule: Some("500-error"),
        code: Code::BadRustName,
        problem: "Rust name `500Error`",
        hint: "start the id with a letter",
    },
    Fault {
        name: "two ids that make one Rust name",
        edits: &[
            Replace(40, "  - id: reset-client-not-found2"),
            Replace(61, "  - id: reset-client-not-found-2"),
        ],
        line: 62,
        rule: Some("reset-client-not-found-2"),
        code: Code::RustNameCollision,
        problem: "as `reset-client-not-found2` does (rules/client-management.yaml:41)",
        hint: "choose a distinct id",
    },
    Fault {
        name: "a duplicate id",
        edits: &[Replace(61, "  - id: client-deletion-blocked")],
        line: 62,
        rule: Some("client-deletion-blocked"),
        code: Code::DuplicateId,
        problem: "duplicate id",
        hint: "never reused",
    },
    Fault {
        name: "an id that is not kebab-case",
        edits: &[Replace(61, "  - id: Reset_Client")],
        line: 62,
        rule: Some("Reset_Client"),
        code: Code::IdNotKebab,
        problem: "not kebab-case",
        hint: "lower-case words",
    },
    Fault {
        name: "a misspelt rule key",
        edits: &[Replace(45, "    sollution: Call them on testreferral-api.debitura.com.")],
        line: 46,
        rule: Some("test-endpoint-in-production"),
        code: Code::UnknownKey,
        problem: "unknown field `sollution`",
        hint: "did you mean `solution`?",
    },
    Fault {
        name: "a misspelt condition key",
        edits: &[Replace(49, "      operaton: delete-client")],
        line: 50,
        rule: Some("test-endpoint-in-production"),
        code: Code::UnknownKey,
        problem: "unknown field `operaton`",
        hint: "did you mean `operation`?",
    },
    Fault {
        name: "an unknown retry policy",
        edits: &[Replace(46, "    retry: nevr")],
        line: 47,
        rule: Some("test-endpoint-in-production"),
        code: Code::UnknownRetry,
        problem: "unknown retry policy `nevr`",
        hint: "did you mean `never`?",
    },
    Fault {
        name: "an unknown operation",
        edits: &[Replace(49, "      operation: delete-clint")],
        line: 50,
        rule: Some("test-endpoint-in-production"),
        code: Code::UnknownName,
        problem: "unknown operation `delete-clint`",
        hint: "did you mean `delete-client`?",
    },
    Fault {
        name: "an empty solution",
        edits: &[Replace(45, "    solution: \"\"")],
        line: 46,
        rule: Some("test-endpoint-in-production"),
        code: Code::EmptyText,
        problem: "solution is empty",
        hint: "solution",
    },
    Fault {
        name: "a missing cause",
        edits: &[
            Replace(42, "    # cause removed"),
            Replace(43, "    #"),
            Replace(44, "    #"),
        ],
        line: 41,
        rule: Some("test-endpoint-in-production"),
        code: Code::MissingText,
        problem: "missing cause",
        hint: "every rule needs a cause",
    },
    Fault {
        name: "a backtick in a plain-text field",
        edits: &[Replace(45, "    solution: Call them on `testreferral-api.debitura.com`.")],
        line: 46,
        rule: Some("test-endpoint-in-production"),
        code: Code::BacktickInText,
        problem: "backtick",
        hint: "notes",
    },
    Fault {
        name: "an escaped control character in a plain-text field",
        edits: &[Replace(45, "    solution: \"Call them \\e[2J on the test host.\"")],
        line: 46,
        rule: Some("test-endpoint-in-production"),
        code: Code::ControlInText,
        problem: "control character U+001B",
        hint: "without escapes",
    },
    Fault {
        name: "a list where an example needs one value",
        edits: &[Replace(52, "      - { status: [403, 404], operation: delete-client }")],
        line: 53,
        rule: Some("test-endpoint-in-production"),
        code: Code::ExampleNotSingle,
        problem: "must be a single value",
        hint: "one example per value",
    },
    Fault {
        name: "a rule that overlaps another",
        edits: &[Replace(48, "      status: 404")],
        line: 62,
        rule: Some("reset-client-not-found"),
        code: Code::Overlap,
        problem: "overlaps `test-endpoint-in-production`",
        hint: "add a condition",
    },
];

/// Faults in the vocabulary and coverage files: `(what, written, replaced
/// by, code, problem, hint)`, in `vocabulary.yaml` unless the replacement names
/// `coverage.yaml` first. Each is reported at the line of the text it replaces.
const VOCABULARY_FAULTS: &[(&str, &str, &str, Code, &str, &str)] = &[
    (
        "coverage.yaml: a row naming an unknown rule",
        "rules: [server-error] }",
        "rules: [server-eror] }",
        Code::UnknownRule,
        "row `500 on any call` names unknown rule `server-eror`",
        "did you mean `server-error`?",
    ),
    (
        "coverage.yaml: a row naming no rule",
        "rules: [server-error] }",
        "rules: [] }",
        Code::RowWithoutRules,
        "row `500 on any call` names no rule",
        "`note`",
    ),
    (
        "a parent that is not declared",
        "  - name: get-me\n    parent: referral-api",
        "  - name: get-me\n    parent: referal-api",
        Code::UnknownParent,
        "`parent` names `referal-api`, which is not listed above",
        "did you mean `referral-api`?",
    ),
    (
        "a write that does not say whether a resend is safe",
        "      - GET /me\n  - name: create-client",
        "      - GET /me\n      - POST /me\n  - name: create-client",
        Code::ResendUndeclared,
        "`POST /me` may act twice if sent twice, and `resend:` does not say whether it does",
        "add `resend:` with one of unsafe, idempotency-key, business-key, read-only",
    ),
    (
        "a resend reason on an operation safe by its method",
        "  - name: get-me\n    parent: referral-api\n    description:",
        "  - name: get-me\n    parent: referral-api\n    resend: read-only\n    description:",
        Code::ResendNeedless,
        "`resend: read-only` on an operation whose routes are all safe by their method",
        "remove it",
    ),
    (
        "an unknown resend reason",
        "    resend: business-key\n",
        "    resend: busines-key\n",
        Code::UnknownResend,
        "`resend: busines-key` is not a reason",
        "did you mean `business-key`?",
    ),
    (
        "the former spelling of an idempotency key",
        "    resend: business-key\n",
        "    idempotency_key: true\n",
        Code::LegacyKey,
        "`idempotency_key:` is the former spelling of `resend: idempotency-key`",
        "write `resend: idempotency-key`",
    ),
    (
        "`method` declared as a resend reason",
        "    resend: business-key\n",
        "    resend: method\n",
        Code::UnknownResend,
        "`resend: method` is not a reason",
        "unsafe, idempotency-key",
    ),
    (
        "a route without a method",
        "      - GET /me\n",
        "      - /me\n",
        Code::BadRoute,
        "route `/me`: no space between method and path",
        "METHOD /path",
    ),
    (
        "a route with an unknown method",
        "      - GET /me\n",
        "      - FETCH /me\n",
        Code::BadRoute,
        "`FETCH` is not an HTTP method",
        "METHOD /path",
    ),
    (
        "a route claimed by two operations",
        "      - GET /reporting/transactions\n",
        "      - GET /clients\n",
        Code::RouteClaimedTwice,
        "route `GET /clients` is already `list-clients`'s",
        "one operation per API",
    ),
    (
        "a host for an unknown environment",
        "    hosts: { production: customer-api.debitura.com, test: testcustomer-api.debitura.com }",
        "    hosts: { production: customer-api.debitura.com, staging: testcustomer-api.debitura.com }",
        Code::UnknownName,
        "unknown environment `staging`",
        "expected one of: test, production",
    ),
    (
        "an API taking an unknown credential",
        "    credentials: [api-key, bearer]",
        "    credentials: [api-key, berer]",
        Code::UnknownName,
        "`credentials` names the unknown credential `berer`",
        "did you mean `bearer`?",
    ),
    (
        "an operation listed twice",
        "  - name: list-clients\n",
        "  - name: get-me\n",
        Code::RustNameCollision,
        "`get-me` makes the Rust name `GetMe`, as `get-me` does",
        "rename one",
    ),
    (
        "backoff bounds that never end",
        "      attempts: 3\n",
        "      attempts: 1000\n",
        Code::BadBounds,
        "`attempts` is 1000; a backoff makes 2 to 10 attempts in all",
        "every backoff must end",
    ),
    (
        "a retry policy with neither resends nor bounds",
        "  - name: never\n    resends: 0\n",
        "  - name: never\n",
        Code::ResendsOrBounds,
        "either `resends` or `bounds`",
        "`resends: 0`",
    ),
    (
        "an event name with a capital",
        "  - name: case.closed\n",
        "  - name: Case.Closed\n",
        Code::BadName,
        "`Case.Closed` is not a valid name in `events`",
        "as the event envelope spells it",
    ),
    (
        "a base delay above the longest delay",
        "      base_delay_ms: 1000\n",
        "      base_delay_ms: 30001\n",
        Code::BadBounds,
        "`base_delay_ms` (30001) is above `max_delay_ms` (30000)",
        "every backoff must end",
    ),
    (
        "a longest delay above an hour",
        "      max_delay_ms: 30000\n",
        "      max_delay_ms: 3600001\n",
        Code::BadBounds,
        "`max_delay_ms` is 3600001; no wait may exceed 3600000 ms",
        "every backoff must end",
    ),
    (
        "a jitter above 100 %",
        "      jitter_percent: 10\n",
        "      jitter_percent: 101\n",
        Code::BadBounds,
        "`jitter_percent` is 101; it is at most 100",
        "every backoff must end",
    ),
    (
        "a prefix without its leading slash",
        "    prefixes: [/v1]\n",
        "    prefixes: [v1]\n",
        Code::BadPrefix,
        "prefix `v1` is not a path",
        "start it with `/`",
    ),
    (
        "a prefix that is only a slash",
        "    prefixes: [/v1]\n",
        "    prefixes: [/]\n",
        Code::BadPrefix,
        "prefix `/` is not a path",
        "start it with `/`",
    ),
    (
        "a prefix with a trailing slash",
        "    prefixes: [/v1]\n",
        "    prefixes: [/v1/]\n",
        Code::BadPrefix,
        "prefix `/v1/` is not a path",
        "start it with `/`",
    ),
    (
        "a route with an empty parameter",
        "      - GET /clients/{externalTenantId}\n",
        "      - GET /clients/{}\n",
        Code::BadRoute,
        "segment `{}` is neither a word, a `{parameter}`",
        "METHOD /path",
    ),
    (
        "a route with a parameter that is not a word",
        "      - GET /clients/{externalTenantId}\n",
        "      - GET /clients/{tenant-id}\n",
        Code::BadRoute,
        "segment `{tenant-id}` is neither a word, a `{parameter}`",
        "METHOD /path",
    ),
    (
        "a route with an empty segment",
        "      - GET /reporting/transactions\n",
        "      - GET /reporting//transactions\n",
        Code::BadRoute,
        "segment `` is neither a word, a `{parameter}`",
        "METHOD /path",
    ),
    (
        "a route with a character no path segment holds",
        "      - GET /reporting/transactions\n",
        "      - GET /reporting/trans$actions\n",
        Code::BadRoute,
        "segment `trans$actions` is neither a word, a `{parameter}`",
        "METHOD /path",
    ),
    (
        "an operation name that is not kebab-case",
        "  - name: list-clients\n",
        "  - name: List_Clients\n",
        Code::BadName,
        "`List_Clients` is not a valid name in `operations`",
        "",
    ),
    (
        "an empty description",
        "    description: \"`GET /users`: the client's users.\"\n",
        "    description: \" \"\n",
        Code::EmptyText,
        "`description` is empty",
        "say in a sentence what `list-users` means",
    ),
    (
        "a description with a control character",
        "    description: \"`GET /users`: the client's users.\"\n",
        "    description: \"the client's\\u0007 users\"\n",
        Code::ControlInText,
        "`description` holds the control character U+0007",
        "without escapes",
    ),
    (
        "an unknown key",
        "    prefixes: [/v1]\n",
        "    prefix: [/v1]\n",
        Code::UnknownKey,
        "unknown field `prefix`",
        "did you mean `prefixes`?",
    ),
];

#[test]
fn vocabulary_faults_are_reported_at_their_line() {
    let mut failures = Vec::new();
    for &(name, from, to, code, problem, hint) in VOCABULARY_FAULTS {
        let file = match name.split_once(": ") {
            Some(("coverage.yaml", _)) => "rules/coverage.yaml",
            _ => "rules/vocabulary.yaml",
        };
        let mut sources = read_dir(&rules_dir(), "rules").expect("rules/ reads");
        let source = sources
            .iter_mut()
            .find(|s| s.display == file)
            .expect("the file exists");
        let at = source
            .text
            .find(from)
            .unwrap_or_else(|| panic!("{name}: `{from}` is not in the file"));
        // The line of the first line `from` and `to` differ on.
        let differs = from
            .lines()
            .zip(to.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let line = source.text[..at].matches('\n').count() + 1 + differs;
        source.text = source.text.replacen(from, to, 1);
        let problems = match load(&sources) {
            Ok(_) => {
                failures.push(format!("{name}: loaded without a problem"));
                continue;
            }
            Err(problems) => problems,
        };
        let found = problems.iter().any(|p| {
            p.file == file
                && p.line == line
                && p.code == code
                && p.message.contains(problem)
                && p.hint.as_deref().is_some_and(|h| h.contains(hint))
        });
        if !found {
            let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
            failures.push(format!(
                "{name}: expected line {line} [{}] `{problem}` (hint `{hint}`), got:\n  {}",
                code.as_str(),
                got.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules")
}

/// Every rules file, with `FILE` edited.
fn sources_with(edits: &[Edit]) -> Vec<Source> {
    let mut sources = read_dir(&rules_dir(), "rules").expect("rules/ reads");
    let source = sources
        .iter_mut()
        .find(|s| s.display == format!("rules/{FILE}"))
        .expect("the file exists");
    let mut lines: Vec<String> = source.text.lines().map(String::from).collect();
    // Later edits first, so that indices refer to the original lines.
    let mut ordered: Vec<&Edit> = edits.iter().collect();
    ordered.sort_by_key(|e| match e {
        Replace(i, _) | Insert(i, _) => std::cmp::Reverse(*i),
    });
    for edit in ordered {
        match *edit {
            Replace(i, text) => lines[i] = text.to_string(),
            Insert(i, text) => lines.insert(i, text.to_string()),
        }
    }
    source.text = lines.join("\n") + "\n";
    sources
}

#[test]
fn the_unedited_file_loads() {
    assert!(load(&sources_with(&[])).is_ok());
}

#[test]
fn every_injected_fault_is_reported_at_its_line() {
    let mut failures = Vec::new();
    for fault in FAULTS {
        let problems = match load(&sources_with(fault.edits)) {
            Ok(_) => {
                failures.push(format!("{}: loaded without a problem", fault.name));
                continue;
            }
            Err(problems) => problems,
        };
        let expected = |d: &Diagnostic| {
            d.file == format!("rules/{FILE}")
                && d.line == fault.line
                && d.rule.as_deref() == fault.rule
                && d.code == fault.code
                && d.message.contains(fault.problem)
                && d.hint.as_deref().is_some_and(|h| h.contains(fault.hint))
        };
        if !problems.iter().any(expected) {
            let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
            failures.push(format!(
                "{}: expected line {} rule {:?} [{}] `{}` (hint `{}`), got:\n  {}",
                fault.name,
                fault.line,
                fault.rule,
                fault.code.as_str(),
                fault.problem,
                fault.hint,
                got.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A scratch copy of `rules/` plus `extra` files, for faults in file names and encodings.
fn scratch_dir(name: &str, extra: &[(&str, &[u8])]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("triage-faults-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(rules_dir()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    for (file, bytes) in extra {
        let path = dir.join(file);
        if file.ends_with('/') {
            std::fs::create_dir_all(&path).unwrap();
        } else {
            std::fs::write(path, bytes).unwrap();
        }
    }
    dir
}

#[test]
fn files_that_cannot_be_sections_are_named() {
    let webhooks = std::fs::read(rules_dir().join("webhooks.yaml")).unwrap();
    // (file, its bytes, line, code, part of the message, part of the hint)
    type Case<'a> = (&'a str, &'a [u8], usize, Code, &'a str, &'a str);
    let cases: [Case; 7] = [
        (
            ".x.yaml",
            b"section: {}",
            1,
            Code::HiddenFile,
            "hidden file",
            "visible name",
        ),
        (
            "webhooks.yml",
            &webhooks,
            1,
            Code::YmlExtension,
            "ends in `.yml`",
            "rename it to `.yaml`",
        ),
        (
            "README.md",
            b"# rules",
            1,
            Code::NotYamlFile,
            "not a `.yaml` file",
            "move it out",
        ),
        (
            "webhooks.v2.yaml",
            &webhooks,
            1,
            Code::FileNameNotKebab,
            "kebab-case",
            "slug",
        ),
        (
            "nested/",
            b"",
            1,
            Code::NestedFolder,
            "a folder",
            "move its files",
        ),
        (
            "latin1.yaml",
            b"section:\n  title: Caf\xe9\n",
            2,
            Code::NotUtf8,
            "not UTF-8: an invalid byte at column 13",
            "save the file as UTF-8",
        ),
        (
            "Upper.yaml",
            b"",
            1,
            Code::FileNameNotKebab,
            "kebab-case",
            "slug",
        ),
    ];
    for (file, bytes, line, code, problem, hint) in cases {
        let dir = scratch_dir("names", &[(file, bytes)]);
        let problems = read_dir(&dir, "rules").err().unwrap_or_else(|| {
            panic!("{file} was accepted");
        });
        let shown = format!("rules/{}", file.trim_end_matches('/'));
        assert!(
            problems.iter().any(|d| d.file == shown
                && d.line == line
                && d.code == code
                && d.message.contains(problem)
                && d.hint.as_deref().is_some_and(|h| h.contains(hint))),
            "{file}: {problems:?}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Every rules file, with the lines of `file` replaced as `edits` say
/// (0-based index, new text; later edits first).
fn with_lines(file: &str, edits: &[(usize, &str)]) -> Vec<Source> {
    let mut sources = read_dir(&rules_dir(), "rules").expect("rules/ reads");
    let source = sources
        .iter_mut()
        .find(|s| s.display == format!("rules/{file}"))
        .expect("the file exists");
    let mut lines: Vec<String> = source.text.lines().map(String::from).collect();
    for &(i, text) in edits.iter().rev() {
        lines[i] = text.to_string();
    }
    source.text = lines.join("\n") + "\n";
    sources
}

/// Line (0-based) of `needle` in a rules file.
fn line_index(file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(rules_dir().join(file)).unwrap();
    text.lines()
        .position(|l| l.trim_end() == needle)
        .unwrap_or_else(|| panic!("{file} has no line `{needle}`"))
}

fn problems(sources: &[Source]) -> Vec<String> {
    match load(sources) {
        Ok(_) => Vec::new(),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_renamed_or_deleted_rule_needs_a_retirement_record() {
    let id_line = line_index(FILE, "  - id: reset-client-not-found");
    let released_line = line_index("lifecycle.yaml", "  - reset-client-not-found");
    let retired_line = line_index("lifecycle.yaml", "retired: []");

    // Renamed without a record: the old id is lost, the new one unreleased.
    let mut sources = with_lines(FILE, &[(id_line, "  - id: test-client-not-found")]);
    let lost = problems(&sources);
    let at_old = format!(
        "rules/lifecycle.yaml:{}: rule `reset-client-not-found`: released id `reset-client-not-found` is no rule's any more, and has no retirement record",
        released_line + 1
    );
    assert!(lost.iter().any(|p| p.starts_with(&at_old)), "{lost:#?}");
    let at_new = format!(
        "rules/{FILE}:{}: rule `test-client-not-found`: id `test-client-not-found` is not in the released ids",
        id_line + 1
    );
    assert!(lost.iter().any(|p| p.starts_with(&at_new)), "{lost:#?}");

    // With the new id released and the old one retired, it loads.
    let lifecycle = sources
        .iter_mut()
        .find(|s| s.display == "rules/lifecycle.yaml")
        .unwrap();
    let mut lines: Vec<String> = lifecycle.text.lines().map(String::from).collect();
    lines[retired_line] = "retired:\n  - { id: reset-client-not-found, retired: 2026-11-26, replaced_by: test-client-not-found }".into();
    lines.insert(released_line + 1, "  - test-client-not-found".into());
    lifecycle.text = lines.join("\n") + "\n";
    retarget_coverage(&mut sources, "test-client-not-found");
    let catalog = load(&sources).unwrap_or_else(|p| panic!("{p:#?}"));
    // The replacement answers for the retired id.
    assert!(
        catalog
            .lifecycle
            .iter()
            .flat_map(|l| &l.retired)
            .any(|r| r.id == "reset-client-not-found"
                && r.replaced_by.as_deref() == Some("test-client-not-found")),
        "no retirement record"
    );

    // Deleted: the rule's lines commented out, the id retired with no replacement.
    let text = std::fs::read_to_string(rules_dir().join(FILE)).unwrap();
    let lines: Vec<String> = text.lines().map(String::from).collect();
    let mut sources = read_dir(&rules_dir(), "rules").unwrap();
    // The rule runs to the next rule's `- id:` line, or to the end.
    let next = lines[id_line + 1..]
        .iter()
        .position(|l| l.starts_with("  - id:"))
        .map_or(lines.len(), |n| id_line + 1 + n);
    let kept: Vec<&str> = lines[..id_line]
        .iter()
        .chain(&lines[next..])
        .map(String::as_str)
        .collect();
    sources
        .iter_mut()
        .find(|s| s.display == format!("rules/{FILE}"))
        .unwrap()
        .text = kept.join("\n") + "\n";
    let lifecycle = sources
        .iter_mut()
        .find(|s| s.display == "rules/lifecycle.yaml")
        .unwrap();
    lifecycle.text = lifecycle.text.replace(
        "retired: []",
        "retired:\n  - { id: reset-client-not-found, retired: 2026-11-26, reason: the endpoint is gone }",
    );
    retarget_coverage(&mut sources, "permission-denied");
    assert!(load(&sources).is_ok(), "{:#?}", problems(&sources));
}

/// The coverage row of `reset-client-not-found` pointed at `id`, as a
/// rename or a deletion would need.
fn retarget_coverage(sources: &mut [Source], id: &str) {
    let coverage = sources
        .iter_mut()
        .find(|s| s.display == "rules/coverage.yaml")
        .unwrap();
    let row = "rules: [reset-client-not-found]";
    assert_eq!(coverage.text.matches(row).count(), 1);
    coverage.text = coverage.text.replace(row, &format!("rules: [{id}]"));
}

#[test]
fn retired_ids_are_never_reused_and_records_are_checked() {
    let retired_line = line_index("lifecycle.yaml", "retired: []");
    let record = |text: &'static str| with_lines("lifecycle.yaml", &[(retired_line, text)]);

    // A rule that still exists cannot be retired: its id would be reused.
    let reused = problems(&record(
        "retired:\n  - { id: busy-unused, retired: 2026-11-26 }\n  - { id: reset-client-not-found, retired: 2026-11-26, replaced_by: client-deletion-blocked }",
    ));
    let id_line = line_index(FILE, "  - id: reset-client-not-found") + 1;
    let expected = format!(
        "rules/{FILE}:{id_line}: rule `reset-client-not-found`: id `reset-client-not-found` was retired on 2026-11-26"
    );
    assert!(
        reused.iter().any(|p| p.starts_with(&expected)),
        "{reused:#?}"
    );
    assert!(
        reused
            .iter()
            .any(|p| p.contains("retired id `busy-unused` was never released")),
        "{reused:#?}"
    );

    let bad = problems(&record(
        "retired:\n  - { id: old-one, retired: yesterday, replaced_by: client-deletion-blockd }",
    ));
    let at = format!("rules/lifecycle.yaml:{}: rule `old-one`:", retired_line + 2);
    for part in [
        "retirement date `yesterday` is not a date",
        "`replaced_by` names `client-deletion-blockd`, which is no rule [unknown-rule] (did you mean `client-deletion-blocked`?)",
    ] {
        assert!(
            bad.iter().any(|p| p.starts_with(&at) && p.contains(part)),
            "{part}: {bad:#?}"
        );
    }
}

#[test]
fn backoff_bounds_at_their_limits_load() {
    for (from, to) in [
        (
            "      base_delay_ms: 1000\n",
            "      base_delay_ms: 30000\n",
        ),
        (
            "      max_delay_ms: 30000\n",
            "      max_delay_ms: 3600000\n",
        ),
        ("      jitter_percent: 10\n", "      jitter_percent: 100\n"),
    ] {
        let mut sources = read_dir(&rules_dir(), "rules").unwrap();
        let vocabulary = sources
            .iter_mut()
            .find(|s| s.display == "rules/vocabulary.yaml")
            .unwrap();
        assert!(vocabulary.text.contains(from), "{from}");
        vocabulary.text = vocabulary.text.replacen(from, to, 1);
        assert_eq!(problems(&sources), Vec::<String>::new(), "{to}");
    }
}

#[test]
fn a_second_vocabulary_is_reported_at_its_first_key() {
    let mut sources = read_dir(&rules_dir(), "rules").unwrap();
    sources.push(Source {
        display: "rules/zz-words.yaml".into(),
        text: "# more words\n\nsymptoms:\n  - { name: extra, description: One more. }\n".into(),
    });
    let found = problems(&sources);
    assert!(
        found.iter().any(|p| p.starts_with(
            "rules/zz-words.yaml:3: a second vocabulary (the first is in rules/vocabulary.yaml)"
        )),
        "{found:#?}"
    );
}

#[test]
fn file_level_duplicates_are_reported_at_their_line() {
    // Two sections at one place on the page.
    let order = line_index(FILE, "  order: 50");
    let clash = problems(&with_lines(FILE, &[(order, "  order: 40")]));
    let webhooks_order = line_index("webhooks.yaml", "  order: 40") + 1;
    let expected = format!(
        "rules/webhooks.yaml:{webhooks_order}: section order 40 is also used by rules/{FILE} [duplicate-section-order] (give every section its own `order`)"
    );
    assert!(clash.contains(&expected), "{clash:#?}");

    // A page header with rules, and columns without a solution.
    let page = problems(&with_lines(
        "troubleshooting.yaml",
        &[(0, "rules: [{ id: x }]")],
    ));
    assert!(
        page.iter()
            .any(|p| p.contains("a `page:` file holds no rules")),
        "{page:#?}"
    );
    let columns = line_index(FILE, "  columns: [issue, solution]");
    let only_issue = problems(&with_lines(FILE, &[(columns, "  columns: [issue, cause]")]));
    let expected = format!("rules/{FILE}:{}: section columns [issue, cause] are not issue, cause, solution in that order", columns + 1);
    assert!(
        only_issue.iter().any(|p| p.starts_with(&expected)),
        "{only_issue:#?}"
    );
    let no_issue = problems(&with_lines(
        FILE,
        &[(columns, "  columns: [cause, solution]")],
    ));
    assert!(
        no_issue
            .iter()
            .any(|p| p.contains("section columns [cause, solution]")),
        "{no_issue:#?}"
    );

    // A second page header and a second list of released ids.
    let mut sources = read_dir(&rules_dir(), "rules").unwrap();
    sources.push(Source {
        display: "rules/zz-page.yaml".into(),
        text: "# another\npage:\n  title: T\n  intro: I\n".into(),
    });
    sources.push(Source {
        display: "rules/zz-ids.yaml".into(),
        text: "# more\n\nreleased: [busy]\n".into(),
    });
    let seconds = problems(&sources);
    assert!(
        seconds.iter().any(|p| p.starts_with("rules/zz-page.yaml:2: a second `page:` header (the first is in rules/troubleshooting.yaml)")),
        "{seconds:#?}"
    );
    assert!(
        seconds.iter().any(|p| p.starts_with("rules/zz-ids.yaml:3: a second list of released ids (the first is in rules/lifecycle.yaml)")),
        "{seconds:#?}"
    );
}

/// Faults for the codes the tables above do not reach: `(code, file, text,
/// replaced by)`, the file's first `text` replaced. An empty `text` stands
/// for the whole file.
const MORE_FAULTS: &[(Code, &str, &str, &str)] = &[
    (
        Code::BadDate,
        "lifecycle.yaml",
        "retired: []",
        "retired:\n  - { id: old-rule, retired: yesterday }",
    ),
    (
        Code::DuplicateSectionOrder,
        FILE,
        "  order: 50",
        "  order: 40",
    ),
    (
        Code::EmptyList,
        FILE,
        "    when:\n      symptom: retest-onboarding-same-email\n",
        "    when:\n      symptom: []\n",
    ),
    (
        Code::EmptyVocabularyList,
        "vocabulary.yaml",
        "",
        "retry: []\noperations: []\nenvironments: []\n",
    ),
    (
        Code::IdNotReleased,
        "lifecycle.yaml",
        "  - retest-onboarding-same-email\n",
        "",
    ),
    (
        Code::IdRetired,
        "lifecycle.yaml",
        "retired: []",
        "retired:\n  - { id: retest-onboarding-same-email, retired: 2026-11-26 }",
    ),
    (
        Code::IncompleteBounds,
        "vocabulary.yaml",
        "      attempts: 3\n      base_delay_ms: 1000\n",
        "      attempts: 3\n",
    ),
    (
        Code::LifecycleFileMixed,
        "lifecycle.yaml",
        "released:\n",
        "section: { title: T, order: 99, summary: S }\nreleased:\n",
    ),
    (
        Code::ListedTwice,
        "lifecycle.yaml",
        "released:\n",
        "released:\n  - no-response\n",
    ),
    (
        Code::MissingKey,
        FILE,
        "  summary: Resetting and deleting test clients.\n",
        "",
    ),
    (
        Code::MissingSection,
        FILE,
        "section:\n  title: Client Management\n  order: 50\n  summary: Resetting and deleting test clients.\n  columns: [issue, solution]\n",
        "",
    ),
    (
        Code::PageAndSection,
        FILE,
        "section:\n",
        "page: { title: T, intro: I }\nsection:\n",
    ),
    (
        Code::PageFileWithRules,
        "troubleshooting.yaml",
        "page:\n",
        "rules:\n  - { id: x }\npage:\n",
    ),
    (
        Code::ReleasedIdLost,
        "lifecycle.yaml",
        "released:\n",
        "released:\n  - gone-rule\n",
    ),
    (
        Code::RetiredNeverReleased,
        "lifecycle.yaml",
        "retired: []",
        "retired:\n  - { id: never-released, retired: 2026-11-26 }",
    ),
    (
        Code::ImpossibleExample,
        "rate-limits-and-server-errors.yaml",
        "      - { status: 500, operation: get-case, safe_to_resend: true }",
        "      - { status: 500, operation: get-case, safe_to_resend: false }",
    ),
    (
        Code::UnsafeResend,
        "rate-limits-and-server-errors.yaml",
        "      status: [502, 503, 504]\n      safe_to_resend: true\n",
        "      status: [502, 503, 504]\n",
    ),
    (
        Code::WrongType,
        FILE,
        "  order: 50",
        "  order: fifty",
    ),
];

/// A rule that backs off on a 504 for every operation would resend writes
/// that may have acted: the build stops at that rule's line.
#[test]
fn a_rule_that_resends_every_504_stops_the_build_at_its_line() {
    let mut sources = read_dir(&rules_dir(), "rules").expect("rules/ reads");
    let file = "rules/rate-limits-and-server-errors.yaml";
    let source = sources.iter_mut().find(|s| s.display == file).unwrap();
    source.text.push_str(
        "\n  - id: gateway-timeout\n    title: 504 Gateway Timeout\n    cause: The gateway gave up.\n    \
         solution: Retry with backoff.\n    retry: backoff\n    when:\n      status: 504\n    \
         examples:\n      - { status: 504 }\n",
    );
    let line = source
        .text
        .lines()
        .position(|l| l == "  - id: gateway-timeout")
        .unwrap()
        + 1;
    let lifecycle = sources
        .iter_mut()
        .find(|s| s.display == "rules/lifecycle.yaml")
        .unwrap();
    lifecycle.text = lifecycle
        .text
        .replacen("released:\n", "released:\n  - gateway-timeout\n", 1);
    let unsafe_resends = |sources: &[Source]| -> Vec<String> {
        load(sources)
            .expect_err("the build stops")
            .iter()
            .filter(|p| p.code == Code::UnsafeResend)
            .map(ToString::to_string)
            .collect()
    };
    let got = unsafe_resends(&sources);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].starts_with(&format!(
            "{file}:{line}: rule `gateway-timeout`: `backoff` resends"
        )),
        "{}",
        got[0]
    );
    assert!(
        got[0].contains("after a 504") && got[0].contains("[unsafe-resend]"),
        "{}",
        got[0]
    );

    // Requiring a request safe to send twice answers the check (the rule
    // still overlaps the catalog's own 504 rules).
    let source = sources.iter_mut().find(|s| s.display == file).unwrap();
    source.text = source.text.replace(
        "      status: 504\n    examples:\n      - { status: 504 }",
        "      status: 504\n      safe_to_resend: true\n    examples:\n      - { status: 504, operation: get-case }",
    );
    assert_eq!(unsafe_resends(&sources), Vec::<String>::new());
}

/// Every code `MORE_FAULTS` names is reported for its fault./// Every code `MORE_FAULTS` names is reported for its fault.
#[test]
fn more_faults_report_their_code() {
    let mut failures = Vec::new();
    for &(code, file, from, to) in MORE_FAULTS {
        let mut sources = read_dir(&rules_dir(), "rules").expect("rules/ reads");
        let source = sources
            .iter_mut()
            .find(|s| s.display == format!("rules/{file}"))
            .expect("the file exists");
        if from.is_empty() {
            source.text = to.to_string();
        } else {
            assert!(source.text.contains(from), "{file}: `{from}` is not there");
            source.text = source.text.replacen(from, to, 1);
        }
        match load(&sources) {
            Ok(_) => failures.push(format!("[{}]: loaded without a problem", code.as_str())),
            Err(problems) if problems.iter().any(|p| p.code == code) => {}
            Err(problems) => {
                let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
                failures.push(format!("[{}]: got\n  {}", code.as_str(), got.join("\n  ")));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The codes reported only outside a rules folder's text: no folder, a file
/// that cannot be read, no vocabulary, a second file of one kind.
#[test]
fn folder_faults_report_their_code() {
    let missing = std::env::temp_dir().join(format!("triage-no-rules-{}", std::process::id()));
    let problems = read_dir(&missing, "rules").expect_err("no folder");
    assert_eq!(problems[0].code, Code::UnreadableFolder, "{problems:?}");

    #[cfg(unix)]
    {
        let dir = scratch_dir("unreadable", &[]);
        std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("broken.yaml")).unwrap();
        let problems = read_dir(&dir, "rules").expect_err("a dangling link");
        assert!(
            problems
                .iter()
                .any(|p| p.code == Code::UnreadableFile && p.file == "rules/broken.yaml"),
            "{problems:?}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    let mut sources = read_dir(&rules_dir(), "rules").expect("rules/ reads");
    sources.retain(|s| s.display != "rules/vocabulary.yaml");
    let problems = load(&sources).expect_err("no vocabulary");
    assert!(problems.iter().any(|p| p.code == Code::NoVocabulary));

    let mut sources = read_dir(&rules_dir(), "rules").expect("rules/ reads");
    let page = sources
        .iter()
        .find(|s| s.display == "rules/troubleshooting.yaml")
        .expect("the page file")
        .text
        .clone();
    sources.push(Source {
        display: "rules/page-copy.yaml".into(),
        text: page,
    });
    let problems = load(&sources).expect_err("two pages");
    assert!(problems
        .iter()
        .any(|p| p.code == Code::SecondOfAKind && p.file == "rules/page-copy.yaml"));
}

/// Every code the compiler has is reported by some fault of this file or
/// by a bad-rules fixture of `tests/bad/`: no code is dead, and each has a
/// test that shows when it is given.
#[test]
fn every_code_is_reported_by_some_fault() {
    let mut seen: std::collections::BTreeSet<Code> = FAULTS.iter().map(|f| f.code).collect();
    seen.extend(VOCABULARY_FAULTS.iter().map(|f| f.3));
    seen.extend(MORE_FAULTS.iter().map(|f| f.0));
    seen.extend([
        Code::HiddenFile,
        Code::YmlExtension,
        Code::NotYamlFile,
        Code::FileNameNotKebab,
        Code::NestedFolder,
        Code::NotUtf8,
        Code::UnreadableFolder,
        Code::UnreadableFile,
        Code::NoVocabulary,
        Code::SecondOfAKind,
    ]);
    // Each bad fixture is read beside the project's vocabulary, as
    // `tests/bad_rules.rs` reads it.
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let vocabulary = Source {
        display: "rules/vocabulary.yaml".into(),
        text: std::fs::read_to_string(rules_dir().join("vocabulary.yaml")).expect("vocabulary"),
    };
    for entry in std::fs::read_dir(&bad).expect("tests/bad") {
        let path = entry.expect("an entry").path();
        let fixture = Source {
            display: format!("rules/{}", path.file_name().unwrap().to_string_lossy()),
            text: std::fs::read_to_string(&path).expect("a fixture"),
        };
        if let Err(problems) = load(&[vocabulary.clone(), fixture]) {
            seen.extend(problems.iter().map(|p| p.code));
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !seen.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(missing.is_empty(), "no fault reports: {missing:?}");
}
