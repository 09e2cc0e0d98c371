//! The project's rules and synthetic rule sets generate Rust that parses,
//! with the docs URLs the build is given.

use debitura_triage_rules_model::load;
use debitura_triage_rules_model::model::{Origin, Retired};

#[test]
fn the_project_rules_load_and_generate_parseable_rust() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let sources =
        debitura_triage_rules_model::read_dir(&root, "rules").expect("rules/ is readable");
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
        let sources = debitura_triage_rules_model::synthetic::sources(n);
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
            let variant = debitura_triage_rules_model::variant_name(&rule.id);
            assert!(
                answers.contains(variant.as_str()),
                "{n} rules: `lookup` never answers {variant}"
            );
        }
    }
}

/// A build that names a published site links every rule to the HTML pages
/// there; the default build links to the Markdown in the repository.
#[test]
fn docs_urls_follow_the_docs_base() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let sources =
        debitura_triage_rules_model::read_dir(&root, "rules").expect("rules/ is readable");
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

/// A retired id's lookup finds the rule that replaced it, and the catalog
/// keeps its record.
#[test]
fn a_retired_id_finds_its_replacement() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let sources =
        debitura_triage_rules_model::read_dir(&root, "rules").expect("rules/ is readable");
    let mut catalog = load(&sources).expect("rules/ is valid");
    let lifecycle = catalog.lifecycle.as_mut().expect("rules/ keeps its ids");
    lifecycle.retired.push(Retired {
        id: "reset-client-not-found".into(),
        on: "2026-11-26".into(),
        replaced_by: Some("client-not-found".into()),
        origin: Origin {
            file: "rules/lifecycle.yaml".into(),
            line: 1,
            id_line: 1,
            see_also_lines: Vec::new(),
            example_lines: Vec::new(),
            counter_example_lines: Vec::new(),
        },
    });
    let code = debitura_triage_codegen::generate(&catalog, "docs/");
    assert!(
        code.vocabulary
            .contains("\"reset-client-not-found\" => Some(RuleId::ClientNotFound)"),
        "from_id does not find the replacement"
    );
    assert!(
        code.catalog.contains("id: \"reset-client-not-found\""),
        "no RETIRED record"
    );
}
