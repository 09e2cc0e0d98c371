//! The closed vocabularies a rule may use. Each list is the single registry for
//! its names: validation checks rules against it, and the emitter turns it into
//! the library's public enums, so a name added here exists everywhere at once.

/// A retry policy: `(name in YAML, Rust variant, what it obliges a service to do)`.
pub const RETRY: &[(&str, &str, &str)] = &[
    (
        "never",
        "Never",
        "Do not send the same request again: it will fail the same way until the input, \
         the account or the integration changes.",
    ),
    (
        "after-user-action",
        "AfterUserAction",
        "Retry only after the end user (or your own configuration) has done what the solution \
         asks, such as signing a contract or approving a link.",
    ),
    (
        "token-refresh",
        "TokenRefresh",
        "Mint a new bearer token with `POST /oauth/token` and retry the call once. If the retry \
         fails the same way, a different rule applies.",
    ),
    (
        "backoff",
        "Backoff",
        "Retry automatically with exponential backoff, honouring the server's delay hint when \
         it sends one.",
    ),
];

/// An operation a service was performing: `(name, Rust variant, parent, description)`.
/// A rule written for a parent also covers its children unless a more specific
/// rule exists.
pub const OPERATIONS: &[(&str, &str, Option<&str>, &str)] = &[
    (
        "referral-api",
        "ReferralApi",
        None,
        "Any Referral Partner API call, authenticated with the `XApiKey` header.",
    ),
    (
        "create-client",
        "CreateClient",
        Some("referral-api"),
        "`POST /clients` on the Referral Partner API.",
    ),
    (
        "get-client",
        "GetClient",
        Some("referral-api"),
        "`GET /clients/{externalTenantId}` on the Referral Partner API.",
    ),
    (
        "mint-token",
        "MintToken",
        Some("referral-api"),
        "`POST /oauth/token` on the Referral Partner API.",
    ),
    (
        "delete-client",
        "DeleteClient",
        Some("referral-api"),
        "`DELETE /clients/{externalTenantId}` (test environment only).",
    ),
    (
        "withdraw-client",
        "WithdrawClient",
        Some("referral-api"),
        "`POST /clients/{externalTenantId}/withdraw` on the Referral Partner API.",
    ),
    (
        "submit-kyc",
        "SubmitKyc",
        Some("referral-api"),
        "`POST /clients/{externalTenantId}/kyc-verification` on the Referral Partner API.",
    ),
    (
        "manage-webhooks",
        "ManageWebhooks",
        Some("referral-api"),
        "`/v1/Webhooks` on the Referral Partner API: create, read, update, delete and the test trigger.",
    ),
    (
        "customer-api",
        "CustomerApi",
        None,
        "Any Customer API call, authenticated with a bearer token minted for one client.",
    ),
    (
        "create-case",
        "CreateCase",
        Some("customer-api"),
        "`POST /cases` on the Customer API.",
    ),
    (
        "get-case",
        "GetCase",
        Some("customer-api"),
        "`GET /cases/{id}` and the other per-case reads on the Customer API.",
    ),
];

/// The environment a call went to: `(name, Rust variant, description)`.
pub const ENVIRONMENTS: &[(&str, &str, &str)] = &[
    (
        "test",
        "Test",
        "The test environment (`testreferral-api` / `testcustomer-api`).",
    ),
    ("production", "Production", "The production environment."),
];

/// Webhook event names Debitura sends (Referral Partner and Customer API).
pub const EVENTS: &[&str] = &[
    "client.onboarding.poa_signed",
    "client.onboarding.contract_signed",
    "client.linked",
    "client.link_declined",
    "client.link_requested",
    "client.link_expired",
    "case.created",
    "case.updated",
    "case.closed",
    "cases.replay_failed",
    "payment.created",
    "payment.deleted",
    "chat.created",
];

/// The operation names that `name` covers: itself and every descendant.
pub fn operation_and_descendants(name: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (op, ..) in OPERATIONS {
        let mut cursor = Some(*op);
        while let Some(current) = cursor {
            if current == name {
                out.push(op);
                break;
            }
            cursor = OPERATIONS
                .iter()
                .find(|(n, ..)| *n == current)
                .and_then(|(_, _, parent, _)| *parent);
        }
    }
    out
}
