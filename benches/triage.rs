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
use debitura_triage_codegen::{self as codegen, Catalog};
use divan::{AllocProfiler, Bencher};

#[path = "../tests/support/model.rs"]
mod model;
use model::to_model;

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

#[divan::bench(args = BODIES.map(|(name, _)| name), sample_count = 200, sample_size = 100)]
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

/// The same three kinds of query against 10 000 synthetic rules.
#[cfg(feature = "synthetic")]
mod synthetic {
    use std::hint::black_box;
    use std::sync::OnceLock;

    use debitura_triage::{Operation, Query};
    use debitura_triage_codegen::{self as codegen, Catalog, Field};
    use divan::Bencher;

    fn catalog() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            codegen::load(&codegen::synthetic::sources(codegen::SYNTHETIC_RULES)).unwrap()
        })
    }

    /// An example of the rule at `index`, as a library query.
    fn example(index: usize) -> Query<'static> {
        let m = &catalog().rules[index].examples[0];
        let mut q = Query::new();
        q.status = m.get(Field::Status).and_then(|s| s.parse().ok());
        q.error_type = m.get(Field::Type).filter(|t| !t.is_empty());
        q.operation = m.get(Field::Operation).and_then(Operation::from_name);
        q.after_token_refresh = m.after_token_refresh();
        q
    }

    fn query(name: &str) -> Query<'static> {
        let rules = &catalog().rules;
        match name {
            // The first status-and-type rule.
            "typical" => example(1),
            // The deepest guards of the last chain: status, type, operation, flag.
            "worst" => {
                let last = rules
                    .iter()
                    .rposition(|r| r.when.get(Field::AfterTokenRefresh).is_some())
                    .unwrap();
                example(last)
            }
            _ => Query::new()
                .status(418)
                .error_type("TeapotOverflow")
                .operation(Operation::CreateCase),
        }
    }

    #[divan::bench(args = super::NAMES, sample_count = 200, sample_size = 1000)]
    fn generated_10000_rules(bencher: Bencher, name: &str) {
        let q = query(name);
        let expected = catalog()
            .resolve(&super::to_model(&q))
            .map(|i| catalog().rules[i].id.clone());
        let found = debitura_triage::synthetic::diagnose(&q).map(|id| id.as_str().to_string());
        assert_eq!(found, expected, "{name}");
        bencher.bench(|| debitura_triage::synthetic::diagnose(black_box(&q)));
    }
}

/// Build-time cost as the rule count grows: parse, validate (overlaps,
/// shadowing, examples) and emit. Near-linear: the index keeps overlap
/// checks within small groups.
#[divan::bench(args = [100, 1_000, 10_000], sample_count = 3, sample_size = 1)]
fn codegen_rules(bencher: Bencher, n: usize) {
    let sources = codegen::synthetic::sources(n);
    bencher.bench(|| {
        let catalog = codegen::load(black_box(&sources)).unwrap();
        codegen::generate(&catalog, "docs/").len()
    });
}
