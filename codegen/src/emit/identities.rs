//! Identities: the string (or integer) that names a resource in a path.

use super::*;

pub(super) fn identity(
    name: &proc_macro2::Ident,
    t: &TypeDef,
    integer: bool,
    current: bool,
    branches: &[String],
) -> TokenStream {
    let mut text = format!(
        "Names a resource in a path: {}.",
        if branches.is_empty() {
            "an identifier".to_string()
        } else {
            branches.join(", or ")
        }
    );
    text.push_str("\n\nBuild one from a `&str` or `String`");
    if integer {
        text.push_str(" or an integer");
    }
    text.push_str(&format!(
        "; it is percent-encoded when sent. Schema: `{}`.",
        t.pointer
    ));
    let d = doc(&text);
    let ints = integer.then(|| {
        let impls = [quote!(i32), quote!(i64), quote!(u32), quote!(u64)]
            .into_iter()
            .map(|int| {
                quote! {
                    impl From<#int> for #name {
                        fn from(n: #int) -> Self {
                            Self(n.to_string())
                        }
                    }
                }
            });
        quote!(#(#impls)*)
    });
    let current_fn = current.then(|| {
        quote! {
            /// The account of the token in use (`~`).
            pub fn current() -> Self {
                Self("~".to_string())
            }
        }
    });
    quote! {
        #d
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct #name(String);

        impl #name {
            #current_fn
            /// The identity as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// From anything that reads as a string by reference: `&str`,
        /// `&String`, the `&&str` items of a `&[&str]`, another identity.
        impl<T: AsRef<str> + ?Sized> From<&T> for #name {
            fn from(s: &T) -> Self {
                Self(s.as_ref().to_string())
            }
        }

        impl From<String> for #name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        #ints

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    }
}
