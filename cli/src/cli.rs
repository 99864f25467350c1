//! The command line.

use std::path::PathBuf;

use clap::builder::NonEmptyStringValueParser;
use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;

/// Help is wrapped at this width whatever the terminal, so that it reads the
/// same everywhere (and the snapshot tests hold).
pub const HELP_WIDTH: usize = 100;

#[derive(Debug, Parser)]
#[command(
    name = "secmaster",
    version,
    about = "Command-line client for Huawei Cloud SecMaster",
    term_width = HELP_WIDTH,
    after_help = ROOT_AFTER_HELP,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with SecMaster workflows
    #[command(subcommand, after_help = WORKFLOWS_AFTER_HELP)]
    Workflows(Workflows),
    /// Print a shell completion script to standard output
    #[command(after_help = COMPLETIONS_AFTER_HELP)]
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum Workflows {
    /// Export workflows of a workspace to a file
    ///
    /// Sends one export request for all the given workflow ids and saves the file the service
    /// answers with. The file is streamed to a temporary file beside the output, flushed to disk,
    /// and renamed into place only once it has arrived whole: on any failure the output path is
    /// left as it was.
    #[command(after_help = EXPORT_AFTER_HELP)]
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Project id [default: $HUAWEICLOUD_SDK_PROJECT_ID]
    #[arg(long, value_name = "ID", value_parser = NonEmptyStringValueParser::new())]
    pub project_id: Option<String>,

    /// Workspace id
    #[arg(long, value_name = "ID", value_parser = NonEmptyStringValueParser::new())]
    pub workspace_id: String,

    /// Workflow id to export; repeat for more
    #[arg(long = "id", value_name = "ID", value_parser = NonEmptyStringValueParser::new())]
    pub ids: Vec<String>,

    /// Read workflow ids from FILE, one per line ('#' starts a comment; '-' reads standard input)
    #[arg(long, value_name = "FILE")]
    pub ids_file: Option<PathBuf>,

    /// Where to save the file: a file, an existing directory, or '-' for standard output
    /// [default: the name the service suggests, else workflows-<WORKSPACE_ID>.bin]
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Replace the output file if it exists
    #[arg(short, long)]
    pub force: bool,

    /// Region, for example cn-north-4 [default: $HUAWEICLOUD_SDK_REGION]
    #[arg(long, value_name = "REGION", conflicts_with = "endpoint")]
    pub region: Option<String>,

    /// Send the request to URL instead of a region's endpoint (http or https)
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Read an IAM token from FILE ('-' reads standard input)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// Print nothing but warnings and errors (no progress bar, no summary)
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log each request attempt on standard error (never credentials)
    #[arg(short, long)]
    pub verbose: bool,
}

const ROOT_AFTER_HELP: &str = "\
Examples:
  secmaster workflows export --help
  secmaster completions bash > ~/.local/share/bash-completion/completions/secmaster";

const WORKFLOWS_AFTER_HELP: &str = "\
Examples:
  secmaster workflows export --region cn-north-4 --project-id P --workspace-id W --id ID";

const COMPLETIONS_AFTER_HELP: &str = "\
Examples:
  secmaster completions bash > ~/.local/share/bash-completion/completions/secmaster
  secmaster completions zsh > ~/.zfunc/_secmaster
  secmaster completions fish > ~/.config/fish/completions/secmaster.fish";

const EXPORT_AFTER_HELP: &str = concat!(
    "\
Examples:
  # Two workflows, with an IAM token kept in a file; the service names the file
  secmaster workflows export --region cn-north-4 --project-id 0123456789abcdef0123456789abcdef \\
      --workspace-id a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d --token-file ~/.secmaster-token \\
      --id c19470f3-5eaf-4572-82e8-2ff094495919 --id 9f0c3a52-6a9e-4a55-b7d1-0a1b2c3d4e5f

  # Access keys and region from the environment, ids from a file, to standard output
  export HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=... HUAWEICLOUD_SDK_REGION=cn-north-4
  secmaster workflows export --project-id P --workspace-id W --ids-file ids.txt -o - > flows.zip

  # A private endpoint or a local test server
  secmaster workflows export --endpoint http://127.0.0.1:8080 --project-id P --workspace-id W \\
      --id ID -o flows.zip --force

Credentials (the first one found is used; never from a flag):
  --token-file FILE                          an IAM token, sent as X-Auth-Token
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK     an access key pair; requests are signed
  HUAWEICLOUD_SDK_SECURITY_TOKEN             with the pair, for temporary credentials
  SECMASTER_AUTH_TOKEN                       an IAM token, sent as X-Auth-Token

Endpoint: --endpoint URL, else the region's public endpoint, which
HUAWEICLOUD_SDK_REGION_SECMASTER_<REGION> overrides (for example
HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4=https://...).

Output: the file is never written in place. It is streamed to a hidden temporary file in the
output's directory, flushed to disk, and given its name only when the whole body has arrived (and
matches Content-Length when the service sent one). An existing file is kept unless --force is
given. A name suggested by the service is reduced to a plain file name (no directories, no
leading dot, no control characters) and saved in the current directory, or in the directory that
--output names. A device or named pipe (such as /dev/null) is written to directly. Duplicate ids
are sent once, with a warning.

",
    crate::exit::exit_code_table!()
);

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn export_help_carries_the_exit_code_table() {
        assert!(EXPORT_AFTER_HELP.ends_with(crate::exit::exit_code_table!()));
    }
}
