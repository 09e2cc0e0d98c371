//! Lookup speed: the generated matcher against the two ways to do without
//! codegen (a scan over the rule model, a HashMap built at start-up), the
//! response path on every documented body, and allocation counts.
//!
//! Run: `cargo bench --bench triage` (add `--features synthetic` for the
//! 10 000-rule set).

use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::sync::OnceLock;

use debitura_triage::{diagnose, diagnose_response, Operation, Query, RuleId, RULES};
use debitura_triage_codegen::{self as codegen, Catalog, Field};
use divan::{AllocProfiler, Bencher};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

/// The three queries every approach answers.
fn queries() -> [(&'static str, Query<'static>); 3] {
    [
        // A 422 with its type: the most common failure.
        (
            "typical",
            Query::new()
                .status(422)
                .error_type("MissingPowerOfAttorney")
                .operation(Operation::CreateCase),
        ),
        // The deepest path: a message prefix rule under status, type and operation guards.
        (
            "worst",
            Query::new()
                .status(400)
                .operation(Operation::CreateCase)
                .message("A state code (stateAlpha2) is required for US debtors"),
        ),
        // Nothing matches.
        (
            "miss",
            Query::new()
                .status(418)
                .error_type("TeapotOverflow")
                .operation(Operation::CreateCase),
        ),
    ]
}

fn query(name: &str) -> Query<'static> {
    queries()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, q)| q)
        .unwrap()
}

const NAMES: [&str; 3] = ["typical", "worst", "miss"];

#[divan::bench(args = NAMES, sample_count = 200, sample_size = 1000)]
fn generated(bencher: Bencher, name: &str) {
    let q = query(name);
    bencher.bench(|| diagnose(black_box(&q)).rule_id());
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        codegen::load(&codegen::read_dir(&root, "rules").unwrap()).unwrap()
    })
}

fn to_model(q: &Query<'_>) -> codegen::Query {
    let mut m = codegen::Query::default();
    let fields = [
        (Field::Status, q.status.map(|s| s.to_string())),
        (Field::Type, q.error_type.map(String::from)),
        (Field::Message, q.message.map(String::from)),
        (
            Field::Operation,
            q.operation.map(|o| o.as_str().to_string()),
        ),
    ];
    for (field, value) in fields {
        if let Some(v) = value {
            m.set(field, v);
        }
    }
    m
}

/// The reference interpreter: scan every rule, keep the most specific match.
#[divan::bench(args = NAMES, sample_count = 200, sample_size = 1000)]
fn reference(bencher: Bencher, name: &str) {
    let catalog = catalog();
    let q = to_model(&query(name));
    bencher.bench(|| catalog.resolve(black_box(&q)));
}

/// What a service would write by hand: a map from (status, type) to the rule,
/// built at start-up from the catalog. It cannot see operations or flags.
fn hashmap() -> &'static HashMap<(u16, Option<&'static str>), RuleId> {
    static MAP: OnceLock<HashMap<(u16, Option<&'static str>), RuleId>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::new();
        for rule in &RULES {
            for &status in rule.when.status {
                if rule.when.error_type.is_empty() {
                    map.entry((status, None)).or_insert(rule.id);
                }
                for &t in rule.when.error_type {
                    map.entry((status, Some(t))).or_insert(rule.id);
                }
            }
        }
        map
    })
}

#[divan::bench(args = NAMES, sample_count = 200, sample_size = 1000)]
fn hash_map(bencher: Bencher, name: &str) {
    let map = hashmap();
    let q = query(name);
    bencher.bench(|| {
        let q = black_box(&q);
        let status = q.status.unwrap_or(0);
        map.get(&(status, q.error_type))
            .or_else(|| map.get(&(status, None)))
            .copied()
    });
}

const BODIES: [(&str, u16); 10] = [
    ("dual-write-no-partner.json", 422),
    ("business-errors-no-partner.json", 422),
    ("signing-handoff-poa.json", 422),
    ("validation-users.json", 400),
    ("validation-fields.json", 400),
    ("problem-details-404.json", 404),
    ("conflict-needs-linking.json", 409),
    ("legacy-business-rule.json", 422),
    ("rate-limit.json", 429),
    ("failed-case.json", 201),
];

#[divan::bench(args = BODIES.map(|(name, _)| name))]
fn response(bencher: Bencher, name: &str) {
    let status = BODIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
        .unwrap();
    let body = std::fs::read(format!(
        "{}/tests/fixtures/bodies/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let context = Query::new().operation(Operation::CreateCase);
    bencher.bench(|| diagnose_response(status, black_box(&body), &context).retry());
}
