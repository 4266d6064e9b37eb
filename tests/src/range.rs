//! Heroku's `Range` / `Next-Range` protocol.

use std::cmp::Ordering;

use serde_json::Value;

/// Items per page when the request does not say.
pub const DEFAULT_MAX: usize = 200;
/// The most items one page may hold.
pub const MAX_MAX: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeSpec {
    pub field: String,
    /// First value, and whether it is exclusive (`]value..`).
    pub first: Option<(String, bool)>,
    pub last: Option<String>,
    pub max: usize,
    pub desc: bool,
}

/// Parses `name ]app-1..app-9; max=100, order=desc`. `None`: malformed.
pub fn parse(header: &str) -> Option<RangeSpec> {
    // The Dev Center's own examples end with a `;` (`id ..; max=10;`).
    let header = header.trim().trim_end_matches(';').trim_end();
    let (range_part, params) = match header.split_once(';') {
        Some((r, p)) => (r.trim(), p.trim()),
        None => (header, ""),
    };
    let (field, bounds) = match range_part.split_once(char::is_whitespace) {
        Some((f, b)) => (f.trim(), b.trim()),
        None => return None,
    };
    if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let (first, last) = bounds.split_once("..")?;
    let first = match first.trim() {
        "" => None,
        f => match f.strip_prefix(']') {
            Some(v) => Some((v.to_string(), true)),
            None => Some((f.to_string(), false)),
        },
    };
    let last = match last.trim() {
        "" => None,
        l => Some(l.to_string()),
    };
    let mut max = DEFAULT_MAX;
    let mut desc = false;
    for p in params.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = p.split_once('=')?;
        match (k.trim(), v.trim()) {
            ("max", n) => {
                max = n.parse().ok()?;
                if max == 0 || max > MAX_MAX {
                    return None;
                }
            }
            ("order", "asc") => desc = false,
            ("order", "desc") => desc = true,
            _ => return None,
        }
    }
    Some(RangeSpec {
        field: field.to_string(),
        first,
        last,
        max,
        desc,
    })
}

/// The sort key of an item for a field.
pub fn key(item: &Value, field: &str) -> Value {
    item.get(field).cloned().unwrap_or(Value::Null)
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        _ => text(a).cmp(&text(b)),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn compare_to_bound(v: &Value, bound: &str) -> Ordering {
    match v {
        Value::Number(n) => match bound.parse::<f64>() {
            Ok(b) => n
                .as_f64()
                .unwrap_or(0.0)
                .partial_cmp(&b)
                .unwrap_or(Ordering::Equal),
            Err(_) => text(v).as_str().cmp(bound),
        },
        _ => text(v).as_str().cmp(bound),
    }
}

/// One page of `items` under `range`.
pub struct Page {
    pub items: Vec<Value>,
    /// `Next-Range` when more items follow.
    pub next: Option<String>,
    pub content_range: String,
}

pub fn page(mut items: Vec<Value>, range: &RangeSpec) -> Page {
    items.sort_by(|a, b| compare(&key(a, &range.field), &key(b, &range.field)));
    if range.desc {
        items.reverse();
    }
    let in_window = |item: &Value| {
        let k = key(item, &range.field);
        let after_first = match &range.first {
            None => true,
            Some((f, exclusive)) => {
                let o = compare_to_bound(&k, f);
                let o = if range.desc { o.reverse() } else { o };
                if *exclusive {
                    o == Ordering::Greater
                } else {
                    o != Ordering::Less
                }
            }
        };
        let before_last = match &range.last {
            None => true,
            Some(l) => {
                let o = compare_to_bound(&k, l);
                let o = if range.desc { o.reverse() } else { o };
                o != Ordering::Greater
            }
        };
        after_first && before_last
    };
    let window: Vec<Value> = items.into_iter().filter(in_window).collect();
    let more = window.len() > range.max;
    let page: Vec<Value> = window.into_iter().take(range.max).collect();
    let first_key = page
        .first()
        .map(|i| text(&key(i, &range.field)))
        .unwrap_or_default();
    let last_key = page
        .last()
        .map(|i| text(&key(i, &range.field)))
        .unwrap_or_default();
    let order = if range.desc { ", order=desc" } else { "" };
    let next = more.then(|| format!("{} ]{}..; max={}{order}", range.field, last_key, range.max));
    Page {
        content_range: format!("{} {first_key}..{last_key}", range.field),
        items: page,
        next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_heroku_ranges() {
        let r = parse("name ..; max=1000, order=desc").unwrap();
        assert_eq!(
            (r.field.as_str(), r.max, r.desc, r.first.clone()),
            ("name", 1000, true, None)
        );
        let r = parse("id ]abc..; max=10").unwrap();
        assert_eq!(r.first, Some(("abc".into(), true)));
        // The Dev Center's examples end with a `;`.
        let r = parse("id ..; max=10;").unwrap();
        assert_eq!((r.field.as_str(), r.max), ("id", 10));
        let r = parse("id a..z").unwrap();
        assert_eq!(
            (r.first, r.last, r.max),
            (Some(("a".into(), false)), Some("z".into()), DEFAULT_MAX)
        );
        for bad in [
            "",
            "id",
            "id ..; max=0",
            "id ..; max=1001",
            "id ..; max=x",
            "id ..; order=up",
            "i-d ..",
            "id ..; foo=1",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn pages_follow_next_range() {
        let items: Vec<Value> = (0..5).map(|i| json!({"id": format!("{i}")})).collect();
        let p = page(items.clone(), &parse("id ..; max=2").unwrap());
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.next.as_deref(), Some("id ]1..; max=2"));
        let p = page(items.clone(), &parse(p.next.as_deref().unwrap()).unwrap());
        assert_eq!(p.items, vec![json!({"id": "2"}), json!({"id": "3"})]);
        let p = page(items, &parse("id ]3..; max=2").unwrap());
        assert_eq!((p.items.len(), p.next), (1, None));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn any_range_header_parses_or_is_refused(header in any::<String>()) {
            let _ = parse(&header);
        }

        #[test]
        fn next_ranges_parse_back(field in "[a-z_]{1,12}", last in "[a-z0-9-]{0,20}", max in 1usize..=1000, desc in any::<bool>()) {
            let order = if desc { ", order=desc" } else { "" };
            let next = format!("{field} ]{last}..; max={max}{order}");
            let r = parse(&next).expect("a Next-Range the fake writes parses");
            prop_assert_eq!(r.field, field);
            prop_assert_eq!(r.max, max);
            prop_assert_eq!(r.desc, desc);
            if !last.is_empty() {
                prop_assert_eq!(r.first, Some((last, true)));
            }
        }
    }
}
