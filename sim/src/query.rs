//! Raw query strings, as they arrive, into decoded `(name, value)` pairs.

use percent_encoding::percent_decode_str;

/// Splits on `&`, then on the first `=`, and percent-decodes both sides
/// (invalid UTF-8 becomes U+FFFD). `+` is read as a space, as form-encoding
/// servers do: reqwest's `.query()` writes spaces that way, the official SDK
/// writes `%20`, and both must mean the same name filter. Empty pieces
/// (`a=1&&b=2`) are skipped; a piece without `=` has an empty value.
pub fn parse(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            (decode(name), decode(value))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples() {
        assert_eq!(parse(""), vec![]);
        assert_eq!(
            parse("limit=10&name=my%20wf%2F%C3%A9%26x&x"),
            vec![
                ("limit".into(), "10".into()),
                ("name".into(), "my wf/é&x".into()),
                ("x".into(), String::new())
            ]
        );
        assert_eq!(
            parse("a=b+c&&=v"),
            vec![("a".into(), "b c".into()), (String::new(), "v".into())]
        );
        assert_eq!(parse("a=%2B%zz"), vec![("a".into(), "+%zz".into())]);
    }
}
