//! Open enums: the schema's values plus `Other(String)`.

use super::*;

pub(super) fn open_enum(
    name: &proc_macro2::Ident,
    d: &TokenStream,
    values: &[EnumValue],
) -> TokenStream {
    let variants = values.iter().map(|v| {
        let var = ident(&v.variant);
        let vd = doc(&format!("`{}`", v.json));
        quote!(#vd #var,)
    });
    let to_str = values.iter().map(|v| {
        let var = ident(&v.variant);
        let json = &v.json;
        quote!(Self::#var => #json,)
    });
    let from_str = values.iter().map(|v| {
        let var = ident(&v.variant);
        let json = &v.json;
        quote!(#json => Self::#var,)
    });
    quote! {
        #d
        ///
        /// Open: a value this version does not know arrives as `Other`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value not in the schema this crate was generated from.
            Other(String),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for #name {
            fn from(s: &str) -> Self {
                match s {
                    #(#from_str)*
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl From<String> for #name {
            fn from(s: String) -> Self {
                Self::from(s.as_str())
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// An absent or unreadable value (see [`decode`](crate::decode)).
        impl Default for #name {
            fn default() -> Self {
                Self::Other(String::new())
            }
        }

    }
}
