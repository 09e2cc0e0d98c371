//! The `rules` target.

/// The input as a rules file: it either loads, and the generated Rust
/// parses, or every problem names a line of the file. Never a panic.
pub fn rules_bytes(data: &[u8]) {
    use debitura_triage_codegen::{generate, load, Source};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source {
        display: "rules/fuzz.yaml".into(),
        text: text.to_string(),
    };
    match load(&[source]) {
        Ok(catalog) => {
            let code = generate(&catalog, "docs/");
            if let Err(err) = syn::parse_file(&code) {
                panic!("generated code does not parse: {err}\n{code}");
            }
        }
        Err(problems) => {
            let lines = text.lines().count().max(1);
            for problem in problems {
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
