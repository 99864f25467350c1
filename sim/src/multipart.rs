//! `multipart/form-data` request bodies (RFC 7578), read whole from memory.
//! Only what a form upload needs: each part's name, file name, content type
//! and bytes. Nested multiparts and transfer encodings are not supported.

use crate::media::MediaType;

/// One form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// The boundary named by a `Content-Type` header value, if it is multipart.
pub fn boundary(content_type: &str) -> Option<String> {
    let media = MediaType::parse(content_type);
    if !media.essence.starts_with("multipart/") {
        return None;
    }
    media
        .param("boundary")
        .filter(|b| !b.is_empty() && b.len() <= 70)
        .map(str::to_owned)
}

/// Splits `body` into its parts. Text before the first delimiter (the
/// preamble) and after the closing one is ignored, as RFC 2046 says.
pub fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let opening = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    let mut rest = if body.starts_with(opening.as_bytes()) {
        &body[opening.len()..]
    } else {
        let at = find(body, delimiter.as_bytes()).ok_or("no multipart boundary in the body")?;
        &body[at + delimiter.len()..]
    };
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding may follow a delimiter before its line break.
        let line_end =
            find(rest, b"\r\n").ok_or("a multipart delimiter is not followed by a line break")?;
        if rest[..line_end].iter().any(|b| !matches!(b, b' ' | b'\t')) {
            return Err("unexpected text after a multipart delimiter".into());
        }
        rest = &rest[line_end + 2..];
        let (head, after_head) = match rest.strip_prefix(b"\r\n") {
            Some(after) => (&b""[..], after),
            None => {
                let end =
                    find(rest, b"\r\n\r\n").ok_or("a multipart part has no end of headers")?;
                (&rest[..end], &rest[end + 4..])
            }
        };
        let end = find(after_head, delimiter.as_bytes())
            .ok_or("the multipart body has no closing boundary")?;
        parts.push(part(head, &after_head[..end])?);
        rest = &after_head[end + delimiter.len()..];
    }
}

fn part(head: &[u8], data: &[u8]) -> Result<Part, String> {
    let head = String::from_utf8_lossy(head);
    let mut disposition = None;
    let mut content_type = None;
    for line in head.split("\r\n") {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad part header line {line:?}"))?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-disposition" => disposition = Some(value.trim().to_owned()),
            "content-type" => content_type = Some(value.trim().to_owned()),
            _ => {}
        }
    }
    let disposition = disposition.ok_or("a multipart part has no Content-Disposition")?;
    // `form-data; name="x"; filename="y"` reads like a media type's parameters.
    let params = MediaType::parse(&disposition);
    if params.essence != "form-data" {
        return Err(format!(
            "part disposition is {:?}, not form-data",
            params.essence
        ));
    }
    Ok(Part {
        name: params
            .param("name")
            .ok_or("a multipart part has no name")?
            .to_owned(),
        filename: params.param("filename").map(str::to_owned),
        content_type,
        data: data.to_vec(),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Builds a body the way form clients do (used by the tests and by
/// documentation examples; names and file names must not contain `"`).
pub fn build(parts: &[Part], boundary: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
                p.name
            )
            .as_bytes(),
        );
        if let Some(filename) = &p.filename {
            out.extend_from_slice(format!("; filename=\"{filename}\"").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        if let Some(ct) = &p.content_type {
            out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&p.data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_official_sdk_sends() {
        let body = b"--e7269432\r\nContent-Disposition: form-data; name=\"uploadFile\"; filename=\"wf.zip\"\r\n\r\nPK\x03\x04\r\n--e7269432--\r\n";
        let parts = parse(body, "e7269432").unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].name, "uploadFile");
        assert_eq!(parts[0].filename.as_deref(), Some("wf.zip"));
        assert_eq!(parts[0].data, b"PK\x03\x04");
        assert_eq!(
            boundary("multipart/form-data; boundary=e7269432").as_deref(),
            Some("e7269432")
        );
        assert_eq!(boundary("application/json"), None);
    }

    #[test]
    fn refuses_broken_bodies() {
        for body in [
            &b""[..],
            b"--b\r\nname: x\r\n\r\ndata",
            b"--b\r\n\r\ndata\r\n--b--",
            b"--bx",
        ] {
            assert!(parse(body, "b").is_err(), "{body:?}");
        }
    }
}
