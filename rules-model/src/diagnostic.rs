//! Problems found in rule files, as data: a stable code, a severity, where
//! (file, line, rule), what is wrong and how to fix it. Printed as
//! `file:line: rule `id`: message [code] (hint)`; `docs/diagnostics.md` lists
//! every code with its cause and an example.

use std::fmt;

use crate::suggest::nearest;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The rule set cannot be built: every problem the compiler reports today
    /// stops the build, because a rule set with one is ambiguous, unreachable
    /// or unreadable somewhere.
    Error,
}

impl Severity {
    /// The lower-case name, as printed.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
        }
    }
}

/// Defines [`Code`] from one table: variant, code, what causes it, and an
/// example of rules text that triggers it.
macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $cause:literal, $example:literal; )*) => {
        /// What kind of problem a diagnostic reports. The kebab-case code
        /// ([`Code::as_str`]) is stable: tests and people look problems up by it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in the order `docs/diagnostics.md` lists them.
            pub const ALL: &'static [Code] = &[ $( Code::$variant ),* ];

            /// The stable kebab-case code.
            pub const fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// What causes the problem, in a sentence or two.
            pub const fn cause(self) -> &'static str {
                match self { $( Code::$variant => $cause, )* }
            }

            /// Rules text (or a folder entry) that causes it.
            pub const fn example(self) -> &'static str {
                match self { $( Code::$variant => $example, )* }
            }

            /// How bad the problem is.
            pub const fn severity(self) -> Severity {
                Severity::Error
            }

            /// True for a requirement the rule language added later, which a
            /// rule set written before it is not held to when it is read as
            /// the base of a comparison ([`load_earlier`](crate::load_earlier)):
            /// its answers never depended on what the requirement asks.
            pub const fn added_later(self) -> bool {
                matches!(self, Code::ResendUndeclared | Code::LegacyKey)
            }
        }
    };
}

codes! {
    /// The rules folder cannot be listed.
    UnreadableFolder = "unreadable-folder",
        "The build cannot list the rules folder: it is missing, or the build runs from another directory.",
        "rules/   (absent, or not readable)";
    /// A rules file cannot be read.
    UnreadableFile = "unreadable-file",
        "A file in the rules folder cannot be opened or read.",
        "rules/webhooks.yaml   (permission denied)";
    /// A hidden file sits in the rules folder.
    HiddenFile = "hidden-file",
        "Every entry of the rules folder is a section file; a hidden one (an editor's swap file, say) would be silently left out.",
        "rules/.case-creation.yaml.swp";
    /// A folder sits inside the rules folder.
    NestedFolder = "nested-folder",
        "Section files sit directly in the rules folder; the build does not look into sub-folders.",
        "rules/old/webhooks.yaml";
    /// A file ends in `.yml`.
    YmlExtension = "yml-extension",
        "Rules files end in `.yaml`; one ending in `.yml` would be left out.",
        "rules/webhooks.yml";
    /// A file that is no `.yaml` file.
    NotYamlFile = "not-yaml-file",
        "The rules folder holds only `.yaml` section files.",
        "rules/README.md";
    /// A file name that is no kebab-case slug.
    FileNameNotKebab = "file-name-not-kebab",
        "A section file's name before `.yaml` is the section's slug, so it must be kebab-case.",
        "rules/Case_Creation.yaml";
    /// A file that is not UTF-8.
    NotUtf8 = "not-utf8",
        "Rules files are UTF-8 text.",
        "rules/webhooks.yaml   (saved as Latin-1: `Zürich` as byte 0xFC)";
    /// A raw control character in a file.
    ControlCharacter = "control-character",
        "A rules file holds a raw control character (other than tab and line ends); YAML refuses them and readers cannot see them.",
        "title: \"Signature\\u{1b}[2J fails\"   (an escape byte typed into the file)";
    /// No file lists the vocabulary.
    NoVocabulary = "no-vocabulary",
        "No file of the rule set lists the retry policies, operations, environments, events and symptoms that rules are written in.",
        "rules/   (without vocabulary.yaml)";
    /// A second file of a kind only one file may hold.
    SecondOfAKind = "second-of-a-kind",
        "Only one file may hold the vocabulary, the coverage table, the released ids or the page header.",
        "rules/page-copy.yaml:  page: { title: T, intro: I }   (beside troubleshooting.yaml)";
    /// Two sections share an order.
    DuplicateSectionOrder = "duplicate-section-order",
        "Two sections have the same `order`, so their place on the troubleshooting page is undefined.",
        "section: { title: Webhooks, order: 3, summary: … }   (and another section with order: 3)";
    /// A YAML syntax error.
    YamlSyntax = "yaml-syntax",
        "The file is not valid YAML: a quote left open, a bad indentation, a value holding `: ` without quotes.",
        "  cause: Token expired: refresh it";
    /// A key written twice in one mapping.
    DuplicateKey = "duplicate-key",
        "A mapping names one key twice; YAML keeps neither silently, so the build refuses it.",
        "  retry: never\n  retry: backoff";
    /// A second YAML document in a file.
    SecondDocument = "second-document",
        "A rules file is one YAML document; a `---` line starts a second one.",
        "rules:\n  - id: a …\n---\nrules: …";
    /// YAML aliases that expand too far.
    AliasLimit = "alias-limit",
        "YAML anchors and aliases expand beyond the reader's limit; rules files need none.",
        "a: &a [x, x]\nb: &b [*a, *a]   (and so on)";
    /// A number too large for its field.
    NumberTooLarge = "number-too-large",
        "A number is far larger than any value the field can take.",
        "  when: { status: 4220000000000000000000 }";
    /// A key the format does not know.
    UnknownKey = "unknown-key",
        "A mapping holds a key the rules format does not know: a typo, or a key at the wrong level.",
        "  - id: a\n    soluton: …";
    /// A key the format requires is missing.
    MissingKey = "missing-key",
        "An entry lacks a key the rules format requires.",
        "section: { title: Webhooks, order: 3 }   (no summary)";
    /// A value of the wrong type.
    WrongType = "wrong-type",
        "A value has the wrong type for its key: a list where a text is expected, a text where a number is.",
        "section: { title: Webhooks, order: third, summary: … }";
    /// A file of released ids that holds more.
    LifecycleFileMixed = "lifecycle-file-mixed",
        "The file of released and retired ids holds nothing else.",
        "released: [a]\nsection: { … }";
    /// A page file with rules.
    PageFileWithRules = "page-file-with-rules",
        "The file with the page header (`page:`) holds no rules.",
        "page: { title: T, intro: I }\nrules: [ … ]";
    /// A file with both a page header and a section.
    PageAndSection = "page-and-section",
        "A file declares either the page header or a section, not both.",
        "page: { … }\nsection: { … }";
    /// A rules file without a section.
    MissingSection = "missing-section",
        "A file of rules starts with a `section:` block naming its title, order and summary.",
        "rules:\n  - id: a …   (no section:)";
    /// Section columns out of order.
    BadColumns = "bad-columns",
        "A section's table has the columns issue, cause, solution (cause may be left out), in that order.",
        "section: { …, columns: [solution, issue] }";
    /// A rule id that is not kebab-case.
    IdNotKebab = "id-not-kebab",
        "A rule id is lower-case words joined by `-`: it is the anchor of the docs and the `RuleId`'s name.",
        "  - id: MissingPoA";
    /// A text that is empty.
    EmptyText = "empty-text",
        "A title, cause, solution, description, meaning, reason or note is empty.",
        "  - id: a\n    title: \"\"";
    /// A rule without a cause or a solution.
    MissingText = "missing-text",
        "Every rule has a cause and a solution.",
        "  - id: a\n    title: T\n    retry: never   (no cause:, no solution:)";
    /// A backtick in plain text.
    BacktickInText = "backtick-in-text",
        "A rule's title, cause and solution are plain text shown as written; Markdown belongs in `notes`.",
        "    solution: Send `Idempotency-Key` again.";
    /// A control character in a text.
    ControlInText = "control-in-text",
        "A text holds a control character (written as an escape in quotes); services print these texts as they are.",
        "    cause: \"first line\\nsecond line\"";
    /// Backoff bounds that cannot be used.
    BadBounds = "bad-bounds",
        "Backoff bounds that never end or make no sense: bounds on a policy that does not back off, a base delay above the maximum, a maximum over an hour, jitter over 100 %, no attempts.",
        "    retry: never\n    backoff: { attempts: 3 }";
    /// Bounds with a key missing.
    IncompleteBounds = "incomplete-bounds",
        "A retry policy's bounds are the defaults of its rules, so they give every key.",
        "  - name: backoff\n    bounds: { attempts: 3 }";
    /// A retry policy that gives both or neither of `resends` and `bounds`.
    ResendsOrBounds = "resends-or-bounds",
        "A retry policy gives either `resends` (it never backs off) or `bounds` (it does).",
        "  - { name: never, meaning: No. }";
    /// A retry policy the vocabulary does not list.
    UnknownRetry = "unknown-retry",
        "A rule names a retry policy the vocabulary does not list.",
        "    retry: nevr";
    /// A `when` that names nothing.
    EmptyWhen = "empty-when",
        "A rule's `when` names no condition, so the rule would answer every query.",
        "    when: {}";
    /// A rule without examples.
    NoExamples = "no-examples",
        "Every rule has at least one example query that must resolve to it: the examples are its tests.",
        "  - id: a\n    when: { status: 418 }   (no examples:)";
    /// An example that gives a list.
    ExampleNotSingle = "example-not-single",
        "An example is one concrete query, so each of its fields is a single value.",
        "    examples: [{ status: [409, 410] }]";
    /// A condition that lists no value.
    EmptyList = "empty-list",
        "A condition lists no value; leaving the key out accepts any value.",
        "    when: { status: [] }";
    /// A condition value that is not a scalar.
    NotScalar = "not-scalar",
        "A condition's value is a mapping where a value or a list of values is expected.",
        "    when: { status: { code: 409 } }";
    /// A name the vocabulary does not list.
    UnknownName = "unknown-name",
        "A rule or a host names an operation, environment, event or symptom the vocabulary does not list.",
        "    when: { operation: create-cases }";
    /// A status outside 100–599.
    StatusRange = "status-range",
        "An HTTP status lies between 100 and 599.",
        "    when: { status: 4220 }";
    /// A status that is not a whole number.
    StatusNotNumber = "status-not-number",
        "An HTTP status is written as a bare whole number.",
        "    when: { status: \"4xx\" }";
    /// An empty type or message condition.
    EmptyStringCondition = "empty-string-condition",
        "A type or message condition is an empty text; `null` is how a rule requires that the response has none.",
        "    when: { type: \"\" }";
    /// A `*` in a type.
    StarInType = "star-in-type",
        "Error types are matched exactly; only message patterns may end in `*`.",
        "    when: { type: Missing* }";
    /// A `*` that does not end a message prefix.
    MisplacedStar = "misplaced-star",
        "A message pattern is a fixed start followed by one `*`; a `*` elsewhere, or alone, is refused.",
        "    when: { message: \"Unknown * code\" }";
    /// A retirement date that is not a date.
    BadDate = "bad-date",
        "A retirement date is written `YYYY-MM-DD`.",
        "retired:\n  - { id: old, retired: yesterday }";
    /// A vocabulary list that is empty.
    EmptyVocabularyList = "empty-vocabulary-list",
        "The vocabulary lists at least one retry policy, operation and environment: rules and the library need them.",
        "retry: []";
    /// A vocabulary name of the wrong form.
    BadName = "bad-name",
        "A vocabulary name is kebab-case (events: lower-case words joined by `.` or `_`, as the envelope spells them).",
        "operations:\n  - { name: Create_Case, description: … }";
    /// A name that makes no Rust name.
    BadRustName = "bad-rust-name",
        "A rule id or vocabulary name becomes a Rust enum variant; it cannot start with a digit or be `self`.",
        "  - id: 2fa-required";
    /// Two names that make one Rust name.
    RustNameCollision = "rust-name-collision",
        "Two ids or names make the same Rust variant once `-` is dropped (`a-2` and `a2` both make `A2`).",
        "  - id: case-v2\n  - id: case-v-2";
    /// A vocabulary name listed twice.
    ListedTwice = "listed-twice",
        "An event or symptom is listed twice, or a released id is released twice.",
        "events:\n  - { name: case.created, … }\n  - { name: case.created, … }";
    /// A parent operation that is not listed above.
    UnknownParent = "unknown-parent",
        "An operation's parent must be declared before it.",
        "  - { name: create-case, parent: customer-apii, … }";
    /// A path prefix that is no path.
    BadPrefix = "bad-prefix",
        "An API's path prefix starts with `/` and does not end with one.",
        "    prefixes: [v1/]";
    /// A route that is not `METHOD /path`.
    BadRoute = "bad-route",
        "A route is an HTTP method, a space and a path whose segments are words or `{parameter}`s.",
        "    routes: [\"FETCH /cases\"]";
    /// A route two operations claim.
    RouteClaimedTwice = "route-claimed-twice",
        "A method and path template name one operation per API.",
        "  - { name: get-case, routes: [GET /cases/{id}] }\n  - { name: read-case, routes: [GET /cases/{caseId}] }";
    /// A write whose resend safety is not declared.
    ResendUndeclared = "resend-undeclared",
        "An operation with a route whose method does not make a resend safe (POST, PATCH) says why sending it twice is safe, or that it is not, with `resend:`.",
        "  - { name: create-webhook, routes: [POST /webhooks] }   (no resend:)";
    /// A resend reason where the method already decides.
    ResendNeedless = "resend-needless",
        "An operation whose every route is safe by its method (GET, HEAD, OPTIONS, PUT, DELETE), or that has no route, declares `resend:`, which would say nothing.",
        "  - { name: get-case, resend: read-only, routes: [GET /cases/{id}] }";
    /// An unknown resend reason.
    UnknownResend = "unknown-resend",
        "`resend:` is one of `idempotency-key`, `business-key`, `read-only` or `unsafe`.",
        "    resend: idempotent";
    /// A key the rule language no longer uses.
    LegacyKey = "legacy-key",
        "An operation says `idempotency_key:`, the spelling `resend: idempotency-key` replaced; it is read as that only in a rule set compared as the base of `policy diff`.",
        "    idempotency_key: true";
    /// Two rules with one id.
    DuplicateId = "duplicate-id",
        "Two rules have the same id; ids are stable and never reused.",
        "  - id: rate-limited …\n  - id: rate-limited …";
    /// A reference to a rule that does not exist.
    UnknownRule = "unknown-rule",
        "A `see_also`, a retirement's `replaced_by` or a coverage row names a rule id that is no rule.",
        "    see_also: [bearer-token-expird]";
    /// A current rule whose id was retired.
    IdRetired = "id-retired",
        "A rule uses an id that was retired; released ids are never reused.",
        "  - id: reset-client-not-found   (listed under retired:)";
    /// A rule whose id is not released.
    IdNotReleased = "id-not-released",
        "Every rule's id is listed under `released:`, after which it is never reused.",
        "  - id: brand-new-rule   (not under released:)";
    /// A released id that is gone without a record.
    ReleasedIdLost = "released-id-lost",
        "A released id is no rule's any more and has no retirement record, so services that stored it would lose it.",
        "released: [old-rule]   (no rule old-rule, no retired: record)";
    /// A retired id that was never released.
    RetiredNeverReleased = "retired-never-released",
        "A retirement record names an id that was never released.",
        "retired:\n  - { id: never-was, retired: 2026-11-26 }";
    /// Two rules with the same conditions.
    SameConditions = "same-conditions",
        "Two rules have the same conditions, so neither can be the answer.",
        "  - id: a\n    when: { status: 409 }\n  - id: b\n    when: { status: 409 }";
    /// Two rules that overlap.
    Overlap = "overlap",
        "Two rules can both match one query and neither is more specific, so that query has no most specific answer.",
        "  - id: a\n    when: { status: 409 }\n  - id: b\n    when: { type: Conflict }";
    /// A rule that can never win.
    Shadowed = "shadowed",
        "Every query a rule matches is answered by more specific rules, so it can never be the answer.",
        "  - id: a\n    when: { status: [409] }\n  - id: b\n    when: { status: 409, type: X }\n  - id: c\n    when: { status: 409, type: null }";
    /// A rule that resends a request that may have acted already.
    UnsafeResend = "unsafe-resend",
        "A rule resends after a failure of unknown outcome (a status or symptom under the vocabulary's `unknown_outcome`) without requiring `safe_to_resend: true`, so it could send a write twice.",
        "  - id: gateway-timeout\n    retry: backoff\n    when: { status: 504 }";
    /// An example that does not match its rule.
    ExampleMismatch = "example-mismatch",
        "An example does not match its own rule's `when`.",
        "    when: { status: 409 }\n    examples: [{ status: 410 }]";
    /// An example no request can be.
    ImpossibleExample = "impossible-example",
        "An example says `safe_to_resend`, but no request of its operation is as safe to send twice as it says.",
        "    examples: [{ status: 503, operation: get-case, safe_to_resend: false }]";
    /// An example answered by another rule.
    ExampleElsewhere = "example-elsewhere",
        "An example resolves to another, more specific rule.",
        "    examples: [{ status: 409, type: ClientExistsNeedsLinking }]   (on the generic 409 rule)";
    /// An example no rule answers.
    ExampleUnresolved = "example-unresolved",
        "An example that matches its rule resolves to no rule, because several fit and none is singled out.",
        "    examples: [{ type: NoPartnerAvailable }]   (two rules for it, no status given)";
    /// A counter-example that resolves to its rule.
    CounterExampleMatches = "counter-example-matches",
        "A counter-example resolves to the very rule that lists it.",
        "    when: { status: 409 }\n    counter_examples: [{ status: 409 }]";
    /// A coverage row without rules.
    RowWithoutRules = "row-without-rules",
        "A row of the coverage table names no rule; even a row no rule fully answers names the closest one, with a note.",
        "    rows:\n      - { row: \"409 duplicate\", rules: [] }";
}

/// One problem in one rule file. A build reports every problem at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem it is.
    pub code: Code,
    /// How bad it is.
    pub severity: Severity,
    /// The file as the user should see it, e.g. `rules/webhooks.yaml`.
    pub file: String,
    /// 1-based line the problem points at.
    pub line: usize,
    /// The rule's id, or `#N` when the rule has no usable id; `None` outside any rule.
    pub rule: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A problem of kind `code`, located at line 1 of no file until
    /// [`at`](Diagnostic::at) says where.
    pub fn new(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity(),
            file: String::new(),
            line: 1,
            rule: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Where the problem lies.
    #[must_use]
    pub fn at(mut self, file: impl Into<String>, line: usize) -> Diagnostic {
        self.file = file.into();
        self.line = line;
        self
    }

    /// The rule it lies in, when it lies in one.
    #[must_use]
    pub fn in_rule(mut self, rule: Option<impl Into<String>>) -> Diagnostic {
        self.rule = rule.map(Into::into);
        self
    }

    /// How to fix it.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// The hint "did you mean `…`?" when `input` is close to one of
    /// `candidates`, and `otherwise` when it is not: the one place a
    /// near match is suggested.
    #[must_use]
    pub fn suggest<'a>(
        self,
        input: &str,
        candidates: impl IntoIterator<Item = &'a str>,
        otherwise: impl Into<String>,
    ) -> Diagnostic {
        match near_hint(input, candidates) {
            Some(near) => self.hint(near),
            None => self.hint(otherwise),
        }
    }

    /// [`suggest`](Diagnostic::suggest), or else the list of what is allowed.
    #[must_use]
    pub fn suggest_one_of(self, input: &str, candidates: &[&str]) -> Diagnostic {
        self.hint(suggestion(input, candidates))
    }
}

/// "did you mean `…`?", when `input` is close to one of `candidates`.
fn near_hint<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(input, candidates).map(|near| format!("did you mean `{near}`?"))
}

/// The near match, or else the list of what is allowed, for a hint that
/// says more around it.
pub(crate) fn suggestion(input: &str, candidates: &[&str]) -> String {
    near_hint(input, candidates.iter().copied())
        .unwrap_or_else(|| format!("expected one of: {}", candidates.join(", ")))
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(rule) = &self.rule {
            write!(f, "rule `{rule}`: ")?;
        }
        write!(f, "{} [{}]", self.message, self.code.as_str())?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// The closest candidate to `input` when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    nearest(input, candidates).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested_and_far_ones_are_not() {
        let names = ["never", "after-user-action", "token-refresh", "backoff"];
        assert_eq!(did_you_mean("nevr", names), Some("never"));
        assert_eq!(did_you_mean("token_refresh", names), Some("token-refresh"));
        assert_eq!(did_you_mean("sometimes", names), None);
    }

    #[test]
    fn a_diagnostic_prints_its_place_rule_message_code_and_hint() {
        let d = Diagnostic::new(Code::UnknownRetry, "unknown retry policy `nevr`")
            .at("rules/a.yaml", 7)
            .in_rule(Some("a"))
            .suggest_one_of("nevr", &["never", "backoff"]);
        assert_eq!(
            d.to_string(),
            "rules/a.yaml:7: rule `a`: unknown retry policy `nevr` [unknown-retry] (did you mean `never`?)"
        );
        let far = Diagnostic::new(Code::UnknownRetry, "m").suggest_one_of("zzz", &["never"]);
        assert_eq!(far.hint.as_deref(), Some("expected one of: never"));
        assert_eq!(far.severity, Severity::Error);
    }

    #[test]
    fn codes_are_distinct_kebab_case_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(crate::names::is_kebab(code.as_str()), "{code:?}");
            assert!(seen.insert(code.as_str()), "{} twice", code.as_str());
            assert!(!code.cause().is_empty() && !code.example().is_empty());
        }
    }
}
