//! The normalised model that codegen, coverage, the diff and the fake use.
//!
//! Building it resolves every `$ref` (with sibling overrides), decodes href
//! templates, names every type and operation, and decides how each schema
//! construct maps to Rust. The rules follow schema-notes §8.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::error::{escape_token, unescape_token, SchemaError};
use crate::naming::{pascal, singular, snake};
use crate::raw::{Additional, Document, Link, Node};

/// The whole API.
#[derive(Debug, Clone)]
pub struct Api {
    /// Resources in definition-key order.
    pub resources: Vec<Resource>,
    /// Every named type, by module and name.
    pub types: BTreeMap<TypePath, TypeDef>,
    /// Things worth a reviewer's eye that are not errors.
    pub warnings: Vec<String>,
}

impl Api {
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.resources.iter().flat_map(|r| r.operations.iter())
    }

    /// The number of links in the schema this model was built from. Every
    /// link becomes exactly one operation.
    pub fn link_count(&self) -> usize {
        self.resources.iter().map(|r| r.link_count).sum()
    }

    pub fn types_in<'a>(&'a self, module: &'a str) -> impl Iterator<Item = &'a TypeDef> + 'a {
        self.types.values().filter(move |t| t.path.module == module)
    }
}

/// One schema definition: a Heroku resource and its links.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Definition key, e.g. `add-on`.
    pub key: String,
    /// Module and accessor name, e.g. `add_on`.
    pub module: String,
    /// Type-name stem, e.g. `AddOn`.
    pub pascal: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub stability: Stability,
    /// The resource's own struct, when the definition has properties.
    pub model: Option<TypePath>,
    pub operations: Vec<Operation>,
    /// How many links the definition has (equal to `operations.len()`).
    pub link_count: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stability {
    Production,
    Development,
    Prototype,
}

impl Stability {
    pub fn as_str(self) -> &'static str {
        match self {
            Stability::Production => "production",
            Stability::Development => "development",
            Stability::Prototype => "prototype",
        }
    }
}

/// Where a named type lives: `module::Name`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypePath {
    pub module: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub path: TypePath,
    /// JSON pointer of the schema node the type comes from.
    pub pointer: String,
    pub description: Option<String>,
    pub kind: TypeKind,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    /// An object with named properties.
    Struct { fields: Vec<Field> },
    /// A string enum. Generated open: unknown values are kept, not rejected.
    Enum { values: Vec<EnumValue> },
    /// An identity: a value that names a resource (id or name, ...), sent as
    /// a string path segment.
    Identity {
        /// One branch is an integer (release version, invoice number).
        integer: bool,
        /// One branch is the literal `~` (the current account).
        current: bool,
        /// Descriptions of the branches, for docs ("unique identifier of app").
        branches: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    pub json: String,
    pub variant: String,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub json_name: String,
    pub rust_name: String,
    pub ty: Ty,
    /// Always present (strictProperties or `required`).
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
    pub description: Option<String>,
    pub deprecated: bool,
    pub example: Option<Value>,
    /// Holds a credential, or a URL or value that grants access: never
    /// shown in `Debug`. Set by name ([`is_secret_name`]) or by an
    /// `"x-secret": true` an overlay puts on the property or the
    /// definition it refers to.
    pub secret: bool,
    /// The definition this field's value names, when the property is a
    /// `$ref` to one of that definition's identity keys
    /// (`#/definitions/app/definitions/id` → `app`).
    pub refers_to: Option<String>,
}

/// A Rust type in the model.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ty {
    String,
    Integer,
    Number,
    Boolean,
    DateTime,
    Date,
    /// Any JSON (objects without properties, untyped nodes).
    Any,
    Array(Box<Ty>),
    /// A JSON object used as a map with string keys.
    Map(Box<Ty>),
    /// A nullable element inside an array or map.
    Option(Box<Ty>),
    Named(TypePath),
}

/// One link of the schema.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Stable id: `<definition key>.<function name>`, e.g. `app.create`.
    pub id: String,
    pub resource: String,
    /// Method name on the resource handle, e.g. `list_by_owner`.
    pub fn_name: String,
    /// Request builder type, e.g. `AppCreateRequest`.
    pub type_name: String,
    /// `Create`, `List by Owner`, ...
    pub title: Option<String>,
    pub description: Option<String>,
    pub method: String,
    /// The href exactly as in the schema.
    pub href: String,
    pub path: Vec<PathPart>,
    pub body: Body,
    pub response: Response,
    /// A list that follows `Range`/`Next-Range`.
    pub paginated: bool,
    /// Range fields the schema declares (`ranges`), if any.
    pub ranges: Vec<String>,
    pub stability: Stability,
    /// Set when the link is deprecated: the reason to show.
    pub deprecated: Option<String>,
    pub rel: Option<String>,
    /// JSON pointer of the link, e.g. `/definitions/app/links/0`.
    pub pointer: String,
}

impl Operation {
    /// The href with readable placeholders: `/apps/{app_identity}/builds`.
    pub fn template(&self) -> String {
        self.path
            .iter()
            .map(|p| match p {
                PathPart::Literal(s) => s.clone(),
                PathPart::Param(p) => format!("{{{}}}", p.name),
            })
            .collect()
    }

    pub fn params(&self) -> impl Iterator<Item = &PathParam> {
        self.path.iter().filter_map(|p| match p {
            PathPart::Param(p) => Some(p),
            PathPart::Literal(_) => None,
        })
    }
}

#[derive(Debug, Clone)]
pub enum PathPart {
    Literal(String),
    Param(PathParam),
}

#[derive(Debug, Clone)]
pub struct PathParam {
    /// Argument name, e.g. `app_identity`.
    pub name: String,
    pub ty: ParamTy,
    /// The pointer in the href template.
    pub pointer: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub enum ParamTy {
    Identity(TypePath),
    Enum(TypePath),
    String,
    Integer,
}

/// What a request sends.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    /// An object with named properties: required ones are call arguments,
    /// optional ones chained setters. For a GET, the fields go in the query.
    Fields {
        fields: Vec<Field>,
        query: bool,
    },
    /// A whole value passed as one argument (e.g. the config-var map).
    Value(Ty),
    /// An object schema with no properties: send `{}`.
    EmptyObject,
}

/// What a response carries.
#[derive(Debug, Clone)]
pub enum Response {
    /// Nothing useful (`{}`, an empty body or 204).
    Empty,
    Json(Ty),
}

/// Builds the model from a parsed schema.
pub fn build(doc: &Document) -> Result<Api, SchemaError> {
    let defs = doc
        .definitions
        .as_ref()
        .ok_or_else(|| SchemaError::at("", "the schema has no `definitions`"))?;
    // Names that definitions and sub-definitions own. An inline schema whose
    // suggested name is one of these takes another, so that the named
    // definition keeps its name whatever order the walk visits them in.
    let mut reserved = HashMap::new();
    for (key, def) in defs {
        let dp = def_pointer(key);
        reserved.insert(pascal(key), dp.clone());
        for sub in def.definitions.iter().flat_map(|d| d.keys()) {
            let sp = child(&child(&dp, "definitions"), sub);
            reserved.entry(sub_def_name(key, sub)).or_insert(sp);
        }
    }
    let mut b = Builder {
        doc,
        types: BTreeMap::new(),
        by_pointer: HashMap::new(),
        reserved,
        warnings: Vec::new(),
    };
    let mut resources = Vec::new();
    for (key, def) in defs {
        resources.push(b.resource(key, def)?);
    }
    // Each link must become exactly one operation, with a unique id and a
    // unique function name within its resource.
    let mut ids = BTreeSet::new();
    for r in &resources {
        for op in &r.operations {
            if !ids.insert(op.id.clone()) {
                return Err(SchemaError::at(
                    &op.pointer,
                    format!("two links are named `{}`", op.id),
                ));
            }
        }
    }
    Ok(Api {
        resources,
        types: b.types,
        warnings: b.warnings,
    })
}

struct Builder<'a> {
    doc: &'a Document,
    types: BTreeMap<TypePath, TypeDef>,
    /// Named types by the pointer they were made from.
    by_pointer: HashMap<String, TypePath>,
    /// Type names owned by definitions, by name → pointer.
    reserved: HashMap<String, String>,
    warnings: Vec<String>,
}

/// How strictly to read `strictProperties` when listing fields.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A model read from responses: `strictProperties` means "always present".
    Model,
    /// A request body: only `required` makes a field required.
    Request,
}

fn def_pointer(key: &str) -> String {
    format!("/definitions/{}", escape_token(key))
}

fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}

/// The definition key a pointer starts in: `/definitions/app/...` → `app`.
fn module_key(pointer: &str) -> Option<String> {
    let mut parts = pointer.split('/').skip(1);
    match (parts.next(), parts.next()) {
        (Some("definitions"), Some(k)) => Some(unescape_token(k)),
        _ => None,
    }
}

impl<'a> Builder<'a> {
    fn resource(&mut self, key: &str, def: &Node) -> Result<Resource, SchemaError> {
        let pointer = def_pointer(key);
        let module = snake(key);
        let stability = match def.stability.as_deref() {
            None | Some("production") => Stability::Production,
            Some("development") => Stability::Development,
            Some("prototype") => Stability::Prototype,
            Some(other) => {
                return Err(SchemaError::at(
                    child(&pointer, "stability"),
                    format!("unknown stability `{other}`"),
                ))
            }
        };
        // A definition with its own properties is a resource, even when it
        // also carries a `$ref` (pipeline-deployment, schema-notes §8.1):
        // the `$ref` at definition level is ignored then.
        let has_own = def.properties.as_ref().is_some_and(|p| !p.is_empty());
        let model = if has_own && def.pattern_properties.is_none() {
            let own = Node {
                reference: None,
                ..def.clone()
            };
            let path = self.named_struct(&own, &pointer, &module, pascal(key), Role::Model)?;
            Some(path)
        } else {
            None
        };
        let links = def.links.as_deref().unwrap_or_default();
        let mut operations = Vec::new();
        let names = self.operation_names(key, &pointer, links)?;
        for (i, (link, fn_name)) in links.iter().zip(names).enumerate() {
            let lp = child(&child(&pointer, "links"), &i.to_string());
            operations.push(self.operation(key, def, stability, link, &lp, fn_name)?);
        }
        Ok(Resource {
            key: key.to_string(),
            module,
            pascal: pascal(key),
            title: def.title.clone(),
            description: def.description.clone(),
            stability,
            model,
            link_count: links.len(),
            operations,
        })
    }

    /// Function names for a definition's links: the snake-cased title, made
    /// unique from the href where titles repeat or are missing.
    fn operation_names(
        &self,
        key: &str,
        pointer: &str,
        links: &[Link],
    ) -> Result<Vec<String>, SchemaError> {
        // The words a name is made from: the title, else the rel or method.
        let words: Vec<String> = links
            .iter()
            .map(|l| match l.title.as_deref() {
                Some(t) if !t.trim().is_empty() => t.to_string(),
                _ => fallback_words(l),
            })
            .collect();
        let base: Vec<String> = words.iter().map(|w| snake(w)).collect();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for n in &base {
            *counts.entry(n.as_str()).or_default() += 1;
        }
        let untitled = |l: &Link| l.title.as_deref().is_none_or(|t| t.trim().is_empty());
        let mut names: Vec<String> = base
            .iter()
            .zip(&words)
            .zip(links)
            .map(|((n, w), l)| {
                if counts[n.as_str()] > 1 || untitled(l) {
                    let scope = href_scope(key, l.href.as_deref().unwrap_or(""));
                    if scope.is_empty() {
                        n.clone()
                    } else {
                        snake(&format!("{w} {scope}"))
                    }
                } else {
                    n.clone()
                }
            })
            .collect();
        // Anything still colliding gets its method, then its position.
        let mut seen: HashMap<String, usize> = HashMap::new();
        for n in &names {
            *seen.entry(n.clone()).or_default() += 1;
        }
        for (i, (n, l)) in names.iter_mut().zip(links).enumerate() {
            if seen[n.as_str()] > 1 {
                let method = l.method.as_deref().unwrap_or("get").to_ascii_lowercase();
                *n = snake(&format!("{} {method} {i}", words[i]));
            }
        }
        let mut unique = BTreeSet::new();
        for (i, n) in names.iter().enumerate() {
            if !unique.insert(n.clone()) {
                return Err(SchemaError::at(
                    child(&child(pointer, "links"), &i.to_string()),
                    format!("cannot give this link a unique name (`{n}` is taken)"),
                ));
            }
        }
        Ok(names)
    }

    fn operation(
        &mut self,
        key: &str,
        def: &Node,
        stability: Stability,
        link: &Link,
        lp: &str,
        fn_name: String,
    ) -> Result<Operation, SchemaError> {
        let href = link
            .href
            .clone()
            .ok_or_else(|| SchemaError::at(lp, "link has no `href`"))?;
        let method = link
            .method
            .as_deref()
            .ok_or_else(|| SchemaError::at(lp, "link has no `method`"))?
            .to_ascii_uppercase();
        if !matches!(
            method.as_str(),
            "GET" | "POST" | "PATCH" | "PUT" | "DELETE" | "HEAD"
        ) {
            return Err(SchemaError::at(
                child(lp, "method"),
                format!("unsupported method `{method}`"),
            ));
        }
        let module = snake(key);
        let op_pascal = pascal(&fn_name);
        let res_pascal = pascal(key);
        let path = self.decode_href(&href, &child(lp, "href"))?;

        // Request.
        let body = match &link.schema {
            None => Body::None,
            Some(schema) => {
                let sp = child(lp, "schema");
                self.request_body(
                    schema,
                    &sp,
                    &module,
                    &format!("{res_pascal}{op_pascal}"),
                    &method,
                )?
            }
        };

        // Response.
        let tp = child(lp, "targetSchema");
        let rel = link.rel_str().map(str::to_string);
        let link_is_array = link
            .types
            .as_ref()
            .is_some_and(|t| t.as_slice().iter().any(|t| t == "array"));
        let response = match &link.target_schema {
            None => {
                // No targetSchema: the resource itself (a list for GET
                // instances), or nothing we can type.
                let item = self.resource_ty(key, def);
                if method == "GET" && rel.as_deref() == Some("instances") {
                    Response::Json(Ty::Array(Box::new(item)))
                } else if item == Ty::Any {
                    Response::Json(Ty::Any)
                } else {
                    Response::Json(item)
                }
            }
            Some(ts) => {
                let hint = format!("{res_pascal}{op_pascal}Response");
                let (eff, _, _) = self.deref(ts, &tp)?;
                if is_empty_object(&eff) {
                    Response::Empty
                } else if eff.items.is_some() || link_is_array || is_array(&eff) {
                    let item = match &eff.items {
                        Some(items) => {
                            self.resolve(
                                items,
                                &child(&tp, "items"),
                                &module,
                                &singular_hint(&hint),
                            )?
                            .0
                        }
                        None => Ty::Any,
                    };
                    Response::Json(Ty::Array(Box::new(item)))
                } else {
                    Response::Json(self.resolve(ts, &tp, &module, &hint)?.0)
                }
            }
        };
        let is_list = matches!(&response, Response::Json(Ty::Array(_)));
        let paginated = is_list && (method == "GET" || rel.as_deref() == Some("instances"));
        let deprecated = if let Some(date) = &link.deactivate_on {
            Some(format!("deactivated on {date}"))
        } else if link
            .title
            .as_deref()
            .is_some_and(|t| t.to_ascii_lowercase().contains("deprecated"))
        {
            Some("marked deprecated in the schema".to_string())
        } else {
            None
        };
        Ok(Operation {
            id: format!("{key}.{fn_name}"),
            resource: key.to_string(),
            type_name: format!("{res_pascal}{op_pascal}Request"),
            fn_name,
            title: link.title.clone(),
            description: link.description.clone(),
            method,
            href,
            path,
            body,
            response,
            paginated,
            ranges: link.ranges.clone().unwrap_or_default(),
            stability,
            deprecated,
            rel,
            pointer: lp.to_string(),
        })
    }

    /// The type of a definition used as a whole: its struct, or `Any`.
    fn resource_ty(&self, key: &str, def: &Node) -> Ty {
        match self.by_pointer.get(&def_pointer(key)) {
            Some(path) if def.pattern_properties.is_none() => Ty::Named(path.clone()),
            _ => Ty::Any,
        }
    }

    fn request_body(
        &mut self,
        schema: &Node,
        sp: &str,
        module: &str,
        stem: &str,
        method: &str,
    ) -> Result<Body, SchemaError> {
        let (eff, origin, _) = self.deref(schema, sp)?;
        if eff.pattern_properties.is_some() {
            let (ty, _) = self.resolve(schema, sp, module, &format!("{stem}Body"))?;
            return Ok(Body::Value(ty));
        }
        match &eff.properties {
            Some(props) if !props.is_empty() => {
                let fields = self.fields(&eff, &origin, module, stem, Role::Request)?;
                debug_assert_eq!(fields.len(), props.len());
                Ok(Body::Fields {
                    fields,
                    query: method == "GET",
                })
            }
            _ if is_array(&eff) => {
                let (ty, _) = self.resolve(schema, sp, module, &format!("{stem}Body"))?;
                Ok(Body::Value(ty))
            }
            _ => Ok(Body::EmptyObject),
        }
    }

    /// Decodes `/apps/{(%23%2Fdefinitions%2Fapp%2Fdefinitions%2Fidentity)}`.
    fn decode_href(&mut self, href: &str, hp: &str) -> Result<Vec<PathPart>, SchemaError> {
        let mut parts = Vec::new();
        let mut rest = href;
        let mut used: BTreeMap<String, usize> = BTreeMap::new();
        while let Some(start) = rest.find('{') {
            let literal = &rest[..start];
            if !literal.is_empty() {
                parts.push(PathPart::Literal(literal.to_string()));
            }
            let after = &rest[start..];
            let end = after
                .find('}')
                .ok_or_else(|| SchemaError::at(hp, format!("unclosed `{{` in href `{href}`")))?;
            let inner = &after[1..end];
            let encoded = inner
                .strip_prefix('(')
                .and_then(|s| s.strip_suffix(')'))
                .ok_or_else(|| {
                    SchemaError::at(
                        hp,
                        format!("href placeholder `{{{inner}}}` is not `{{(pointer)}}`"),
                    )
                })?;
            let reference = percent_decode(encoded).ok_or_else(|| {
                SchemaError::at(hp, format!("bad percent-encoding in `{encoded}`"))
            })?;
            let param = self.path_param(&reference, hp, &parts, &mut used)?;
            parts.push(PathPart::Param(param));
            rest = &after[end + 1..];
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_string()));
        }
        Ok(parts)
    }

    fn path_param(
        &mut self,
        reference: &str,
        hp: &str,
        before: &[PathPart],
        used: &mut BTreeMap<String, usize>,
    ) -> Result<PathParam, SchemaError> {
        // A reference that does not resolve (seen in third-party interagent
        // schemas) costs the parameter its type, not the link: it becomes a
        // string, with a warning naming the pointer.
        let found = match self.lookup(reference, hp) {
            Ok(found) => Some(found),
            Err(SchemaError::Invalid { pointer, message }) if reference.starts_with('#') => {
                self.warnings.push(format!(
                    "{pointer}: {message}; the parameter is generated as a string"
                ));
                None
            }
            Err(e) => return Err(e),
        };
        let target = match &found {
            Some((_, target)) => target.clone(),
            None => reference.trim_start_matches('#').to_string(),
        };
        let tokens: Vec<String> = target.split('/').skip(1).map(unescape_token).collect();
        let last = tokens.last().cloned().unwrap_or_default();
        let owner = if tokens.len() >= 3 {
            tokens[tokens.len() - 3].clone()
        } else {
            last.clone()
        };
        let mut name = snake(&format!("{owner}_{last}"));
        // The same pointer twice in one href (3.sdk identity-provider-certificate):
        // name the later one after the path segment before it.
        if used.contains_key(&name) {
            let segment = before
                .iter()
                .rev()
                .find_map(|p| match p {
                    PathPart::Literal(s) => {
                        s.trim_matches('/').rsplit('/').next().map(str::to_string)
                    }
                    PathPart::Param(_) => None,
                })
                .unwrap_or_default();
            name = snake(&format!("{}_{last}", singular(&segment)));
            if used.contains_key(&name) {
                name = format!("{name}_{}", used.len() + 1);
            }
        }
        used.insert(name.clone(), 1);
        let Some((node, _)) = found else {
            return Ok(PathParam {
                name,
                ty: ParamTy::String,
                pointer: reference.to_string(),
                description: None,
            });
        };
        let (eff, origin, _) = self.deref(node, &target)?;
        let description = eff.description.clone();
        let module = module_key(&origin)
            .or_else(|| module_key(&target))
            .map(|k| snake(&k))
            .unwrap_or_default();
        let ty = if eff.any_of.is_some() || last == "identity" {
            ParamTy::Identity(self.identity_type(node, &target, &module)?)
        } else if eff.enum_values.is_some() {
            match self
                .resolve(node, &target, &module, &pascal(&format!("{owner}_{last}")))?
                .0
            {
                Ty::Named(p) => ParamTy::Enum(p),
                _ => ParamTy::String,
            }
        } else if primary_type(&eff).as_deref() == Some("integer") {
            ParamTy::Integer
        } else {
            ParamTy::String
        };
        Ok(PathParam {
            name,
            ty,
            pointer: reference.to_string(),
            description,
        })
    }

    /// A named identity type for the node at `pointer` (an `anyOf` of scalar
    /// `$ref`s, or a scalar named `identity`).
    fn identity_type(
        &mut self,
        node: &Node,
        pointer: &str,
        module: &str,
    ) -> Result<TypePath, SchemaError> {
        if let Some(p) = self.by_pointer.get(pointer) {
            return Ok(p.clone());
        }
        let tokens: Vec<String> = pointer.split('/').skip(1).map(unescape_token).collect();
        let name = match tokens.as_slice() {
            [_, def, _, sub] => format!("{}{}", pascal(def), pascal(sub)),
            _ => format!(
                "{}Identity",
                pascal(tokens.last().map(String::as_str).unwrap_or("value"))
            ),
        };
        let (eff, _, _) = self.deref(node, pointer)?;
        let mut integer = false;
        let mut current = false;
        let mut branches = Vec::new();
        let list: Vec<(Node, String)> = match (&eff.any_of, &eff.one_of) {
            (Some(b), _) | (None, Some(b)) => {
                let mut out = Vec::new();
                for (i, branch) in b.iter().enumerate() {
                    let bp = child(&child(pointer, "anyOf"), &i.to_string());
                    let (e, _, _) = self.deref(branch, &bp)?;
                    out.push((e.into_owned(), bp));
                }
                out
            }
            _ => vec![(eff.clone().into_owned(), pointer.to_string())],
        };
        for (branch, _) in &list {
            if primary_type(branch).as_deref() == Some("integer") {
                integer = true;
            }
            if branch
                .enum_values
                .as_ref()
                .is_some_and(|v| v.iter().any(|v| v == "~"))
            {
                current = true;
            }
            if let Some(d) = &branch.description {
                branches.push(d.clone());
            }
        }
        let path = self.register(
            TypePath {
                module: module.to_string(),
                name,
            },
            pointer,
            eff.description.clone(),
            TypeKind::Identity {
                integer,
                current,
                branches,
            },
        )?;
        Ok(path)
    }

    /// Resolves a JSON pointer reference (`#/definitions/...`).
    fn lookup(&self, reference: &str, at: &str) -> Result<(&'a Node, String), SchemaError> {
        let pointer = reference.strip_prefix('#').ok_or_else(|| {
            SchemaError::at(at, format!("`$ref` `{reference}` is not a local reference"))
        })?;
        let mut node: &'a Node = self.doc;
        let mut tokens = pointer.split('/').skip(1).map(unescape_token);
        let fail = |why: &str| SchemaError::at(at, format!("`$ref` `{reference}` {why}"));
        while let Some(tok) = tokens.next() {
            node = match tok.as_str() {
                "definitions" | "properties" | "patternProperties" => {
                    let key = tokens.next().ok_or_else(|| fail("ends early"))?;
                    let map = match tok.as_str() {
                        "definitions" => &node.definitions,
                        "properties" => &node.properties,
                        _ => &node.pattern_properties,
                    };
                    map.as_ref().and_then(|m| m.get(&key)).ok_or_else(|| {
                        fail(&format!("does not resolve: no `{key}` under `{tok}`"))
                    })?
                }
                "items" => node
                    .items
                    .as_deref()
                    .ok_or_else(|| fail("does not resolve: no `items`"))?,
                "anyOf" | "oneOf" => {
                    let idx: usize = tokens
                        .next()
                        .and_then(|t| t.parse().ok())
                        .ok_or_else(|| fail("has a bad array index"))?;
                    let list = if tok == "anyOf" {
                        &node.any_of
                    } else {
                        &node.one_of
                    };
                    list.as_ref()
                        .and_then(|l| l.get(idx))
                        .ok_or_else(|| fail("does not resolve: index out of range"))?
                }
                other => return Err(fail(&format!("uses unsupported segment `{other}`"))),
            };
        }
        Ok((node, pointer.to_string()))
    }

    /// Follows `$ref`s, overlaying sibling keywords on the target (they are
    /// overrides in Heroku's schemas, schema-notes §8.2). Returns the
    /// effective node, the pointer the shape comes from, and whether the
    /// siblings changed the shape (then the node is a type of its own).
    fn deref<'n>(
        &self,
        node: &'n Node,
        at: &str,
    ) -> Result<(Cow<'n, Node>, String, bool), SchemaError>
    where
        'a: 'n,
    {
        let mut current: Cow<'n, Node> = Cow::Borrowed(node);
        let mut origin = at.to_string();
        let mut reshaped = false;
        let mut hops = 0;
        while let Some(reference) = current.reference.clone() {
            hops += 1;
            if hops > 32 {
                return Err(SchemaError::at(at, "`$ref` chain is too long (a cycle?)"));
            }
            let (target, target_ptr) = self.lookup(&reference, &origin)?;
            let siblings = current.into_owned();
            if siblings.properties.is_some()
                || siblings.items.is_some()
                || siblings.any_of.is_some()
                || siblings.enum_values.is_some()
                || siblings.pattern_properties.is_some()
            {
                reshaped = true;
            }
            let mut merged = target.clone();
            overlay_siblings(&mut merged, siblings);
            if !reshaped {
                origin = target_ptr;
            }
            current = Cow::Owned(merged);
        }
        Ok((current, origin, reshaped))
    }

    /// The Rust type of a schema node, and whether it may be null.
    fn resolve(
        &mut self,
        node: &Node,
        at: &str,
        module: &str,
        hint: &str,
    ) -> Result<(Ty, bool), SchemaError> {
        let (eff, origin, _) = self.deref(node, at)?;
        let nullable = is_nullable(&eff);
        // A node reached through `$ref` is named after its definition.
        let from_def;
        let hint = if origin != at {
            from_def = self.type_name_for(&origin, hint);
            from_def.as_str()
        } else {
            hint
        };
        // anyOf / oneOf.
        if let Some(branches) = eff.any_of.as_ref().or(eff.one_of.as_ref()) {
            let key = if eff.any_of.is_some() {
                "anyOf"
            } else {
                "oneOf"
            };
            let mut tys = Vec::new();
            for (i, b) in branches.iter().enumerate() {
                let bp = child(&child(&origin, key), &i.to_string());
                tys.push(self.resolve(b, &bp, module, hint)?.0);
            }
            // An object branch wins (schema-notes §8.4): the full resource is
            // a superset of the inline object.
            if let Some(t) = tys.iter().find(|t| self.is_struct(t)) {
                return Ok((t.clone(), nullable));
            }
            let is_def_identity =
                origin.split('/').count() == 5 && origin.starts_with("/definitions/");
            if is_def_identity && tys.iter().all(is_scalar) {
                let m = module_key(&origin)
                    .map(|k| snake(&k))
                    .unwrap_or_else(|| module.to_string());
                let path = self.identity_type(node, &origin, &m)?;
                return Ok((Ty::Named(path), nullable));
            }
            let first = tys.first().cloned().unwrap_or(Ty::Any);
            let ty = if tys.iter().all(|t| *t == first) {
                first
            } else {
                Ty::Any
            };
            return Ok((ty, nullable));
        }
        let kind = primary_type(&eff);
        let ty = match kind.as_deref() {
            Some("object") => {
                if let Some(pp) = &eff.pattern_properties {
                    match pp.iter().next() {
                        Some((pat, value)) => {
                            let vp = child(&child(&origin, "patternProperties"), pat);
                            let (vt, vn) =
                                self.resolve(value, &vp, module, &format!("{hint}Value"))?;
                            Ty::Map(Box::new(if vn { Ty::Option(Box::new(vt)) } else { vt }))
                        }
                        None => Ty::Map(Box::new(Ty::Any)),
                    }
                } else if eff.properties.as_ref().is_some_and(|p| !p.is_empty()) {
                    let m = module_key(&origin)
                        .map(|k| snake(&k))
                        .unwrap_or_else(|| module.to_string());
                    let name = self.type_name_for(&origin, hint);
                    Ty::Named(self.named_struct(&eff, &origin, &m, name, Role::Model)?)
                } else if let Some(Additional::Schema(values)) = &eff.additional_properties {
                    let vp = child(&origin, "additionalProperties");
                    let (vt, vn) = self.resolve(values, &vp, module, &format!("{hint}Value"))?;
                    Ty::Map(Box::new(if vn { Ty::Option(Box::new(vt)) } else { vt }))
                } else {
                    Ty::Any
                }
            }
            Some("array") => match &eff.items {
                Some(items) => {
                    let ip = child(&origin, "items");
                    let (it, inull) = self.resolve(items, &ip, module, &singular_hint(hint))?;
                    Ty::Array(Box::new(if inull { Ty::Option(Box::new(it)) } else { it }))
                }
                None => Ty::Array(Box::new(Ty::Any)),
            },
            Some("string") => {
                if eff
                    .enum_values
                    .as_ref()
                    .is_some_and(|v| v.iter().any(|v| v.is_string()))
                {
                    let m = module_key(&origin)
                        .map(|k| snake(&k))
                        .unwrap_or_else(|| module.to_string());
                    let name = self.type_name_for(&origin, hint);
                    Ty::Named(self.named_enum(&eff, &origin, &m, name)?)
                } else {
                    match eff.format.as_deref() {
                        Some("date-time") => Ty::DateTime,
                        Some("date") => Ty::Date,
                        _ => Ty::String,
                    }
                }
            }
            Some("integer") => Ty::Integer,
            Some("number") => Ty::Number,
            Some("boolean") => Ty::Boolean,
            Some("null") | None => Ty::Any,
            Some(other) => {
                return Err(SchemaError::at(
                    child(&origin, "type"),
                    format!("unknown type `{other}`"),
                ))
            }
        };
        Ok((ty, nullable))
    }

    fn is_struct(&self, t: &Ty) -> bool {
        match t {
            Ty::Named(p) => matches!(
                self.types.get(p).map(|d| &d.kind),
                Some(TypeKind::Struct { .. })
            ),
            _ => false,
        }
    }

    /// A type name derived from where the type is defined: a whole definition
    /// is `Pascal(key)`, a sub-definition `Pascal(key) + Pascal(sub)`, and an
    /// inline schema takes the name its context suggests.
    fn type_name_for(&self, origin: &str, hint: &str) -> String {
        let tokens: Vec<String> = origin.split('/').skip(1).map(unescape_token).collect();
        match tokens.as_slice() {
            [d, key] if d == "definitions" => pascal(key),
            [d, key, d2, sub] if d == "definitions" && d2 == "definitions" => {
                sub_def_name(key, sub)
            }
            _ => match self.reserved.get(hint) {
                Some(owner) if owner != origin => format!("{hint}Object"),
                _ => hint.to_string(),
            },
        }
    }

    fn named_struct(
        &mut self,
        node: &Node,
        pointer: &str,
        module: &str,
        name: String,
        role: Role,
    ) -> Result<TypePath, SchemaError> {
        if let Some(p) = self.by_pointer.get(pointer) {
            return Ok(p.clone());
        }
        let path = self.register(
            TypePath {
                module: module.to_string(),
                name: name.clone(),
            },
            pointer,
            node.description.clone(),
            TypeKind::Struct { fields: Vec::new() },
        )?;
        let fields = self.fields(node, pointer, module, &path.name, role)?;
        if let Some(def) = self.types.get_mut(&path) {
            def.kind = TypeKind::Struct { fields };
        }
        Ok(path)
    }

    fn named_enum(
        &mut self,
        node: &Node,
        pointer: &str,
        module: &str,
        name: String,
    ) -> Result<TypePath, SchemaError> {
        if let Some(p) = self.by_pointer.get(pointer) {
            return Ok(p.clone());
        }
        let mut values = Vec::new();
        let mut variants = BTreeSet::new();
        for v in node.enum_values.iter().flatten() {
            let Some(s) = v.as_str() else { continue };
            let mut variant = pascal(s);
            if variant == "Other" {
                variant = "OtherValue".to_string();
            }
            while !variants.insert(variant.clone()) {
                variant.push('_');
            }
            values.push(EnumValue {
                json: s.to_string(),
                variant,
            });
        }
        self.register(
            TypePath {
                module: module.to_string(),
                name,
            },
            pointer,
            node.description.clone(),
            TypeKind::Enum { values },
        )
    }

    /// Adds a named type. A name already taken by another pointer gets the
    /// next free numbered name and a warning: names must stay unique.
    fn register(
        &mut self,
        mut path: TypePath,
        pointer: &str,
        description: Option<String>,
        kind: TypeKind,
    ) -> Result<TypePath, SchemaError> {
        if self.types.contains_key(&path) {
            let base = path.name.clone();
            let mut n = 2;
            while self.types.contains_key(&path) {
                path.name = format!("{base}{n}");
                n += 1;
            }
            self.warnings.push(format!(
                "{pointer}: type name `{base}` is taken; using `{}`",
                path.name
            ));
        }
        self.by_pointer.insert(pointer.to_string(), path.clone());
        self.types.insert(
            path.clone(),
            TypeDef {
                path: path.clone(),
                pointer: pointer.to_string(),
                description,
                kind,
            },
        );
        Ok(path)
    }

    fn fields(
        &mut self,
        node: &Node,
        pointer: &str,
        module: &str,
        owner: &str,
        role: Role,
    ) -> Result<Vec<Field>, SchemaError> {
        let Some(props) = &node.properties else {
            return Ok(Vec::new());
        };
        let strict = role == Role::Model && node.strict_properties == Some(true);
        let required: BTreeSet<&str> = node.required.iter().flatten().map(String::as_str).collect();
        let mut out = Vec::new();
        let mut names = BTreeSet::new();
        for (key, prop) in props {
            let fp = child(&child(pointer, "properties"), key);
            let (ty, nullable) =
                self.resolve(prop, &fp, module, &format!("{owner}{}", pascal(key)))?;
            let (eff, _, _) = self.deref(prop, &fp)?;
            let mut rust_name = snake(key);
            while !names.insert(rust_name.clone()) {
                rust_name.push('_');
            }
            let is_required =
                (strict || required.contains(key.as_str())) && prop.optional != Some(true);
            out.push(Field {
                json_name: key.clone(),
                rust_name,
                ty,
                required: is_required,
                nullable,
                description: eff.description.clone(),
                deprecated: eff.deprecated == Some(true),
                example: eff.example.clone(),
                secret: is_secret_name(key)
                    || eff.other.get(SECRET_KEYWORD) == Some(&Value::Bool(true)),
                refers_to: self.identity_key_of(prop),
            });
        }
        Ok(out)
    }
}

impl Builder<'_> {
    /// The definition whose identity `prop` is one key of: a `$ref` to
    /// `#/definitions/<key>/definitions/<sub>`, where `<sub>` is a branch
    /// of that definition's `identity` (or the identity itself).
    fn identity_key_of(&self, prop: &Node) -> Option<String> {
        let reference = prop.reference.as_deref()?;
        let tokens: Vec<String> = reference
            .strip_prefix("#/")?
            .split('/')
            .map(unescape_token)
            .collect();
        let [definitions, key, sub_definitions, sub] = tokens.as_slice() else {
            return None;
        };
        if definitions != "definitions" || sub_definitions != "definitions" {
            return None;
        }
        let def = self.doc.definitions.as_ref()?.get(key)?;
        let identity = def.definitions.as_ref()?.get("identity")?;
        let branches = identity.any_of.as_ref().or(identity.one_of.as_ref());
        let names_it = sub == "identity"
            || identity.reference.as_deref() == Some(reference)
            || branches
                .is_some_and(|b| b.iter().any(|n| n.reference.as_deref() == Some(reference)));
        names_it.then(|| key.clone())
    }
}

/// The keyword an overlay sets on a property (or on the definition it
/// refers to) that holds a secret the name rules do not catch.
pub const SECRET_KEYWORD: &str = "x-secret";

/// Whether a property's name says it holds a credential or a URL that
/// grants access (presigned uploads and downloads, log, build and dyno
/// streams). By name, so that it holds for properties a new schema adds;
/// overlays mark the rest ([`SECRET_KEYWORD`]).
pub fn is_secret_name(json_name: &str) -> bool {
    let n = json_name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "token"
            | "secret"
            | "authorization"
            | "private_key"
            | "pre_shared_key"
            | "put_url"
            | "get_url"
            | "logplex_url"
            | "attach_url"
            | "log_input_url"
            | "log_drain_url"
    ) || n.contains("password")
        || ["_token", "_secret", "_stream_url", "_private_key"]
            .iter()
            .any(|suffix| n.ends_with(suffix))
}

/// Overlays the keywords set beside a `$ref` on its target. `definitions`,
/// `links`, `identity` and unknown keywords of the referring node are not
/// carried over: they describe the node, not its type.
fn overlay_siblings(target: &mut Node, siblings: Node) {
    macro_rules! take {
        ($($f:ident),*) => { $( if siblings.$f.is_some() { target.$f = siblings.$f; } )* };
    }
    take!(
        types,
        title,
        description,
        stability,
        example,
        default,
        format,
        pattern,
        enum_values,
        properties,
        pattern_properties,
        additional_properties,
        items,
        required,
        strict_properties,
        any_of,
        one_of,
        read_only,
        deprecated,
        optional
    );
}

/// `app` + `stack` → `AppStack`; `app-webhook` + `app_webhook` → `AppWebhook`.
fn sub_def_name(key: &str, sub: &str) -> String {
    let (k, s) = (pascal(key), pascal(sub));
    if s.starts_with(&k) {
        s
    } else {
        format!("{k}{s}")
    }
}

fn types_of(node: &Node) -> Vec<&str> {
    node.types
        .as_ref()
        .map(|t| t.as_slice().iter().map(String::as_str).collect())
        .unwrap_or_default()
}

fn is_nullable(node: &Node) -> bool {
    types_of(node).contains(&"null")
        || node
            .enum_values
            .as_ref()
            .is_some_and(|v| v.iter().any(Value::is_null))
}

/// The one non-null type of a node, inferred from its keywords if `type` is
/// missing.
fn primary_type(node: &Node) -> Option<String> {
    if let Some(t) = types_of(node).into_iter().find(|t| *t != "null") {
        return Some(t.to_string());
    }
    if node.properties.is_some() || node.pattern_properties.is_some() {
        Some("object".into())
    } else if node.items.is_some() {
        Some("array".into())
    } else if node.enum_values.is_some() {
        Some("string".into())
    } else if types_of(node).contains(&"null") {
        Some("null".into())
    } else {
        None
    }
}

fn is_array(node: &Node) -> bool {
    primary_type(node).as_deref() == Some("array")
}

/// `{type: [object], additionalProperties: false}` with nothing else: the
/// response carries no information (dyno actions).
fn is_empty_object(node: &Node) -> bool {
    primary_type(node).as_deref() == Some("object")
        && node.properties.as_ref().is_none_or(|p| p.is_empty())
        && node.pattern_properties.is_none()
        && node.any_of.is_none()
        && matches!(node.additional_properties, Some(Additional::Allowed(false)))
}

fn is_scalar(t: &Ty) -> bool {
    matches!(
        t,
        Ty::String | Ty::Integer | Ty::Number | Ty::Boolean | Ty::Named(_)
    )
}

fn singular_hint(hint: &str) -> String {
    let s = singular(hint);
    if s == hint {
        format!("{hint}Item")
    } else {
        s
    }
}

/// Words for an untitled link: its rel, or its method.
fn fallback_words(link: &Link) -> String {
    match link.rel_str() {
        Some(rel) if !rel.is_empty() => rel.to_string(),
        _ => link.method.clone().unwrap_or_else(|| "call".into()),
    }
}

/// The literal segments of an href that say what a link is scoped to:
/// `/teams/{}/apps/{}/usage` for `usage` → `team_app`.
fn href_scope(key: &str, href: &str) -> String {
    let own = snake(key);
    let segments: Vec<String> = href
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .map(|s| snake(&singular(s)))
        .filter(|s| *s != own && singular(s) != singular(&own))
        .collect();
    segments.join(" ")
}

/// Decodes the `%XX` escapes in an href placeholder.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
