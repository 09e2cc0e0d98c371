//! The generated matcher against what a careful user would write without
//! codegen, on a sample of the catalog's distinct queries; response bodies
//! against serde_json; lookups at 10 000 rules, codegen cost and allocation
//! counts (divan).
//!
//! `cargo bench --bench triage` first checks that every baseline answers like
//! the crate on every sampled query and documented body (one that does not is
//! reported and not timed), prints the median and worst time per query of the
//! sample for each, then runs the divan benchmarks. Add `--features
//! synthetic` for the 10 000-rule set.

mod bodies;
mod typed;

use std::hint::black_box;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use debitura_triage::{diagnose, diagnose_response, Operation, Query, RuleId};
use debitura_triage_codegen as codegen;
use debitura_triage_rules_model::{self as rules_model, Catalog};
use divan::{AllocProfiler, Bencher};

// `to_model` serves the synthetic benches only.
#[cfg_attr(not(feature = "synthetic"), allow(dead_code))]
#[path = "../../tests/support/model.rs"]
mod model;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

/// Queries in the timed sample, drawn evenly from every distinct query.
const SAMPLE: usize = 256;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        rules_model::load(&rules_model::read_dir(&root, "rules").unwrap()).unwrap()
    })
}

/// Every distinct complete query (status, operation and environment given),
/// as model queries (the library queries borrow from them). The baselines
/// answer those as the catalog does; a query that leaves one of them out is
/// answered by a rule no hand-written matcher here implements.
fn distinct() -> &'static [rules_model::model::Query] {
    static QUERIES: OnceLock<Vec<rules_model::model::Query>> = OnceLock::new();
    QUERIES.get_or_init(|| {
        catalog()
            .distinct_queries()
            .into_iter()
            .filter(|q| q.unknown_fields().is_empty())
            .collect()
    })
}

/// Every `n / SAMPLE`-th distinct query: hits and misses, with and without
/// status, type, message and operation, in the proportions the catalog has.
fn sample() -> Vec<Query<'static>> {
    let all = distinct();
    let step = (all.len() / SAMPLE).max(1);
    all.iter()
        .step_by(step)
        .take(SAMPLE)
        .filter_map(|m| model::to_library(&catalog().vocabulary, m))
        .collect()
}

fn describe(sample: &[Query<'_>]) -> String {
    let count = |f: &dyn Fn(&Query<'_>) -> bool| sample.iter().filter(|q| f(q)).count();
    format!(
        "{} of {} complete distinct queries: {} hits, {} misses; {} with a status, {} with a type, \
         {} with a message, {} with an operation",
        sample.len(),
        distinct().len(),
        count(&|q| diagnose(q).is_matched()),
        count(&|q| !diagnose(q).is_matched()),
        count(&|q| q.status.is_some()),
        count(&|q| q.error_type.is_some()),
        count(&|q| q.message.is_some()),
        count(&|q| q.operation.is_some()),
    )
}

/// Nanoseconds per call: the fastest of five runs of `iters` calls.
fn time<R>(iters: u32, mut f: impl FnMut() -> R) -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                black_box(f());
            }
            start.elapsed().as_nanos() as f64 / f64::from(iters)
        })
        .fold(f64::INFINITY, f64::min)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn worst(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}

fn shown(ns: f64) -> String {
    if ns >= 1000.0 {
        format!("{:.2} µs", ns / 1000.0)
    } else {
        format!("{ns:.1} ns")
    }
}

/// The answers a baseline gives that differ from the crate's, as text.
fn disagreements<T: PartialEq + std::fmt::Debug>(
    cases: impl Iterator<Item = (String, T, T)>,
) -> Vec<String> {
    cases
        .filter(|(_, crate_answer, baseline)| crate_answer != baseline)
        .map(|(what, crate_answer, baseline)| {
            format!("{what}: crate {crate_answer:?}, baseline {baseline:?}")
        })
        .collect()
}

type Matcher<'m> = (&'static str, Box<dyn Fn(&Query<'_>) -> Option<RuleId> + 'm>);

fn query_report() {
    let sample = sample();
    println!("Query sample: {}", describe(&sample));
    let typed = typed::Typed::new();
    let map = typed::MapClassifier::new();
    let matchers: Vec<Matcher<'_>> = vec![
        ("generated matcher", Box::new(|q| diagnose(q).rule_id())),
        ("typed first-match interpreter", Box::new(|q| typed.find(q))),
        ("map classifier (FxHash)", Box::new(|q| map.find(q))),
    ];
    // Checked on every distinct query, not only the sample.
    let everything: Vec<Query<'_>> = distinct()
        .iter()
        .filter_map(|m| model::to_library(&catalog().vocabulary, m))
        .collect();
    let mut timings: Vec<(&str, Vec<f64>)> = Vec::new();
    for (name, find) in &matchers {
        let wrong = disagreements(
            everything
                .iter()
                .map(|q| (format!("`diagnose {q}`"), diagnose(q).rule_id(), find(q))),
        );
        if !wrong.is_empty() {
            println!(
                "{name}: NOT TIMED, {} of {} queries answered differently, e.g. {}",
                wrong.len(),
                everything.len(),
                wrong[0]
            );
            continue;
        }
        let per_query: Vec<f64> = sample
            .iter()
            .map(|q| time(2_000, || find(black_box(q))))
            .collect();
        timings.push((name, per_query));
    }
    println!("| matcher | median | worst | generated faster on |");
    println!("|---|---|---|---|");
    let generated = &timings[0].1;
    for (name, per_query) in &timings {
        let faster = generated
            .iter()
            .zip(per_query)
            .filter(|(g, b)| g < b)
            .count();
        let ratio = median(per_query) / median(generated);
        let versus = if *name == timings[0].0 {
            "—".to_string()
        } else {
            format!(
                "{faster} of {} queries; {ratio:.0}× at the median",
                sample.len()
            )
        };
        println!(
            "| {name} | {} | {} | {versus} |",
            shown(median(per_query)),
            shown(worst(per_query))
        );
    }
}

/// Every documented body, with the context a service would have for it.
const BODIES: [(&str, u16, Option<Operation>); 10] = [
    (
        "dual-write-no-partner.json",
        422,
        Some(Operation::CreateCase),
    ),
    ("business-errors-no-partner.json", 422, None),
    ("signing-handoff-poa.json", 422, Some(Operation::CreateCase)),
    ("validation-users.json", 400, Some(Operation::CreateClient)),
    ("validation-fields.json", 400, Some(Operation::CreateCase)),
    ("problem-details-404.json", 404, Some(Operation::GetCase)),
    (
        "conflict-needs-linking.json",
        409,
        Some(Operation::CreateClient),
    ),
    (
        "legacy-business-rule.json",
        422,
        Some(Operation::CreateCase),
    ),
    ("rate-limit.json", 429, Some(Operation::CreateCase)),
    ("failed-case.json", 201, Some(Operation::CreateClient)),
];

fn body(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/bodies/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn context(op: Option<Operation>) -> Query<'static> {
    let mut q = Query::new();
    q.operation = op;
    q
}

fn crate_answer(status: u16, body: &[u8], context: &Query<'_>) -> bodies::Answer {
    let r = diagnose_response(status, body, context);
    bodies::Answer {
        rule: r.diagnosis().rule_id(),
        retry: r.retry(),
        url: r.url().map(|u| u.to_string()),
        delay: r.retry_after(),
    }
}

type Route = (&'static str, fn(u16, &[u8], &Query<'_>) -> bodies::Answer);

fn body_report() {
    let routes: [Route; 3] = [
        ("diagnose_response", crate_answer),
        ("serde_json into structs", bodies::with_structs),
        ("serde_json into a Value", bodies::with_value),
    ];
    let cases: Vec<(&str, u16, Vec<u8>, Query<'static>)> = BODIES
        .iter()
        .map(|&(name, status, op)| (name, status, body(name), context(op)))
        .collect();
    println!();
    println!(
        "Response bodies: the {} documented bodies, each with its own context",
        cases.len()
    );
    println!("| route | median | worst |");
    println!("|---|---|---|");
    for (name, route) in routes {
        let wrong = disagreements(cases.iter().map(|(file, status, body, ctx)| {
            (
                (*file).to_string(),
                crate_answer(*status, body, ctx),
                route(*status, body, ctx),
            )
        }));
        if !wrong.is_empty() {
            println!("| {name} | NOT TIMED: {} | |", wrong.join("; "));
            continue;
        }
        let per_body: Vec<f64> = cases
            .iter()
            .map(|(_, status, body, ctx)| time(500, || route(*status, black_box(body), ctx).retry))
            .collect();
        println!(
            "| {name} | {} | {} |",
            shown(median(&per_body)),
            shown(worst(&per_body))
        );
    }
    println!();
}

fn main() {
    query_report();
    body_report();
    divan::main();
}

/// Three named queries, for divan's allocation counts and a steady figure.
fn named(name: &str) -> Query<'static> {
    match name {
        "typical" => Query::new()
            .status(422)
            .error_type("MissingPowerOfAttorney")
            .operation(Operation::CreateCase),
        "worst" => Query::new()
            .status(400)
            .operation(Operation::CreateCase)
            .message("A state code (stateAlpha2) is required for US debtors"),
        _ => Query::new()
            .status(418)
            .error_type("TeapotOverflow")
            .operation(Operation::CreateCase),
    }
}

const NAMES: [&str; 3] = ["typical", "worst", "miss"];

#[divan::bench(args = NAMES, sample_count = 200, sample_size = 1000)]
fn generated(bencher: Bencher, name: &str) {
    let q = named(name);
    bencher.bench(|| diagnose(black_box(&q)).rule_id());
}

#[divan::bench(args = BODIES.map(|(name, ..)| name), sample_count = 200, sample_size = 100)]
fn response(bencher: Bencher, name: &str) {
    let (_, status, op) = BODIES.iter().find(|(n, ..)| *n == name).copied().unwrap();
    let body = body(name);
    let context = context(op);
    bencher.bench(|| diagnose_response(status, black_box(&body), &context).retry());
}

/// The same three kinds of query against 10 000 synthetic rules.
#[cfg(feature = "synthetic")]
mod synthetic {
    use std::hint::black_box;
    use std::sync::OnceLock;

    use debitura_triage::{Operation, Query};
    use debitura_triage_codegen as codegen;
    use debitura_triage_rules_model::{self as rules_model, model::Field, Catalog};
    use divan::Bencher;

    fn catalog() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            rules_model::load(&rules_model::synthetic::sources(codegen::SYNTHETIC_RULES)).unwrap()
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
            .resolve(&super::model::to_model(&q))
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
    let sources = rules_model::synthetic::sources(n);
    bencher.bench(|| {
        let catalog = rules_model::load(black_box(&sources)).unwrap();
        codegen::generate(&catalog, "docs/").lookup.len()
    });
}
