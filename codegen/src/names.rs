//! Identifiers and paths as tokens.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use heroku_schema::model::{Ty, TypePath};

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A named type as seen from `module`: bare when local, else `crate::m::T`.
pub fn type_path(path: &TypePath, module: &str) -> TokenStream {
    let name = ident(&path.name);
    if path.module == module {
        quote!(#name)
    } else {
        let m = ident(&path.module);
        quote!(crate::#m::#name)
    }
}

/// The Rust type of a model type.
pub fn ty(t: &Ty, module: &str) -> TokenStream {
    match t {
        Ty::String => quote!(String),
        Ty::Integer => quote!(i64),
        Ty::Number => quote!(f64),
        Ty::Boolean => quote!(bool),
        Ty::DateTime => quote!(chrono::DateTime<chrono::Utc>),
        Ty::Date => quote!(chrono::NaiveDate),
        Ty::Any => quote!(serde_json::Value),
        Ty::Array(inner) => {
            let inner = ty(inner, module);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = ty(inner, module);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        Ty::Option(inner) => {
            let inner = ty(inner, module);
            quote!(Option<#inner>)
        }
        Ty::Named(p) => type_path(p, module),
    }
}

/// `SCREAMING_SNAKE` name of an operation's table entry.
pub fn op_const(module: &str, fn_name: &str) -> Ident {
    ident(&format!("{module}_{fn_name}").to_ascii_uppercase())
}
