//! Classification allocates nothing: a counting global allocator sees zero
//! allocations while every rule's queries, some no rule knows, and every
//! documented response body are diagnosed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use debitura_triage::{diagnose, diagnose_response, Operation, Query, Symptom, RULES};

struct Counting;

thread_local! {
    // Per thread, so other test threads cannot disturb the count.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn the_counter_sees_allocations() {
    // Proves the test below can fail.
    let n = allocations_during(|| {
        std::hint::black_box(vec![1u8; 16]);
    });
    assert!(n >= 1);
}

#[test]
fn diagnose_does_not_allocate() {
    let unknown = [
        Query::new()
            .status(418)
            .error_type("TeapotOverflow")
            .operation(Operation::CreateCase),
        Query::new()
            .symptom(Symptom::NeedToTestWebhookHandler)
            .error_type("NotAKnownType"),
        Query::new(),
    ];
    let mut answered = 0usize;
    let n = allocations_during(|| {
        for rule in &RULES {
            for q in rule.examples.iter().chain(rule.counter_examples) {
                let d = diagnose(std::hint::black_box(q));
                answered += usize::from(d.is_matched());
                std::hint::black_box((d.cause(), d.solution(), d.retry(), d.section()));
            }
        }
        for q in &unknown {
            let d = diagnose(std::hint::black_box(q));
            std::hint::black_box((d.cause(), d.solution(), d.retry()));
        }
    });
    assert!(answered >= RULES.len());
    assert_eq!(n, 0, "diagnose allocated {n} times");
}

#[test]
fn diagnose_response_does_not_allocate_for_documented_bodies() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bodies");
    let mut bodies: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|entry| std::fs::read(entry.expect("entry").path()).expect("readable"))
        .collect();
    // An escaped body too: decoding happens on the stack.
    bodies.push(br#"{"businessErrors":[{"type":"Missing\u0050owerOfAttorney","solutionUrl":"https:\/\/x"}]}"#.to_vec());
    assert!(bodies.len() >= 10);
    let context = Query::new().operation(Operation::CreateCase);
    let mut matched = 0usize;
    let n = allocations_during(|| {
        for body in &bodies {
            for status in [201u16, 400, 404, 409, 422, 429, 503] {
                let r = diagnose_response(status, std::hint::black_box(body), &context);
                matched += usize::from(r.diagnosis().is_matched());
                std::hint::black_box((
                    r.url(),
                    r.retry_after(),
                    r.findings().count(),
                    r.decision(),
                ));
            }
        }
    });
    assert!(matched > 0);
    assert_eq!(n, 0, "diagnose_response allocated {n} times");
}
