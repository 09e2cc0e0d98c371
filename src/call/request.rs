//! What a driver tells the call machine about a request before it is sent.

use std::time::Duration;

use crate::{Credential, Operation, Query};

/// A request about to be sent, as the driver holds it: its method and URL,
/// the headers it carries, and what the driver can do for it.
///
/// ```
/// use debitura_triage::call::Request;
/// use debitura_triage::{Credential, Operation};
///
/// let r = Request::new("post", "https://testcustomer-api.debitura.com/v1/cases?x=1")
///     .header("Authorization", b"Bearer abc");
/// let q = r.context();
/// assert_eq!(q.operation, Some(Operation::CreateCase));
/// assert_eq!(q.credential, Some(Credential::Bearer));
/// assert_eq!(q.method, Some("POST"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub(super) method: Option<&'static str>,
    pub(super) host: Option<&'a str>,
    pub(super) port: u16,
    pub(super) path: &'a str,
    pub(super) operation: Option<Operation>,
    pub(super) bearer: bool,
    pub(super) api_key: bool,
    pub(super) authorization: bool,
    pub(super) idempotency_key: bool,
    pub(super) tenant: bool,
    pub(super) replayable: bool,
    pub(super) no_resend: bool,
    pub(super) deadline: Option<Duration>,
}

/// The methods a route can have, spelled as the routes spell them.
const METHODS: [&str; 7] = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];

impl<'a> Request<'a> {
    /// A request of `method` (any case) to `url` (`scheme://host[:port]/path`,
    /// with a query or fragment ignored; a bare path is matched by its
    /// route alone). Its body can be sent again unless
    /// [`Request::replayable`] says otherwise.
    #[must_use]
    pub fn new(method: &str, url: &'a str) -> Self {
        let (host, port, path) = split_url(url);
        Request {
            method: METHODS.into_iter().find(|m| m.eq_ignore_ascii_case(method)),
            host,
            port,
            path,
            operation: None,
            bearer: false,
            api_key: false,
            authorization: false,
            idempotency_key: false,
            tenant: false,
            replayable: true,
            no_resend: false,
            deadline: None,
        }
    }

    /// One of the request's headers, as it will be sent: `Authorization`
    /// (a bearer token, or some other credential), `XApiKey` and
    /// `Idempotency-Key` are read; every other header is ignored. Names
    /// compare without regard to case.
    #[must_use]
    pub fn header(mut self, name: &str, value: &[u8]) -> Self {
        if name.eq_ignore_ascii_case("authorization") {
            self.authorization = true;
            self.bearer |= value
                .get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case(b"bearer "));
        } else if name.eq_ignore_ascii_case("xapikey") {
            self.api_key = true;
        } else if name.eq_ignore_ascii_case("idempotency-key") {
            self.idempotency_key = true;
        }
        self
    }

    /// The operation, when the caller names it: it stands over the route's
    /// (needed for a path that is not Debitura's own, such as one behind a
    /// gateway's prefix).
    #[must_use]
    pub fn operation(mut self, operation: Option<Operation>) -> Self {
        if operation.is_some() {
            self.operation = operation;
        }
        self
    }

    /// The driver has a token source and a tenant for this request: it
    /// carries the tenant's bearer token, got before the first send when it
    /// has no `Authorization` of its own, and a refused token can be
    /// replaced.
    #[must_use]
    pub fn tenant(mut self) -> Self {
        self.tenant = true;
        self
    }

    /// Whether the body can be sent again (false for a stream read as it is
    /// sent).
    #[must_use]
    pub fn replayable(mut self, yes: bool) -> Self {
        self.replayable = yes;
        self
    }

    /// Marks the request never to be sent twice, whatever the policy says.
    #[must_use]
    pub fn no_resend(mut self) -> Self {
        self.no_resend = true;
        self
    }

    /// The call must be over by `at`, on the driver's clock.
    #[must_use]
    pub fn deadline(mut self, at: Option<Duration>) -> Self {
        self.deadline = at;
        self
    }

    /// Whether the tenant's bearer token must be got before the first send:
    /// a token source serves the request and it carries no `Authorization`
    /// of its own ([`Call::needs_token`](super::Call::needs_token)).
    #[must_use]
    pub fn needs_token(&self) -> bool {
        self.tenant && !self.authorization
    }

    /// Whether a request of `method` (any case) that names no operation of
    /// its own can have an `Idempotency-Key` to add
    /// ([`Call::key_to_add`](super::Call::key_to_add)): some operation that
    /// takes one has a route of that method. A driver that knows this and
    /// [`Request::needs_token`] can send first and start the machine only
    /// after a failure, counting a success with [`RetryBudget::first_attempt`](super::RetryBudget::first_attempt).
    ///
    /// ```
    /// use debitura_triage::call::Request;
    ///
    /// assert!(Request::may_add_key("post"));
    /// assert!(!Request::may_add_key("GET"));
    /// ```
    #[must_use]
    pub fn may_add_key(method: &str) -> bool {
        Operation::ALL.iter().any(|op| {
            op.takes_idempotency_key() && op.routes().any(|(m, _)| m.eq_ignore_ascii_case(method))
        })
    }

    /// The host and port the request goes to, as its budget's accounts are
    /// kept (an empty host for a bare path).
    pub(super) fn account_key(&self) -> (&str, u16) {
        (self.host.unwrap_or_default(), self.port)
    }

    /// What the core reads of the request: its operation, environment,
    /// method and credential (a tenant's token or the caller's bearer token,
    /// else an `XApiKey`).
    #[must_use]
    pub fn context(&self) -> Query<'static> {
        let mut q = Query::new();
        q.credential = if self.tenant || self.bearer {
            Some(Credential::Bearer)
        } else if self.api_key {
            Some(Credential::ApiKey)
        } else {
            None
        };
        let mut q = match self.method {
            Some(method) => q.request(method, self.host, self.path),
            None => q.request("", self.host, self.path),
        };
        q.method = self.method;
        q.operation = self.operation.or(q.operation);
        q
    }
}

/// Host, port and path of a URL: the port from the URL, else the scheme's
/// (443 for `https`, 80 for `http`, 0 for none); a URL without a scheme is
/// taken as a path.
fn split_url(url: &str) -> (Option<&str>, u16, &str) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (None, 0, strip_query(url));
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => {
            (&authority[..i], authority[i + 1..].parse().ok())
        }
        _ => (authority, None),
    };
    let default = if scheme.eq_ignore_ascii_case("https") {
        443
    } else if scheme.eq_ignore_ascii_case("http") {
        80
    } else {
        0
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (
        Some(host).filter(|h| !h.is_empty()),
        port.unwrap_or(default),
        strip_query(path),
    )
}

fn strip_query(path: &str) -> &str {
    path.find(['?', '#']).map_or(path, |i| &path[..i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Environment;

    #[test]
    fn a_url_is_split_into_host_port_and_path() {
        assert_eq!(
            split_url("https://testcustomer-api.debitura.com/v1/cases?x=1#f"),
            (Some("testcustomer-api.debitura.com"), 443, "/v1/cases")
        );
        assert_eq!(
            split_url("http://user:pw@127.0.0.1:8080/oauth/token"),
            (Some("127.0.0.1"), 8080, "/oauth/token")
        );
        assert_eq!(split_url("http://[::1]:81/a"), (Some("::1"), 81, "/a"));
        assert_eq!(split_url("http://[::1]/a"), (Some("::1"), 80, "/a"));
        assert_eq!(split_url("HTTPS://h"), (Some("h"), 443, ""));
        assert_eq!(split_url("ftp://h:x/p"), (Some("h"), 0, "/p"));
        assert_eq!(split_url("/v1/cases?q"), (None, 0, "/v1/cases"));
        assert_eq!(split_url("https://:1/"), (None, 1, "/"));
    }

    #[test]
    fn the_context_has_the_route_the_credential_and_the_callers_operation() {
        let r = Request::new("Get", "https://customer-api.debitura.com/v1/cases/c-1");
        let q = r.context();
        assert_eq!(q.environment, Some(Environment::Production));
        assert_eq!(q.method, Some("GET"));
        assert_eq!(q.credential, None);
        assert_eq!(
            r.header("XApiKey", b"k").context().credential,
            Some(Credential::ApiKey)
        );
        assert_eq!(
            r.header("xapikey", b"k")
                .header("authorization", b"bearer t")
                .context()
                .credential,
            Some(Credential::Bearer)
        );
        assert_eq!(r.tenant().context().credential, Some(Credential::Bearer));
        let gateway = Request::new("POST", "https://gw.example/debitura/v1/cases");
        assert_eq!(gateway.context().operation, None);
        assert_eq!(
            gateway
                .operation(Some(Operation::CreateCase))
                .operation(None)
                .context()
                .operation,
            Some(Operation::CreateCase)
        );
        assert_eq!(Request::new("BREW", "/v1/cases").context().method, None);
    }

    #[test]
    fn authorization_that_is_not_a_bearer_token_is_no_bearer() {
        let r = Request::new("GET", "/v1/cases").header("Authorization", b"Basic x");
        assert!(r.authorization && !r.bearer);
        assert_eq!(r.context().credential, None);
        let k = Request::new("POST", "/v1/cases").header("IDEMPOTENCY-KEY", b"k");
        assert!(k.idempotency_key);
    }
}
