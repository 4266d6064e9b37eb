//! What changed between two schemas, for the users of the generated crate.
//!
//! Both schemas go through the same model the generator uses, so the diff
//! speaks in generated names (operation ids, type and field names) and can
//! classify each change as breaking or not for the generated Rust API:
//!
//! - adding a resource, an operation, an optional request field, a response
//!   field or an enum value is not breaking (models and enums are
//!   `#[non_exhaustive]`, optional request fields are setters);
//! - removing or renaming any of them, adding a required request field (a
//!   new argument), or changing a field's type or requiredness is breaking.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::model::{Api, Body, Field, Operation, Ty, TypeKind};

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The definition key the change is in (`app`), for grouping.
    pub resource: String,
    pub kind: ChangeKind,
    /// What changed, in words and generated names.
    pub detail: String,
    pub breaking: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    ResourceAdded,
    ResourceRemoved,
    OperationAdded,
    OperationRemoved,
    OperationRenamed,
    OperationChanged,
    RequestFieldAdded,
    RequestFieldRemoved,
    RequestFieldChanged,
    ResponseFieldAdded,
    ResponseFieldRemoved,
    ResponseFieldChanged,
    EnumValueAdded,
    EnumValueRemoved,
    StabilityChanged,
    Deprecated,
}

/// The whole diff.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SchemaDiff {
    pub changes: Vec<Change>,
}

impl SchemaDiff {
    pub fn breaking(&self) -> usize {
        self.changes.iter().filter(|c| c.breaking).count()
    }

    pub fn of_kind(&self, kind: ChangeKind) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.kind == kind)
    }

    /// Markdown for a CHANGELOG entry: a summary, then changes by resource,
    /// breaking ones marked.
    pub fn markdown(&self, title: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "## {title}\n");
        if self.changes.is_empty() {
            out.push_str("No changes to the generated API.\n");
            return out;
        }
        let mut counts: BTreeMap<ChangeKind, usize> = BTreeMap::new();
        for c in &self.changes {
            *counts.entry(c.kind).or_default() += 1;
        }
        let _ = writeln!(
            out,
            "{} changes, {} breaking for the generated Rust API.\n",
            self.changes.len(),
            self.breaking()
        );
        for (kind, n) in &counts {
            let _ = writeln!(out, "- {}: {n}", kind_label(*kind));
        }
        out.push('\n');
        let mut by_resource: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
        for c in &self.changes {
            by_resource.entry(&c.resource).or_default().push(c);
        }
        for (resource, changes) in by_resource {
            let _ = writeln!(out, "### `{resource}`\n");
            for c in changes {
                let mark = if c.breaking { "**breaking**: " } else { "" };
                let _ = writeln!(out, "- {mark}{}", c.detail);
            }
            out.push('\n');
        }
        out
    }
}

fn kind_label(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::ResourceAdded => "resources added",
        ChangeKind::ResourceRemoved => "resources removed",
        ChangeKind::OperationAdded => "operations added",
        ChangeKind::OperationRemoved => "operations removed",
        ChangeKind::OperationRenamed => "operations renamed",
        ChangeKind::OperationChanged => "operations changed",
        ChangeKind::RequestFieldAdded => "request fields added",
        ChangeKind::RequestFieldRemoved => "request fields removed",
        ChangeKind::RequestFieldChanged => "request fields changed",
        ChangeKind::ResponseFieldAdded => "response fields added",
        ChangeKind::ResponseFieldRemoved => "response fields removed",
        ChangeKind::ResponseFieldChanged => "response fields changed",
        ChangeKind::EnumValueAdded => "enum values added",
        ChangeKind::EnumValueRemoved => "enum values removed",
        ChangeKind::StabilityChanged => "stability changes",
        ChangeKind::Deprecated => "deprecations",
    }
}

/// A readable form of a model type.
pub fn ty_name(t: &Ty) -> String {
    match t {
        Ty::String => "String".into(),
        Ty::Integer => "i64".into(),
        Ty::Number => "f64".into(),
        Ty::Boolean => "bool".into(),
        Ty::DateTime => "DateTime".into(),
        Ty::Date => "NaiveDate".into(),
        Ty::Any => "Value".into(),
        Ty::Array(i) => format!("Vec<{}>", ty_name(i)),
        Ty::Map(i) => format!("Map<{}>", ty_name(i)),
        Ty::Option(i) => format!("Option<{}>", ty_name(i)),
        Ty::Named(p) => p.name.clone(),
    }
}

/// Route key: what identifies a link on the wire.
fn route(op: &Operation) -> (String, String) {
    (op.method.clone(), op.template())
}

/// Compares `old` and `new`.
pub fn diff(old: &Api, new: &Api) -> SchemaDiff {
    let mut changes = Vec::new();
    let mut push = |resource: &str, kind, breaking, detail: String| {
        changes.push(Change {
            resource: resource.to_string(),
            kind,
            detail,
            breaking,
        })
    };

    // Resources.
    let old_res: BTreeMap<&str, _> = old.resources.iter().map(|r| (r.key.as_str(), r)).collect();
    let new_res: BTreeMap<&str, _> = new.resources.iter().map(|r| (r.key.as_str(), r)).collect();
    for (key, r) in &new_res {
        match old_res.get(key) {
            None => push(
                key,
                ChangeKind::ResourceAdded,
                false,
                format!(
                    "new resource `{key}` (module `{}`, {} operations, {})",
                    r.module,
                    r.operations.len(),
                    r.stability.as_str()
                ),
            ),
            Some(o) if o.stability != r.stability => push(
                key,
                ChangeKind::StabilityChanged,
                false,
                format!(
                    "stability {} → {}",
                    o.stability.as_str(),
                    r.stability.as_str()
                ),
            ),
            _ => {}
        }
    }
    for (key, r) in &old_res {
        if !new_res.contains_key(key) {
            push(
                key,
                ChangeKind::ResourceRemoved,
                true,
                format!("resource `{key}` removed (module `{}`)", r.module),
            );
        }
    }

    // Operations: matched by id; an id that disappears while another id
    // takes over its method and path is a rename.
    let old_ops: BTreeMap<&str, &Operation> =
        old.operations().map(|o| (o.id.as_str(), o)).collect();
    let new_ops: BTreeMap<&str, &Operation> =
        new.operations().map(|o| (o.id.as_str(), o)).collect();
    let mut renamed_from: BTreeSet<&str> = BTreeSet::new();
    let mut renamed_to: BTreeSet<&str> = BTreeSet::new();
    for (id, op) in &old_ops {
        if new_ops.contains_key(id) {
            continue;
        }
        let candidates: Vec<&&Operation> = new_ops
            .values()
            .filter(|n| {
                !old_ops.contains_key(n.id.as_str())
                    && route(n) == route(op)
                    && n.resource == op.resource
            })
            .collect();
        if let [n] = candidates.as_slice() {
            renamed_from.insert(id);
            renamed_to.insert(n.id.as_str());
            push(
                &op.resource,
                ChangeKind::OperationRenamed,
                true,
                format!(
                    "`{id}` renamed to `{}` (`{} {}`; title {:?} → {:?})",
                    n.id,
                    n.method,
                    n.template(),
                    op.title.clone().unwrap_or_default(),
                    n.title.clone().unwrap_or_default()
                ),
            );
        }
    }
    for (id, op) in &new_ops {
        if !old_ops.contains_key(id)
            && !renamed_to.contains(id)
            && old_res.contains_key(op.resource.as_str())
        {
            push(
                &op.resource,
                ChangeKind::OperationAdded,
                false,
                format!("new operation `{id}`: `{} {}`", op.method, op.template()),
            );
        }
    }
    for (id, op) in &old_ops {
        if !new_ops.contains_key(id)
            && !renamed_from.contains(id)
            && new_res.contains_key(op.resource.as_str())
        {
            push(
                &op.resource,
                ChangeKind::OperationRemoved,
                true,
                format!(
                    "operation `{id}` removed (`{} {}`)",
                    op.method,
                    op.template()
                ),
            );
        }
    }
    for (id, n) in &new_ops {
        let Some(o) = old_ops.get(id) else { continue };
        if route(o) != route(n) {
            push(
                &n.resource,
                ChangeKind::OperationChanged,
                o.params().count() != n.params().count(),
                format!(
                    "`{id}` moved: `{} {}` → `{} {}`",
                    o.method,
                    o.template(),
                    n.method,
                    n.template()
                ),
            );
        }
        if o.response_ty() != n.response_ty() {
            push(
                &n.resource,
                ChangeKind::OperationChanged,
                true,
                format!(
                    "`{id}` now returns `{}` (was `{}`)",
                    n.response_ty(),
                    o.response_ty()
                ),
            );
        }
        if o.deprecated.is_none() {
            if let Some(why) = &n.deprecated {
                push(
                    &n.resource,
                    ChangeKind::Deprecated,
                    false,
                    format!("`{id}` deprecated ({why})"),
                );
            }
        }
        request_fields(&mut push, id, &n.resource, &o.body, &n.body);
    }

    // Types: fields of structs, values of enums, by type path.
    for (path, n) in &new.types {
        let Some(o) = old.types.get(path) else {
            continue;
        };
        let resource = new
            .resources
            .iter()
            .find(|r| r.module == path.module)
            .map(|r| r.key.clone())
            .unwrap_or_else(|| path.module.clone());
        match (&o.kind, &n.kind) {
            (TypeKind::Struct { fields: of }, TypeKind::Struct { fields: nf }) => {
                response_fields(&mut push, &resource, &path.name, of, nf);
            }
            (TypeKind::Enum { values: ov }, TypeKind::Enum { values: nv }) => {
                let ov: BTreeSet<&str> = ov.iter().map(|v| v.json.as_str()).collect();
                let nv: BTreeSet<&str> = nv.iter().map(|v| v.json.as_str()).collect();
                for v in nv.difference(&ov) {
                    push(
                        &resource,
                        ChangeKind::EnumValueAdded,
                        false,
                        format!("`{}` gains value `{v}`", path.name),
                    );
                }
                for v in ov.difference(&nv) {
                    push(
                        &resource,
                        ChangeKind::EnumValueRemoved,
                        true,
                        format!("`{}` loses value `{v}`", path.name),
                    );
                }
            }
            _ => {}
        }
    }
    SchemaDiff { changes }
}

fn request_fields(
    push: &mut impl FnMut(&str, ChangeKind, bool, String),
    id: &str,
    resource: &str,
    old: &Body,
    new: &Body,
) {
    let fields = |b: &Body| -> BTreeMap<String, Field> {
        match b {
            Body::Fields { fields, .. } => fields
                .iter()
                .map(|f| (f.json_name.clone(), f.clone()))
                .collect(),
            _ => BTreeMap::new(),
        }
    };
    let (of, nf) = (fields(old), fields(new));
    for (name, f) in &nf {
        match of.get(name) {
            None => push(
                resource,
                ChangeKind::RequestFieldAdded,
                f.required,
                format!(
                    "`{id}` takes {} `{name}` ({})",
                    if f.required {
                        "a new required argument"
                    } else {
                        "an optional"
                    },
                    ty_name(&f.ty)
                ),
            ),
            Some(o) => {
                if o.required != f.required {
                    push(
                        resource,
                        ChangeKind::RequestFieldChanged,
                        true,
                        format!(
                            "`{id}`: `{name}` is now {}",
                            if f.required {
                                "required (an argument)"
                            } else {
                                "optional (a setter)"
                            }
                        ),
                    );
                }
                if o.ty != f.ty || o.nullable != f.nullable {
                    push(
                        resource,
                        ChangeKind::RequestFieldChanged,
                        true,
                        format!("`{id}`: `{name}` type {} → {}", field_ty(o), field_ty(f)),
                    );
                }
            }
        }
    }
    for name in of.keys() {
        if !nf.contains_key(name) {
            push(
                resource,
                ChangeKind::RequestFieldRemoved,
                true,
                format!("`{id}` no longer takes `{name}`"),
            );
        }
    }
}

fn field_ty(f: &Field) -> String {
    if f.nullable {
        format!("nullable {}", ty_name(&f.ty))
    } else {
        ty_name(&f.ty)
    }
}

/// The type of a generated model field: `T` when always present and never
/// null, else `Option<T>`.
fn model_field_ty(f: &Field) -> String {
    if f.required && !f.nullable {
        ty_name(&f.ty)
    } else {
        format!("Option<{}>", ty_name(&f.ty))
    }
}

fn response_fields(
    push: &mut impl FnMut(&str, ChangeKind, bool, String),
    resource: &str,
    ty: &str,
    of: &[Field],
    nf: &[Field],
) {
    let ofm: BTreeMap<&str, &Field> = of.iter().map(|f| (f.json_name.as_str(), f)).collect();
    let nfm: BTreeMap<&str, &Field> = nf.iter().map(|f| (f.json_name.as_str(), f)).collect();
    for (name, f) in &nfm {
        match ofm.get(name) {
            None => push(
                resource,
                ChangeKind::ResponseFieldAdded,
                false,
                format!("`{ty}.{}` added ({})", f.rust_name, model_field_ty(f)),
            ),
            Some(o) => {
                // What users see is the generated field type.
                if model_field_ty(o) != model_field_ty(f) {
                    push(
                        resource,
                        ChangeKind::ResponseFieldChanged,
                        true,
                        format!(
                            "`{ty}.{}` type {} → {}",
                            f.rust_name,
                            model_field_ty(o),
                            model_field_ty(f)
                        ),
                    );
                }
                if !o.deprecated && f.deprecated {
                    push(
                        resource,
                        ChangeKind::Deprecated,
                        false,
                        format!("`{ty}.{}` deprecated", f.rust_name),
                    );
                }
            }
        }
    }
    for (name, f) in &ofm {
        if !nfm.contains_key(name) {
            push(
                resource,
                ChangeKind::ResponseFieldRemoved,
                true,
                format!("`{ty}.{}` removed", f.rust_name),
            );
        }
    }
}

impl Operation {
    /// The response type, readable.
    pub fn response_ty(&self) -> String {
        match &self.response {
            crate::model::Response::Empty => "()".into(),
            crate::model::Response::Json(t) => ty_name(t),
        }
    }
}
