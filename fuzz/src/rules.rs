//! The `rules` target.

/// The project's vocabulary, which a rules file is read beside.
const VOCABULARY: &str = include_str!("../../rules/vocabulary.yaml");

/// The input as a rules file beside the project's vocabulary (or, when it is
/// a vocabulary itself, alone): it either loads, and the generated Rust
/// parses, or every problem names a line of the input. Never a panic.
pub fn rules_bytes(data: &[u8]) {
    use debitura_triage_codegen::generate;
    use debitura_triage_rules_model::{is_vocabulary, load, Source};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = Vec::new();
    if !is_vocabulary(text) {
        sources.push(Source {
            display: "rules/vocabulary.yaml".into(),
            text: VOCABULARY.to_string(),
        });
    }
    sources.push(Source {
        display: "rules/fuzz.yaml".into(),
        text: text.to_string(),
    });
    match load(&sources) {
        Ok(catalog) => {
            for (name, code) in generate(&catalog, "docs/").files() {
                if let Err(err) = syn::parse_file(code) {
                    panic!("generated {name} does not parse: {err}\n{code}");
                }
            }
        }
        Err(problems) => {
            let lines = text.lines().count().max(1);
            for problem in problems {
                assert_eq!(problem.file, "rules/fuzz.yaml", "{problem}");
                assert!(
                    (1..=lines + 1).contains(&problem.line),
                    "line {} outside the file: {problem}",
                    problem.line
                );
                assert!(problem.hint.is_some(), "no hint: {problem}");
            }
        }
    }
}
