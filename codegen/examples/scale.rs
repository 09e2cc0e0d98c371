use std::time::Instant;
fn main() {
    for n in [100usize, 1000, 10000] {
        let t = Instant::now();
        let src = debitura_triage_codegen::synthetic::sources(n);
        let t1 = t.elapsed();
        let cat = debitura_triage_codegen::load(&src).unwrap_or_else(|p| panic!("{}", p[0]));
        let t2 = t.elapsed();
        let code = debitura_triage_codegen::generate(&cat, "docs/");
        let t3 = t.elapsed();
        println!(
            "{n}: rules {} gen-yaml {t1:?} load+validate {:?} emit {:?} code {} KiB",
            cat.rules.len(),
            t2 - t1,
            t3 - t2,
            code.len() / 1024
        );
    }
}
