//! Workflow ids from `--id` and `--ids-file`.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use secmaster_client::untrusted::escape;

use crate::exit::{Failure, shown};

/// The largest ids file read: about 270,000 ids of 36 characters. A larger
/// input (or `/dev/zero`) is refused instead of filling memory.
pub const MAX_IDS_FILE: u64 = 10 * 1024 * 1024;

/// How many repeated ids a warning names before it only counts.
const SHOWN_REPEATS: usize = 5;

/// The `--id`s (trimmed, as the file's lines are), then the ids file's
/// (`-` is standard input); each id once, at its first place. Repeats get
/// one warning on standard error.
pub fn collect(flags: &[String], file: Option<&Path>) -> Result<Vec<String>, Failure> {
    let mut all = Vec::with_capacity(flags.len());
    for flag in flags {
        match flag.trim() {
            "" => {
                return Err(Failure::Usage(
                    "--id needs a workflow id, not blanks".into(),
                ));
            }
            id => all.push(id.to_owned()),
        }
    }
    if let Some(path) = file {
        all.extend(parse_ids_file(&read_capped(path)?));
    }
    let (unique, repeated) = dedup(all);
    if let Some(warning) = repeat_warning(&repeated) {
        crate::stderr::line(warning);
    }
    if unique.is_empty() {
        let source = match file {
            Some(p) if p.as_os_str() == "-" => "standard input".to_owned(),
            Some(p) => format!("the ids file {}", shown(p)),
            None => "the command line".to_owned(),
        };
        return Err(Failure::Usage(format!(
            "no workflow ids: {source} holds none (only blank lines and comments)"
        )));
    }
    Ok(unique)
}

fn read_capped(path: &Path) -> Result<String, Failure> {
    let what = || format!("cannot read the ids file {}", shown(path));
    let mut bytes = Vec::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_IDS_FILE + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_IDS_FILE + 1).read_to_end(&mut bytes))
    };
    result.map_err(|e| Failure::io(what(), &e))?;
    if bytes.len() as u64 > MAX_IDS_FILE {
        return Err(Failure::Io(format!(
            "the ids file {} is larger than the limit of {} MiB",
            shown(path),
            MAX_IDS_FILE / (1024 * 1024)
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| Failure::Io(format!("the ids file {} is not UTF-8 text", shown(path))))
}

/// Reads an ids file: one id per line, a line ending at LF or CR.
/// Surrounding white space (and a UTF-8 byte-order mark) is trimmed; blank
/// lines are skipped, and so are comments: lines whose first non-blank
/// character is `#`. A `#` further on is part of the id, as service ids may
/// hold one.
pub fn parse_ids_file(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The ids `list --format ids` prints: those of the listed objects (one
/// without an id is left out, as `export --all` leaves it out), each one
/// that [`parse_ids_file`] reads back unchanged from one line. That makes
/// `workflows list --format ids | workflows export --ids-file -` export
/// what `export --all` exports; any other id is refused rather than
/// printed changed. `what` names the objects: `workflow`, `workspace`.
pub fn listable<'a>(
    what: &str,
    ids: impl IntoIterator<Item = Option<&'a str>>,
) -> Result<Vec<&'a str>, Failure> {
    let ids: Vec<&str> = ids.into_iter().flatten().collect();
    match ids.iter().find(|id| parse_ids_file(id) != [**id]) {
        None => Ok(ids),
        Some(id) => Err(Failure::Usage(format!(
            "the {what} id \"{id}\" cannot be one line of --format ids (reading it back would \
             change it: it is blank, has a line break or surrounding white space, or starts \
             with '#' or a byte-order mark); use --format json"
        ))),
    }
}

/// The ids with duplicates removed, in the order first given, and the ids
/// given more than once (each named once, in order). Linear time.
pub fn dedup(all: impl IntoIterator<Item = String>) -> (Vec<String>, Vec<String>) {
    let mut seen = HashSet::new();
    let mut repeated_seen = HashSet::new();
    let mut unique = Vec::new();
    let mut repeated = Vec::new();
    for id in all {
        if !seen.contains(&id) {
            seen.insert(id.clone());
            unique.push(id);
        } else if repeated_seen.insert(id.clone()) {
            repeated.push(id);
        }
    }
    (unique, repeated)
}

/// One line that counts the repeated ids and names the first few.
fn repeat_warning(repeated: &[String]) -> Option<String> {
    repeated.first()?;
    let shown: Vec<String> = repeated
        .iter()
        .take(SHOWN_REPEATS)
        .map(|id| escape(id).into_owned())
        .collect();
    let more = repeated.len().saturating_sub(SHOWN_REPEATS);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let count = if repeated.len() == 1 {
        "1 workflow id was".to_owned()
    } else {
        format!("{} workflow ids were", repeated.len())
    };
    Some(format!(
        "warning: {count} given more than once, sent once: {}{tail}",
        shown.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn comments_blanks_and_whitespace() {
        let text = "\u{feff}# backup set\n\n  a1  \r\nb#2 # not a comment\n\t\n  #c3\rd4\re 5";
        assert_eq!(
            parse_ids_file(text),
            ["a1", "b#2 # not a comment", "d4", "e 5"]
        );
    }

    fn listable<'a>(ids: &[&'a str]) -> Result<Vec<&'a str>, Failure> {
        super::listable("workflow", ids.iter().copied().map(Some))
    }

    #[test]
    fn ids_a_line_cannot_carry_are_refused() {
        let fine = [
            "c19470f3-5eaf",
            "evil#x",
            "a b",
            "rtl\u{202e}",
            "x\u{1b}[2J",
            "\\u{41}",
        ];
        assert_eq!(listable(&fine).unwrap(), fine);
        for bad in [
            "a\nb",
            "a\rb",
            "a\r",
            " a",
            "a\u{a0}",
            "#a",
            "  #a",
            "\u{feff}a",
            "",
            " ",
        ] {
            let Err(refusal) = listable(&["fine", bad]) else {
                panic!("{bad:?} was listed");
            };
            assert_eq!(refusal.exit_code(), crate::exit::USAGE);
            let text = refusal.to_string();
            assert!(text.contains(escape(bad).as_ref()), "{text}");
        }
    }

    #[test]
    fn dedup_keeps_first_order() {
        let ids = ["b", "a", "b", "c", "a", "b"].map(String::from);
        let (unique, repeated) = dedup(ids);
        assert_eq!(unique, ["b", "a", "c"]);
        assert_eq!(repeated, ["b", "a"]);
    }

    #[test]
    fn many_repeats_give_a_short_warning() {
        let ids: Vec<String> = (0..50_000).map(|i| format!("id-{i}")).collect();
        let (_, repeated) = dedup(ids.iter().chain(&ids).cloned());
        assert_eq!(repeated.len(), 50_000);
        let warning = repeat_warning(&repeated).unwrap();
        assert!(warning.len() < 200, "{warning}");
        assert!(warning.contains("50000 workflow ids") && warning.ends_with("and 49995 more"));
        assert_eq!(repeat_warning(&[]), None);
        let hostile = repeat_warning(&["a\u{1b}[2J\u{202e}".to_owned()]).unwrap();
        assert!(!hostile.chars().any(secmaster_client::untrusted::is_unsafe));
    }

    /// Any text; an id with the characters a line reader treats specially
    /// inside; or one made only of those.
    fn id_like() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z0-9]([a-z0-9 #\t\u{85}\u{a0}\u{202e}\u{1b}\\\\-]{0,6}[a-z0-9])?",
            "[ab #\t\r\n\u{85}\u{a0}\u{feff}\u{202e}\u{1b}\\\\]{0,6}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Any ids: what `list --format ids` prints, `--ids-file` reads
        /// back as exactly the same list; or the listing is refused, only
        /// for an id that alone would not read back.
        #[test]
        fn printed_ids_read_back_exactly_or_are_refused(ids in prop::collection::vec(id_like(), 0..5)) {
            let listed: Vec<&str> = ids.iter().map(String::as_str).collect();
            match listable(&listed) {
                Ok(printable) => {
                    let mut out = Vec::new();
                    crate::format::ids(&mut out, &printable, false).unwrap();
                    prop_assert_eq!(parse_ids_file(&String::from_utf8(out).unwrap()), ids);
                }
                Err(_) => prop_assert!(ids.iter().any(|id| parse_ids_file(id) != [id.clone()])),
            }
        }

        /// Any text: no panic; every id is non-empty, trimmed, one line,
        /// not a comment; de-duplication keeps each id once.
        #[test]
        fn parsed_ids_are_clean(text in any::<String>()) {
            let ids = parse_ids_file(&text);
            for id in &ids {
                prop_assert!(!id.is_empty() && id.trim() == id);
                prop_assert!(!id.starts_with('#') && !id.contains('\n') && !id.contains('\r'));
            }
            let (unique, repeated) = dedup(ids.clone());
            let distinct: HashSet<&String> = ids.iter().collect();
            prop_assert_eq!(unique.len(), distinct.len());
            prop_assert!(repeated.iter().all(|r| unique.contains(r)));
        }
    }
}
