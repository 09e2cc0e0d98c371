//! Every bad-rules fixture fails to load, and its diagnostics read as the
//! snapshot says: `file:line: rule `id`: problem (hint)`, all problems at once.

use std::fs;

use debitura_triage_rules_model::{load, Source};

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

/// Every diagnostics snapshot belongs to a fixture that still exists.
#[test]
fn every_snapshot_has_its_fixture() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for entry in fs::read_dir(root.join("snapshots")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".snap") {
            continue;
        }
        // The snapshots of `policy diff` (tests/diff.rs) are its own.
        if name.starts_with("diff__") {
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
