//! The serde side of every type, emitted into `<resource>/serde_impls.rs`
//! beside the types: the written-out `Decode` and `Deserialize` of models,
//! and the string forms of enums and identities.

use super::*;

/// `Decode` and `Deserialize` for a model, written out rather than derived.
/// It starts from the model's `Default` and reads the object key by key
/// into it: the last of repeated keys wins, unknown keys are skipped, and
/// each value goes through its type's tolerant `Decode`
/// (`heroku_api::decode`). A bit per field records which keys came; the
/// fields that did not keep their fallback and are reported absent, at the
/// cost of one comparison when every key came. It is much less code than
/// serde's derive emits (no field enum with a visitor of its own, no
/// sequence form), which took about a quarter off the crate's build time
/// (BENCHMARKS.md).
pub(super) fn struct_decode(
    name: &proc_macro2::Ident,
    fields: &[Field],
    constructible: bool,
) -> TokenStream {
    let words = proc_macro2::Literal::usize_unsuffixed(fields.len().div_ceil(64).max(1));
    let count = proc_macro2::Literal::usize_unsuffixed(fields.len());
    let arms = fields.iter().enumerate().map(|(i, f)| {
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        let key = &f.json_name;
        let fname = ident(&f.rust_name);
        // An `Option` only so that callers may leave it out of a request:
        // a `null` in an answer is still a deviation.
        let read = if !f.nullable && !plain(f, constructible) {
            quote!(crate::__private::non_null_field(&mut map, cx, #key)?)
        } else {
            quote!(crate::__private::field(&mut map, cx, #key)?)
        };
        quote! {
            #key => {
                out.#fname = #read;
                seen.set(#i);
            }
        }
    });
    let keys = fields.iter().map(|f| &f.json_name);
    quote! {
        impl crate::__private::Fields for #name {
            fn fields<'de, A: serde::de::MapAccess<'de>>(
                mut map: A,
                cx: &mut crate::decode::DecodeContext,
            ) -> Result<Self, A::Error> {
                // `<Self as Default>`: a model may have a setter named `default`.
                let mut out = <Self as Default>::default();
                let mut seen = crate::__private::Seen::<#words>::default();
                while let Some(key) = map.next_key::<crate::__private::Key<'de>>()? {
                    match key.as_str() {
                        #(#arms)*
                        _ => crate::__private::skip_value(&mut map)?,
                    }
                }
                seen.report_absent(cx, &[#(#keys),*], #count);
                Ok(out)
            }
        }

        impl crate::decode::Decode for #name {
            fn decode<'de, D: serde::Deserializer<'de>>(
                deserializer: D,
                cx: &mut crate::decode::DecodeContext,
            ) -> Result<Self, D::Error> {
                crate::__private::object(deserializer, cx)
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::__private::deserialize(deserializer)
            }
        }
    }
}

/// An open enum travels as its string; unknown values decode to `Other`.
pub(super) fn enum_serde(name: &proc_macro2::Ident) -> TokenStream {
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl crate::decode::Decode for #name {
            fn decode<'de, D: serde::Deserializer<'de>>(
                deserializer: D,
                cx: &mut crate::decode::DecodeContext,
            ) -> Result<Self, D::Error> {
                crate::__private::enum_value(deserializer, cx, |v| matches!(v, Self::Other(_)))
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::__private::deserialize(deserializer)
            }
        }
    }
}

/// An identity travels as its string (or integer, read as a string).
pub(super) fn identity_serde(name: &proc_macro2::Ident, integer: bool) -> TokenStream {
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl crate::decode::Decode for #name {
            fn decode<'de, D: serde::Deserializer<'de>>(
                deserializer: D,
                cx: &mut crate::decode::DecodeContext,
            ) -> Result<Self, D::Error> {
                crate::__private::identity_value(deserializer, cx, #integer).map(Self)
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::__private::deserialize(deserializer)
            }
        }
    }
}
