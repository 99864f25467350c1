//! Text that came from the network, made safe to show.
//!
//! A server chooses its error messages, codes, request ids, header values and
//! suggested file names. Printed raw, they could move the cursor, rewrite
//! earlier lines, change a terminal's title (CSI/OSC escapes, CR, BEL) or
//! reorder what a reader sees (Unicode bidirectional controls). Everything
//! this crate shows of such text goes through [`escape`].

use std::borrow::Cow;
use std::fmt::Write;

use reqwest::header::HeaderMap;

/// True for characters that must not reach a terminal as they are: control
/// characters (C0, DEL, C1), the Unicode bidirectional formatting
/// characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), the
/// line and paragraph separators (U+2028, U+2029), and characters that show
/// as nothing, so that two names that look the same could differ: the soft
/// hyphen (U+00AD), the Mongolian vowel separator (U+180E), the zero width
/// space (U+200B), the word joiner (U+2060), the byte order mark (U+FEFF)
/// and the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}')
        || matches!(
            c,
            '\u{00ad}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{180e}'
                | '\u{200b}'
                | '\u{2060}'
                | '\u{3164}'
                | '\u{feff}'
                | '\u{ffa0}'
        )
}

/// `text` with every unsafe character written as a visible escape
/// (`\n`, `\r`, `\t`, else `\u{1b}`), so that the line stays one line and
/// shows what was sent. Borrowed when nothing needed escaping.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A header's value as text. Any UTF-8 is kept, not only the visible ASCII
/// that `HeaderValue::to_str` allows, so a request id in another script still
/// reaches the user (through [`escape`]) instead of vanishing.
pub(crate) fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(escape("plain ünïcode 工作流"), "plain ünïcode 工作流");
        assert_eq!(
            escape("a\x1b]0;title\x07b\r\n\u{202e}c\u{2066}"),
            "a\\u{1b}]0;title\\u{7}b\\r\\n\\u{202e}c\\u{2066}"
        );
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
    }

    #[test]
    fn escapes_separators_and_what_shows_as_nothing() {
        assert_eq!(
            escape("a\u{200b}b\u{feff}c\u{ad}d\u{2028}e\u{2029}f\u{180e}g\u{3164}h"),
            "a\\u{200b}b\\u{feff}c\\u{ad}d\\u{2028}e\\u{2029}f\\u{180e}g\\u{3164}h"
        );
        assert_eq!(
            escape("\u{2060}\u{115f}\u{1160}\u{ffa0}"),
            "\\u{2060}\\u{115f}\\u{1160}\\u{ffa0}"
        );
        // Joiners that scripts and emoji need are kept.
        assert_eq!(escape("\u{200c}\u{200d}"), "\u{200c}\u{200d}");
    }

    #[test]
    fn header_text_keeps_any_utf8() {
        use reqwest::header::HeaderValue;
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-request-id",
            HeaderValue::from_bytes("req-工作流-ü".as_bytes()).unwrap(),
        );
        headers.insert("x-latin1", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        assert_eq!(header_text(&headers, "x-request-id"), Some("req-工作流-ü"));
        assert_eq!(header_text(&headers, "x-latin1"), None);
        assert_eq!(header_text(&headers, "x-missing"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn escaped_text_has_no_unsafe_character(text in any::<String>()) {
            let shown = escape(&text);
            prop_assert!(!shown.chars().any(is_unsafe), "{shown:?}");
            // Nothing is lost: text without a backslash-u escape maps back.
            if !text.chars().any(is_unsafe) {
                prop_assert_eq!(shown.as_ref(), text.as_str());
            }
        }
    }
}
