//! Every bad-rules fixture fails to load, and its diagnostics read as the
//! snapshot says: `file:line: rule `id`: problem (hint)`, all problems at once.

use std::fs;

use debitura_triage_codegen::{load, Source};

#[test]
fn bad_rule_files_are_reported_with_file_line_rule_and_hint() {
    insta::glob!("bad/*.yaml", |path| {
        let name = path.file_name().unwrap().to_string_lossy();
        let source = Source {
            display: format!("rules/{name}"),
            text: fs::read_to_string(path).unwrap(),
        };
        let problems = match load(&[source]) {
            Ok(_) => panic!("{name} should not load"),
            Err(problems) => problems,
        };
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        insta::assert_snapshot!(lines.join("\n"));
    });
}

#[test]
fn the_project_rules_load_and_generate_parseable_rust() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let sources = debitura_triage_codegen::read_dir(&root, "rules").expect("rules/ is readable");
    let catalog = load(&sources).unwrap_or_else(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        panic!("rules/ has problems:\n{}", lines.join("\n"))
    });
    let code = debitura_triage_codegen::generate(&catalog, "docs/");
    assert!(code.starts_with(debitura_triage_codegen::HEADER));
    syn::parse_file(&code).expect("generated code parses");
}

#[test]
fn synthetic_rule_sets_validate_and_generate_parseable_rust() {
    for n in [1_000, 3_000] {
        let sources = debitura_triage_codegen::synthetic::sources(n);
        let catalog = load(&sources).unwrap_or_else(|p| panic!("{n} rules: {}", p[0]));
        assert_eq!(catalog.rules.len(), n);
        let code = debitura_triage_codegen::generate_matcher(&catalog);
        syn::parse_file(&code).expect("generated matcher parses");
    }
}
