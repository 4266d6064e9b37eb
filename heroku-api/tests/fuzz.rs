//! Property tests, bounded so CI runs them: no identity escapes its path
//! segment.

use heroku_api::__private::segment;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn an_identity_never_leaves_its_segment(id in any::<String>()) {
        let encoded = segment(&id).to_string();
        prop_assert!(!encoded.contains('/') && !encoded.contains('?') && !encoded.contains('#'));
        // Decoding gives the identity back.
        let decoded = percent_decode(&encoded);
        prop_assert_eq!(&decoded, &id);
        // Through URL parsing, it stays one segment after /apps/.
        if id != "." && id != ".." && !id.is_empty() {
            let url = reqwest::Url::parse(&format!("https://api.heroku.com/apps/{encoded}/config-vars")).unwrap();
            let segments: Vec<_> = url.path_segments().unwrap().collect();
            prop_assert_eq!(segments.len(), 3, "{} -> {}", id, url);
            prop_assert_eq!(segments[0], "apps");
            prop_assert_eq!(segments[2], "config-vars");
            prop_assert!(url.query().is_none() && url.fragment().is_none());
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
