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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn distances_count_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abcd", "abd"), 1);
        assert_eq!(edit_distance("abc", "abxc"), 1);
        assert_eq!(edit_distance("abc", "axc"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn the_allowed_distance_grows_with_the_input() {
        // Nine characters allow three edits; three allow two.
        assert_eq!(
            nearest("abcdefghi", ["abcdefxyz", "zzzzzzzzz"]),
            ["abcdefxyz"]
        );
        assert_eq!(nearest("abcdefghi", ["abcdewxyz"]), Vec::<&str>::new());
        assert_eq!(nearest("abc", ["axy", "xyz"]), ["axy"]);
        // Containing the input counts too, case aside; at most five, nearest first.
        assert_eq!(
            nearest("KYC", ["MissingKycVerification"]),
            ["MissingKycVerification"]
        );
        let many = ["ab1", "ab22", "ab", "ab3", "ab4", "ab5", "ab6"];
        assert_eq!(nearest("ab", many), ["ab", "ab1", "ab3", "ab4", "ab5"]);
    }
}
