//! Doc comments: schema text made safe for rustdoc, and the summaries
//! the generator writes for resources, operations and fields.

use super::*;

/// Doc lines for schema text, made safe for rustdoc: no accidental links,
/// HTML or indented code blocks, and URLs marked as links.
pub(super) fn doc_lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines().map(|line| {
        let line = sanitize(line.trim());
        if line.trim().is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    })
}

/// Outer doc attributes (`///`) for schema text.
pub(super) fn doc(text: &str) -> TokenStream {
    doc_lines(text).map(|line| quote!(#[doc = #line])).collect()
}

/// Inner doc attributes (`//!`) for schema text.
pub(super) fn inner_doc(text: &str) -> TokenStream {
    doc_lines(text)
        .map(|line| quote!(#![doc = #line]))
        .collect()
}

/// Inner doc attributes (`//!`) for text the generator writes itself.
pub(super) fn inner_doc_raw(text: &str) -> TokenStream {
    raw_lines(text)
        .map(|line| quote!(#![doc = #line]))
        .collect()
}

/// Doc attributes for text the generator writes itself (may hold links).
pub(super) fn doc_raw(text: &str) -> TokenStream {
    raw_lines(text).map(|line| quote!(#[doc = #line])).collect()
}

/// The lines of generator-written text, each after the space rustdoc
/// expects.
fn raw_lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    })
}

pub(super) fn sanitize(line: &str) -> String {
    let mut out = String::new();
    for (i, part) in line.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part);
            continue;
        }
        let escaped = part
            .replace('\\', "\\\\")
            .replace('[', "\\[")
            .replace(']', "\\]")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        out.push_str(&link_urls(&escaped));
    }
    // An odd number of backticks would open a code span that never closes.
    if line.matches('`').count() % 2 == 1 {
        out = out.replace('`', "'");
    }
    out
}

pub(super) fn link_urls(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find("http://").or_else(|| rest.find("https://")) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        let mut end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        while end > 0 && tail[..end].ends_with(['.', ',', ')', ';', ':', '\'', '"']) {
            end -= 1;
        }
        // Escapes added above must not end up inside the URL.
        let url = &tail[..end];
        out.push('<');
        out.push_str(url);
        out.push('>');
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

pub(super) fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    line.to_string()
}

pub(super) fn stability_str(s: Stability) -> &'static str {
    s.as_str()
}

/// The resource's title without the schema's `Heroku Platform API - `.
fn resource_title(r: &Resource) -> String {
    let title = r.title.clone().unwrap_or_else(|| r.key.clone());
    title
        .strip_prefix("Heroku Platform API - ")
        .unwrap_or(&title)
        .to_string()
}

/// Heroku's reference page is generated from the same schema: each resource
/// and each link has an anchor made of its title (the resource's, then the
/// link's), lowercased, with dashes between words (`#config-vars`,
/// `#config-vars-info-for-app`).
const REFERENCE: &str = "https://devcenter.heroku.com/articles/platform-api-reference";

fn anchor(words: &str) -> String {
    let mut out = String::new();
    for c in words.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

pub(super) fn resource_doc(r: &Resource) -> String {
    let title = resource_title(r);
    let mut text = title.clone();
    if let Some(d) = &r.description {
        text.push_str("\n\n");
        text.push_str(d);
    }
    text.push_str(&format!(
        "\n\nSchema definition `{}`; stability: {}. Heroku's reference: {REFERENCE}#{}",
        r.key,
        stability_str(r.stability),
        anchor(&title)
    ));
    text
}

/// The first sentence of `text` and the rest, split after the first `. `
/// outside a code span (or at the first line break).
fn split_sentence(text: &str) -> (String, String) {
    let text = text.trim();
    let mut in_code = false;
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'`' => in_code = !in_code,
            b'\n' if !in_code => {
                return (text[..i].trim().to_string(), text[i..].trim().to_string())
            }
            b'.' if !in_code && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()) => {
                return (text[..=i].to_string(), text[i + 1..].trim().to_string())
            }
            _ => {}
        }
    }
    (text.to_string(), String::new())
}

/// An operation's docs: a summary sentence (the description's first, else
/// the title's), the rest of the description, where it goes, and the link
/// to Heroku's reference for it.
pub(super) fn op_doc(r: &Resource, op: &Operation) -> String {
    let (mut summary, rest) = match op.description.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(d) => split_sentence(d),
        None => (
            format!(
                "{} ({}).",
                op.title.as_deref().unwrap_or(&op.fn_name),
                resource_title(r)
            ),
            String::new(),
        ),
    };
    if !summary.ends_with(['.', '!', '?']) {
        summary.push('.');
    }
    let mut text = summary;
    if !rest.is_empty() {
        text.push_str("\n\n");
        text.push_str(&rest);
    }
    text.push_str(&format!(
        "\n\n`{} {}` · stability: {} · operation `{}`",
        op.method,
        op.template(),
        stability_str(op.stability),
        op.id
    ));
    if let Some(title) = &op.title {
        text.push_str(&format!(
            "\n\nHeroku's reference: {REFERENCE}#{}",
            anchor(&format!("{} {title}", resource_title(r)))
        ));
    }
    text
}

/// What a field holds: its description; without one, what its type says
/// (an identity's branches, `unique name of stack, or unique identifier of
/// stack`, or a named type's description), and only then its name.
pub(super) fn field_text(api: &Api, f: &Field) -> String {
    let named = match &f.ty {
        Ty::Array(item) => item.as_ref(),
        t => t,
    };
    let from_type = || match named {
        Ty::Named(p) => api.types.get(p).and_then(|t| match &t.kind {
            TypeKind::Identity { branches, .. } if !branches.is_empty() => {
                Some(branches.join(", or "))
            }
            _ => t.description.clone(),
        }),
        _ => None,
    };
    f.description
        .clone()
        .filter(|d| !d.trim().is_empty() && d.trim() != f.json_name)
        .or_else(from_type)
        .unwrap_or_else(|| format!("The `{}` field.", f.json_name))
}

pub(super) fn field_doc(api: &Api, f: &Field) -> TokenStream {
    let mut text = field_text(api, f);
    if f.deprecated {
        text.push_str("\n\nDeprecated in the schema.");
    }
    doc(&text)
}

/// What a path parameter names: its description, or its identity's branches.
pub(super) fn param_doc(api: &Api, p: &heroku_schema::model::PathParam) -> String {
    if let Some(d) = &p.description {
        return d.clone();
    }
    if let ParamTy::Identity(tp) = &p.ty {
        if let Some(TypeKind::Identity { branches, .. }) = api.types.get(tp).map(|t| &t.kind) {
            if !branches.is_empty() {
                return branches.join(", or ");
            }
        }
    }
    format!("the `{}` path parameter", p.name)
}

/// A compiled example for a resource's module docs: its most telling
/// operation (`info`, else `list`, else the first), called with readable
/// arguments: `"my-app"` for an identity, the schema's example for a
/// required string, and for other types what the coverage test sends.
/// Compiled (`no_run`) as a doc test when the resource's feature is on.
pub(super) fn resource_example(api: &Api, r: &Resource) -> Option<String> {
    let op = ["info", "list"]
        .iter()
        .find_map(|name| r.operations.iter().find(|o| o.fn_name == *name))
        .or_else(|| r.operations.first())?;
    let mut args = Vec::new();
    for p in op.params() {
        args.push(match p.ty {
            ParamTy::Integer => "1".to_string(),
            _ => format!(
                "\"my-{}\"",
                p.name
                    .trim_end_matches("_identity")
                    .trim_end_matches("_id")
                    .replace('_', "-")
            ),
        });
    }
    match &op.body {
        Body::Value(t) => args.push(example_value(api, t, None)),
        Body::Fields { fields, .. } => {
            for f in fields.iter().filter(|f| f.required && !f.nullable) {
                args.push(example_value(api, &f.ty, f.example.as_ref()));
            }
        }
        Body::None | Body::EmptyObject => {}
    }
    let call = format!("client.{}().{}({})", r.module, op.fn_name, args.join(", "));
    Some(format!(
        "```no_run\n# #[cfg(feature = {key:?})]\n# async fn example(client: heroku_api::Client) -> heroku_api::Result<()> {{\nlet answer = {call}.await?;\nprintln!(\"{{answer:?}}\");\n# Ok(()) }}\n```",
        key = r.key
    ))
}

/// Source text of a value of `t` for an example: the schema's example for
/// a string, a struct by its constructor, one element for a list.
fn example_value(api: &Api, t: &Ty, example: Option<&serde_json::Value>) -> String {
    match t {
        Ty::String => format!(
            "{:?}",
            example.and_then(|e| e.as_str()).unwrap_or("example")
        ),
        Ty::Integer => example.and_then(|e| e.as_i64()).unwrap_or(1).to_string(),
        Ty::Number => "1.0".into(),
        Ty::Boolean => "true".into(),
        Ty::Named(p) => match api.types.get(p).map(|d| &d.kind) {
            Some(TypeKind::Struct { fields }) => {
                let args: Vec<String> = fields
                    .iter()
                    .filter(|f| f.required && !f.nullable)
                    .map(|f| example_value(api, &f.ty, f.example.as_ref()))
                    .collect();
                format!(
                    "heroku_api::{}::{}::new({})",
                    p.module,
                    p.name,
                    args.join(", ")
                )
            }
            Some(TypeKind::Enum { values }) => format!(
                "{:?}",
                values.first().map(|v| v.json.as_str()).unwrap_or("example")
            ),
            _ => format!(
                "{:?}",
                example.and_then(|e| e.as_str()).unwrap_or("example")
            ),
        },
        Ty::Array(item) => {
            // A list of strings or enums is stored as is: a literal needs
            // its `into()`.
            let one = example_value(api, item, None);
            if one.starts_with('"') {
                format!("vec![{one}.into()]")
            } else {
                format!("vec![{one}]")
            }
        }
        Ty::Map(value) => match value.as_ref() {
            Ty::String => "[(\"KEY\", \"value\")]".into(),
            Ty::Option(v) if **v == Ty::String => "[(\"KEY\", Some(\"value\"))]".into(),
            _ => "Default::default()".into(),
        },
        Ty::Any => "serde_json::json!({})".into(),
        _ => "Default::default()".into(),
    }
}
