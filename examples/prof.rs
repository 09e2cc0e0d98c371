fn main() {
    let body = std::fs::read("tests/fixtures/bodies/dual-write-no-partner.json").unwrap();
    let ctx = debitura_triage::Query::new();
    let mut n = 0;
    for _ in 0..200_000 {
        let r = debitura_triage::diagnose_response(422, std::hint::black_box(&body), &ctx);
        n += r.findings().count();
    }
    println!("{n}");
}
