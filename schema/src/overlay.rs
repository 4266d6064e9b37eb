//! Project-owned patches for known defects in Heroku's published schemas.
//!
//! An overlay is a JSON file with a `reason` and a `patch`: a list of RFC 6902
//! operations (`test`, `add`, `remove`, `replace`). Each file is applied
//! atomically: if any operation does not fit the schema (a `test` fails, a
//! path is missing), nothing of that file is applied and the report says why.
//! An overlay that no longer applies is therefore always reported, never
//! silently skipped.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{unescape_token, SchemaError};

/// One overlay file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// File stem, e.g. `0001-dyno-size-identity`. Filled in when loaded.
    #[serde(skip)]
    pub name: String,
    /// Why the upstream schema is wrong, for reviewers.
    pub reason: String,
    pub patch: Vec<PatchOp>,
}

/// One RFC 6902 operation. `path` is a JSON pointer into the schema.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase", deny_unknown_fields)]
pub enum PatchOp {
    Test { path: String, value: Value },
    Add { path: String, value: Value },
    Remove { path: String },
    Replace { path: String, value: Value },
}

impl PatchOp {
    fn path(&self) -> &str {
        match self {
            PatchOp::Test { path, .. }
            | PatchOp::Add { path, .. }
            | PatchOp::Remove { path }
            | PatchOp::Replace { path, .. } => path,
        }
    }
}

/// What happened to one overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// The overlay does not fit this schema; the string says which operation
    /// failed and why.
    NotApplicable(String),
}

/// The result of applying a set of overlays to one schema.
#[derive(Debug, Clone, Default)]
pub struct OverlayReport {
    pub outcomes: Vec<(String, Outcome)>,
}

impl OverlayReport {
    /// Overlays that did not apply, with the reason.
    pub fn not_applied(&self) -> impl Iterator<Item = (&str, &str)> {
        self.outcomes.iter().filter_map(|(name, o)| match o {
            Outcome::NotApplicable(why) => Some((name.as_str(), why.as_str())),
            Outcome::Applied => None,
        })
    }

    pub fn applied_count(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|(_, o)| *o == Outcome::Applied)
            .count()
    }
}

/// Loads every `*.json` file in `dir`, sorted by file name.
pub fn load_dir(dir: &Path) -> Result<Vec<Overlay>, SchemaError> {
    let io = |source| SchemaError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load_file(p)).collect()
}

/// Loads one overlay file.
pub fn load_file(path: &Path) -> Result<Overlay, SchemaError> {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(path).map_err(|source| SchemaError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut overlay: Overlay = serde_json::from_str(&text).map_err(|e| SchemaError::Overlay {
        name: name.clone(),
        message: e.to_string(),
    })?;
    overlay.name = name;
    Ok(overlay)
}

/// Applies `overlays` in order. Each overlay is all-or-nothing.
pub fn apply(doc: &mut Value, overlays: &[Overlay]) -> OverlayReport {
    let mut report = OverlayReport::default();
    for overlay in overlays {
        let mut candidate = doc.clone();
        let mut outcome = Outcome::Applied;
        for (i, op) in overlay.patch.iter().enumerate() {
            if let Err(why) = apply_op(&mut candidate, op) {
                outcome = Outcome::NotApplicable(format!("operation {i} at {}: {why}", op.path()));
                break;
            }
        }
        if outcome == Outcome::Applied {
            *doc = candidate;
        }
        report.outcomes.push((overlay.name.clone(), outcome));
    }
    report
}

fn apply_op(doc: &mut Value, op: &PatchOp) -> Result<(), String> {
    match op {
        PatchOp::Test { path, value } => {
            let found = doc.pointer(path).ok_or("path not found")?;
            if found != value {
                return Err(format!("expected {value}, found {found}"));
            }
        }
        PatchOp::Replace { path, value } => {
            let slot = doc.pointer_mut(path).ok_or("path not found")?;
            *slot = value.clone();
        }
        PatchOp::Remove { path } => {
            let (parent, key) = split_parent(path)?;
            match doc.pointer_mut(parent).ok_or("parent not found")? {
                Value::Object(map) => {
                    map.remove(&key).ok_or("member not found")?;
                }
                Value::Array(items) => {
                    let i: usize = key.parse().map_err(|_| "not an array index")?;
                    if i >= items.len() {
                        return Err("index out of range".into());
                    }
                    items.remove(i);
                }
                _ => return Err("parent is not a container".into()),
            }
        }
        PatchOp::Add { path, value } => {
            let (parent, key) = split_parent(path)?;
            match doc.pointer_mut(parent).ok_or("parent not found")? {
                Value::Object(map) => {
                    if map.contains_key(&key) {
                        return Err("member already exists (use replace)".into());
                    }
                    map.insert(key, value.clone());
                }
                Value::Array(items) if key == "-" => items.push(value.clone()),
                Value::Array(items) => {
                    let i: usize = key.parse().map_err(|_| "not an array index")?;
                    if i > items.len() {
                        return Err("index out of range".into());
                    }
                    items.insert(i, value.clone());
                }
                _ => return Err("parent is not a container".into()),
            }
        }
    }
    Ok(())
}

fn split_parent(path: &str) -> Result<(&str, String), String> {
    let idx = path.rfind('/').ok_or("not a JSON pointer")?;
    Ok((&path[..idx], unescape_token(&path[idx + 1..])))
}
