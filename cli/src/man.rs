//! `secmaster man`: the manual page, in roff, generated from the same
//! definitions as `--help`; `secmaster man workflows export` gives a
//! command's own page.

use clap::CommandFactory;

use crate::cli::{Cli, VERSION};
use crate::exit::Failure;

/// The page of the command that `path` names (the whole program's when
/// empty). `help` is no command with a page of its own.
pub fn page(path: &[String]) -> Result<Vec<u8>, Failure> {
    let mut command = Cli::command();
    // Gives each subcommand its full name (secmaster-workflows-export).
    command.build();
    for name in path {
        let here = command.get_bin_name().unwrap_or("secmaster").to_owned();
        let names: Vec<&str> = command
            .get_subcommands()
            .map(|c| c.get_name())
            .filter(|&n| n != "help")
            .collect();
        let found = match name.as_str() {
            "help" => None,
            name => command.find_subcommand(name),
        };
        let Some(found) = found else {
            return Err(Failure::Usage(match names.is_empty() {
                true => format!(
                    "{here} has no subcommands, so no page for {name:?}: secmaster man {} gives \
                     its page",
                    here.strip_prefix("secmaster ").unwrap_or_default()
                ),
                false => format!(
                    "no command {name:?} in {here}: there are {}",
                    names.join(", ")
                ),
            }));
        };
        // Its page carries its full name and the program's version, as the
        // whole program's does.
        let full_name = found.get_display_name().unwrap_or(found.get_name());
        command = found.clone().name(full_name.to_owned()).version(VERSION);
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|e| Failure::io("cannot make the manual page", &e))?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_of(path: &[&str]) -> Result<String, Failure> {
        let path: Vec<String> = path.iter().map(|&s| s.to_owned()).collect();
        page(&path).map(|bytes| String::from_utf8(bytes).unwrap())
    }

    #[test]
    fn a_command_page_carries_its_full_name() {
        let text = page_of(&["workflows", "export"]).unwrap();
        let header = text.lines().find(|l| l.starts_with(".TH ")).unwrap();
        assert_eq!(
            header,
            format!(".TH secmaster-workflows-export 1  \"secmaster-workflows-export {VERSION}\" ")
        );
        let text = page_of(&[]).unwrap();
        assert!(text.contains(&format!("\"secmaster {VERSION}\"")), "{text}");
    }

    #[test]
    fn what_is_no_command_is_a_usage_error_saying_so() {
        let e = page_of(&["workflows", "export", "extra"]).unwrap_err();
        assert_eq!(e.exit_code(), crate::exit::USAGE);
        assert_eq!(
            e.to_string(),
            "secmaster workflows export has no subcommands, so no page for \"extra\": \
             secmaster man workflows export gives its page"
        );
        let e = page_of(&["workflows", "nope"]).unwrap_err().to_string();
        assert!(
            e.starts_with("no command \"nope\" in secmaster workflows: there are list, show"),
            "{e}"
        );
        assert!(!e.contains("help"), "{e}");
        for path in [&["help"][..], &["workflows", "help"]] {
            let e = page_of(path).unwrap_err().to_string();
            assert!(e.starts_with("no command \"help\""), "{e}");
        }
    }
}
