//! The output file's name: from `Content-Disposition`, made safe, or a
//! default.

/// The longest name produced, in bytes (most file systems allow 255).
const MAX_NAME: usize = 200;

/// The name when the server suggests none: `workflows-<workspace_id>.bin`.
pub fn default_name(workspace_id: &str) -> String {
    let workspace: String = workspace_id
        .chars()
        .map(|c| if is_unsafe(c) { '_' } else { c })
        .collect();
    sanitise(&format!("workflows-{workspace}.bin")).unwrap_or_else(|| "workflows.bin".into())
}

/// The file name that a `Content-Disposition` value suggests: `filename*`
/// (RFC 8187, UTF-8 or ISO-8859-1) wins over `filename`. Not yet sanitised.
pub fn from_content_disposition(value: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for (name, value) in parameters(value) {
        match name.to_ascii_lowercase().as_str() {
            "filename" if plain.is_none() => plain = Some(value),
            "filename*" if extended.is_none() => extended = decode_ext_value(&value),
            _ => {}
        }
    }
    extended.or(plain)
}

/// Makes a suggested name safe to create in the output directory: only the
/// part after the last `/` or `\` is kept, control characters and Unicode
/// bidirectional controls are dropped,
/// characters that some file systems refuse become `_`, leading dots and
/// surrounding white space are removed, and the name is shortened to
/// [`MAX_NAME`] bytes (keeping a short extension). `None` when nothing is
/// left.
pub fn sanitise(suggested: &str) -> Option<String> {
    let last = suggested.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|&c| !secmaster_client::untrusted::is_unsafe(c))
        .map(|c| if is_unsafe(c) { '_' } else { c })
        .collect();
    let trimmed = cleaned
        .trim()
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    if trimmed.is_empty() {
        return None;
    }
    Some(shorten(trimmed))
}

/// Characters that are path separators or that Windows file systems refuse.
fn is_unsafe(c: char) -> bool {
    matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
}

fn shorten(name: &str) -> String {
    if name.len() <= MAX_NAME {
        return name.to_owned();
    }
    let extension = name
        .rfind('.')
        .map(|i| &name[i..])
        .filter(|e| e.len() <= 16)
        .unwrap_or("");
    let mut end = MAX_NAME - extension.len();
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{extension}", &name[..end])
}

/// The `name=value` parameters after the disposition type; quoted strings
/// are unquoted (`\` escapes the next character).
fn parameters(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = match value.split_once(';') {
        Some((_, rest)) => rest,
        None => return out,
    };
    loop {
        let Some((name, after)) = rest.split_once('=') else {
            return out;
        };
        let name = name.trim().to_owned();
        let after = after.trim_start();
        let (value, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            value.push(next);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            let remainder = &quoted[end..];
            let remainder = remainder.split_once(';').map_or("", |(_, r)| r);
            (value, remainder)
        } else {
            match after.split_once(';') {
                Some((v, r)) => (v.trim().to_owned(), r),
                None => (after.trim().to_owned(), ""),
            }
        };
        out.push((name, value));
        if remainder.is_empty() {
            return out;
        }
        rest = remainder;
    }
}

/// `charset'language'percent-encoded` (RFC 8187).
fn decode_ext_value(value: &str) -> Option<String> {
    let mut parts = value.splitn(3, '\'');
    let charset = parts.next()?.trim().to_ascii_lowercase();
    let _language = parts.next()?;
    let encoded = parts.next()?;
    let bytes = percent_decode(encoded)?;
    match charset.as_str() {
        "utf-8" => String::from_utf8(bytes).ok(),
        "iso-8859-1" => Some(bytes.into_iter().map(char::from).collect()),
        _ => None,
    }
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(header: &str) -> Option<String> {
        from_content_disposition(header).and_then(|n| sanitise(&n))
    }

    #[test]
    fn plain_and_quoted() {
        assert_eq!(
            name_of("attachment; filename=flows.zip").as_deref(),
            Some("flows.zip")
        );
        assert_eq!(
            name_of(r#"attachment; filename="my \"best\" flows.zip"; size=3"#).as_deref(),
            Some("my _best_ flows.zip")
        );
        assert_eq!(
            name_of("attachment;filename = a.zip ;creation-date=x").as_deref(),
            Some("a.zip")
        );
    }

    #[test]
    fn extended_wins() {
        let header = "attachment; filename=\"fallback.zip\"; filename*=UTF-8''%E5%B7%A5%E4%BD%9C%E6%B5%81.zip";
        assert_eq!(name_of(header).as_deref(), Some("工作流.zip"));
        assert_eq!(
            name_of("attachment; filename*=iso-8859-1'en'caf%E9.zip").as_deref(),
            Some("café.zip")
        );
        // An extended value that cannot be decoded falls back to filename.
        assert_eq!(
            name_of("attachment; filename*=UTF-8''%ZZ; filename=ok.zip").as_deref(),
            Some("ok.zip")
        );
    }

    #[test]
    fn hostile_names_are_made_safe() {
        assert_eq!(sanitise("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(sanitise("..\\..\\boot.ini").as_deref(), Some("boot.ini"));
        assert_eq!(sanitise("/abs/path/x.zip").as_deref(), Some("x.zip"));
        assert_eq!(sanitise(".bashrc").as_deref(), Some("bashrc"));
        assert_eq!(sanitise("a\u{1b}[2Jb\n.zip").as_deref(), Some("a[2Jb.zip"));
        assert_eq!(sanitise("..").as_deref(), None);
        assert_eq!(sanitise("dir/").as_deref(), None);
        assert_eq!(sanitise("  . ").as_deref(), None);
        assert_eq!(sanitise("").as_deref(), None);
        assert_eq!(sanitise("a:b*c?.zip").as_deref(), Some("a_b_c_.zip"));
        let long = format!("{}.zip", "é".repeat(300));
        let short = sanitise(&long).unwrap();
        assert!(
            short.len() <= MAX_NAME && short.ends_with("é.zip"),
            "{short}"
        );
        assert_eq!(
            name_of(r#"attachment; filename="../../etc/passwd""#).as_deref(),
            Some("passwd")
        );
    }

    #[test]
    fn bidirectional_controls_are_dropped() {
        // "exe.zip" written right-to-left would show as "piz.exe".
        assert_eq!(sanitise("a\u{202e}piz.exe").as_deref(), Some("apiz.exe"));
        assert_eq!(sanitise("\u{2066}x\u{2069}.zip").as_deref(), Some("x.zip"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Any header value: no panic, and whatever name comes out is safe.
        #[test]
        fn any_content_disposition_gives_a_safe_name(header in proptest::prelude::any::<String>()) {
            if let Some(name) = from_content_disposition(&header).and_then(|n| sanitise(&n)) {
                assert_safe(&name);
            }
        }

        #[test]
        fn any_suggestion_sanitises_to_a_safe_name(name in "[./\\\\a-z\\x00-\\x1f\\u{202a}-\\u{202e}\\u{2066}-\\u{2069} :*?\"<>|é工]{0,40}") {
            if let Some(safe) = sanitise(&name) {
                assert_safe(&safe);
            }
            assert_safe(&default_name(&name));
        }
    }

    fn assert_safe(name: &str) {
        assert!(!name.is_empty() && name != "." && name != "..", "{name:?}");
        assert!(name.len() <= MAX_NAME, "{name:?}");
        assert!(!name.contains(['/', '\\']), "{name:?}");
        assert!(
            !name.chars().any(secmaster_client::untrusted::is_unsafe),
            "{name:?}"
        );
        assert!(!name.starts_with('.'), "{name:?}");
    }

    #[test]
    fn no_name() {
        assert_eq!(from_content_disposition("attachment"), None);
        assert_eq!(from_content_disposition("inline; size=3"), None);
    }

    #[test]
    fn default_is_safe() {
        assert_eq!(default_name("ws-1"), "workflows-ws-1.bin");
        assert_eq!(default_name("../x"), "workflows-.._x.bin");
    }
}
