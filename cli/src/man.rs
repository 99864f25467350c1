//! `secmaster man`: the manual page, in roff, generated from the same
//! definitions as `--help`; `secmaster man workflows export` gives a
//! command's own page.

use clap::CommandFactory;

use crate::cli::{Cli, VERSION};
use crate::exit::Failure;

/// The page of the command that `path` names (the whole program's when
/// empty).
pub fn page(path: &[String]) -> Result<Vec<u8>, Failure> {
    let mut command = Cli::command();
    // Gives each subcommand its full name (secmaster-workflows-export).
    command.build();
    for name in path {
        let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
        let Some(found) = command.find_subcommand(name) else {
            return Err(Failure::Usage(format!(
                "no command {name:?} here: there are {}",
                names.join(", ")
            )));
        };
        // Its page carries the program's version, as the whole program's does.
        command = found.clone().version(VERSION);
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|e| Failure::io("cannot make the manual page", &e))?;
    Ok(page)
}
