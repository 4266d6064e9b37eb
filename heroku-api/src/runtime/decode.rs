//! Decoding what Heroku really sends: tolerant by default, honest always.
//!
//! Heroku's answers do not always match its schema. Answers from older API
//! eras lack fields added since, some endpoints leave fields out, values
//! fall outside the documented lists (retired dyno sizes, the `cedar`
//! stack), `null` shows up where the schema allows none, and one recorded
//! answer sent a formation's `quantity` as the string `"1"`. A client that
//! rejects the whole answer over one field fails its user on a good answer.
//!
//! # What happens when an answer differs from the schema
//!
//! The models keep their fields plain: a field is an `Option` only where
//! the schema says the value may be `null`. When a value does not match,
//! decoding goes on and records a [`Deviation`] with the value's JSON
//! pointer (RFC 6901) and its [`DeviationKind`]:
//!
//! | what arrived | the field holds | kind |
//! |---|---|---|
//! | a listed property is missing | its fallback (below), or `None` | [`Absent`](DeviationKind::Absent) |
//! | `null` where the schema allows none | its fallback | [`Null`](DeviationKind::Null) |
//! | `"1"` for an integer, `"true"` for a boolean, `5` for a string, `2.0` for an integer | the converted value | [`Coerced`](DeviationKind::Coerced) |
//! | a string outside an enum's values | `Other(value)` | [`UnknownValue`](DeviationKind::UnknownValue) |
//! | a value that does not convert (`"soon"` for a date-time, an object for a string) | its fallback; the value is dropped | [`Mismatched`](DeviationKind::Mismatched) |
//!
//! Keys the schema does not declare are skipped and are not deviations:
//! Heroku adds keys freely. The fallbacks are the types' `Default`s: `""`,
//! `0`, `false`, an empty list or map, the Unix epoch for a date-time, an
//! enum's `Other("")`, and for an object every field's fallback. They are
//! the values Heroku's own Go client (heroku-go) shows for the same
//! answers, since Go leaves missing fields at their zero values; the
//! difference is that here the deviation says which values are fallbacks.
//!
//! Why plain fields with a recorded fallback rather than an `Option` for
//! every field Heroku has ever left out: which fields an answer lacks
//! depends on the API era, the endpoint and the account, and the schema
//! does not say. An `Option` per field would make every user unwrap every
//! field, for values that are almost always there; a hand-picked list of
//! `Option`s would be wrong for the next field Heroku adds. The rule here
//! holds for every field of every model, including ones a future schema
//! adds.
//!
//! Only an answer that is not JSON, or whose top level has the wrong shape
//! (a string where an object belongs, an object where a list belongs), is
//! an [`Error::Decode`](crate::Error::Decode).
//!
//! # Seeing the deviations
//!
//! - [`ResponseMeta::deviations`](crate::ResponseMeta::deviations), from a
//!   request's `send_with_meta()`, and on every [`Page`](crate::Page) of a
//!   list (`page.meta.deviations`);
//! - a `tracing` event at level `warn`, target `heroku_api::decode`, once
//!   per operation, pointer pattern (array indices as `*`) and kind for the
//!   life of the client, so a list of 1,000 apps logs one line, not 1,000;
//! - the count in [`MetricsSnapshot::deviations`](crate::MetricsSnapshot::deviations);
//! - [`ClientBuilder::strict_decoding`](crate::ClientBuilder::strict_decoding)
//!   turns every deviation into an `Error::Decode` that names the pointer.
//!
//! [`from_slice`] decodes bytes you hold (a recorded answer, a webhook
//! body) the same way. The models' `serde::Deserialize` impls are as
//! tolerant and drop the deviations.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A value that differed from the schema, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deviation {
    /// The value's JSON pointer in the body (RFC 6901), e.g. `/3/acm`; the
    /// empty string is the whole body.
    pub pointer: String,
    /// What differed.
    pub kind: DeviationKind,
    pattern: String,
}

impl Deviation {
    /// The pointer with every array index as `*` (`/*/acm`): the same
    /// place in every item of a list.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The same deviation in a document that holds this one at `prefix`
    /// (a JSON pointer such as `/data`).
    #[cfg_attr(not(feature = "webhooks"), allow(dead_code))]
    pub(crate) fn under(self, prefix: &str) -> Deviation {
        Deviation {
            pointer: format!("{prefix}{}", self.pointer),
            kind: self.kind,
            pattern: format!("{prefix}{}", self.pattern),
        }
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "the whole body"
        } else {
            &self.pointer
        };
        write!(f, "`{at}`: {}", self.kind)
    }
}

/// How a value differed from the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviationKind {
    /// A property the schema lists was not in the object; the field holds
    /// its fallback (`None` for a nullable field).
    Absent,
    /// `null` where the schema allows none; the field holds its fallback.
    Null,
    /// A scalar of another JSON type that converts without ambiguity; the
    /// field holds the converted value.
    Coerced {
        /// What the schema describes ("an integer").
        expected: &'static str,
        /// The JSON type that arrived.
        found: JsonType,
    },
    /// A string outside the schema's enum values, kept as `Other(..)`.
    UnknownValue,
    /// A value that does not convert; the field holds its fallback.
    Mismatched {
        /// What the schema describes ("an object", "an RFC 3339 date-time").
        expected: &'static str,
        /// The JSON type that arrived.
        found: JsonType,
    },
}

impl DeviationKind {
    /// A short name: `absent`, `null`, `coerced`, `unknown value` or
    /// `mismatched`.
    pub fn name(&self) -> &'static str {
        match self {
            DeviationKind::Absent => "absent",
            DeviationKind::Null => "null",
            DeviationKind::Coerced { .. } => "coerced",
            DeviationKind::UnknownValue => "unknown value",
            DeviationKind::Mismatched { .. } => "mismatched",
        }
    }
}

impl fmt::Display for DeviationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviationKind::Absent => f.write_str("absent, though the schema lists it"),
            DeviationKind::Null => f.write_str("null, though the schema does not allow it"),
            DeviationKind::Coerced { expected, found } => {
                write!(f, "{found} converted to {expected}")
            }
            DeviationKind::UnknownValue => f.write_str("a value the schema does not list"),
            DeviationKind::Mismatched { expected, found } => {
                write!(
                    f,
                    "expected {expected}, found {found}; replaced by the default"
                )
            }
        }
    }
}

/// The type of a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonType {
    /// `null`
    Null,
    /// `true` or `false`
    Boolean,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonType::Null => "null",
            JsonType::Boolean => "a boolean",
            JsonType::Number => "a number",
            JsonType::String => "a string",
            JsonType::Array => "an array",
            JsonType::Object => "an object",
        })
    }
}

/// A decoded value and the ways its JSON differed from the schema.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Decoded<T> {
    /// The value.
    pub value: T,
    /// Every deviation, in document order within each object.
    pub deviations: Vec<Deviation>,
}

/// Decodes `bytes` as `T` the way the client decodes answers: tolerant,
/// with every deviation recorded. An error only for bytes that are not
/// JSON, or a top level of the wrong shape.
///
/// ```
/// use heroku_api::decode::{from_slice, DeviationKind};
/// use heroku_api::formation::Formation;
///
/// let old = br#"{"id": "01234567-89ab-cdef-0123-456789abcdef", "quantity": "1", "type": "web"}"#;
/// let decoded = from_slice::<Formation>(old)?;
/// assert_eq!(decoded.value.quantity, 1);
/// let quantity = decoded.deviations.iter().find(|d| d.pointer == "/quantity").unwrap();
/// assert!(matches!(quantity.kind, DeviationKind::Coerced { .. }));
/// assert!(decoded.deviations.iter().any(|d| d.pointer == "/app" && d.kind == DeviationKind::Absent));
/// # Ok::<(), heroku_api::Error>(())
/// ```
pub fn from_slice<T: Decode>(bytes: &[u8]) -> crate::Result<Decoded<T>> {
    decode_bytes(bytes)
        .map_err(|(pointer, message)| standalone_error(bytes, pointer, message, Vec::new()))
}

/// Like [`from_slice`], but any deviation is an error naming its pointer.
pub fn from_slice_strict<T: Decode>(bytes: &[u8]) -> crate::Result<T> {
    let decoded = from_slice::<T>(bytes)?;
    match strict_failure(&decoded.deviations) {
        None => Ok(decoded.value),
        Some((pointer, message)) => Err(standalone_error(
            bytes,
            pointer,
            message,
            decoded.deviations,
        )),
    }
}

/// An [`Error::Decode`](crate::Error::Decode) for bytes that did not come
/// from an answer.
fn standalone_error(
    bytes: &[u8],
    pointer: String,
    message: String,
    deviations: Vec<Deviation>,
) -> crate::Error {
    crate::Error::Decode(Box::new(crate::DecodeError::new(
        0,
        None,
        pointer,
        message,
        bytes.to_vec().into(),
        deviations,
    )))
}

/// Decodes a value already parsed (a part of a larger document). A top
/// level of the wrong shape is the error, as a deviation at the root.
#[cfg_attr(not(feature = "webhooks"), allow(dead_code))]
pub(crate) fn from_value<T: Decode>(value: &serde_json::Value) -> Result<Decoded<T>, Deviation> {
    let mut cx = DecodeContext::default();
    let decoded = T::decode(value, &mut cx);
    let root = cx.found.iter().position(|f| f.path.is_empty());
    let failed = root.is_some_and(|i| {
        matches!(
            cx.found[i].kind,
            DeviationKind::Null | DeviationKind::Mismatched { .. }
        )
    });
    let mut deviations = cx.finish();
    match decoded {
        Ok(value) if !failed => Ok(Decoded { value, deviations }),
        // A `&Value` deserializer fails only where a visitor refuses, which
        // ours do not; either way the value is not of this type.
        _ => Err(match root {
            Some(i) => deviations.swap_remove(i),
            None => Deviation {
                pointer: String::new(),
                kind: DeviationKind::Mismatched {
                    expected: "an object",
                    found: json_type(value),
                },
                pattern: String::new(),
            },
        }),
    }
}

#[cfg_attr(not(feature = "webhooks"), allow(dead_code))]
fn json_type(value: &serde_json::Value) -> JsonType {
    match value {
        serde_json::Value::Null => JsonType::Null,
        serde_json::Value::Bool(_) => JsonType::Boolean,
        serde_json::Value::Number(_) => JsonType::Number,
        serde_json::Value::String(_) => JsonType::String,
        serde_json::Value::Array(_) => JsonType::Array,
        serde_json::Value::Object(_) => JsonType::Object,
    }
}

/// The pointer and message of strict mode's error, if there were deviations.
pub(crate) fn strict_failure(deviations: &[Deviation]) -> Option<(String, String)> {
    let first = deviations.first()?;
    let more = match deviations.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Some((
        first.pointer.clone(),
        format!("strict decoding: {first}{more}"),
    ))
}

/// The value and its deviations, or the pointer and message of the error.
pub(crate) fn decode_bytes<T: Decode>(bytes: &[u8]) -> Result<Decoded<T>, (String, String)> {
    let mut cx = DecodeContext::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = T::decode(&mut de, &mut cx)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| syntax_error(bytes, &e))?;
    if let Some(root) = cx.root_failure() {
        return Err((String::new(), root));
    }
    Ok(Decoded {
        value,
        deviations: cx.finish(),
    })
}

fn syntax_error(bytes: &[u8], e: &serde_json::Error) -> (String, String) {
    let offset = byte_offset(bytes, e.line(), e.column());
    (pointer_at(bytes, offset), e.to_string())
}

/// Types decoded from Heroku's answers: every generated model, enum and
/// identity, and the scalars and containers they are made of.
pub trait Decode: Sized {
    /// Decodes one value, recording deviations in `cx`. Not called
    /// directly: use [`from_slice`] or a request.
    fn decode<'de, D: Deserializer<'de>>(
        deserializer: D,
        cx: &mut DecodeContext,
    ) -> Result<Self, D::Error>;
}

/// Collects the deviations of one decode. Made by the runtime; passed to
/// [`Decode::decode`].
#[derive(Debug, Default)]
pub struct DecodeContext {
    found: Vec<Found>,
}

#[derive(Debug)]
struct Found {
    kind: DeviationKind,
    /// From the value up to the root; reversed when the pointer is built.
    path: Vec<Segment>,
}

#[derive(Debug, Clone)]
enum Segment {
    Key(&'static str),
    Name(Box<str>),
    Index(usize),
}

impl DecodeContext {
    #[inline]
    fn mark(&self) -> usize {
        self.found.len()
    }

    /// Puts what was found since `mark` under `segment`. Free when nothing
    /// was found, which is the usual case.
    #[inline]
    fn nest(&mut self, mark: usize, segment: impl FnOnce() -> Segment) {
        if self.found.len() > mark {
            let segment = segment();
            for f in &mut self.found[mark..] {
                f.path.push(segment.clone());
            }
        }
    }

    fn record(&mut self, kind: DeviationKind) {
        self.found.push(Found {
            kind,
            path: Vec::new(),
        });
    }

    fn mismatched<T: Default>(&mut self, expected: &'static str, found: JsonType) -> T {
        self.record(DeviationKind::Mismatched { expected, found });
        T::default()
    }

    fn null<T: Default>(&mut self) -> T {
        self.record(DeviationKind::Null);
        T::default()
    }

    fn coerced(&mut self, expected: &'static str, found: JsonType) {
        self.record(DeviationKind::Coerced { expected, found });
    }

    /// The whole body is `null` or of the wrong type: an error, not a
    /// deviation.
    fn root_failure(&self) -> Option<String> {
        self.found
            .iter()
            .find(|f| f.path.is_empty())
            .and_then(|f| match &f.kind {
                DeviationKind::Null => Some("expected a value, found null".to_string()),
                DeviationKind::Mismatched { expected, found } => {
                    Some(format!("expected {expected}, found {found}"))
                }
                _ => None,
            })
    }

    fn finish(self) -> Vec<Deviation> {
        self.found
            .into_iter()
            .map(|f| {
                let mut pointer = String::new();
                let mut pattern = String::new();
                for segment in f.path.iter().rev() {
                    pointer.push('/');
                    pattern.push('/');
                    match segment {
                        Segment::Key(k) => {
                            escape_into(&mut pointer, k);
                            escape_into(&mut pattern, k);
                        }
                        Segment::Name(k) => {
                            escape_into(&mut pointer, k);
                            escape_into(&mut pattern, k);
                        }
                        Segment::Index(i) => {
                            pointer.push_str(&i.to_string());
                            pattern.push('*');
                        }
                    }
                }
                Deviation {
                    pointer,
                    kind: f.kind,
                    pattern,
                }
            })
            .collect()
    }
}

fn escape_into(out: &mut String, token: &str) {
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Feeds a value to `T::decode` with the context.
struct Seed<'c, T> {
    cx: &'c mut DecodeContext,
    _t: PhantomData<fn() -> T>,
}

impl<'c, T> Seed<'c, T> {
    fn new(cx: &'c mut DecodeContext) -> Self {
        Seed {
            cx,
            _t: PhantomData,
        }
    }
}

impl<'de, T: Decode> DeserializeSeed<'de> for Seed<'_, T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::decode(deserializer, self.cx)
    }
}

// ---------------------------------------------------------------- scalars

/// How one scalar type takes each JSON type. The defaults record a
/// mismatch and give the fallback; each type overrides what it accepts.
/// One visitor ([`Leaf`]) serves them all, straight from serde's
/// `visit_*` calls, so a value that matches costs what serde's own impl
/// costs.
trait Scalar {
    type Value: Default;
    /// What the schema describes, for messages ("an integer").
    const EXPECTED: &'static str;

    fn expected(&self) -> &'static str {
        Self::EXPECTED
    }

    fn take_str(&self, _: &str, cx: &mut DecodeContext) -> Self::Value {
        cx.mismatched(self.expected(), JsonType::String)
    }
    fn take_string(&self, s: String, cx: &mut DecodeContext) -> Self::Value {
        self.take_str(&s, cx)
    }
    fn take_bool(&self, _: bool, cx: &mut DecodeContext) -> Self::Value {
        cx.mismatched(self.expected(), JsonType::Boolean)
    }
    fn take_i64(&self, _: i64, cx: &mut DecodeContext) -> Self::Value {
        cx.mismatched(self.expected(), JsonType::Number)
    }
    fn take_u64(&self, n: u64, cx: &mut DecodeContext) -> Self::Value {
        match i64::try_from(n) {
            Ok(n) => self.take_i64(n, cx),
            Err(_) => cx.mismatched(self.expected(), JsonType::Number),
        }
    }
    fn take_f64(&self, _: f64, cx: &mut DecodeContext) -> Self::Value {
        cx.mismatched(self.expected(), JsonType::Number)
    }
}

struct Leaf<'c, K> {
    kind: K,
    cx: &'c mut DecodeContext,
}

impl<'de, K: Scalar> Visitor<'de> for Leaf<'_, K> {
    type Value = K::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.expected())
    }
    #[inline]
    fn visit_str<E: de::Error>(self, v: &str) -> Result<K::Value, E> {
        Ok(self.kind.take_str(v, self.cx))
    }
    #[inline]
    fn visit_string<E: de::Error>(self, v: String) -> Result<K::Value, E> {
        Ok(self.kind.take_string(v, self.cx))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<K::Value, E> {
        Ok(self.kind.take_bool(v, self.cx))
    }
    #[inline]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<K::Value, E> {
        Ok(self.kind.take_i64(v, self.cx))
    }
    #[inline]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<K::Value, E> {
        Ok(self.kind.take_u64(v, self.cx))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<K::Value, E> {
        Ok(self.kind.take_f64(v, self.cx))
    }
    fn visit_unit<E: de::Error>(self) -> Result<K::Value, E> {
        Ok(self.cx.null())
    }
    fn visit_none<E: de::Error>(self) -> Result<K::Value, E> {
        Ok(self.cx.null())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<K::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.cx.mismatched(self.kind.expected(), JsonType::Array))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<K::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(self.cx.mismatched(self.kind.expected(), JsonType::Object))
    }
}

#[inline]
fn scalar<'de, D: Deserializer<'de>, K: Scalar>(
    d: D,
    cx: &mut DecodeContext,
    kind: K,
) -> Result<K::Value, D::Error> {
    d.deserialize_any(Leaf { kind, cx })
}

/// Coerces a number or boolean to its text.
fn coerced_text(
    cx: &mut DecodeContext,
    expected: &'static str,
    found: JsonType,
    text: String,
) -> String {
    cx.coerced(expected, found);
    text
}

struct Text;

impl Scalar for Text {
    type Value = String;
    const EXPECTED: &'static str = "a string";

    #[inline]
    fn take_str(&self, s: &str, _: &mut DecodeContext) -> String {
        s.to_owned()
    }
    #[inline]
    fn take_string(&self, s: String, _: &mut DecodeContext) -> String {
        s
    }
    fn take_bool(&self, b: bool, cx: &mut DecodeContext) -> String {
        coerced_text(cx, Self::EXPECTED, JsonType::Boolean, b.to_string())
    }
    fn take_i64(&self, n: i64, cx: &mut DecodeContext) -> String {
        coerced_text(cx, Self::EXPECTED, JsonType::Number, n.to_string())
    }
    fn take_u64(&self, n: u64, cx: &mut DecodeContext) -> String {
        coerced_text(cx, Self::EXPECTED, JsonType::Number, n.to_string())
    }
    fn take_f64(&self, n: f64, cx: &mut DecodeContext) -> String {
        coerced_text(cx, Self::EXPECTED, JsonType::Number, n.to_string())
    }
}

impl Decode for String {
    #[inline]
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeContext) -> Result<Self, D::Error> {
        scalar(d, cx, Text)
    }
}

/// The largest magnitude below which every integral `f64` fits an `i64`.
const I64_RANGE: f64 = 9_223_372_036_854_775_807.0;

struct Integer;

impl Scalar for Integer {
    type Value = i64;
    const EXPECTED: &'static str = "an integer";

    fn take_str(&self, s: &str, cx: &mut DecodeContext) -> i64 {
        match s.trim().parse::<i64>() {
            Ok(n) => {
                cx.coerced(Self::EXPECTED, JsonType::String);
                n
            }
            Err(_) => cx.mismatched(Self::EXPECTED, JsonType::String),
        }
    }
    #[inline]
    fn take_i64(&self, n: i64, _: &mut DecodeContext) -> i64 {
        n
    }
    fn take_f64(&self, n: f64, cx: &mut DecodeContext) -> i64 {
        if n.fract() == 0.0 && n.abs() < I64_RANGE {
            cx.coerced(Self::EXPECTED, JsonType::Number);
            n as i64
        } else {
            cx.mismatched(Self::EXPECTED, JsonType::Number)
        }
    }
}

impl Decode for i64 {
    #[inline]
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeContext) -> Result<Self, D::Error> {
        scalar(d, cx, Integer)
    }
}

struct Number;

impl Scalar for Number {
    type Value = f64;
    const EXPECTED: &'static str = "a number";

    fn take_str(&self, s: &str, cx: &mut DecodeContext) -> f64 {
        match s.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => {
                cx.coerced(Self::EXPECTED, JsonType::String);
                n
            }
            _ => cx.mismatched(Self::EXPECTED, JsonType::String),
        }
    }
    fn take_i64(&self, n: i64, _: &mut DecodeContext) -> f64 {
        n as f64
    }
    fn take_u64(&self, n: u64, _: &mut DecodeContext) -> f64 {
        n as f64
    }
    fn take_f64(&self, n: f64, _: &mut DecodeContext) -> f64 {
        n
    }
}

impl Decode for f64 {
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeContext) -> Result<Self, D::Error> {
        scalar(d, cx, Number)
    }
}

struct Boolean;

impl Scalar for Boolean {
    type Value = bool;
    const EXPECTED: &'static str = "a boolean";

    fn take_str(&self, s: &str, cx: &mut DecodeContext) -> bool {
        match s {
            "true" | "false" => {
                cx.coerced(Self::EXPECTED, JsonType::String);
                s == "true"
            }
            _ => cx.mismatched(Self::EXPECTED, JsonType::String),
        }
    }
    #[inline]
    fn take_bool(&self, b: bool, _: &mut DecodeContext) -> bool {
        b
    }
}

impl Decode for bool {
    #[inline]
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeContext) -> Result<Self, D::Error> {
        scalar(d, cx, Boolean)
    }
}

/// A value parsed from a string (date-times, dates).
struct Parsed<T>(PhantomData<fn() -> T>, &'static str);

impl<T: std::str::FromStr + Default> Scalar for Parsed<T> {
    type Value = T;
    const EXPECTED: &'static str = "a string in the schema's format";

    fn expected(&self) -> &'static str {
        self.1
    }
    #[inline]
    fn take_str(&self, s: &str, cx: &mut DecodeContext) -> T {
        match s.parse() {
            Ok(t) => t,
            Err(_) => cx.mismatched(self.1, JsonType::String),
        }
    }
}

struct DateTime;

impl Scalar for DateTime {
    type Value = chrono::DateTime<chrono::Utc>;
    const EXPECTED: &'static str = "an RFC 3339 date-time";

    /// RFC 3339, as Heroku sends it, on chrono's fast path; else whatever
    /// chrono's own `Deserialize` accepts.
    #[inline]
    fn take_str(&self, s: &str, cx: &mut DecodeContext) -> Self::Value {
        match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => t.with_timezone(&chrono::Utc),
            Err(_) => match s.parse() {
                Ok(t) => t,
                Err(_) => cx.mismatched(Self::EXPECTED, JsonType::String),
            },
        }
    }
}

impl Decode for chrono::DateTime<chrono::Utc> {
    #[inline]
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeContext) -> Result<Self, D::Error> {
        scalar(d, cx, DateTime)
    }
}

impl Decode for chrono::NaiveDate {
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeContext) -> Result<Self, D::Error> {
        scalar(d, cx, Parsed(PhantomData, "a date (YYYY-MM-DD)"))
    }
}

/// Untyped JSON takes whatever arrives.
impl Decode for serde_json::Value {
    fn decode<'de, D: Deserializer<'de>>(d: D, _: &mut DecodeContext) -> Result<Self, D::Error> {
        serde::Deserialize::deserialize(d)
    }
}

/// An answer with nothing worth reading: whatever arrives is dropped.
impl Decode for () {
    fn decode<'de, D: Deserializer<'de>>(d: D, _: &mut DecodeContext) -> Result<Self, D::Error> {
        d.deserialize_ignored_any(IgnoredAny).map(drop)
    }
}

/// A value the schema allows to be `null`.
impl<T: Decode> Decode for Option<T> {
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeContext) -> Result<Self, D::Error> {
        struct OptionVisitor<'c, T>(Seed<'c, T>);
        impl<'de, T: Decode> Visitor<'de> for OptionVisitor<'_, T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
                self.0.deserialize(d).map(Some)
            }
        }
        d.deserialize_option(OptionVisitor(Seed::new(cx)))
    }
}

// ---------------------------------------------------------------- compound values

/// The `visit_*` methods of a compound visitor for the JSON types it does
/// not take: each records a mismatch and yields the default.
macro_rules! mismatch_others {
    ($expected:expr, $($skip:ident),*) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.cx.null())
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(self.cx.mismatched($expected, JsonType::Boolean))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(self.cx.mismatched($expected, JsonType::Number))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(self.cx.mismatched($expected, JsonType::Number))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(self.cx.mismatched($expected, JsonType::Number))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(self.cx.mismatched($expected, JsonType::String))
        }
        $(mismatch_others!(@ $skip, $expected);)*
    };
    (@ seq, $expected:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(self.cx.mismatched($expected, JsonType::Array))
        }
    };
    (@ map, $expected:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(self.cx.mismatched($expected, JsonType::Object))
        }
    };
}

struct SeqVisitor<'c, T> {
    cx: &'c mut DecodeContext,
    _t: PhantomData<fn() -> T>,
}

impl<'de, T: Decode> Visitor<'de> for SeqVisitor<'_, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            let mark = self.cx.mark();
            match seq.next_element_seed(Seed::<T>::new(self.cx))? {
                Some(item) => {
                    let index = out.len();
                    self.cx.nest(mark, || Segment::Index(index));
                    out.push(item);
                }
                None => return Ok(out),
            }
        }
    }

    mismatch_others!("an array", map);
}

impl<T: Decode> Decode for Vec<T> {
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeContext) -> Result<Self, D::Error> {
        d.deserialize_any(SeqVisitor {
            cx,
            _t: PhantomData,
        })
    }
}

struct MapVisitor<'c, T> {
    cx: &'c mut DecodeContext,
    _t: PhantomData<fn() -> T>,
}

impl<'de, T: Decode> Visitor<'de> for MapVisitor<'_, T> {
    type Value = std::collections::BTreeMap<String, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = std::collections::BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let mark = self.cx.mark();
            let value = map.next_value_seed(Seed::<T>::new(self.cx))?;
            self.cx.nest(mark, || Segment::Name(key.as_str().into()));
            out.insert(key, value);
        }
        Ok(out)
    }

    mismatch_others!("an object", seq);
}

impl<T: Decode> Decode for std::collections::BTreeMap<String, T> {
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeContext) -> Result<Self, D::Error> {
        d.deserialize_any(MapVisitor {
            cx,
            _t: PhantomData,
        })
    }
}

// ---------------------------------------------------------------- what generated code calls

/// A generated model's fields, read from an object.
#[doc(hidden)]
pub trait Fields: Default {
    fn fields<'de, A: MapAccess<'de>>(map: A, cx: &mut DecodeContext) -> Result<Self, A::Error>;
}

struct ObjectVisitor<'c, T> {
    cx: &'c mut DecodeContext,
    _t: PhantomData<fn() -> T>,
}

impl<'de, T: Fields> Visitor<'de> for ObjectVisitor<'_, T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::fields(map, self.cx)
    }

    mismatch_others!("an object", seq);
}

/// `Decode` for a generated model.
#[doc(hidden)]
pub fn object<'de, D: Deserializer<'de>, T: Fields>(
    d: D,
    cx: &mut DecodeContext,
) -> Result<T, D::Error> {
    d.deserialize_any(ObjectVisitor {
        cx,
        _t: PhantomData,
    })
}

/// Reads the value of the field `key`.
#[doc(hidden)]
#[inline]
pub fn field<'de, A: MapAccess<'de>, T: Decode>(
    map: &mut A,
    cx: &mut DecodeContext,
    key: &'static str,
) -> Result<T, A::Error> {
    let mark = cx.mark();
    let value = map.next_value_seed(Seed::<T>::new(cx))?;
    cx.nest(mark, || Segment::Key(key));
    Ok(value)
}

/// Reads the value of the field `key`, stored as an `Option` though the
/// schema does not allow `null` (a field callers may leave out of a
/// request): a `null` is `None`, recorded.
#[doc(hidden)]
pub fn non_null_field<'de, A: MapAccess<'de>, T: Decode>(
    map: &mut A,
    cx: &mut DecodeContext,
    key: &'static str,
) -> Result<Option<T>, A::Error> {
    let value = field::<A, Option<T>>(map, cx, key)?;
    if value.is_none() {
        cx.found.push(Found {
            kind: DeviationKind::Null,
            path: vec![Segment::Key(key)],
        });
    }
    Ok(value)
}

/// Which of a model's fields an object carried: a bit per field, in the
/// order of the model's keys.
#[doc(hidden)]
#[derive(Debug)]
pub struct Seen<const WORDS: usize>([u64; WORDS]);

impl<const WORDS: usize> Default for Seen<WORDS> {
    fn default() -> Self {
        Seen([0; WORDS])
    }
}

impl<const WORDS: usize> Seen<WORDS> {
    #[inline]
    pub fn set(&mut self, field: usize) {
        if let Some(word) = self.0.get_mut(field / 64) {
            *word |= 1 << (field % 64);
        }
    }

    fn has(&self, field: usize) -> bool {
        self.0
            .get(field / 64)
            .is_some_and(|word| word & (1 << (field % 64)) != 0)
    }

    /// Records every key of `keys` (the model's `count` fields) that did not
    /// come as absent. One comparison per word when all came.
    #[inline]
    pub fn report_absent(&self, cx: &mut DecodeContext, keys: &[&'static str], count: usize) {
        let complete = self.0.iter().enumerate().all(|(i, word)| {
            let bits = count.saturating_sub(i * 64).min(64);
            let all = if bits == 64 {
                u64::MAX
            } else {
                (1u64 << bits) - 1
            };
            *word == all
        });
        if !complete {
            self.absent(cx, keys);
        }
    }

    #[cold]
    fn absent(&self, cx: &mut DecodeContext, keys: &[&'static str]) {
        for (i, key) in keys.iter().enumerate() {
            if !self.has(i) {
                cx.found.push(Found {
                    kind: DeviationKind::Absent,
                    path: vec![Segment::Key(key)],
                });
            }
        }
    }
}

/// An open enum's wire form: a string, or a number or boolean coerced to one.
struct EnumText<E> {
    is_other: fn(&E) -> bool,
}

impl<E: for<'a> From<&'a str> + Default> Scalar for EnumText<E> {
    type Value = E;
    const EXPECTED: &'static str = "a string";

    #[inline]
    fn take_str(&self, s: &str, cx: &mut DecodeContext) -> E {
        let value = E::from(s);
        if (self.is_other)(&value) {
            cx.record(DeviationKind::UnknownValue);
        }
        value
    }
    fn take_bool(&self, b: bool, cx: &mut DecodeContext) -> E {
        self.coerced(&b.to_string(), JsonType::Boolean, cx)
    }
    fn take_i64(&self, n: i64, cx: &mut DecodeContext) -> E {
        self.coerced(&n.to_string(), JsonType::Number, cx)
    }
    fn take_u64(&self, n: u64, cx: &mut DecodeContext) -> E {
        self.coerced(&n.to_string(), JsonType::Number, cx)
    }
    fn take_f64(&self, n: f64, cx: &mut DecodeContext) -> E {
        self.coerced(&n.to_string(), JsonType::Number, cx)
    }
}

impl<E: for<'a> From<&'a str> + Default> EnumText<E> {
    /// A known value reached by conversion is coerced; an unknown one is
    /// an unknown value (one deviation per place).
    fn coerced(&self, text: &str, found: JsonType, cx: &mut DecodeContext) -> E {
        let value = E::from(text);
        if (self.is_other)(&value) {
            cx.record(DeviationKind::UnknownValue);
        } else {
            cx.coerced(Self::EXPECTED, found);
        }
        value
    }
}

/// `Decode` for a generated open enum: `is_other` tells an unknown value.
#[doc(hidden)]
#[inline]
pub fn enum_value<'de, D, E>(
    d: D,
    cx: &mut DecodeContext,
    is_other: fn(&E) -> bool,
) -> Result<E, D::Error>
where
    D: Deserializer<'de>,
    E: for<'a> From<&'a str> + Default,
{
    scalar(d, cx, EnumText { is_other })
}

/// An identity's wire form: a string, or an integer where the identity has
/// an integer form (a release version).
struct IdentityText {
    integer: bool,
}

impl Scalar for IdentityText {
    type Value = String;
    const EXPECTED: &'static str = "a string";

    fn take_str(&self, s: &str, _: &mut DecodeContext) -> String {
        s.to_owned()
    }
    fn take_string(&self, s: String, _: &mut DecodeContext) -> String {
        s
    }
    fn take_bool(&self, b: bool, cx: &mut DecodeContext) -> String {
        Text.take_bool(b, cx)
    }
    fn take_i64(&self, n: i64, cx: &mut DecodeContext) -> String {
        if self.integer {
            n.to_string()
        } else {
            Text.take_i64(n, cx)
        }
    }
    fn take_u64(&self, n: u64, cx: &mut DecodeContext) -> String {
        if self.integer {
            n.to_string()
        } else {
            Text.take_u64(n, cx)
        }
    }
    fn take_f64(&self, n: f64, cx: &mut DecodeContext) -> String {
        Text.take_f64(n, cx)
    }
}

/// `Decode` for a generated identity.
#[doc(hidden)]
pub fn identity_value<'de, D: Deserializer<'de>>(
    d: D,
    cx: &mut DecodeContext,
    integer: bool,
) -> Result<String, D::Error> {
    scalar(d, cx, IdentityText { integer })
}

/// `serde::Deserialize` for generated types: as tolerant as the client,
/// dropping the deviations; a `null` or wrongly typed value as a whole is
/// an error.
#[doc(hidden)]
pub fn deserialize<'de, D: Deserializer<'de>, T: Decode>(d: D) -> Result<T, D::Error> {
    let mut cx = DecodeContext::default();
    let value = T::decode(d, &mut cx)?;
    match cx.root_failure() {
        Some(message) => Err(de::Error::custom(message)),
        None => Ok(value),
    }
}

// ---------------------------------------------------------------- error positions

/// The byte offset of the character at a 1-based line and column
/// (serde_json's position).
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut current = 1;
    for (i, b) in bytes.iter().enumerate() {
        if current == line {
            return (i + column.saturating_sub(1)).min(bytes.len());
        }
        if *b == b'\n' {
            current += 1;
        }
    }
    bytes.len()
}

/// The JSON pointer (`/3/created_at`) of the value being read at `offset`,
/// found by scanning the document's structure up to there. It costs
/// nothing unless the body is not JSON.
fn pointer_at(bytes: &[u8], offset: usize) -> String {
    enum Frame {
        Object { key: Option<String>, in_key: bool },
        Array { index: usize },
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    let end = offset.min(bytes.len());
    while i < end {
        match bytes[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                in_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { in_key, .. }) = stack.last_mut() {
                    *in_key = false;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { in_key, .. }) => *in_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, in_key: true }) = stack.last_mut() {
                    let raw = &bytes[start..j.min(bytes.len())];
                    *key = Some(String::from_utf8_lossy(raw).into_owned());
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    let mut pointer = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(k), .. } => {
                pointer.push('/');
                escape_into(&mut pointer, k);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => {
                pointer.push('/');
                pointer.push_str(&index.to_string());
            }
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_pointer(json: &str) -> String {
        let e = serde_json::from_str::<serde_json::Value>(json).unwrap_err();
        pointer_at(
            json.as_bytes(),
            byte_offset(json.as_bytes(), e.line(), e.column()),
        )
    }

    #[test]
    fn syntax_errors_name_the_pointer() {
        assert_eq!(error_pointer(r#"{"name": tru, "items": []}"#), "/name");
        assert_eq!(
            error_pointer(r#"{"name": "a", "items": [{"n": 1}, {"n": x}]}"#),
            "/items/1/n"
        );
        assert_eq!(
            error_pointer("{\n  \"a/b\": [\n    {\"n\": nul}\n  ]\n}"),
            "/a~1b/0/n"
        );
        assert_eq!(error_pointer("[1, 2, 3"), "/2");
        assert_eq!(error_pointer("nope"), "");
    }

    #[test]
    fn deviations_are_nested_under_their_place() {
        let body = br#"[{"a": ["1", 2]}, {"a": [null]}]"#;
        let d = decode_bytes::<Vec<std::collections::BTreeMap<String, Vec<i64>>>>(body).unwrap();
        assert_eq!(d.value[0]["a"], vec![1, 2]);
        let pointers: Vec<_> = d
            .deviations
            .iter()
            .map(|d| (d.pointer.as_str(), d.pattern()))
            .collect();
        assert_eq!(pointers, [("/0/a/0", "/*/a/*"), ("/1/a/0", "/*/a/*")]);
        assert_eq!(d.deviations[1].kind, DeviationKind::Null);
    }

    #[test]
    fn a_top_level_of_the_wrong_shape_is_an_error() {
        assert!(decode_bytes::<Vec<String>>(br#"{"a": 1}"#).is_err());
        assert!(decode_bytes::<Vec<String>>(b"null").is_err());
        assert!(decode_bytes::<Option<Vec<String>>>(b"null").is_ok());
        assert!(decode_bytes::<Vec<String>>(b"[1] x").is_err());
    }

    #[test]
    fn scalars_convert_only_without_ambiguity() {
        let d = decode_bytes::<Vec<i64>>(br#"[1, "2", 3.0, 3.5, "x", true, 18446744073709551615]"#)
            .unwrap();
        assert_eq!(d.value, vec![1, 2, 3, 0, 0, 0, 0]);
        let kinds: Vec<_> = d.deviations.iter().map(|d| d.kind.name()).collect();
        assert_eq!(
            kinds,
            [
                "coerced",
                "coerced",
                "mismatched",
                "mismatched",
                "mismatched",
                "mismatched"
            ]
        );
        let d = decode_bytes::<Vec<bool>>(br#"[true, "false", "yes", 1]"#).unwrap();
        assert_eq!(d.value, vec![true, false, false, false]);
        assert_eq!(d.deviations.len(), 3);
        let d = decode_bytes::<Vec<String>>(br#"["a", 5, 1.5, false, {"x": [1]}]"#).unwrap();
        assert_eq!(d.value, vec!["a", "5", "1.5", "false", ""]);
        assert_eq!(d.deviations.len(), 4);
    }
}
