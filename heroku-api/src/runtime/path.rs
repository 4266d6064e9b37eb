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

/// Whether `value` has the shape of a UUID (8-4-4-4-12 hex digits): an
/// identity reference sends it as `id`, anything else as `name`.
#[doc(hidden)]
pub fn is_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod uuid_tests {
    use super::is_uuid;

    #[test]
    fn only_the_8_4_4_4_12_shape_is_a_uuid() {
        assert!(is_uuid("01234567-89ab-cdef-0123-456789ABCDEF"));
        assert!(!is_uuid("standard-1X"));
        assert!(!is_uuid("01234567-89ab-cdef-0123-456789abcdeg"));
        assert!(!is_uuid("0123456789ab-cdef-0123-456789abcdef-"));
        assert!(!is_uuid(""));
    }
}
