//! Operations: the value per operation in `<resource>/requests.rs`, its
//! handle method, and the operation table.

use super::*;

/// Names an operation value may not take in its `requests` module: the
/// prelude types the generated code names, and the module's own types
/// (reached through `use super::*`).
pub(super) const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option", "Result", "String", "Vec", "Box", "Some", "None", "Ok", "Err", "Default", "Clone",
    "Send", "Sync", "Self",
];

/// Setter names that would clash with the methods of `Operation`,
/// `Request` and `ListRequest`; such a field's setter is `set_<name>`.
pub(super) const RESERVED_SETTERS: &[&str] = &[
    "new",
    "path",
    "payload",
    "map",
    "send",
    "send_with_meta",
    "with_options",
    "operation",
    "into_operation",
    "range",
    "paginate",
    "stream",
    "clone",
    "into_future",
];

/// The value type of an operation, in its resource's `requests` module:
/// its function's name in CamelCase (`app.info` → `Info`), with `Request`
/// after it where that is the name of one of the resource's types
/// (`sms-number.sms_number` → `SmsNumberRequest`).
pub(super) fn op_struct_name(api: &Api, module: &str, op: &Operation) -> String {
    let name = op.fn_name.to_upper_camel_case();
    let clashes = api
        .types
        .keys()
        .any(|p| p.name == name && p.module == module);
    if clashes {
        format!("{name}Request")
    } else {
        name
    }
}

pub(super) struct Arg {
    name: proc_macro2::Ident,
    ty: TokenStream,
    doc: String,
}

pub(super) fn response_type(op: &Operation, module: &str) -> (TokenStream, Option<TokenStream>) {
    match &op.response {
        Response::Empty => (quote!(()), None),
        Response::Json(t) => {
            if op.paginated {
                if let Ty::Array(item) = t {
                    return (ty(t, module), Some(ty(item, module)));
                }
            }
            (ty(t, module), None)
        }
    }
}

/// One operation: its handle method (returned first) and, in the
/// `requests` module, the value that holds its path parameters and body or
/// query fields as plain data, its constructor and setters, its
/// `Operation` impl and the setters' forms on the bound request.
pub(super) fn operation(
    api: &Api,
    r: &Resource,
    op: &Operation,
) -> Result<(TokenStream, TokenStream), CodegenError> {
    // Types are named by their full path (`crate::app::App`) from the
    // `requests` module.
    let module = &format!("{}::requests", r.module);
    let op_const = op_const(&r.module, &op.fn_name);
    let struct_name = op_struct_name(api, &r.module, op);
    if RESERVED_TYPE_NAMES.contains(&struct_name.as_str()) {
        return Err(CodegenError(format!(
            "{}: operation `{}` would be named `{struct_name}`, which generated code uses",
            op.pointer, op.id
        )));
    }
    let name = ident(&struct_name);
    let fn_name = ident(&op.fn_name);

    let mut fields = Vec::new(); // (attrs + field) tokens
    let mut debug_fields = Vec::new(); // (json-ish name, ident, secret)
    let mut args: Vec<Arg> = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut forwards = Vec::new();
    let mut used = BTreeSet::new();
    let mut transparent = false;

    // Path parameters: not part of the serialized form.
    let mut path_fmt = String::new();
    let mut path_args = Vec::new();
    for part in &op.path {
        match part {
            PathPart::Literal(s) => path_fmt.push_str(&s.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(p) => {
                path_fmt.push_str("{}");
                let pname = ident(&p.name);
                used.insert(p.name.clone());
                let (arg_ty, stored_ty, value) = match &p.ty {
                    ParamTy::Identity(tp) | ParamTy::Enum(tp) => {
                        let t = type_path(tp, module);
                        (
                            quote!(impl Into<#t>),
                            t,
                            quote!(crate::__private::segment(self.#pname.as_str())),
                        )
                    }
                    ParamTy::String => (
                        quote!(impl Into<String>),
                        quote!(String),
                        quote!(crate::__private::segment(&self.#pname)),
                    ),
                    ParamTy::Integer => (quote!(i64), quote!(i64), quote!(self.#pname)),
                };
                let conv = match &p.ty {
                    ParamTy::Integer => quote!(#pname),
                    _ => quote!(#pname.into()),
                };
                let pd = param_doc(api, p);
                let d = doc(&pd);
                fields.push(quote!(#d #[serde(skip)] pub #pname: #stored_ty,));
                debug_fields.push((p.name.clone(), pname.clone(), false));
                inits.push(field_init(&pname, conv));
                args.push(Arg {
                    name: pname,
                    ty: arg_ty,
                    doc: pd,
                });
                path_args.push(value);
            }
        }
    }

    // Body or query fields.
    let body_kind = match &op.body {
        Body::None => quote!(None),
        Body::EmptyObject => quote!(Json),
        Body::Value(_) => quote!(Json),
        Body::Fields { query: true, .. } => quote!(Query),
        Body::Fields { query: false, .. } => quote!(Json),
    };
    match &op.body {
        Body::None | Body::EmptyObject => {}
        Body::Value(t) => {
            transparent = true;
            let bname = if used.contains("body") {
                ident("request_body")
            } else {
                ident("body")
            };
            let (arg_ty, conv) = arg_type(api, t, module, &bname);
            let stored = ty(t, module);
            // A body that is a map of strings is changed key by key too.
            if let Ty::Map(value) = t {
                let nullable = match value.as_ref() {
                    Ty::String => Some(false),
                    Ty::Option(v) if **v == Ty::String => Some(true),
                    _ => None,
                };
                if let Some(nullable) = nullable {
                    let wrap = if nullable {
                        quote!(Some(value.into()))
                    } else {
                        quote!(value.into())
                    };
                    let set_doc = doc("Sets `key` to `value`.");
                    setters.push(quote! {
                        #set_doc
                        pub fn set(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
                            self.#bname.insert(key.into(), #wrap);
                            self
                        }
                    });
                    forwards.push(quote! {
                        #set_doc
                        pub fn set(self, key: impl Into<String>, value: impl Into<String>) -> Self {
                            self.map(|op| op.set(key, value))
                        }
                    });
                    if nullable {
                        let unset_doc = doc("Removes `key`: sends it as `null`.");
                        setters.push(quote! {
                            #unset_doc
                            pub fn unset(mut self, key: impl Into<String>) -> Self {
                                self.#bname.insert(key.into(), None);
                                self
                            }
                        });
                        forwards.push(quote! {
                            #unset_doc
                            pub fn unset(self, key: impl Into<String>) -> Self {
                                self.map(|op| op.unset(key))
                            }
                        });
                    }
                }
            }
            fields.push(quote!(#[doc = " The request body."] pub #bname: #stored,));
            debug_fields.push(("body".into(), bname.clone(), false));
            inits.push(field_init(&bname, conv));
            args.push(Arg {
                name: bname,
                ty: arg_ty,
                doc: "the request body".into(),
            });
        }
        Body::Fields { fields: bfs, .. } => {
            for f in bfs {
                let rust = if used.contains(&f.rust_name) {
                    format!("{}_value", f.rust_name)
                } else {
                    f.rust_name.clone()
                };
                used.insert(rust.clone());
                let fname = ident(&rust);
                let stored = ty(&f.ty, module);
                let json = &f.json_name;
                let renamed = rust.trim_end_matches('_') != json.as_str();
                let rename = renamed.then(|| quote!(rename = #json,));
                let d = field_doc(api, f);
                debug_fields.push((f.json_name.clone(), fname.clone(), redacted(f)));
                let setter = if RESERVED_SETTERS.contains(&rust.as_str()) {
                    format_ident!("set_{}", rust)
                } else {
                    fname.clone()
                };
                let (arg_ty, conv) = arg_type(api, &f.ty, module, &fname);
                if f.required && f.nullable {
                    // Always sent, `null` unless set: a setter, not a
                    // positional `None`.
                    let serde = rename.map(|r| quote!(#[serde(#r)]));
                    let sd = doc(&format!(
                        "{}\n\nSent as `null` unless set.",
                        f.description
                            .clone()
                            .unwrap_or_else(|| format!("Sets `{}`.", f.json_name))
                    ));
                    fields.push(quote!(#d #serde pub #fname: Option<#stored>,));
                    inits.push(quote!(#fname: None));
                    setters.push(quote! {
                        #sd
                        pub fn #setter(mut self, #fname: #arg_ty) -> Self {
                            self.#fname = Some(#conv);
                            self
                        }
                    });
                    forwards.push(quote! {
                        #sd
                        pub fn #setter(self, #fname: #arg_ty) -> Self {
                            self.map(|op| op.#setter(#fname))
                        }
                    });
                } else if f.required {
                    let serde = rename.map(|r| quote!(#[serde(#r)]));
                    fields.push(quote!(#d #serde pub #fname: #stored,));
                    inits.push(field_init(&fname, conv));
                    args.push(Arg {
                        name: fname,
                        ty: arg_ty,
                        doc: field_text(api, f),
                    });
                } else if f.nullable {
                    // Tri-state: absent, `null` (clear), or a value.
                    fields.push(quote! {
                        #d
                        #[serde(#rename default, skip_serializing_if = "Option::is_none")]
                        pub #fname: Option<Option<#stored>>,
                    });
                    inits.push(quote!(#fname: None));
                    let clear = format_ident!("clear_{}", rust.trim_end_matches('_'));
                    let cd = doc(&format!(
                        "Sends `{}` as `null`, which clears it.",
                        f.json_name
                    ));
                    setters.push(quote! {
                        #d
                        pub fn #setter(mut self, #fname: #arg_ty) -> Self {
                            self.#fname = Some(Some(#conv));
                            self
                        }
                        #cd
                        pub fn #clear(mut self) -> Self {
                            self.#fname = Some(None);
                            self
                        }
                    });
                    forwards.push(quote! {
                        #d
                        pub fn #setter(self, #fname: #arg_ty) -> Self {
                            self.map(|op| op.#setter(#fname))
                        }
                        #cd
                        pub fn #clear(self) -> Self {
                            self.map(#name::#clear)
                        }
                    });
                } else {
                    fields.push(quote! {
                        #d
                        #[serde(#rename skip_serializing_if = "Option::is_none")]
                        pub #fname: Option<#stored>,
                    });
                    inits.push(quote!(#fname: None));
                    setters.push(quote! {
                        #d
                        pub fn #setter(mut self, #fname: #arg_ty) -> Self {
                            self.#fname = Some(#conv);
                            self
                        }
                    });
                    forwards.push(quote! {
                        #d
                        pub fn #setter(self, #fname: #arg_ty) -> Self {
                            self.map(|op| op.#setter(#fname))
                        }
                    });
                }
            }
        }
    }

    let (out_ty, item_ty) = response_type(op, module);
    let path_expr = if path_args.is_empty() {
        quote!(String::from(#path_fmt))
    } else {
        quote!(format!(#path_fmt, #(#path_args),*))
    };
    let wrapper = if item_ty.is_some() {
        quote!(crate::ListRequest)
    } else {
        quote!(crate::Request)
    };
    let bind = if item_ty.is_some() {
        quote!(list)
    } else {
        quote!(request)
    };

    // The handle method.
    let params: Vec<TokenStream> = args
        .iter()
        .map(|a| {
            let n = &a.name;
            let t = &a.ty;
            quote!(#n: #t)
        })
        .collect();
    let arg_names: Vec<&proc_macro2::Ident> = args.iter().map(|a| &a.name).collect();
    let mut text = op_doc(r, op);
    if !args.is_empty() {
        text.push_str("\n\nArguments:");
        for a in &args {
            text.push_str(&format!("\n- `{}`: {}", a.name, first_sentence(&a.doc)));
        }
    }
    let d = doc(&text);
    let deprecated = op
        .deprecated
        .as_ref()
        .map(|note| quote!(#[deprecated(note = #note)]));
    let method = quote! {
        #d
        #deprecated
        pub fn #fn_name(&self, #(#params),*) -> #wrapper<'a, #name> {
            self.client.#bind(#name::new(#(#arg_names),*))
        }
    };

    // The value.
    let mut type_text = format!("`{} {}`", op.method, op.template());
    if let Some(t) = &op.title {
        type_text.push_str(&format!(": {}", t.trim_end_matches('.')));
    }
    type_text.push_str(&format!(
        " (`{}`).\n\nSent by [`{}Api::{}`], or built here and sent with [`Client::{}`](crate::Client::{}). Its serialized form is what it sends; path parameters are not part of it.",
        op.id, r.pascal, op.fn_name, bind, bind
    ));
    if op.deprecated.is_some() {
        type_text.push_str("\n\nDeprecated in the schema.");
    }
    let type_doc = doc_raw(&type_text);
    let transparent = transparent.then(|| quote!(#[serde(transparent)]));
    let (derive_debug, debug) = debug_impl(&name, &debug_fields);
    let new_doc = doc(&format!(
        "The `{}` operation with its required parts.",
        op.id
    ));
    let answers_nothing = matches!(op.response, Response::Empty).then(|| {
        quote!(
            const ANSWERS_NOTHING: bool = true;
        )
    });
    let paginated = item_ty.as_ref().map(|item| {
        quote! {
            impl crate::Paginated for #name {
                type Item = #item;
            }
        }
    });
    let forwards = (!forwards.is_empty()).then(|| {
        quote! {
            impl #wrapper<'_, #name> {
                #(#forwards)*
            }
        }
    });
    let tokens = quote! {
        #type_doc
        #[derive(#derive_debug Clone, serde::Serialize)]
        #transparent
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #debug

        impl #name {
            #new_doc
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }

            #(#setters)*
        }

        impl crate::Operation for #name {
            type Output = #out_ty;
            const INFO: &'static crate::OperationInfo = &crate::operations::#op_const;
            const BODY: crate::BodyKind = crate::BodyKind::#body_kind;
            #answers_nothing

            fn path(&self) -> String {
                #path_expr
            }
        }

        #paginated
        #forwards
    };
    Ok((method, tokens))
}

pub(super) fn operations_file(api: &Api) -> Result<String, CodegenError> {
    let mut consts = Vec::new();
    let mut names = Vec::new();
    for r in &api.resources {
        for op in &r.operations {
            let c = op_const(&r.module, &op.fn_name);
            let id = &op.id;
            let method = method_tokens(&op.method);
            let href = op.template();
            let stability = match op.stability {
                Stability::Production => quote!(Production),
                Stability::Development => quote!(Development),
                Stability::Prototype => quote!(Prototype),
            };
            let paginated = op.paginated;
            let ranges = &op.ranges;
            let d = doc(&format!("`{}`: `{} {}`.", op.id, op.method, href));
            consts.push(quote! {
                #d
                pub const #c: OperationInfo = OperationInfo {
                    id: #id,
                    method: Method::#method,
                    href: #href,
                    stability: Stability::#stability,
                    paginated: #paginated,
                    ranges: &[#(#ranges),*],
                };
            });
            names.push(c);
        }
    }
    let count = names.len();
    let count_doc = doc(&format!(
        "Every operation of the schema, {count} in all, in schema order."
    ));
    let tokens = quote! {
        use crate::{Method, OperationInfo, Stability};

        #count_doc
        pub static OPERATIONS: &[OperationInfo] = &[#(#names),*];

        #(#consts)*
    };
    render(tokens, "operations.rs")
}

pub(super) fn method_tokens(method: &str) -> TokenStream {
    match method {
        "GET" => quote!(Get),
        "POST" => quote!(Post),
        "PATCH" => quote!(Patch),
        "PUT" => quote!(Put),
        "DELETE" => quote!(Delete),
        _ => quote!(Head),
    }
}
