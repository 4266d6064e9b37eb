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
            let conversions = constructible
                .then(|| conversion_impls(api, &t.path, constructible))
                .flatten();
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
                    #conversions
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

/// How a string becomes a struct that callers send, so that arguments and
/// setters of its type take `impl Into<Struct>`: a rule on the struct's
/// shape, the same for every operation.
pub(super) enum Conversion<'a> {
    /// An identity reference: its fields are `id` and/or `name`, strings.
    /// A value shaped like a UUID goes into `id` (if there is one), any
    /// other into `name` (if there is one, else `id`). `identity` is the
    /// identity type of the definition the fields name, when their `$ref`s
    /// say which and it holds no integer branch.
    Reference {
        id: Option<&'a Field>,
        name: Option<&'a Field>,
        identity: Option<TypePath>,
    },
    /// Every field is an identity reference (`{"app": {"id": ..}}`,
    /// `{"app": .., "release": ..}`): the value goes into the first.
    Wrapper {
        field: &'a Field,
        identity: Option<TypePath>,
    },
    /// Exactly one field is required, and it is a string: the value goes
    /// there (`source_blob` → `{"url": ..}`, an update → its `type`).
    Required(&'a Field),
}

fn struct_fields<'a>(api: &'a Api, path: &TypePath) -> Option<&'a [Field]> {
    match api.types.get(path).map(|t| &t.kind) {
        Some(TypeKind::Struct { fields }) if !fields.is_empty() => Some(fields),
        _ => None,
    }
}

/// The identity type of definition `key` (the type made from
/// `/definitions/<key>/definitions/identity`), unless it has an integer
/// branch a reference's string fields could not hold.
fn identity_of(api: &Api, key: &str) -> Option<TypePath> {
    let pointer = format!("/definitions/{key}/definitions/identity");
    api.types
        .values()
        .find(|t| t.pointer == pointer)
        .filter(|t| matches!(t.kind, TypeKind::Identity { integer: false, .. }))
        .map(|t| t.path.clone())
}

fn reference<'a>(api: &'a Api, fields: &'a [Field]) -> Option<Conversion<'a>> {
    let keyed = |key: &str| fields.iter().find(|f| f.json_name == key);
    let all_keys = fields
        .iter()
        .all(|f| matches!(f.json_name.as_str(), "id" | "name") && f.ty == Ty::String);
    if !all_keys {
        return None;
    }
    let mut named = fields.iter().map(|f| f.refers_to.as_deref());
    let first = named.next().flatten();
    let identity = first
        .filter(|k| named.all(|n| n == Some(k)))
        .and_then(|k| identity_of(api, k));
    Some(Conversion::Reference {
        id: keyed("id"),
        name: keyed("name"),
        identity,
    })
}

pub(super) fn conversion<'a>(api: &'a Api, path: &TypePath) -> Option<Conversion<'a>> {
    let fields = struct_fields(api, path)?;
    if let Some(r) = reference(api, fields) {
        return Some(r);
    }
    let inner_reference = |f: &Field| match &f.ty {
        Ty::Named(p) => struct_fields(api, p).and_then(|fs| reference(api, fs)),
        _ => None,
    };
    if fields.iter().all(|f| inner_reference(f).is_some()) {
        let identity = match inner_reference(&fields[0]) {
            Some(Conversion::Reference { identity, .. }) => identity,
            _ => None,
        };
        return Some(Conversion::Wrapper {
            field: &fields[0],
            identity,
        });
    }
    let mut required = fields.iter().filter(|f| f.required && !f.nullable);
    match (required.next(), required.next()) {
        (Some(f), None) if f.ty == Ty::String => Some(Conversion::Required(f)),
        _ => None,
    }
}

/// The `From` impls of a struct with a [`Conversion`]: from `String`,
/// `&str` and `&String`, and from the identity it names.
pub(super) fn conversion_impls(
    api: &Api,
    path: &TypePath,
    constructible: bool,
) -> Option<TokenStream> {
    let conversion = conversion(api, path)?;
    let name = ident(&path.name);
    let module = &path.module;
    let only_field = struct_fields(api, path).is_some_and(|fs| fs.len() == 1);
    // The struct with `value` in one field, as stored, and the rest at
    // their defaults (`<Self as Default>`: a model may have a setter named
    // `default`).
    let store = |f: &Field, value: TokenStream| {
        let fname = ident(&f.rust_name);
        let value = if plain(f, constructible) {
            value
        } else {
            quote!(Some(#value))
        };
        if only_field {
            quote!(Self { #fname: #value })
        } else {
            quote!(Self { #fname: #value, ..<Self as Default>::default() })
        }
    };
    let (body, identity, what) = match conversion {
        Conversion::Reference { id, name, identity } => {
            let body = match (id, name) {
                (Some(id), Some(name)) => {
                    let as_id = store(id, quote!(value));
                    let as_name = store(name, quote!(value));
                    quote! {
                        if crate::__private::is_uuid(&value) { #as_id } else { #as_name }
                    }
                }
                (Some(f), None) | (None, Some(f)) => store(f, quote!(value)),
                (None, None) => return None,
            };
            (body, identity, "an id (a UUID) or a name".to_string())
        }
        Conversion::Wrapper { field, identity } => {
            let inner = ty(&field.ty, module);
            (
                store(field, quote!(<#inner>::from(value))),
                identity,
                format!("the `{}` it names", field.json_name),
            )
        }
        Conversion::Required(f) => (
            store(f, quote!(value)),
            None,
            format!("its `{}`", f.json_name),
        ),
    };
    let d = doc(&format!("A `{}` from {what}.", path.name));
    let from_identity = identity.map(|p| {
        let t = type_path(&p, module);
        quote! {
            #d
            impl From<#t> for #name {
                fn from(value: #t) -> Self {
                    Self::from(String::from(value.as_str()))
                }
            }
        }
    });
    Some(quote! {
        #d
        impl From<String> for #name {
            fn from(value: String) -> Self {
                #body
            }
        }
        #d
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                Self::from(String::from(value))
            }
        }
        #d
        impl From<&String> for #name {
            fn from(value: &String) -> Self {
                Self::from(value.clone())
            }
        }
        #from_identity
    })
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
    let converts = |p: &TypePath| {
        matches!(
            api.types.get(p).map(|d| &d.kind),
            Some(TypeKind::Enum { .. } | TypeKind::Identity { .. })
        ) || conversion(api, p).is_some()
    };
    if let Ty::Array(item) = t {
        if let Ty::Named(p) = item.as_ref() {
            if conversion(api, p).is_some() {
                let item = ty(item, module);
                return (
                    quote!(impl IntoIterator<Item = impl Into<#item>>),
                    quote!(#arg.into_iter().map(Into::into).collect()),
                );
            }
        }
    }
    // Maps of strings (config vars, add-on config) take pairs of anything
    // string-like: `[("KEY", Some("value")), ("OLD", None)]`.
    if let Ty::Map(value) = t {
        match value.as_ref() {
            Ty::String => {
                return (
                    quote!(impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>),
                    quote!(#arg.into_iter().map(|(k, v)| (k.into(), v.into())).collect()),
                )
            }
            Ty::Option(v) if **v == Ty::String => {
                return (
                    quote!(
                        impl IntoIterator<Item = (impl Into<String>, Option<impl Into<String>>)>
                    ),
                    quote!(#arg
                        .into_iter()
                        .map(|(k, v)| (k.into(), v.map(Into::into)))
                        .collect()),
                )
            }
            _ => {}
        }
    }
    let into = match t {
        Ty::String => true,
        Ty::Named(p) => converts(p),
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
