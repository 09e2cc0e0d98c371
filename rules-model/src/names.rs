//! The shapes names take: kebab-case ids and the Rust names they become.

/// True for kebab-case: lower-case ASCII words and digits joined by single dashes.
pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The Rust variant a kebab-case name becomes: `missing-power-of-attorney` →
/// `MissingPowerOfAttorney`.
pub fn variant_name(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// True when `name`, made by [`variant_name`] from a kebab-case name, is a
/// name Rust accepts: kebab-case gives ASCII letters and digits, so it fails
/// only by starting with a digit or by being `Self`, the one keyword that
/// starts with a capital.
pub fn is_rust_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic()) && name != "Self"
}
