//! Reads the vocabulary file into [`Vocabulary`], checking every entry at its line.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::{suggestion, Code, Diagnostic};
use crate::model::vocabulary::{
    ancestry, Bounds, Named, Operation, Resend, RetryPolicy, Route, UnknownOutcome, Vocabulary,
};
use crate::names::{is_kebab, is_rust_name, variant_name};
use crate::read::layout::Layout;
use crate::read::raw::raw_struct;
use crate::read::yaml::yaml_problem;

/// The top-level keys of the vocabulary file; a file holding any of them is it.
pub const KEYS: [&str; 7] = [
    "retry",
    "operations",
    "environments",
    "credentials",
    "events",
    "symptoms",
    "unknown_outcome",
];

/// The HTTP methods a route may name.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

raw_struct! {
    struct RawVocabulary {
        retry: Vec<RawRetry> = default,
        operations: Vec<RawOperation> = default,
        environments: Vec<RawNamed> = default,
        credentials: Vec<RawNamed> = default,
        events: Vec<RawNamed> = default,
        symptoms: Vec<RawNamed> = default,
        unknown_outcome: RawUnknownOutcome = default,
    }
}

raw_struct! {
    #[derive(Default)]
    struct RawUnknownOutcome {
        statuses: Vec<u16> = default,
        symptoms: Vec<String> = default,
    }
}

raw_struct! {
    struct RawRetry {
        name: String,
        meaning: String,
        resends: Option<u32> = default,
        bounds: Option<RawBounds> = default,
    }
}

raw_struct! {
    /// Bounds as written: in the vocabulary all of them, in a rule any of them.
    #[derive(Default, Clone)]
    pub struct RawBounds {
        attempts: Option<u32> = default,
        base_delay_ms: Option<u64> = default,
        max_delay_ms: Option<u64> = default,
        jitter_percent: Option<u8> = default,
        honour_retry_after: Option<bool> = default,
    }
}

impl RawBounds {
    /// These bounds over `base`, or the first field missing without one.
    fn over(&self, base: Option<&Bounds>) -> Result<Bounds, &'static str> {
        fn pick<T: Copy>(
            mine: Option<T>,
            base: Option<&Bounds>,
            get: fn(&Bounds) -> T,
            key: &'static str,
        ) -> Result<T, &'static str> {
            mine.or(base.map(get)).ok_or(key)
        }
        Ok(Bounds {
            attempts: pick(self.attempts, base, |b| b.attempts, "attempts")?,
            base_delay_ms: pick(
                self.base_delay_ms,
                base,
                |b| b.base_delay_ms,
                "base_delay_ms",
            )?,
            max_delay_ms: pick(self.max_delay_ms, base, |b| b.max_delay_ms, "max_delay_ms")?,
            jitter_percent: pick(
                self.jitter_percent,
                base,
                |b| b.jitter_percent,
                "jitter_percent",
            )?,
            honour_retry_after: pick(
                self.honour_retry_after,
                base,
                |b| b.honour_retry_after,
                "honour_retry_after",
            )?,
        })
    }
}

/// A rule's own bounds over its policy's, or why they cannot be used.
pub fn rule_bounds(
    policy: &RetryPolicy,
    own: Option<&RawBounds>,
) -> Result<Option<Bounds>, String> {
    match (&policy.bounds, own) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(format!(
            "`backoff` bounds on a rule whose retry policy `{}` does not back off",
            policy.name
        )),
        (Some(base), None) => Ok(Some(*base)),
        (Some(base), Some(own)) => {
            let bounds = own
                .over(Some(base))
                .map_err(|key| format!("`{key}` is missing"))?;
            match bounds.problem() {
                Some((_, problem)) => Err(problem),
                None => Ok(Some(bounds)),
            }
        }
    }
}

raw_struct! {
    struct RawOperation {
        name: String,
        parent: Option<String> = default,
        description: String,
        routes: Vec<String> = default,
        hosts: BTreeMap<String, String> = default,
        prefixes: Vec<String> = default,
        credentials: Vec<String> = default,
        resend: Option<String> = default,
        idempotency_key: Option<bool> = default,
    }
}

raw_struct! {
    struct RawNamed {
        name: String,
        description: String,
    }
}

/// True when `text` is the vocabulary file: it opens one of its top-level
/// keys (`retry:`, `operations:`, …).
pub fn is_vocabulary(text: &str) -> bool {
    let layout = Layout::new(text);
    KEYS.iter().any(|k| layout.top_key_line(k).is_some())
}

/// The first top-level key of the vocabulary the file opens, where a second
/// vocabulary is reported.
pub fn first_key(text: &str) -> &'static str {
    let layout = Layout::new(text);
    KEYS.iter()
        .filter_map(|k| Some((layout.top_key_line(k)?, *k)))
        .min()
        .map_or(KEYS[0], |(_, k)| k)
}

/// Reads the vocabulary file. Problems go to `out`, each at its entry's line.
pub fn load(file: &str, text: &str, out: &mut Vec<Diagnostic>) -> Vocabulary {
    let layout = Layout::new(text);
    let raw: RawVocabulary = match serde_yaml::from_str(text) {
        Ok(raw) => raw,
        Err(err) => {
            out.push(yaml_problem(file, &layout, &err, 0));
            return Vocabulary::default();
        }
    };
    let mut check = Checker {
        file,
        layout: &layout,
        out,
    };
    let retry = check.retry(raw.retry);
    let environments = check.named("environments", raw.environments, is_word);
    let credentials = check.named("credentials", raw.credentials, is_word);
    let events = check.named("events", raw.events, is_event);
    let symptoms = check.named("symptoms", raw.symptoms, is_word);
    let env_names: Vec<&str> = environments.iter().map(|e| e.name.as_str()).collect();
    let credential_names: Vec<&str> = credentials.iter().map(|c| c.name.as_str()).collect();
    let operations = check.operations(raw.operations, &env_names, &credential_names);
    let unknown_outcome = check.unknown_outcome(raw.unknown_outcome, &symptoms);
    for (key, empty) in [
        ("retry", retry.is_empty()),
        ("operations", operations.is_empty()),
        ("environments", environments.is_empty()),
    ] {
        if empty {
            check.at(
                Code::EmptyVocabularyList,
                layout.top_key_line(key).unwrap_or(1),
                None,
                format!("`{key}` lists nothing"),
                format!("list at least one entry under `{key}:`; rules and the library need them"),
            );
        }
    }
    Vocabulary {
        retry,
        operations,
        environments,
        credentials,
        events,
        symptoms,
        unknown_outcome,
    }
}

struct Checker<'a> {
    file: &'a str,
    layout: &'a Layout<'a>,
    out: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&mut self, code: Code, line: usize, name: Option<&str>, message: String, hint: String) {
        self.out.push(
            Diagnostic::new(code, message)
                .at(self.file, line)
                .in_rule(name)
                .hint(hint),
        );
    }

    /// The line of item `n` under the top-level `key`.
    fn item_line(&self, key: &str, n: usize) -> usize {
        let key_line = self.layout.top_key_line(key).unwrap_or(1);
        self.layout.nth_item_line(key_line, n).unwrap_or(key_line)
    }

    /// The line of `word` at or after item `n` under `key`.
    fn word_line(&self, key: &str, n: usize, word: &str) -> usize {
        let item = self.item_line(key, n);
        self.layout.word_line(item, word).unwrap_or(item)
    }

    /// The line of the mapping key `field` in item `n` under `key`.
    fn key_line(&self, key: &str, n: usize, field: &str) -> usize {
        let item = self.item_line(key, n);
        self.layout.key_line(item, field).unwrap_or(item)
    }

    /// The line of route `i` of operation `n`.
    fn route_line(&self, n: usize, i: usize) -> usize {
        let item = self.item_line("operations", n);
        self.layout
            .key_line(item, "routes")
            .and_then(|l| self.layout.nth_item_line(l, i))
            .unwrap_or(item)
    }

    /// Checks a name: its form, a Rust name it makes, and that it is new.
    fn name(
        &mut self,
        key: &str,
        n: usize,
        name: &str,
        form: fn(&str) -> bool,
        seen: &mut HashMap<String, String>,
    ) -> bool {
        let line = self.item_line(key, n);
        if !form(name) {
            let hint = if key == "events" {
                "write it as the event envelope spells it: lower-case words joined by `.` or `_`"
            } else {
                "use lower-case words joined by `-`, e.g. `create-case`"
            };
            self.at(
                Code::BadName,
                line,
                None,
                format!("`{name}` is not a valid name in `{key}`"),
                hint.into(),
            );
            return false;
        }
        if key != "events" && key != "symptoms" {
            let rust = variant_name(name);
            if !is_rust_name(&rust) {
                self.at(
                    Code::BadRustName,
                    line,
                    None,
                    format!("`{name}` makes the Rust name `{rust}`, which Rust cannot use"),
                    "start it with a letter and avoid Rust keywords; it names an enum variant"
                        .into(),
                );
                return false;
            }
            if let Some(first) = seen.get(&rust) {
                self.at(
                    Code::RustNameCollision,
                    line,
                    None,
                    format!("`{name}` makes the Rust name `{rust}`, as `{first}` does"),
                    "each name must be distinct once `-` is dropped; rename one".into(),
                );
                return false;
            }
            seen.insert(rust, name.to_string());
        } else if seen.insert(name.to_string(), name.to_string()).is_some() {
            self.at(
                Code::ListedTwice,
                line,
                None,
                format!("`{name}` is listed twice in `{key}`"),
                "list each name once".into(),
            );
            return false;
        }
        true
    }

    fn text(&mut self, key: &str, n: usize, name: &str, field: &str, text: &str) {
        if text.trim().is_empty() {
            let line = self.key_line(key, n, field);
            self.at(
                Code::EmptyText,
                line,
                Some(name),
                format!("`{field}` is empty"),
                format!("say in a sentence what `{name}` means; the docs and the library show it"),
            );
        } else if let Some(c) = text.chars().find(|c| c.is_control()) {
            let line = self.key_line(key, n, field);
            self.at(
                Code::ControlInText,
                line,
                Some(name),
                format!(
                    "`{field}` holds the control character U+{:04X}",
                    u32::from(c)
                ),
                "write it on one line, without escapes".into(),
            );
        }
    }

    fn named(&mut self, key: &str, raw: Vec<RawNamed>, form: fn(&str) -> bool) -> Vec<Named> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for (n, entry) in raw.into_iter().enumerate() {
            if self.name(key, n, &entry.name, form, &mut seen) {
                self.text(key, n, &entry.name, "description", &entry.description);
                out.push(Named {
                    name: entry.name,
                    description: entry.description,
                });
            }
        }
        out
    }

    fn retry(&mut self, raw: Vec<RawRetry>) -> Vec<RetryPolicy> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for (n, entry) in raw.into_iter().enumerate() {
            if !self.name("retry", n, &entry.name, is_word, &mut seen) {
                continue;
            }
            self.text("retry", n, &entry.name, "meaning", &entry.meaning);
            let line = self.item_line("retry", n);
            let (resends, bounds) = match (entry.resends, &entry.bounds) {
                (Some(resends), None) => (resends, None),
                (None, Some(raw)) => match raw.over(None) {
                    Ok(bounds) => {
                        // Bad bounds are reported, and the policy kept, so
                        // that its rules report nothing more.
                        if let Some((key, problem)) = bounds.problem() {
                            let bounds_line = self.key_line("retry", n, "bounds");
                            let line = self
                                .layout
                                .key_line(bounds_line, key)
                                .unwrap_or(bounds_line);
                            self.at(
                                Code::BadBounds,
                                line,
                                Some(&entry.name),
                                problem,
                                "fix the bounds; every backoff must end".into(),
                            );
                        }
                        (bounds.attempts.saturating_sub(1), Some(bounds))
                    }
                    Err(key) => {
                        let line = self.key_line("retry", n, "bounds");
                        self.at(
Code::IncompleteBounds,
line,
Some(&entry.name),
format!("bounds without `{key}`"),
"the policy's bounds are the defaults of its rules: give attempts, base_delay_ms, max_delay_ms, jitter_percent and honour_retry_after".into(),
);
                        (0, None)
                    }
                },
                _ => {
                    self.at(
Code::ResendsOrBounds,
line,
Some(&entry.name),
"a retry policy gives either `resends` or `bounds`".into(),
"`resends: 0` for a policy that never resends on its own, `bounds:` for one that backs off".into(),
);
                    continue;
                }
            };
            out.push(RetryPolicy {
                name: entry.name,
                meaning: entry.meaning,
                resends,
                bounds,
            });
        }
        out
    }

    fn operations(
        &mut self,
        raw: Vec<RawOperation>,
        environments: &[&str],
        credentials: &[&str],
    ) -> Vec<Operation> {
        let mut seen = HashMap::new();
        let mut out: Vec<Operation> = Vec::new();
        // Each route's owner per API root, to refuse a route claimed twice.
        let mut claimed: HashMap<(String, String, String), String> = HashMap::new();
        for (n, entry) in raw.into_iter().enumerate() {
            if !self.name("operations", n, &entry.name, is_word, &mut seen) {
                continue;
            }
            let name = entry.name.as_str();
            self.text("operations", n, name, "description", &entry.description);
            let root = match &entry.parent {
                None => name.to_string(),
                Some(parent) => match out.iter().find(|o| &o.name == parent) {
                    Some(_) => ancestry(&out, parent).last().unwrap_or(parent).to_string(),
                    None => {
                        let line = self.key_line("operations", n, "parent");
                        let names: Vec<&str> = out.iter().map(|o| o.name.as_str()).collect();
                        self.at(
                            Code::UnknownParent,
                            line,
                            Some(name),
                            format!("`parent` names `{parent}`, which is not listed above"),
                            format!(
                                "declare a parent before its children; {}",
                                suggestion(parent, &names)
                            ),
                        );
                        continue;
                    }
                },
            };
            let hosts = entry
                .hosts
                .keys()
                .map(|env| ("hosts", "environment", env, environments));
            let takes = entry
                .credentials
                .iter()
                .map(|c| ("credentials", "credential", c, credentials));
            for (key, what, word, valid) in hosts.chain(takes) {
                if !valid.contains(&word.as_str()) {
                    let line = self.word_line("operations", n, word);
                    self.at(
                        Code::UnknownName,
                        line,
                        Some(name),
                        format!("`{key}` names the unknown {what} `{word}`"),
                        suggestion(word, valid),
                    );
                }
            }
            for prefix in &entry.prefixes {
                // `/` alone fails the second test: it ends with a slash.
                if !prefix.starts_with('/') || prefix.ends_with('/') {
                    let line = self.key_line("operations", n, "prefixes");
                    self.at(
                        Code::BadPrefix,
                        line,
                        Some(name),
                        format!("prefix `{prefix}` is not a path such as `/v1`"),
                        "start it with `/` and end it without one".into(),
                    );
                }
            }
            let mut routes = Vec::new();
            for (i, text) in entry.routes.iter().enumerate() {
                let line = self.route_line(n, i);
                match parse_route(text) {
                    Ok(route) => {
                        let key = (root.clone(), route.method.clone(), shape(&route.path));
                        if let Some(owner) = claimed.get(&key) {
                            self.at(
                                Code::RouteClaimedTwice,
                                line,
                                Some(name),
                                format!("route `{text}` is already `{owner}`'s"),
                                "a method and path name one operation per API".into(),
                            );
                        } else {
                            claimed.insert(key, name.to_string());
                            routes.push(route);
                        }
                    }
                    Err(problem) => self.at(
                        Code::BadRoute,
                        line,
                        Some(name),
                        format!("route `{text}`: {problem}"),
                        "write `METHOD /path`, e.g. `GET /clients/{externalTenantId}`".into(),
                    ),
                }
            }
            let mut declared = entry.resend.as_deref();
            if let Some(keyed) = entry.idempotency_key {
                let line = self.key_line("operations", n, "idempotency_key");
                self.at(
                    Code::LegacyKey,
                    line,
                    Some(name),
                    "`idempotency_key:` is the former spelling of `resend: idempotency-key`".into(),
                    "write `resend: idempotency-key` where the API declares the header, or the reason a resend is safe or not".into(),
                );
                if keyed && declared.is_none() {
                    declared = Some(Resend::IdempotencyKey.as_str());
                }
            }
            let resend = self.resend(n, name, declared, &routes);
            out.push(Operation {
                name: entry.name,
                parent: entry.parent,
                description: entry.description,
                routes,
                hosts: entry.hosts.into_iter().collect(),
                prefixes: entry.prefixes,
                credentials: entry.credentials,
                resend,
            });
        }
        out
    }
}

impl Checker<'_> {
    /// The failures of unknown outcome: statuses a server answers, and
    /// symptoms the vocabulary lists.
    fn unknown_outcome(&mut self, raw: RawUnknownOutcome, symptoms: &[Named]) -> UnknownOutcome {
        let line = self.layout.top_key_line("unknown_outcome").unwrap_or(1);
        for &status in &raw.statuses {
            if !(500..=599).contains(&status) {
                let at = self
                    .layout
                    .word_line(line, &status.to_string())
                    .unwrap_or(line);
                self.at(
                    Code::StatusRange,
                    at,
                    None,
                    format!("`unknown_outcome` lists {status}, which is no server error"),
                    "an answer below 500 says the API refused the request without acting on it"
                        .into(),
                );
            }
        }
        let names: Vec<&str> = symptoms.iter().map(|s| s.name.as_str()).collect();
        for symptom in &raw.symptoms {
            if !names.contains(&symptom.as_str()) {
                let at = self.layout.word_line(line, symptom).unwrap_or(line);
                self.at(
                    Code::UnknownName,
                    at,
                    None,
                    format!("`unknown_outcome` names the unknown symptom `{symptom}`"),
                    suggestion(symptom, &names),
                );
            }
        }
        UnknownOutcome {
            statuses: raw.statuses.iter().map(u16::to_string).collect(),
            symptoms: raw.symptoms,
        }
    }

    /// The operation's declared resend reason, which its routes need exactly
    /// when one of them is not safe by its method.
    fn resend(
        &mut self,
        n: usize,
        name: &str,
        declared: Option<&str>,
        routes: &[Route],
    ) -> Option<Resend> {
        let write = routes.iter().position(|r| !r.safe_by_method());
        let line = || self.key_line("operations", n, "resend");
        let declarable: Vec<&str> = Resend::ALL
            .iter()
            .filter(|r| **r != Resend::Method)
            .map(|r| r.as_str())
            .collect();
        match (declared, write) {
            (None, None) => None,
            (None, Some(i)) => {
                let route = &routes[i];
                let line = self.route_line(n, i);
                self.at(
                    Code::ResendUndeclared,
                    line,
                    Some(name),
                    format!(
                        "`{} {}` may act twice if sent twice, and `resend:` does not say whether it does",
                        route.method, route.path
                    ),
                    format!(
                        "add `resend:` with one of {}, as the API's spec documents the write",
                        declarable.join(", ")
                    ),
                );
                Some(Resend::Unsafe)
            }
            (Some(text), write) => match Resend::from_name(text).filter(|r| *r != Resend::Method) {
                None => {
                    let line = line();
                    self.at(
                        Code::UnknownResend,
                        line,
                        Some(name),
                        format!("`resend: {text}` is not a reason"),
                        suggestion(text, &declarable),
                    );
                    write.map(|_| Resend::Unsafe)
                }
                Some(_) if write.is_none() => {
                    let line = line();
                    self.at(
                        Code::ResendNeedless,
                        line,
                        Some(name),
                        format!("`resend: {text}` on an operation whose routes are all safe by their method"),
                        "remove it: GET, HEAD, OPTIONS, PUT and DELETE may be sent twice as they are".into(),
                    );
                    None
                }
                Some(reason) => Some(reason),
            },
        }
    }
}

/// A path with every parameter made alike: two routes of one shape collide.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if let Some((_, action)) = s.split_once('}') {
                format!("{{}}{}", action.to_ascii_lowercase())
            } else {
                s.to_ascii_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn parse_route(text: &str) -> Result<Route, String> {
    let (method, path) = text
        .split_once(' ')
        .ok_or_else(|| "no space between method and path".to_string())?;
    if !METHODS.contains(&method) {
        return Err(format!(
            "`{method}` is not an HTTP method ({})",
            METHODS.join(", ")
        ));
    }
    if !path.starts_with('/') {
        return Err("the path does not start with `/`".into());
    }
    for segment in path[1..].split('/') {
        let is_word = |w: &str| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        let ok = match segment.strip_prefix('{') {
            // `{id}`, or `{id}:action` (a custom method, as `/divisions/{id}:archive`).
            Some(rest) => rest.split_once('}').is_some_and(|(p, action)| {
                !p.is_empty()
                    && p.chars().all(|c| c.is_ascii_alphanumeric())
                    && (action.is_empty() || action.strip_prefix(':').is_some_and(is_word))
            }),
            None => is_word(segment),
        };
        if !ok {
            return Err(format!(
                "segment `{segment}` is neither a word, a `{{parameter}}` nor a `{{parameter}}:action`"
            ));
        }
    }
    Ok(Route {
        method: method.to_string(),
        path: path.to_string(),
    })
}

/// Kebab-case.
fn is_word(s: &str) -> bool {
    is_kebab(s)
}

/// Lower-case words joined by `.` or `_`, as event names are spelt.
fn is_event(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}
