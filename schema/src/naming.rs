//! One place that turns schema names into Rust names.

use heck::{ToPascalCase, ToSnakeCase};

/// Rust keywords (strict and reserved) that cannot be used as plain identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// `snake_case` for a field, function or module: keywords get a trailing `_`
/// (`type` → `type_`), a leading digit gets `n`, symbols are dropped.
pub fn snake(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut s = cleaned.to_snake_case();
    if s.is_empty() {
        s = "value".to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'n');
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `PascalCase` for a type or variant. `~` reads as `Current` (it names the
/// current user); a leading digit gets `V` (`"01"` → `V01`).
pub fn pascal(name: &str) -> String {
    if name == "~" {
        return "Current".to_string();
    }
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut s = cleaned.to_pascal_case();
    if s.is_empty() {
        s = "Value".to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    // `Self` is a keyword in type position.
    if s == "Self" {
        s = "Current".to_string();
    }
    s
}

/// A cautious English singular for naming the item type of an array field.
pub fn singular(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if let Some(stem) = word.strip_suffix("ies") {
        if stem.len() > 1 {
            return format!("{stem}y");
        }
    }
    for suffix in ["sses", "shes", "ches", "xes"] {
        if lower.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    if lower.ends_with('s') && !lower.ends_with("ss") && !lower.ends_with("us") && word.len() > 1 {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("in"), "in_");
        assert_eq!(snake("ca_signed?"), "ca_signed");
        assert_eq!(snake("default-permission"), "default_permission");
        assert_eq!(snake("scopedIdentity"), "scoped_identity");
        assert_eq!(snake("self"), "self_");
        assert_eq!(pascal("01"), "V01");
        assert_eq!(pascal("ap-south-1"), "ApSouth1");
        assert_eq!(pascal("~"), "Current");
        assert_eq!(pascal("UP"), "Up");
        assert_eq!(pascal("self"), "Current");
        assert_eq!(singular("features"), "feature");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("policies"), "policy");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("data"), "data");
    }
}
