//! Percent-encoding of path segments.

use percent_encoding::{utf8_percent_encode, AsciiSet, PercentEncode, NON_ALPHANUMERIC};

/// Everything but RFC 3986 unreserved characters is escaped, so `/`, `?`,
/// `#`, `%` and spaces in an identity can never leave their segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encodes one path segment, as it is written into the path (no
/// intermediate string).
#[doc(hidden)]
pub fn segment(value: &str) -> PercentEncode<'_> {
    utf8_percent_encode(value, SEGMENT)
}

#[cfg(test)]
mod tests {
    fn segment(value: &str) -> String {
        super::segment(value).to_string()
    }

    #[test]
    fn reserved_characters_are_escaped() {
        assert_eq!(segment("my-app"), "my-app");
        assert_eq!(segment("../account"), "..%2Faccount");
        assert_eq!(segment("a?b#c d%"), "a%3Fb%23c%20d%25");
        assert_eq!(segment("~"), "~");
        assert_eq!(
            segment("https://logs.example.com/x"),
            "https%3A%2F%2Flogs.example.com%2Fx"
        );
    }
}
