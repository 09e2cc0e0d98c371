//! Requests → operations: which documented route a method and path are, and
//! which API and environment a host serves. The routes, hosts and prefixes
//! come from `rules/vocabulary.yaml`; this module only compares them.

use crate::query::Query;
use crate::resend::Resend;
use crate::vocabulary::{Api, Environment, Operation, Route, APIS, ROUTES};

impl<'a> Query<'a> {
    /// Sets the method, operation and environment a request tells: a documented
    /// host names its API and environment, and the route then names the
    /// operation (the API itself when no route fits); any other host (a
    /// proxy, a local fake) leaves the environment unset and the route
    /// alone decides, as in [`Operation::from_route`], among the APIs that
    /// take the query's credential when it gives one: a route both APIs
    /// have is told apart by its host or by a credential only one takes,
    /// and is otherwise left unknown. The method is kept, for
    /// [`Query::safe_to_resend`]; fields the request cannot tell keep their
    /// values.
    ///
    /// ```
    /// use debitura_triage::{Credential, Environment, Operation, Query};
    ///
    /// let q = Query::new().request("GET", Some("testcustomer-api.debitura.com"), "/v1/cases/42");
    /// assert_eq!(q.operation, Some(Operation::GetCase));
    /// assert_eq!(q.environment, Some(Environment::Test));
    ///
    /// let q = Query::new().request("POST", Some("127.0.0.1"), "/v1/cases");
    /// assert_eq!((q.operation, q.environment), (Some(Operation::CreateCase), None));
    ///
    /// // Both APIs answer `GET /me`: only the Customer API takes a bearer token.
    /// assert_eq!(Query::new().request("GET", None, "/me").operation, None);
    /// let q = Query::new().credential(Credential::Bearer).request("GET", None, "/me");
    /// assert_eq!(q.operation, Some(Operation::GetCreditor));
    /// ```
    #[must_use]
    pub fn request(mut self, method: &'a str, host: Option<&str>, path: &str) -> Self {
        let found = match host.and_then(Operation::from_host) {
            Some((api, env)) => {
                self.environment = Some(env);
                Some(Operation::from_api_route(api, method, path).unwrap_or(api))
            }
            None => only(
                APIS.iter()
                    .filter(|api| self.credential.is_none_or(|c| api.credentials.contains(&c)))
                    .filter_map(|api| route_in(api, method, path)),
            ),
        };
        self.operation = found.or(self.operation);
        self.method = Some(method);
        self
    }
}

/// The one item of `items`, or `None` when there is none or more than one.
fn only<T>(mut items: impl Iterator<Item = T>) -> Option<T> {
    let first = items.next()?;
    items.next().is_none().then_some(first)
}

impl Operation {
    /// The operation a request performs, from its HTTP method and path (a
    /// query string or a trailing `/` is ignored; letters compare without
    /// regard to case, as the APIs route them). `None` when no documented
    /// route fits, or when routes of both APIs do (`GET /cases/{id}`): then
    /// use [`Operation::from_api_route`] with the API the request went to.
    ///
    /// ```
    /// use debitura_triage::Operation;
    ///
    /// assert_eq!(Operation::from_route("POST", "/v1/cases"), Some(Operation::CreateCase));
    /// assert_eq!(
    ///     Operation::from_route("POST", "/clients/abc/kyc-verification"),
    ///     Some(Operation::SubmitKyc)
    /// );
    /// assert_eq!(Operation::from_route("GET", "/cases/42"), None);
    /// assert_eq!(
    ///     Operation::from_api_route(Operation::CustomerApi, "GET", "/cases/42"),
    ///     Some(Operation::GetCase)
    /// );
    /// ```
    #[must_use]
    pub fn from_route(method: &str, path: &str) -> Option<Operation> {
        only(APIS.iter().filter_map(|api| route_in(api, method, path)))
    }

    /// The operation a request to `api` (a root operation such as
    /// [`Operation::ReferralApi`]) performs, from its method and path.
    #[must_use]
    pub fn from_api_route(api: Operation, method: &str, path: &str) -> Option<Operation> {
        route_in(api_entry(api)?, method, path)
    }

    /// The API a host serves (a root operation) and its environment, from
    /// the documented base hosts; `None` for any other host.
    ///
    /// ```
    /// use debitura_triage::{Environment, Operation};
    ///
    /// assert_eq!(
    ///     Operation::from_host("testcustomer-api.debitura.com"),
    ///     Some((Operation::CustomerApi, Environment::Test))
    /// );
    /// ```
    #[must_use]
    pub fn from_host(host: &str) -> Option<(Operation, Environment)> {
        APIS.iter().find_map(|api| {
            api.hosts
                .iter()
                .find(|(_, h)| h.eq_ignore_ascii_case(host))
                .map(|(env, _)| (api.operation, *env))
        })
    }

    /// The base host of this operation's API in `environment`.
    ///
    /// ```
    /// use debitura_triage::{Environment, Operation};
    ///
    /// assert_eq!(
    ///     Operation::MintToken.host(Environment::Production),
    ///     Some("referral-api.debitura.com")
    /// );
    /// ```
    #[must_use]
    pub fn host(self, environment: Environment) -> Option<&'static str> {
        api_entry(self.api())?
            .hosts
            .iter()
            .find(|(env, _)| *env == environment)
            .map(|(_, host)| *host)
    }

    /// The documented routes of this operation, as method and path
    /// template (`{name}` for a parameter), in declaration order.
    ///
    /// ```
    /// use debitura_triage::Operation;
    ///
    /// assert_eq!(Operation::MintToken.routes().next(), Some(("POST", "/oauth/token")));
    /// ```
    pub fn routes(self) -> impl Iterator<Item = (&'static str, &'static str)> {
        ROUTES
            .iter()
            .filter(move |r| r.operation == self)
            .map(|r| (r.method, r.path))
    }

    /// Why sending this operation's request twice is safe, or that it is
    /// not: the least safe reason among the routes a request of it with
    /// `method` may be ([`Operation::safe_to_resend`] says which). An
    /// operation without routes gives [`Resend::Unsafe`]: nothing says a
    /// resend is safe.
    ///
    /// ```
    /// use debitura_triage::{Operation, Resend};
    ///
    /// // `POST /v1/Webhooks` creates a subscription and takes no key.
    /// assert_eq!(Operation::ManageWebhooks.resend(None), Resend::Unsafe);
    /// assert_eq!(Operation::ManageWebhooks.resend(Some("GET")), Resend::Method);
    /// assert_eq!(Operation::CreateClient.resend(Some("POST")), Resend::BusinessKey);
    /// assert_eq!(Operation::CustomerApi.resend(Some("GET")), Resend::Method);
    /// assert_eq!(Operation::CustomerApi.resend(None), Resend::Unsafe);
    /// // A method the operation has no route for changes nothing.
    /// assert_eq!(Operation::UploadCaseFile.resend(Some("PUT")), Resend::Unsafe);
    /// ```
    #[must_use]
    pub fn resend(self, method: Option<&str>) -> Resend {
        self.routes_of(method)
            .map(|r| r.resend)
            .min()
            .unwrap_or(Resend::Unsafe)
    }

    /// Whether a request of this operation with `method` (if known),
    /// carrying an `Idempotency-Key` or not (`None`: not said), may be sent
    /// twice without acting twice; `None` when what is not said decides.
    /// Every route the request may be must agree: those of `method` when
    /// it is given and one of them uses it, else all of the operation's and
    /// its descendants' routes.
    ///
    /// ```
    /// use debitura_triage::Operation;
    ///
    /// assert_eq!(Operation::CreateCase.safe_to_resend(Some("POST"), None), None);
    /// assert_eq!(Operation::CreateCase.safe_to_resend(Some("POST"), Some(true)), Some(true));
    /// assert_eq!(Operation::ManageWebhooks.safe_to_resend(None, None), None);
    /// assert_eq!(Operation::ManageWebhooks.safe_to_resend(Some("POST"), None), Some(false));
    /// assert_eq!(Operation::GetCase.safe_to_resend(Some("POST"), Some(false)), Some(true));
    /// ```
    #[must_use]
    pub fn safe_to_resend(self, method: Option<&str>, key: Option<bool>) -> Option<bool> {
        let mut answers = self.routes_of(method).map(|r| match r.resend {
            Resend::Unsafe => Some(false),
            Resend::IdempotencyKey => key,
            Resend::BusinessKey | Resend::ReadOnly | Resend::Method => Some(true),
        });
        let first = answers.next().flatten();
        if answers.all(|a| a == first) {
            first
        } else {
            None
        }
    }

    /// True when one of this operation's (or its descendants') routes
    /// uses `method` (letters compare without regard to case).
    #[must_use]
    pub fn has_method(self, method: &str) -> bool {
        ROUTES
            .iter()
            .any(|r| r.operation.is_within(self) && r.method.eq_ignore_ascii_case(method))
    }

    /// The routes a request of this operation with `method` may be: those
    /// of `method` when one uses it, else all of them.
    fn routes_of<'m>(self, method: Option<&'m str>) -> impl Iterator<Item = &'static Route> + 'm {
        let fits = method.filter(|m| self.has_method(m));
        ROUTES.iter().filter(move |r| {
            r.operation.is_within(self) && fits.is_none_or(|m| r.method.eq_ignore_ascii_case(m))
        })
    }

    /// Whether the API takes an `Idempotency-Key` header on this
    /// operation: a resend with the same key and body replays the stored
    /// answer instead of acting twice.
    #[must_use]
    pub fn takes_idempotency_key(self) -> bool {
        ROUTES
            .iter()
            .any(|r| r.operation == self && r.resend == Resend::IdempotencyKey)
    }

    /// The API this operation belongs to: the root of its parents.
    #[must_use]
    pub fn api(self) -> Operation {
        self.ancestry().last().unwrap_or(self)
    }

    /// True when this operation is `other` or one of the operations within
    /// it: what a rule written for `other` covers.
    ///
    /// ```
    /// use debitura_triage::Operation;
    ///
    /// assert!(Operation::CreateCase.is_within(Operation::CustomerApi));
    /// assert!(Operation::CreateCase.is_within(Operation::CreateCase));
    /// assert!(!Operation::CustomerApi.is_within(Operation::CreateCase));
    /// assert!(!Operation::MintToken.is_within(Operation::CustomerApi));
    /// ```
    #[must_use]
    #[inline]
    pub fn is_within(self, other: Operation) -> bool {
        self.ancestry().any(|op| op == other)
    }

    /// This operation, its parent, its parent's parent, … up to its API.
    fn ancestry(self) -> impl Iterator<Item = Operation> {
        core::iter::successors(Some(self), |op| op.parent())
    }
}

/// The table entry of `api`, a root operation.
fn api_entry(api: Operation) -> Option<&'static Api> {
    APIS.iter().find(|a| a.operation == api)
}

/// The operation of `api` whose route `method` and `path` fit.
fn route_in(api: &Api, method: &str, path: &str) -> Option<Operation> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = path.trim_end_matches('/');
    let bare = api
        .prefixes
        .iter()
        .find_map(|p| strip_prefix_ignore_case(path, p).filter(|rest| rest.starts_with('/')));
    let (_, _, routes) = by_api_and_method()
        .iter()
        .find(|(a, m, _)| *a == api.operation && m.eq_ignore_ascii_case(method))?;
    routes
        .iter()
        .find(|r| fits(r.path, path) || bare.is_some_and(|b| fits(r.path, b)))
        .map(|r| r.operation)
}

/// The routes of each API and method, in declaration order: made once, so
/// that a lookup tries only the routes it could be.
fn by_api_and_method() -> &'static [(Operation, &'static str, Vec<&'static Route>)] {
    static INDEX: std::sync::OnceLock<Vec<(Operation, &'static str, Vec<&'static Route>)>> =
        std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: Vec<(Operation, &'static str, Vec<&'static Route>)> = Vec::new();
        for route in ROUTES {
            let api = route.operation.api();
            match index
                .iter_mut()
                .find(|(a, m, _)| *a == api && m.eq_ignore_ascii_case(route.method))
            {
                Some((_, _, routes)) => routes.push(route),
                None => index.push((api, route.method, vec![route])),
            }
        }
        index
    })
}

fn strip_prefix_ignore_case<'p>(path: &'p str, prefix: &str) -> Option<&'p str> {
    let head = path.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &path[prefix.len()..])
}

/// True when `path` fits `template`: segment by segment, a `{name}`
/// segment takes any non-empty segment, `{name}:action` one that ends in
/// `:action`, and the others compare without regard to ASCII case. The
/// comparison runs on bytes: a matched suffix starts with the action's
/// first byte, so on a character boundary.
fn fits(template: &str, path: &str) -> bool {
    let mut wanted = template.as_bytes().split(|&b| b == b'/');
    let mut given = path.as_bytes().split(|&b| b == b'/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.first() == Some(&b'{') => {
                let action = w
                    .iter()
                    .position(|&b| b == b'}')
                    .map_or(&[][..], |end| &w[end + 1..]);
                let head = g.len().checked_sub(action.len()).filter(|&n| n > 0);
                if !head.is_some_and(|n| g[n..].eq_ignore_ascii_case(action)) {
                    return false;
                }
            }
            (Some(w), Some(g)) if w.eq_ignore_ascii_case(g) => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_fits_its_template_segment_by_segment() {
        assert!(fits("/clients/{id}/withdraw", "/clients/abc/withdraw"));
        assert!(fits("/v1/Webhooks", "/v1/webhooks"));
        assert!(!fits("/clients/{id}/withdraw", "/clients//withdraw"));
        assert!(!fits("/clients/{id}", "/clients/abc/withdraw"));
        assert!(!fits("/clients/{id}/withdraw", "/clients/abc"));
        assert!(!fits("/clients", "/client"));
        assert!(fits("/divisions/{id}:archive", "/divisions/7:Archive"));
        assert!(!fits("/divisions/{id}:archive", "/divisions/:archive"));
        assert!(!fits("/divisions/{id}:archive", "/divisions/7"));
        assert!(!fits("/divisions/{id}:archive", "/divisions/é"));
    }

    #[test]
    fn every_route_finds_its_own_operation() {
        for route in ROUTES {
            let path = route.path.replace('{', "x").replace('}', "");
            assert_eq!(
                Operation::from_api_route(route.operation.api(), route.method, &path),
                Some(route.operation),
                "{} {}",
                route.method,
                route.path
            );
        }
    }

    #[test]
    fn queries_trailing_slashes_and_prefixes_are_ignored() {
        let submit = Some(Operation::SubmitKyc);
        for path in [
            "/clients/t-1/kyc-verification",
            "/clients/t-1/kyc-verification/",
            "/clients/t-1/kyc-verification?x=1",
            "/V1/clients/t-1/kyc-verification",
        ] {
            assert_eq!(Operation::from_route("post", path), submit, "{path}");
        }
        assert_eq!(Operation::from_route("GET", "/v1"), None);
        assert_eq!(Operation::from_route("GET", "/v1x/me"), None);
        assert_eq!(Operation::from_route("PATCH", "/clients"), None);
        assert_eq!(Operation::from_route("GET", ""), None);
    }

    #[test]
    fn every_operation_belongs_to_an_api_with_hosts() {
        for &op in Operation::ALL {
            let api = op.api();
            assert!(api.parent().is_none());
            let entry = APIS.iter().find(|a| a.operation == api).expect("an API");
            for (env, host) in entry.hosts {
                assert_eq!(Operation::from_host(host), Some((api, *env)));
            }
        }
        assert_eq!(Operation::from_host("example.org"), None);
    }
}
