//! A serde model of the hyper-schema exactly as Heroku writes it.
//!
//! Nothing is interpreted here: `$ref`s are kept as strings, `type` keeps its
//! list form, and the non-standard keywords (`identity`, `deprecated`,
//! `readonly`, `optional`, `strictProperties`, `stability`) are kept as read.
//! [`crate::model`] turns this into the normalised model codegen uses.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// The whole document: a root schema whose `definitions` are the resources.
pub type Document = Node;

/// A JSON-schema node. Every keyword Heroku uses is named; anything else is
/// kept in `other` so that no information is lost.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Node {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(rename = "type")]
    pub types: Option<Types>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub stability: Option<String>,
    pub example: Option<Value>,
    pub default: Option<Value>,
    pub format: Option<String>,
    pub pattern: Option<String>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<Value>>,
    pub properties: Option<BTreeMap<String, Node>>,
    #[serde(rename = "patternProperties")]
    pub pattern_properties: Option<BTreeMap<String, Node>>,
    #[serde(rename = "additionalProperties")]
    pub additional_properties: Option<Additional>,
    pub items: Option<Box<Node>>,
    pub required: Option<Vec<String>>,
    #[serde(rename = "strictProperties")]
    pub strict_properties: Option<bool>,
    #[serde(rename = "anyOf")]
    pub any_of: Option<Vec<Node>>,
    #[serde(rename = "oneOf")]
    pub one_of: Option<Vec<Node>>,
    pub definitions: Option<BTreeMap<String, Node>>,
    pub links: Option<Vec<Link>>,
    #[serde(rename = "readOnly")]
    pub read_only: Option<bool>,
    /// Non-standard: a `deprecated: true` marker (formation size, key email).
    pub deprecated: Option<bool>,
    /// Non-standard: the identity of an embedded resource. Kept raw and never
    /// resolved: its `$ref`s may dangle (schema-notes §8.3).
    pub identity: Option<Value>,
    /// Non-standard (3.sdk): `optional: true` on a property.
    pub optional: Option<bool>,
    /// Every other keyword (`minimum`, `maxItems`, `$schema`, `id`, ...).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `type` is always a list in Heroku's schemas, but a bare string is legal.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Types {
    One(String),
    Many(Vec<String>),
}

impl Types {
    pub fn as_slice(&self) -> &[String] {
        match self {
            Types::One(t) => std::slice::from_ref(t),
            Types::Many(ts) => ts,
        }
    }
}

/// `additionalProperties`: a boolean, or the schema of the values of a map.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Additional {
    Allowed(bool),
    Schema(Box<Node>),
}

/// A hyper-schema link: one API operation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Link {
    pub href: Option<String>,
    pub method: Option<String>,
    /// Usually a string; one 3.sdk link has an object here.
    pub rel: Option<Value>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub schema: Option<Node>,
    #[serde(rename = "targetSchema")]
    pub target_schema: Option<Node>,
    pub ranges: Option<Vec<String>>,
    /// Misplaced on four links: the result type belongs in `targetSchema`.
    #[serde(rename = "type")]
    pub types: Option<Types>,
    /// Non-standard: the date a deprecated link stops working.
    pub deactivate_on: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Link {
    /// `rel` as a string, when it is one.
    pub fn rel_str(&self) -> Option<&str> {
        self.rel.as_ref().and_then(Value::as_str)
    }
}
