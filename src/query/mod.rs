//! What a service knows about a failure: the query the matcher answers,
//! built field by field (here) or from names and values (`names`).

mod names;

pub use names::{QueryError, Value, STATUSES};

use crate::resend::Resend;
use crate::text::ShellWord;
use crate::vocabulary::{Credential, Environment, Operation, Symptom};

/// What a service knows about a failure. Leave out what you do not know:
/// nothing left out is assumed. A query that leaves out its status,
/// operation, environment, credential, method or key is answered from what
/// it gives; where a field it leaves out decides between rules, the answer
/// names them ([`Diagnosis::several`](crate::Diagnosis::several)) with the
/// most cautious of their policies.
///
/// ```
/// use debitura_triage::{Operation, Query};
///
/// let query = Query::new()
///     .status(422)
///     .error_type("MissingPowerOfAttorney")
///     .operation(Operation::CreateCase);
/// assert_eq!(query.status, Some(422));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Query<'a> {
    /// HTTP status of the failed response.
    pub status: Option<u16>,
    /// The error type string from the body (`businessErrors[].type`, the 409 `type`, …).
    pub error_type: Option<&'a str>,
    /// The error message from the body, for errors identified by their text
    /// (field validation messages such as `Unknown country: XX`).
    pub message: Option<&'a str>,
    /// The call that failed.
    pub operation: Option<Operation>,
    /// A webhook event name, for failures announced by a webhook.
    pub event: Option<&'a str>,
    /// A named symptom, for failures that have no status (e.g. `duplicate-events`).
    pub symptom: Option<Symptom>,
    /// True when the failing call was already retried after minting a new token.
    pub after_token_refresh: bool,
    /// The environment the call went to.
    pub environment: Option<Environment>,
    /// The credential the request carried; `None` when the query does not
    /// say. On the Customer API a 401 with a bearer token is cured by
    /// minting a new one, a 401 with an API key is not.
    pub credential: Option<Credential>,
    /// The HTTP method of the request that failed (`GET`, `POST`, …), which
    /// tells which of its operation's routes it was. A method none of the
    /// operation's routes uses does not fit it ([`Query::method_fits`]), and
    /// the operation's own routes decide.
    pub method: Option<&'a str>,
    /// Whether the request carried an `Idempotency-Key` header; `None` when
    /// the query does not say. Nothing is assumed: a write that takes a key
    /// is safe to send twice only when the query says it carried one.
    pub idempotency_key: Option<bool>,
}

impl<'a> Query<'a> {
    /// An empty query.
    #[must_use]
    #[inline]
    pub const fn new() -> Self {
        Query {
            status: None,
            error_type: None,
            message: None,
            operation: None,
            event: None,
            symptom: None,
            after_token_refresh: false,
            environment: None,
            credential: None,
            method: None,
            idempotency_key: None,
        }
    }

    /// Sets the HTTP status.
    #[must_use]
    #[inline]
    pub const fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets the error type string.
    #[must_use]
    #[inline]
    pub const fn error_type(mut self, error_type: &'a str) -> Self {
        self.error_type = Some(error_type);
        self
    }

    /// Sets the error message.
    #[must_use]
    #[inline]
    pub const fn message(mut self, message: &'a str) -> Self {
        self.message = Some(message);
        self
    }

    /// A webhook delivery failure, from the delivery log's error text or the
    /// subscription's disable reason (e.g. `Request timed out after 10 seconds`).
    #[must_use]
    #[inline]
    pub const fn delivery_error(mut self, text: &'a str) -> Self {
        self.symptom = Some(Symptom::WebhookDeliveryFailed);
        self.message = Some(text);
        self
    }

    /// Sets the operation.
    #[must_use]
    #[inline]
    pub const fn operation(mut self, operation: Operation) -> Self {
        self.operation = Some(operation);
        self
    }

    /// Sets the webhook event name.
    #[must_use]
    #[inline]
    pub const fn event(mut self, event: &'a str) -> Self {
        self.event = Some(event);
        self
    }

    /// Sets the symptom name.
    #[must_use]
    #[inline]
    pub const fn symptom(mut self, symptom: Symptom) -> Self {
        self.symptom = Some(symptom);
        self
    }

    /// Marks the failing call as a retry made right after a token refresh.
    #[must_use]
    #[inline]
    pub const fn after_token_refresh(mut self, yes: bool) -> Self {
        self.after_token_refresh = yes;
        self
    }

    /// Sets the environment.
    #[must_use]
    #[inline]
    pub const fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// Sets the credential the request carried.
    #[must_use]
    #[inline]
    pub const fn credential(mut self, credential: Credential) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Sets the HTTP method of the request that failed.
    #[must_use]
    #[inline]
    pub const fn method(mut self, method: &'a str) -> Self {
        self.method = Some(method);
        self
    }

    /// Says whether the request carried an `Idempotency-Key` header.
    #[must_use]
    #[inline]
    pub const fn idempotency_key(mut self, yes: bool) -> Self {
        self.idempotency_key = Some(yes);
        self
    }

    /// Whether the request that failed may be sent again without acting
    /// twice, from what the query says of it; `None` when what it leaves
    /// out decides (nothing is assumed).
    ///
    /// Without an operation, only a method safe by itself tells (GET, HEAD,
    /// OPTIONS, PUT, DELETE). With one, every route the request may be
    /// must agree: its routes of the query's method (all of them when the
    /// method is not given, or fits none of them), each safe by its method
    /// or by a key in the request, unsafe, or, taking an `Idempotency-Key`,
    /// as safe as the query says the key was sent.
    ///
    /// ```
    /// use debitura_triage::{Operation, Query};
    ///
    /// let upload = Query::new().status(503).operation(Operation::UploadCaseFile);
    /// assert_eq!(upload.safe_to_resend(), Some(false));
    /// // The key is not assumed: sent or not, the query must say.
    /// let case = Query::new().status(503).operation(Operation::CreateCase);
    /// assert_eq!(case.safe_to_resend(), None);
    /// assert_eq!(case.idempotency_key(true).safe_to_resend(), Some(true));
    /// assert_eq!(case.idempotency_key(false).safe_to_resend(), Some(false));
    /// // A method the operation has no route for makes it no safer.
    /// assert_eq!(case.method("PUT").safe_to_resend(), None);
    /// assert_eq!(Query::new().status(503).safe_to_resend(), None);
    /// let read = Query::new().operation(Operation::ManageWebhooks).method("GET");
    /// assert_eq!(read.safe_to_resend(), Some(true));
    /// ```
    #[must_use]
    #[inline]
    pub fn safe_to_resend(&self) -> Option<bool> {
        match self.operation {
            Some(op) => op.safe_to_resend(self.method, self.idempotency_key),
            None => self
                .method
                .is_some_and(Resend::is_safe_method)
                .then_some(true),
        }
    }

    /// False when the query gives an operation and a method that none of
    /// the operation's routes uses: the method is then set aside, and the
    /// operation's routes decide.
    ///
    /// ```
    /// use debitura_triage::{Operation, Query};
    ///
    /// let q = Query::new().operation(Operation::CreateCase);
    /// assert!(q.method("POST").method_fits());
    /// assert!(!q.method("PUT").method_fits());
    /// assert!(q.method_fits());
    /// ```
    #[must_use]
    pub fn method_fits(&self) -> bool {
        match (self.operation, self.method) {
            (Some(op), Some(method)) => op.has_method(method),
            _ => true,
        }
    }
}

/// The query as `debitura-triage diagnose` arguments, quoted for a POSIX
/// shell where needed.
///
/// ```
/// use debitura_triage::{Operation, Query};
///
/// let q = Query::new().status(401).operation(Operation::CreateCase).after_token_refresh(true);
/// assert_eq!(q.to_string(), "--status 401 --op create-case --after-token-refresh");
/// let q = Query::new().status(400).message("Unknown country: XX");
/// assert_eq!(q.to_string(), "--status 400 --message 'Unknown country: XX'");
/// ```
impl core::fmt::Display for Query<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let args: [Option<(&str, Arg<'_>)>; 11] = [
            self.status.map(|s| ("--status", Arg::Number(s))),
            self.error_type.map(|t| ("--type", Arg::Word(t))),
            self.message.map(|m| ("--message", Arg::Word(m))),
            self.operation.map(|o| ("--op", Arg::Word(o.as_str()))),
            self.event.map(|e| ("--event", Arg::Word(e))),
            self.symptom.map(|s| ("--symptom", Arg::Word(s.as_str()))),
            self.after_token_refresh
                .then_some(("--after-token-refresh", Arg::Flag)),
            self.environment.map(|e| ("--env", Arg::Word(e.as_str()))),
            self.credential.map(|c| ("--auth", Arg::Word(c.as_str()))),
            self.method.map(|m| ("--method", Arg::Word(m))),
            self.idempotency_key.map(|key| {
                let flag = if key {
                    "--idempotency-key"
                } else {
                    "--no-idempotency-key"
                };
                (flag, Arg::Flag)
            }),
        ];
        let mut first = true;
        for (flag, arg) in args.iter().flatten() {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            f.write_str(flag)?;
            match arg {
                Arg::Number(n) => write!(f, " {n}")?,
                Arg::Word(w) => write!(f, " {}", ShellWord(w))?,
                Arg::Flag => {}
            }
        }
        Ok(())
    }
}

enum Arg<'a> {
    Number(u16),
    Word(&'a str),
    Flag,
}
