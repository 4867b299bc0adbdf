//! What a scenario name and an actor id may look like. Names become folder names, so they are
//! checked here once, for files, `extends` and the library lookup alike.

/// A scenario or parent name: lowercase letters, digits, `_` and `-`, starting with a letter or
/// digit, at most 64 characters. Such a name can never leave the output root.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A file stem made safe as a scenario name.
pub fn sanitize_name(stem: &str) -> String {
    let s: String = stem
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if is_name(&s) {
        s
    } else {
        format!("s{}", &s[..s.len().min(63)])
    }
}

/// An actor id: `[a-z][a-z0-9_]*`, at most 32 characters.
pub fn is_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && s.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A string made safe as a single path component (for folder names built from scenario names).
pub fn sanitize(name: &str) -> String {
    sanitize_name(name)
}
