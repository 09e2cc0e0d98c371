//! The words rules are written in: retry policies (with backoff bounds),
//! operations (with their API, methods and path templates), environments,
//! webhook events and symptoms. The checks hold every rule to it and the
//! emitter turns each list into the library's types, so the compiler itself
//! knows no API.

/// Everything a rule may name, in declaration order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    /// The retry policies, from the most cautious to the most eager.
    pub retry: Vec<RetryPolicy>,
    /// The operations, parents before their children.
    pub operations: Vec<Operation>,
    /// The environments.
    pub environments: Vec<Named>,
    /// The credentials a request may carry (an API key, a bearer token).
    pub credentials: Vec<Named>,
    /// The webhook events.
    pub events: Vec<Named>,
    /// The named symptoms.
    pub symptoms: Vec<Named>,
    /// The failures after which a request may or may not have taken effect.
    pub unknown_outcome: UnknownOutcome,
}

/// The failures after which nobody knows whether the request took effect:
/// statuses a server (or a proxy before it) answers while or after acting,
/// and symptoms of an answer that never came. Only a request safe to send
/// twice is resent after one of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnknownOutcome {
    /// The HTTP statuses, as query values (`"503"`).
    pub statuses: Vec<String>,
    /// The symptom names.
    pub symptoms: Vec<String>,
}

/// A name and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The name rules use.
    pub name: String,
    /// What it stands for.
    pub description: String,
}

/// A retry policy: what it obliges a service to do, and how often it may
/// send the request again on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The name rules use.
    pub name: String,
    /// What a service following it does.
    pub meaning: String,
    /// Resends for a policy without bounds.
    pub resends: u32,
    /// The default bounds, for a policy that backs off.
    pub bounds: Option<Bounds>,
}

/// The limits of automatic retries with exponential backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bounds {
    /// Sends in all, the first one included.
    pub attempts: u32,
    /// The wait before the first resend; it doubles for each one after.
    pub base_delay_ms: u64,
    /// No computed wait is longer.
    pub max_delay_ms: u64,
    /// Each wait is spread at random by up to this share, in percent.
    pub jitter_percent: u8,
    /// Whether the server's `retryAfter` (or `Retry-After`) is the least wait.
    pub honour_retry_after: bool,
}

impl Bounds {
    /// Why these bounds cannot be used, if they cannot, and the key at fault.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if !(2..=10).contains(&self.attempts) {
            Some((
                "attempts",
                format!(
                    "`attempts` is {}; a backoff makes 2 to 10 attempts in all",
                    self.attempts
                ),
            ))
        } else if self.base_delay_ms == 0 {
            Some((
                "base_delay_ms",
                "`base_delay_ms` is 0; the first resend must wait".into(),
            ))
        } else if self.base_delay_ms > self.max_delay_ms {
            Some((
                "base_delay_ms",
                format!(
                    "`base_delay_ms` ({}) is above `max_delay_ms` ({})",
                    self.base_delay_ms, self.max_delay_ms
                ),
            ))
        } else if self.max_delay_ms > MAX_DELAY_MS {
            Some((
                "max_delay_ms",
                format!(
                    "`max_delay_ms` is {}; no wait may exceed {MAX_DELAY_MS} ms (one hour)",
                    self.max_delay_ms
                ),
            ))
        } else if self.jitter_percent > 100 {
            Some((
                "jitter_percent",
                format!(
                    "`jitter_percent` is {}; it is at most 100",
                    self.jitter_percent
                ),
            ))
        } else {
            None
        }
    }
}

/// The longest wait a policy may set: a service holding a request longer
/// should give up and reschedule it.
const MAX_DELAY_MS: u64 = 3_600_000;

/// One operation: a root one is an API, the others belong to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The name rules use.
    pub name: String,
    /// The API it belongs to; `None` for an API.
    pub parent: Option<String>,
    /// What the call does.
    pub description: String,
    /// The routes that perform it.
    pub routes: Vec<Route>,
    /// Base host per environment name (root operations).
    pub hosts: Vec<(String, String)>,
    /// Path prefixes a request may carry before a documented route.
    pub prefixes: Vec<String>,
    /// The credentials the API takes (root operations).
    pub credentials: Vec<String>,
    /// Why sending one of its routes twice is safe, or that it is not, for
    /// the routes whose method does not say so already; `None` when every
    /// route is safe by its method (or it has none).
    pub resend: Option<Resend>,
}

/// Why a request may be sent twice without acting twice, or that it may not.
/// Declared from the least safe to the safest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resend {
    /// A second copy may act again: create a second record, deliver again.
    Unsafe,
    /// Safe when the request carries an `Idempotency-Key` (and the same body).
    IdempotencyKey,
    /// Safe because a key in the request names what it creates
    /// (`POST /clients` on `externalTenantId`).
    BusinessKey,
    /// Safe because it changes no stored data (a preview, a check, a token).
    ReadOnly,
    /// Safe by its HTTP method: GET, HEAD, OPTIONS, PUT, DELETE.
    Method,
}

impl Resend {
    /// Every reason, the least safe first.
    pub const ALL: [Resend; 5] = [
        Resend::Unsafe,
        Resend::IdempotencyKey,
        Resend::BusinessKey,
        Resend::ReadOnly,
        Resend::Method,
    ];

    /// The kebab-case name the vocabulary writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Resend::Unsafe => "unsafe",
            Resend::IdempotencyKey => "idempotency-key",
            Resend::BusinessKey => "business-key",
            Resend::ReadOnly => "read-only",
            Resend::Method => "method",
        }
    }

    /// The reason called `name`.
    pub fn from_name(name: &str) -> Option<Resend> {
        Resend::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The reason's Rust variant, as the library names it.
    pub fn variant(self) -> &'static str {
        match self {
            Resend::Unsafe => "Unsafe",
            Resend::IdempotencyKey => "IdempotencyKey",
            Resend::BusinessKey => "BusinessKey",
            Resend::ReadOnly => "ReadOnly",
            Resend::Method => "Method",
        }
    }

    /// Why, in a few words: what a second copy of the request does.
    pub fn meaning(self) -> &'static str {
        match self {
            Resend::Unsafe => "a second copy may act again: a second record, file or delivery",
            Resend::IdempotencyKey => {
                "the API takes an `Idempotency-Key` here: the same key and body again get the \
                 stored answer"
            }
            Resend::BusinessKey => {
                "a key in the request names what it creates, so a repeat creates nothing new"
            }
            Resend::ReadOnly => "it changes no stored data",
            Resend::Method => "its HTTP method acts no more the second time",
        }
    }

    /// Whether a request with this reason may be sent again without acting
    /// twice: `Some` when the reason alone tells, `None` when it depends on
    /// whether the request carries an `Idempotency-Key`.
    pub fn safe_alone(self) -> Option<bool> {
        match self {
            Resend::Unsafe => Some(false),
            Resend::IdempotencyKey => None,
            Resend::BusinessKey | Resend::ReadOnly | Resend::Method => Some(true),
        }
    }
}

/// The methods a resend of which acts no more than the first send.
pub const SAFE_METHODS: [&str; 5] = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"];

/// `METHOD /path/{param}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The HTTP method.
    pub method: String,
    /// The path template, parameters in braces.
    pub path: String,
}

impl Route {
    /// True when the method alone makes a resend safe.
    pub fn safe_by_method(&self) -> bool {
        SAFE_METHODS.contains(&self.method.as_str())
    }
}

impl Operation {
    /// Why sending `route` (one of this operation's) twice is safe, or not.
    pub fn resend_of(&self, route: &Route) -> Resend {
        if route.safe_by_method() {
            Resend::Method
        } else {
            self.resend.unwrap_or(Resend::Unsafe)
        }
    }
}

impl Vocabulary {
    /// The retry policy names, most cautious first.
    pub fn retry_names(&self) -> Vec<&str> {
        self.retry.iter().map(|r| r.name.as_str()).collect()
    }

    /// The operation names, parents first.
    pub fn operation_names(&self) -> Vec<&str> {
        self.operations.iter().map(|o| o.name.as_str()).collect()
    }

    /// The environment names.
    pub fn environment_names(&self) -> Vec<&str> {
        self.environments.iter().map(|e| e.name.as_str()).collect()
    }

    /// The credential names.
    pub fn credential_names(&self) -> Vec<&str> {
        self.credentials.iter().map(|c| c.name.as_str()).collect()
    }

    /// The event names.
    pub fn event_names(&self) -> Vec<&str> {
        self.events.iter().map(|e| e.name.as_str()).collect()
    }

    /// The symptom names.
    pub fn symptom_names(&self) -> Vec<&str> {
        self.symptoms.iter().map(|e| e.name.as_str()).collect()
    }

    /// The retry policy called `name`.
    pub fn retry_policy(&self, name: &str) -> Option<&RetryPolicy> {
        self.retry.iter().find(|r| r.name == name)
    }

    /// The policy's place from the most cautious (0) to the most eager.
    pub fn eagerness(&self, retry: &str) -> usize {
        self.retry.iter().position(|r| r.name == retry).unwrap_or(0)
    }

    /// The operation names that `name` covers: itself and every descendant.
    pub fn operation_and_descendants(&self, name: &str) -> Vec<&str> {
        self.operations
            .iter()
            .filter(|op| self.ancestry(&op.name).any(|a| a == name))
            .map(|op| op.name.as_str())
            .collect()
    }

    /// Why sending a request of operation `name` twice is safe, or not: the
    /// least safe reason among the routes [`routes_of`](Vocabulary::routes_of)
    /// gives; `Unsafe` when there is none.
    pub fn resend(&self, name: &str, method: Option<&str>) -> Resend {
        self.routes_of(name, method)
            .into_iter()
            .map(|(op, r)| op.resend_of(r))
            .min()
            .unwrap_or(Resend::Unsafe)
    }

    /// The routes a request of operation `name` may be: its own and its
    /// descendants', of `method` when it is given and one of them uses it.
    /// A method none of them uses does not fit the operation, and never
    /// narrows its routes: the operation's own routes decide.
    pub fn routes_of<'a>(
        &'a self,
        name: &'a str,
        method: Option<&str>,
    ) -> Vec<(&'a Operation, &'a Route)> {
        let all: Vec<(&Operation, &Route)> = self
            .operations
            .iter()
            .filter(|op| self.ancestry(&op.name).any(|a| a == name))
            .flat_map(|op| op.routes.iter().map(move |r| (op, r)))
            .collect();
        let Some(method) = method else { return all };
        let fitting: Vec<(&Operation, &Route)> = all
            .iter()
            .copied()
            .filter(|(_, r)| r.method.eq_ignore_ascii_case(method))
            .collect();
        if fitting.is_empty() {
            all
        } else {
            fitting
        }
    }

    /// Whether a request of `operation` (if known) with `method` (if known),
    /// carrying an `Idempotency-Key` or not (`None`: not said), is safe to
    /// send twice: the value of
    /// [`Field::SafeToResend`](crate::model::Field::SafeToResend) the
    /// library derives. `None` when what the query leaves out decides it:
    /// nothing unsaid is assumed.
    ///
    /// Without an operation, only a method safe by itself tells (GET, HEAD,
    /// OPTIONS, PUT, DELETE). With one, every route the request may be
    /// ([`routes_of`](Vocabulary::routes_of)) must agree: each is safe by
    /// its method or reason, unsafe, or, taking a key, as safe as the query
    /// says the key was sent.
    pub fn safe_to_resend(
        &self,
        operation: Option<&str>,
        method: Option<&str>,
        key: Option<bool>,
    ) -> Option<bool> {
        let safe_method =
            method.is_some_and(|m| SAFE_METHODS.iter().any(|s| s.eq_ignore_ascii_case(m)));
        let Some(operation) = operation else {
            return safe_method.then_some(true);
        };
        let mut answers = self
            .routes_of(operation, method)
            .into_iter()
            .map(|(op, r)| op.resend_of(r).safe_alone().or(key));
        let first = answers.next().unwrap_or(None);
        answers.all(|a| a == first).then_some(first).flatten()
    }

    /// A request of `operation` whose safety to resend is `safe`
    /// (`None`: unknown): its method (`None` for any) and whether it
    /// carries an `Idempotency-Key`, the plainest first; `None` when no
    /// request of it is.
    pub fn request_with(
        &self,
        operation: Option<&str>,
        safe: Option<bool>,
    ) -> Option<(Option<&str>, Option<bool>)> {
        // Every method a route names can be asked; the plainest first.
        let methods = [None, Some("GET"), Some("POST")].into_iter().chain(
            self.operations
                .iter()
                .flat_map(|op| op.routes.iter().map(|r| Some(r.method.as_str()))),
        );
        methods.into_iter().find_map(|method| {
            [None, Some(false), Some(true)].into_iter().find_map(|key| {
                (self.safe_to_resend(operation, method, key) == safe).then_some((method, key))
            })
        })
    }

    /// `name`, its parent, its parent's parent, …
    pub fn ancestry<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        ancestry(&self.operations, name)
    }
}

/// `name`, its parent, its parent's parent, … among `operations`: the one
/// walk from an operation up to its API.
pub fn ancestry<'a>(
    operations: &'a [Operation],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    let mut cursor = Some(name);
    // Parents are declared before their children, so the walk ends.
    std::iter::from_fn(move || {
        let current = cursor?;
        cursor = operations
            .iter()
            .find(|o| o.name == current)
            .and_then(|o| o.parent.as_deref());
        Some(current)
    })
}
