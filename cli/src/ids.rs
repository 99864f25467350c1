//! Workflow ids from `--id` and `--ids-file`.

/// Reads an ids file: one id per line. Everything from a `#` to the end of
/// its line is a comment; blank lines are skipped; surrounding white space
/// (and a UTF-8 byte-order mark) is trimmed.
pub fn parse_ids_file(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .map(|line| line.split_once('#').map_or(line, |(before, _)| before))
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The ids with duplicates removed, in the order they were first given, and
/// the ids that were given more than once (each named once, in order).
pub fn dedup(all: impl IntoIterator<Item = String>) -> (Vec<String>, Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    let mut unique = Vec::new();
    let mut repeated = Vec::new();
    for id in all {
        if seen.insert(id.clone()) {
            unique.push(id);
        } else if !repeated.contains(&id) {
            repeated.push(id);
        }
    }
    (unique, repeated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blanks_and_whitespace() {
        let text = "\u{feff}# backup set\n\n  a1  \r\nb2 # trailing note\n\t\n#c3\nd4";
        assert_eq!(parse_ids_file(text), ["a1", "b2", "d4"]);
    }

    #[test]
    fn dedup_keeps_first_order() {
        let ids = ["b", "a", "b", "c", "a", "b"].map(String::from);
        let (unique, repeated) = dedup(ids);
        assert_eq!(unique, ["b", "a", "c"]);
        assert_eq!(repeated, ["b", "a"]);
    }
}
