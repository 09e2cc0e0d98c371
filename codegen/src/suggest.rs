//! Near-match suggestions for mistyped names. Shared by the rule validator and
//! `debitura-triage` (its build script copies this file into `OUT_DIR`), so
//! the build, the library and the CLI suggest alike.

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// Up to five candidates close to `input` (ignoring case), nearest first: those
/// within a third of its length in edits, and those that contain it.
pub fn nearest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let input = input.to_lowercase();
    let limit = (input.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (edit_distance(&input, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= limit || (input.len() >= 3 && c.to_lowercase().contains(&input)))
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, c)| c).take(5).collect()
}
