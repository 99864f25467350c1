//! The command line.

use std::path::PathBuf;

use clap::builder::NonEmptyStringValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

/// Help is wrapped at this width whatever the terminal, so that it reads the
/// same everywhere (and the snapshot tests hold).
pub const HELP_WIDTH: usize = 100;

/// The package's version, with the git commit it was built from when it was
/// built from a checkout (build.rs).
pub const VERSION: &str = env!("SECMASTER_VERSION");

#[derive(Debug, Parser)]
#[command(
    name = "secmaster",
    version = VERSION,
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
    Workflows(Box<Workflows>),
    /// Find the workspaces of a project
    #[command(subcommand, after_help = WORKSPACES_AFTER_HELP)]
    Workspaces(Box<Workspaces>),
    /// Back up workflows into a directory that can be checked, described and restored
    #[command(subcommand, after_help = crate::backup_cli::BACKUP_AFTER_HELP)]
    Backup(Box<crate::backup_cli::Backup>),
    /// Restore a backup into a workspace, by name, without duplicates
    ///
    /// Checks the whole backup first, then imports each workflow whose name the target lacks
    /// (--existing says what to do with the others). Run again, it restores nothing twice.
    #[command(after_help = crate::backup_cli::RESTORE_AFTER_HELP)]
    Restore(Box<crate::backup_cli::RestoreArgs>),
    /// Send any operation of the API document, by its operation id
    ///
    /// NAME=VALUE fills the operation's path and query parameters; project_id and workspace_id,
    /// when the operation has them, default to --project-id and --workspace-id (else their
    /// variables, else the profile). Every argument is checked against the document before
    /// anything is sent. A JSON answer is printed on standard output; a file answer is saved with
    /// -o. --list shows every operation.
    #[command(after_help = API_AFTER_HELP)]
    Api(Box<ApiArgs>),
    /// Show the settings a command would use, and where each comes from
    #[command(subcommand, after_help = CONFIG_AFTER_HELP)]
    Config(Box<Config>),
    /// Print the manual page (roff) to standard output
    #[command(after_help = MAN_AFTER_HELP)]
    Man {
        /// A command's own page, for example: workflows export
        #[arg(value_name = "COMMAND")]
        command: Vec<String>,
    },
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
    /// List the workflows of a workspace
    ///
    /// One page by default (--limit, --offset); --all follows every page. The API cannot page past
    /// offset 10000: a longer list is an error that says so, never a silent partial list. The API
    /// takes one name a request: several --name are listed one after another, every page of each
    /// (so they need --all, and take no --offset), and merged by id, in the order of the names.
    #[command(after_help = LIST_AFTER_HELP)]
    List(ListArgs),
    /// Show one workflow
    #[command(after_help = SHOW_AFTER_HELP)]
    Show(ShowArgs),
    /// Import workflows from a file into a workspace
    ///
    /// The file is streamed from disk, so its size does not matter to memory. The service gives
    /// the imported workflows new ids. An import is not retried once the upload may have reached
    /// the service. Before anything is sent, a file that is empty or clearly not an export (the
    /// JSON array that list --format json prints) is refused. FILE '-' (or /dev/stdin) reads
    /// standard input: the upload needs a length, so it is first copied to a private temporary
    /// file (at most 64 MiB), which is removed afterwards, also on an error or Ctrl-C.
    #[command(after_help = IMPORT_AFTER_HELP)]
    Import(ImportArgs),
    /// Export workflows of a workspace to a file
    ///
    /// Sends one export request for all the given workflow ids and saves the file the service
    /// answers with. The file is streamed to a temporary file beside the output, flushed to disk,
    /// and renamed into place only once it has arrived whole: on any failure the output path is
    /// left as it was.
    #[command(after_help = EXPORT_AFTER_HELP)]
    Export(ExportArgs),
    /// Compare the workflows of a workspace with another workspace's or a backup's, by name
    #[command(after_help = crate::backup_cli::DIFF_AFTER_HELP)]
    Diff(crate::backup_cli::DiffArgs),
}

#[derive(Debug, Subcommand)]
pub enum Workspaces {
    /// List the workspaces of a project
    ///
    /// One page by default (--limit, --offset); --all follows every page.
    #[command(after_help = WORKSPACES_LIST_AFTER_HELP)]
    List(WorkspacesListArgs),
    /// Show one workspace
    #[command(after_help = WORKSPACES_SHOW_AFTER_HELP)]
    Show(WorkspacesShowArgs),
}

#[derive(Debug, Subcommand)]
pub enum Config {
    /// Show the effective settings and where each comes from (never a secret)
    ///
    /// Each setting comes from its flag, else the environment, else the profile of the config
    /// file. Secrets are never shown: only that they are set, and where; of an access key id, the
    /// first four characters. The connection flags are taken, to show their effect.
    #[command(after_help = CONFIG_LIST_AFTER_HELP)]
    List(ConnectionArgs),
}

/// Where requests go and as whom, in a workspace of a project: shared by the
/// workflow commands and `api`.
// Default: no flag given (the tests' starting point).
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Project id [default: $HUAWEICLOUD_SDK_PROJECT_ID, else the profile's]
    #[arg(long, value_name = "ID", value_parser = NonEmptyStringValueParser::new())]
    pub project_id: Option<String>,

    /// Workspace id (secmaster workspaces list shows them) [default: $SECMASTER_WORKSPACE_ID, else
    /// the profile's]
    #[arg(long, value_name = "ID", value_parser = NonEmptyStringValueParser::new())]
    pub workspace_id: Option<String>,

    #[command(flatten)]
    pub service: ServiceArgs,
}

/// The connection of a command that works on a project, not a workspace.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct ProjectArgs {
    /// Project id [default: $HUAWEICLOUD_SDK_PROJECT_ID, else the profile's]
    #[arg(long, value_name = "ID", value_parser = NonEmptyStringValueParser::new())]
    pub project_id: Option<String>,

    #[command(flatten)]
    pub service: ServiceArgs,
}

/// Where requests go, as whom, and what is said meanwhile: shared by every
/// command that calls the service.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Connection")]
pub struct ServiceArgs {
    /// Region, for example cn-north-4 [default: $HUAWEICLOUD_SDK_REGION, else the profile's]
    #[arg(long, value_name = "REGION", conflicts_with = "endpoint")]
    pub region: Option<String>,

    /// Send requests to URL instead of a region's endpoint (http or https)
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Read an IAM token from FILE ('-' reads standard input)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// Take the settings that no flag or variable gives from profile NAME of the config file
    /// [default: $SECMASTER_PROFILE, else the profile named default, if there is one]
    #[arg(long, value_name = "NAME", value_parser = NonEmptyStringValueParser::new())]
    pub profile: Option<String>,

    /// Only restore has a dry run; other commands take it only to say so, and what to use
    /// instead
    #[arg(long, hide = true)]
    pub dry_run: bool,

    /// Print nothing but warnings and errors (no progress bar, no summary)
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log each request attempt on standard error (never credentials)
    #[arg(short, long)]
    pub verbose: bool,
}

/// The list filters, shared by `list` and `export --all`.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Filters")]
pub struct FilterArgs {
    /// Only workflows whose name matches S; repeat for workflows matching any of the names (one
    /// listing each, merged by id; with --all)
    #[arg(long, value_name = "S")]
    pub name: Vec<String>,

    /// Only enabled (true) or disabled (false) workflows
    #[arg(long, value_name = "BOOL")]
    pub enabled: Option<bool>,

    /// Only workflows of this type
    #[arg(long, value_name = "TYPE", value_enum)]
    pub aop_type: Option<AopType>,

    /// Sort by this field [service default: create_time]
    #[arg(long, value_name = "FIELD", value_enum)]
    pub sort_by: Option<SortBy>,

    /// Sort direction [service default: desc]
    #[arg(long, value_name = "ORDER", value_enum)]
    pub order: Option<Order>,
}

impl FilterArgs {
    /// The filter flags given, as typed on the command line.
    pub fn given(&self) -> Vec<&'static str> {
        [
            (!self.name.is_empty(), "--name"),
            (self.enabled.is_some(), "--enabled"),
            (self.aop_type.is_some(), "--aop-type"),
            (self.sort_by.is_some(), "--sort-by"),
            (self.order.is_some(), "--order"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AopType {
    Normal,
    Survey,
    Hemostasis,
    Ease,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum SortBy {
    CreateTime,
    UpdateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Order {
    Asc,
    Desc,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned columns for people
    #[default]
    Table,
    /// The service's objects as JSON, every field kept
    Json,
    /// The same as YAML
    Yaml,
    /// One line per record, every field, tab-separated (\t, \n, \r and \\ escaped)
    Tsv,
    /// A header line, then one line per record, every field, quoted as RFC 4180 says
    Csv,
    /// One id per line (for pipes, such as into --ids-file -)
    Ids,
}

/// Formats for a single object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ObjectFormat {
    /// Aligned fields for people
    #[default]
    Table,
    /// The object as JSON, every field kept
    Json,
    /// The same as YAML
    Yaml,
    /// One tab-separated line, every field (\t, \n, \r and \\ escaped)
    Tsv,
    /// A header line and one line, every field, quoted as RFC 4180 says
    Csv,
}

impl From<ObjectFormat> for Format {
    fn from(format: ObjectFormat) -> Format {
        match format {
            ObjectFormat::Table => Format::Table,
            ObjectFormat::Json => Format::Json,
            ObjectFormat::Yaml => Format::Yaml,
            ObjectFormat::Tsv => Format::Tsv,
            ObjectFormat::Csv => Format::Csv,
        }
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Workflows per page, 1 to 100 [service default: 10; with --all: 100]
    // Hyphen values reach the parser, so `--limit -1` is a bad value of
    // --limit rather than an unknown argument.
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: Option<u32>,

    /// Skip the first N workflows, 0 to 10000
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub offset: Option<u32>,

    /// Follow every page to the end
    #[arg(long)]
    pub all: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,

    /// A JMESPath expression applied to the JSON before it is printed in --format, as aws --query
    /// takes it (for example '[?enabled].{id: id, name: name}')
    #[arg(long, value_name = "EXPR")]
    pub query: Option<String>,

    #[command(flatten)]
    pub filters: FilterArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The workflow's id
    #[arg(value_name = "WORKFLOW_ID", value_parser = NonEmptyStringValueParser::new())]
    pub workflow_id: String,

    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: ObjectFormat,

    /// A JMESPath expression applied to the workflow's JSON (an object) before it is printed in
    /// --format, as aws --query takes it (for example '{id: id, name: name, enabled: enabled}')
    #[arg(long, value_name = "EXPR")]
    pub query: Option<String>,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import, as export wrote it; '-' reads standard input
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Output format of the service's answer (table: a summary line on standard error)
    #[arg(long, value_enum, default_value_t)]
    pub format: ObjectFormat,

    /// A JMESPath expression applied to the service's answer before it is printed in --format
    /// (json, yaml, tsv or csv)
    #[arg(long, value_name = "EXPR")]
    pub query: Option<String>,

    /// Send the file without first checking that it is not clearly something else (a listing of
    /// workflows, an answer of the API): for an export that the check refuses by mistake (the
    /// service's export format is not documented)
    #[arg(long)]
    pub no_check: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Workflow id to export; repeat for more
    #[arg(long = "id", value_name = "ID", value_parser = NonEmptyStringValueParser::new())]
    pub ids: Vec<String>,

    /// Read workflow ids from FILE, one per line (a line starting with '#' is a comment; '-' reads
    /// standard input)
    #[arg(long, value_name = "FILE")]
    pub ids_file: Option<PathBuf>,

    /// Export every workflow of the workspace that the filters match
    #[arg(long, conflicts_with_all = ["ids", "ids_file"])]
    pub all: bool,

    /// Where to save the file: a file, an existing directory, or '-' for standard output
    /// [default: the name the service suggests, else workflows-<WORKSPACE_ID>.bin]
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Replace the output file if it exists; write to a terminal ('-o -', /dev/tty)
    #[arg(short, long)]
    pub force: bool,

    #[command(flatten)]
    pub filters: FilterArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct WorkspacesListArgs {
    /// Workspaces per page, 1 or more [default: 10; with --all: 100]
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,

    /// Skip the first N workspaces
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          value_parser = clap::value_parser!(u32))]
    pub offset: Option<u32>,

    /// Follow every page to the end
    #[arg(long)]
    pub all: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,

    /// A JMESPath expression applied to the JSON (a list of workspaces) before it is printed in
    /// --format, as aws --query takes it (for example '[].{id: id, name: name}')
    #[arg(long, value_name = "EXPR")]
    pub query: Option<String>,

    /// Only workspaces whose name matches S
    #[arg(long, value_name = "S", help_heading = "Filters")]
    pub name: Option<String>,

    #[command(flatten)]
    pub connection: ProjectArgs,
}

#[derive(Debug, Args)]
pub struct WorkspacesShowArgs {
    /// The workspace's id
    #[arg(value_name = "WORKSPACE_ID", value_parser = NonEmptyStringValueParser::new())]
    pub workspace_id: String,

    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: ObjectFormat,

    /// A JMESPath expression applied to the workspace's JSON (an object) before it is printed in
    /// --format, as aws --query takes it (for example '{id: id, name: name, created: create_time}')
    #[arg(long, value_name = "EXPR")]
    pub query: Option<String>,

    #[command(flatten)]
    pub connection: ProjectArgs,
}

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// The operation's id (secmaster api --list shows them all)
    // The ids are not listed in the help, which would change with every
    // operation the document gains; completion and typo hints still use them.
    #[arg(value_name = "OPERATION", required_unless_present = "list", hide_possible_values = true,
          value_parser = clap::builder::PossibleValuesParser::new(operation_ids()))]
    pub operation: Option<String>,

    /// A path or query parameter; for an upload, the file as FIELD=@PATH ('@-': standard input)
    #[arg(value_name = "NAME=VALUE")]
    pub params: Vec<String>,

    /// The JSON body: the text itself, @FILE, or @- for standard input
    #[arg(long, value_name = "JSON")]
    pub body: Option<String>,

    /// Where to save a file answer: a file, an existing directory, or '-' for standard output
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Replace the output file if it exists; write to a terminal ('-o -', /dev/tty)
    #[arg(short, long, requires = "output")]
    pub force: bool,

    /// List every operation: id, method, path and summary (connection flags are ignored)
    #[arg(long, conflicts_with_all = ["operation", "params", "body", "output", "force"])]
    pub list: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Every operation id of the document, for completion, help and typos.
fn operation_ids() -> Vec<&'static str> {
    secmaster_client::operations::OPERATIONS
        .iter()
        .map(|op| op.id)
        .collect()
}

const ROOT_AFTER_HELP: &str = "\
Examples:
  secmaster workspaces list --region cn-north-4 --project-id P
  secmaster workflows list --help
  secmaster api --list
  secmaster config list --profile prod
  secmaster man > secmaster.1
  secmaster completions bash > ~/.local/share/bash-completion/completions/secmaster";

const WORKFLOWS_AFTER_HELP: &str = "\
Examples:
  secmaster workflows list --region cn-north-4 --project-id P --workspace-id W
  secmaster workflows export --region cn-north-4 --project-id P --workspace-id W --all -o flows.zip
  secmaster workflows import flows.zip --region cn-north-4 --project-id P --workspace-id W2
  secmaster workflows diff --region cn-north-4 --project-id P --workspace-id W --to-workspace-id W2

Backups (one file per workflow, checked, restored without duplicates): secmaster backup --help";

const WORKSPACES_AFTER_HELP: &str = "\
Examples:
  secmaster workspaces list --region cn-north-4 --project-id P
  secmaster workspaces show W --region cn-north-4 --project-id P";

const MAN_AFTER_HELP: &str = "\
Examples:
  secmaster man | man -l -
  secmaster man > ~/.local/share/man/man1/secmaster.1
  secmaster man workflows export | man -l -";

const CONFIG_AFTER_HELP: &str = "\
Examples:
  secmaster config list
  secmaster config list --profile prod";

const COMPLETIONS_AFTER_HELP: &str = "\
Examples:
  secmaster completions bash > ~/.local/share/bash-completion/completions/secmaster
  secmaster completions zsh > ~/.zfunc/_secmaster
  secmaster completions fish > ~/.config/fish/completions/secmaster.fish";

/// Credentials, endpoint and profiles, the same for every command.
macro_rules! settings_help {
    () => {
        "\
Credentials (the first one found is used; never from a flag):
  --token-file FILE                          an IAM token, sent as X-Auth-Token
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK     an access key pair; requests are signed
  HUAWEICLOUD_SDK_SECURITY_TOKEN             with the pair, for temporary credentials
  SECMASTER_AUTH_TOKEN                       an IAM token, sent as X-Auth-Token
  the profile's token_file, or ak and sk     (with security_token for temporary credentials)

Profiles: each setting comes from its flag, else its variable, else the profile (--profile NAME,
else $SECMASTER_PROFILE, else the profile named default). The config file is $SECMASTER_CONFIG,
else $XDG_CONFIG_HOME/secmaster/config.toml, else ~/.config/secmaster/config.toml. A file with
secrets must be private to its owner (chmod 600). secmaster config list shows what is in effect.

Endpoint: --endpoint URL, else the region's public endpoint, which
HUAWEICLOUD_SDK_REGION_SECMASTER_<REGION> overrides (for example
HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4=https://...). Proxies come from HTTPS_PROXY,
HTTP_PROXY and ALL_PROXY, except for the hosts in NO_PROXY and for loopback endpoints.

"
    };
}
pub(crate) use settings_help;

const LIST_AFTER_HELP: &str = concat!(
    "\
Examples:
  # The first page, as a table
  secmaster workflows list --region cn-north-4 --project-id P --workspace-id W

  # Every enabled workflow, as JSON with every field the service sent
  secmaster workflows list --project-id P --workspace-id W --all --enabled true --format json

  # Ids and names of the SURVEY workflows, as CSV with a header line
  secmaster workflows list --project-id P --workspace-id W --all --format csv \\
      --query \"[?aop_type=='SURVEY'].{id: id, name: name}\"

  # Every workflow whose name matches either word: one listing per name, merged by id
  secmaster workflows list --project-id P --workspace-id W --all --name phishing --name malware

  # The enabled workflows' ids, one export of them all (to back up: secmaster backup create)
  secmaster workflows list --project-id P --workspace-id W --all --enabled true --format ids \\
      | secmaster workflows export --project-id P --workspace-id W --ids-file - -o enabled.zip

",
    settings_help!(),
    crate::exit::exit_code_table!()
);

const SHOW_AFTER_HELP: &str = concat!(
    "\
Examples:
  secmaster workflows show c19470f3-5eaf-4572-82e8-2ff094495919 --project-id P --workspace-id W
  secmaster workflows show ID --project-id P --workspace-id W --format json

",
    settings_help!(),
    crate::exit::exit_code_table!()
);

const IMPORT_AFTER_HELP: &str = concat!(
    "\
Examples:
  # Move a workspace's workflows into another workspace
  secmaster workflows export --project-id P --workspace-id W1 --all -o flows.zip
  secmaster workflows import flows.zip --project-id P --workspace-id W2

  # The same through a pipe, without a file of your own
  secmaster workflows export --project-id P --workspace-id W1 --all -o - \\
      | secmaster workflows import - --project-id P --workspace-id W2

",
    settings_help!(),
    crate::exit::exit_code_table!()
);

const EXPORT_AFTER_HELP: &str = concat!(
    "\
Examples:
  # Two workflows, with an IAM token kept in a file; the service names the file
  secmaster workflows export --region cn-north-4 --project-id 0123456789abcdef0123456789abcdef \\
      --workspace-id a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d --token-file ~/.secmaster-token \\
      --id c19470f3-5eaf-4572-82e8-2ff094495919 --id 9f0c3a52-6a9e-4a55-b7d1-0a1b2c3d4e5f

  # Every workflow of the workspace, access keys and region from the environment
  export HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=... HUAWEICLOUD_SDK_REGION=cn-north-4
  secmaster workflows export --project-id P --workspace-id W --all -o - > flows.zip

  # A private endpoint or a local simulator
  secmaster workflows export --endpoint http://127.0.0.1:8080 --project-id P --workspace-id W \\
      --id ID -o flows.zip --force

",
    settings_help!(),
    "\
Output: the file is never written in place. It is streamed to a hidden temporary file in the
output's directory, flushed to disk, and given its name only when the whole body has arrived (and
matches Content-Length when the service sent one). An existing file is kept unless --force is
given; a replaced file keeps its permissions. A name suggested by the service is reduced to a
plain file name (no directories, no leading dot, no control or bidirectional characters) and saved
in the current directory, or in the directory that --output names. A device or named pipe (such as
/dev/null) is written to directly. Duplicate ids are sent once, with a warning. A temporary file
left by a killed run is removed by the next export to the same name.

",
    crate::exit::exit_code_table!()
);

const WORKSPACES_LIST_AFTER_HELP: &str = concat!(
    "\
Examples:
  # The first page, as a table: copy a workspace id from here into --workspace-id
  secmaster workspaces list --region cn-north-4 --project-id P

  # Every workspace whose name matches, as JSON with every field the service sent
  secmaster workspaces list --project-id P --all --name prod --format json

",
    settings_help!(),
    crate::exit::exit_code_table!()
);

const WORKSPACES_SHOW_AFTER_HELP: &str = concat!(
    "\
Examples:
  secmaster workspaces show a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d --project-id P
  secmaster workspaces show W --project-id P --format json

",
    settings_help!(),
    crate::exit::exit_code_table!()
);

const CONFIG_LIST_AFTER_HELP: &str = concat!(
    "\
Examples:
  secmaster config list
  secmaster config list --profile prod --workspace-id W

Config file:
  [profiles.default]
  region = \"cn-north-4\"
  project_id = \"0123456789abcdef0123456789abcdef\"
  token_file = \"~/.secmaster-token\"    # relative paths: from the config file's directory

  [profiles.prod]
  endpoint = \"https://secmaster.example.com\"
  project_id = \"...\"
  workspace_id = \"...\"
  ak = \"...\"
  sk = \"...\"                             # security_token = \"...\" for temporary credentials

",
    settings_help!(),
    crate::exit::exit_code_table!()
);

const API_AFTER_HELP: &str = concat!(
    "\
Examples:
  # Every operation of the document
  secmaster api --list

  # One page of workflows; project from $HUAWEICLOUD_SDK_PROJECT_ID
  secmaster api list_workflows --workspace-id W limit=5 enabled=true

  # Any parameter can be given by name, the project and workspace too
  secmaster api show_workspace project_id=P workspace_id=W

  # A JSON body, and a file answer saved to a file
  secmaster api export_workflows --workspace-id W --body '{\"id\":[\"ID1\",\"ID2\"]}' -o flows.zip

  # An upload: the form's file field, from a file
  secmaster api import_workflows --workspace-id W uploadFile=@flows.zip

Arguments: a value is text, checked against the document before anything is sent (a name the
operation does not have, a missing required parameter, a value of the wrong type or outside its
documented values or range: exit 2, naming the parameter). Only an upload's file field reads a
'@': FIELD=@PATH streams the file from disk, FIELD=@- reads standard input. --body is the JSON
text itself, @FILE or @- (standard input). What --body and FIELD=@- read is held in memory, at most
64 MiB.

",
    settings_help!(),
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
    fn every_command_help_carries_the_exit_code_table() {
        for help in [
            LIST_AFTER_HELP,
            SHOW_AFTER_HELP,
            IMPORT_AFTER_HELP,
            EXPORT_AFTER_HELP,
            WORKSPACES_LIST_AFTER_HELP,
            WORKSPACES_SHOW_AFTER_HELP,
            API_AFTER_HELP,
            CONFIG_LIST_AFTER_HELP,
        ] {
            assert!(help.ends_with(crate::exit::exit_code_table!()));
        }
    }
}
