//! Media types as written in `Content-Type` headers and in the document's
//! `content` keys, split so that they can be compared by essence and
//! parameters (`application/json;charset=UTF-8`).

/// A media type split into its essence (`type/subtype`, lower case) and
/// parameters (names lower case, values unquoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType {
    pub essence: String,
    pub params: Vec<(String, String)>,
}

impl MediaType {
    pub fn parse(text: &str) -> MediaType {
        // Split on `;` outside double quotes (a quoted file name may hold one).
        let mut in_quotes = false;
        let mut pieces = text.split(|c| {
            if c == '"' {
                in_quotes = !in_quotes;
            }
            c == ';' && !in_quotes
        });
        let essence = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let params = pieces
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| {
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(v);
                (k.trim().to_ascii_lowercase(), v.to_owned())
            })
            .collect();
        MediaType { essence, params }
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}
