//! Every bad-rules fixture fails to load, and its diagnostics read as the
//! snapshot says: `file:line: rule `id`: problem (hint)`, all problems at once.

use std::fs;

use debitura_triage_codegen::rules_model::{load, Source};

#[test]
fn bad_rule_files_are_reported_with_file_line_rule_and_hint() {
    insta::glob!("bad/*.yaml", |path| {
        let name = path.file_name().unwrap().to_string_lossy();
        let source = Source {
            display: format!("rules/{name}"),
            text: fs::read_to_string(path).unwrap(),
        };
        // Each fixture is a rules file beside the project's vocabulary.
        let vocabulary = Source {
            display: "rules/vocabulary.yaml".into(),
            text: fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/vocabulary.yaml"),
            )
            .unwrap(),
        };
        let problems = match load(&[vocabulary, source]) {
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
    let sources =
        debitura_triage_codegen::rules_model::read_dir(&root, "rules").expect("rules/ is readable");
    let catalog = load(&sources).unwrap_or_else(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        panic!("rules/ has problems:\n{}", lines.join("\n"))
    });
    let generated = debitura_triage_codegen::generate(&catalog, "docs/");
    for (name, code) in generated.files() {
        assert!(code.starts_with(debitura_triage_codegen::HEADER), "{name}");
        syn::parse_file(code).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
    }
}

#[test]
fn synthetic_rule_sets_validate_and_generate_parseable_rust() {
    for n in [500, 1_500] {
        let sources = debitura_triage_codegen::rules_model::synthetic::sources(n);
        let catalog = load(&sources).unwrap_or_else(|p| panic!("{n} rules: {}", p[0]));
        assert_eq!(catalog.rules.len(), n);
        let code = debitura_triage_codegen::generate_matcher(&catalog);
        syn::parse_file(&code).expect("generated matcher parses");
        // Every rule is a variant and an answer of `lookup`.
        let lookup = &code[code.find("fn lookup").expect("a lookup function")..];
        let answers: std::collections::HashSet<&str> = lookup
            .split("Found::Rule(RuleId::")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
            .collect();
        for rule in &catalog.rules {
            let variant = debitura_triage_codegen::rules_model::variant_name(&rule.id);
            assert!(
                answers.contains(variant.as_str()),
                "{n} rules: `lookup` never answers {variant}"
            );
        }
    }
}

/// Every diagnostics snapshot belongs to a fixture that still exists.
#[test]
fn every_snapshot_has_its_fixture() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for entry in fs::read_dir(root.join("snapshots")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".snap") {
            continue;
        }
        // Snapshots of the emitter and of `policy diff`, by test name.
        let others = [
            "emit__vocabulary.rs",
            "emit__catalog.rs",
            "emit__lookup.rs",
            "emit__the_generated_bare_matcher",
        ];
        if others.iter().any(|o| name == format!("{o}.snap")) {
            continue;
        }
        let Some(fixture) = name
            .strip_prefix("bad_rules__bad_rule_files_are_reported_with_file_line_rule_and_hint@")
        else {
            panic!("{name} is not taken by any test; delete it");
        };
        let fixture = fixture.trim_end_matches(".snap");
        assert!(
            root.join("bad").join(fixture).exists(),
            "{name} has no fixture tests/bad/{fixture}; delete it"
        );
    }
}

/// A build that names a published site links every rule to the HTML pages
/// there; the default build links to the Markdown in the repository.
#[test]
fn docs_urls_follow_the_docs_base() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let sources =
        debitura_triage_codegen::rules_model::read_dir(&root, "rules").expect("rules/ is readable");
    let catalog = load(&sources).expect("rules/ loads");
    let published = debitura_triage_codegen::generate(&catalog, "https://example.org/triage/");
    let local =
        debitura_triage_codegen::generate(&catalog, debitura_triage_codegen::REPOSITORY_DOCS);
    for rule in &catalog.rules {
        let html = format!("\"https://example.org/triage/index.html#{}\"", rule.id);
        let md = format!("\"docs/error-reference.md#{}\"", rule.id);
        assert!(published.catalog.contains(&html), "{html}");
        assert!(local.catalog.contains(&md), "{md}");
    }
    assert!(!published.catalog.contains("\"docs/error-reference.md#"));
}
