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

/// Doc attributes for text the generator writes itself (may hold links).
pub(super) fn doc_raw(text: &str) -> TokenStream {
    text.lines()
        .map(|line| {
            let line = if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            };
            quote!(#[doc = #line])
        })
        .collect()
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

pub(super) fn resource_doc(r: &Resource) -> String {
    let title = r.title.clone().unwrap_or_else(|| r.key.clone());
    let title = title
        .strip_prefix("Heroku Platform API - ")
        .unwrap_or(&title)
        .to_string();
    let mut text = title;
    if let Some(d) = &r.description {
        text.push_str("\n\n");
        text.push_str(d);
    }
    text.push_str(&format!(
        "\n\nSchema definition `{}`; stability: {}.",
        r.key,
        stability_str(r.stability)
    ));
    text
}

pub(super) fn op_doc(op: &Operation) -> String {
    let mut text = String::new();
    if let Some(t) = &op.title {
        text.push_str(t);
        text.push('.');
    }
    if let Some(d) = &op.description {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(d);
    }
    text.push_str(&format!(
        "\n\n`{} {}` · stability: {} · operation `{}`",
        op.method,
        op.template(),
        stability_str(op.stability),
        op.id
    ));
    text
}

pub(super) fn field_doc(api: &Api, f: &Field) -> TokenStream {
    // Without a description of its own, an identity field says what it
    // names (`unique name of stack, or unique identifier of stack`).
    let identity = || match &f.ty {
        Ty::Named(p) => match api.types.get(p).map(|t| &t.kind) {
            Some(TypeKind::Identity { branches, .. }) if !branches.is_empty() => {
                Some(branches.join(", or "))
            }
            _ => None,
        },
        _ => None,
    };
    let mut text = f
        .description
        .clone()
        .or_else(identity)
        .unwrap_or_else(|| format!("The `{}` field.", f.json_name));
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
