//! Models: structs with their fields, constructors and setters for the
//! ones callers send, and the redacting `Debug` for secrets.

use super::*;

pub(super) fn rename_attr(f: &Field) -> Option<TokenStream> {
    let rust = f.rust_name.trim_end_matches('_');
    let json = &f.json_name;
    (rust != json || f.rust_name.ends_with('_') && json != &f.rust_name)
        .then(|| quote!(rename = #json))
}

/// Whether a field's value is hidden from `Debug`: the model marks it
/// secret, and its type is one `__private::Redacted` can show the shape of
/// (strings, maps of them, arbitrary JSON, and options and lists of these).
pub(super) fn redacted(f: &Field) -> bool {
    fn shown_as_shape(ty: &Ty) -> bool {
        match ty {
            Ty::String | Ty::Any => true,
            Ty::Option(t) | Ty::Array(t) | Ty::Map(t) => shown_as_shape(t),
            _ => false,
        }
    }
    f.secret && shown_as_shape(&f.ty)
}

/// Whether a model field is stored as plain `T` rather than `Option<T>`.
///
/// A field is an `Option` where the schema says its value may be `null`.
/// In a type that callers also build to send (`constructible`), a field
/// the schema does not require is an `Option` too, so that it can be left
/// out. Otherwise it is plain, whether or not the definition has
/// `strictProperties`: an answer that leaves it out decodes to its
/// fallback with the deviation recorded (`heroku_api::decode`), which
/// holds for any field of any schema, rather than an `Option` the user
/// must unwrap for a value Heroku nearly always sends.
pub(super) fn plain(f: &Field, constructible: bool) -> bool {
    !f.nullable && (f.required || !constructible)
}

pub(super) fn model_field(api: &Api, f: &Field, module: &str, constructible: bool) -> TokenStream {
    let t = ty(&f.ty, module);
    let name = ident(&f.rust_name);
    let d = field_doc(api, f);
    let rename = rename_attr(f);
    if plain(f, constructible) {
        let serde = rename.map(|r| quote!(#[serde(#r)]));
        quote! { #d #serde pub #name: #t, }
    } else {
        let attrs = match rename {
            Some(r) => quote!(#[serde(#r, default, skip_serializing_if = "Option::is_none")]),
            None => quote!(#[serde(default, skip_serializing_if = "Option::is_none")]),
        };
        quote! { #d #attrs pub #name: Option<#t>, }
    }
}

/// A type's definition and, apart, its serde impls.
pub(super) fn type_def(api: &Api, t: &TypeDef, constructible: bool) -> (TokenStream, TokenStream) {
    let module = &t.path.module;
    let name = ident(&t.path.name);
    let mut text = t
        .description
        .clone()
        .unwrap_or_else(|| format!("`{}`.", t.path.name));
    text.push_str(&format!("\n\nSchema: `{}`.", t.pointer));
    let d = doc(&text);
    match &t.kind {
        TypeKind::Struct { fields } => {
            let fs = fields
                .iter()
                .map(|f| model_field(api, f, module, constructible));
            let ctor = constructible.then(|| struct_constructor(api, &t.path, fields));
            let de = struct_decode(&name, fields, constructible);
            let shown: Vec<(String, proc_macro2::Ident, bool)> = fields
                .iter()
                .map(|f| (f.json_name.clone(), ident(&f.rust_name), redacted(f)))
                .collect();
            let (derive_debug, debug) = debug_impl(&name, &shown);
            (
                quote! {
                    #d
                    ///
                    /// Decoded tolerantly: see [`decode`](crate::decode) for what an
                    /// answer that differs from the schema gives.
                    #[derive(#derive_debug Clone, Default, PartialEq, serde::Serialize)]
                    #[non_exhaustive]
                    pub struct #name {
                        #(#fs)*
                    }
                    #debug
                    #ctor
                },
                de,
            )
        }
        TypeKind::Enum { values } => (open_enum(&name, &d, values), enum_serde(&name)),
        TypeKind::Identity {
            integer,
            current,
            branches,
        } => (
            identity(&name, t, *integer, *current, branches),
            identity_serde(&name, *integer),
        ),
    }
}

/// `new(required...)` plus a setter per optional field, for structs that
/// callers build to send.
pub(super) fn struct_constructor(api: &Api, path: &TypePath, fields: &[Field]) -> TokenStream {
    let module = &path.module;
    let name = ident(&path.name);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for f in fields {
        let fname = ident(&f.rust_name);
        let (arg_ty, conv) = arg_type(api, &f.ty, module, &fname);
        if f.required && !f.nullable {
            args.push(quote!(#fname: #arg_ty));
            inits.push(field_init(&fname, conv));
        } else {
            inits.push(quote!(#fname: None));
            let d = doc(&format!("Sets `{}`.", f.json_name));
            setters.push(quote! {
                #d
                pub fn #fname(mut self, #fname: #arg_ty) -> Self {
                    self.#fname = Some(#conv);
                    self
                }
            });
        }
    }
    let d = doc(&format!(
        "A `{}` with its required fields; set the others with the chained setters.",
        path.name
    ));
    quote! {
        impl #name {
            #d
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

/// How a value of `t` is taken as an argument, and the expression that
/// turns the argument named `arg` into the stored value.
pub(super) fn arg_type(
    api: &Api,
    t: &Ty,
    module: &str,
    arg: &proc_macro2::Ident,
) -> (TokenStream, TokenStream) {
    let stored = ty(t, module);
    let into = match t {
        Ty::String => true,
        Ty::Named(p) => matches!(
            api.types.get(p).map(|d| &d.kind),
            Some(TypeKind::Enum { .. } | TypeKind::Identity { .. })
        ),
        _ => false,
    };
    if into {
        (quote!(impl Into<#stored>), quote!(#arg.into()))
    } else {
        (stored, quote!(#arg))
    }
}

/// `name: value`, or the shorthand `name` when the value is the variable.
pub(super) fn field_init(name: &proc_macro2::Ident, value: TokenStream) -> TokenStream {
    if *name == value.to_string() {
        quote!(#name)
    } else {
        quote!(#name: #value)
    }
}

/// `Debug,` for the derive list, or nothing and a written-out `Debug` that
/// shows each secret field's shape only, when a field is secret. `fields`
/// are (name shown, field, secret).
pub(super) fn debug_impl(
    name: &proc_macro2::Ident,
    fields: &[(String, proc_macro2::Ident, bool)],
) -> (TokenStream, Option<TokenStream>) {
    if !fields.iter().any(|(_, _, secret)| *secret) {
        return (quote!(Debug,), None);
    }
    let name_str = name.to_string();
    let shown = fields.iter().map(|(key, fname, secret)| {
        if *secret {
            quote!(.field(#key, &crate::__private::Redacted(&self.#fname)))
        } else {
            quote!(.field(#key, &self.#fname))
        }
    });
    let debug = quote! {
        /// Values that grant access (credentials, presigned and stream URLs)
        /// show their shape, not their content: `[redacted]`.
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#name_str)
                    #(#shown)*
                    .finish()
            }
        }
    };
    (quote!(), Some(debug))
}
