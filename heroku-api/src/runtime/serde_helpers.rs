//! Small serde helpers the generated code uses.

use serde::{Deserialize, Deserializer};

/// For tri-state request fields (`Option<Option<T>>`): absent stays `None`
/// (with `#[serde(default)]`), `null` becomes `Some(None)`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// An identity is a string on the wire, but some identities (release
/// versions, invoice numbers) may arrive as integers.
pub fn string_or_integer<'de, D>(deserializer: D) -> Result<String, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        I(i64),
        U(u64),
    }
    Ok(match Raw::deserialize(deserializer)? {
        Raw::S(s) => s,
        Raw::I(i) => i.to_string(),
        Raw::U(u) => u.to_string(),
    })
}

/// Deserialises an open enum from its string form.
pub fn open_enum<'de, D, E>(deserializer: D) -> Result<E, D::Error>
where
    D: Deserializer<'de>,
    E: From<String>,
{
    String::deserialize(deserializer).map(E::from)
}
