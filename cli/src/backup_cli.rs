//! The command line of `backup`, `restore` and `workflows diff`.

use std::path::PathBuf;

use clap::builder::NonEmptyStringValueParser;
use clap::{Args, Subcommand, ValueEnum};

use crate::cli::{AopType, ConnectionArgs, settings_help};
use crate::exit::exit_code_table;

#[derive(Debug, Subcommand)]
pub enum Backup {
    /// Back up the workflows of a workspace, or of every workspace, into a new directory
    ///
    /// Each workflow is exported by its own id into a file of its own, beside its record as the
    /// list returned it; manifest.json lists every file with its size and SHA-256. The directory
    /// is written under a hidden name beside DIR and renamed only when complete.
    #[command(after_help = CREATE_AFTER_HELP)]
    Create(CreateArgs),
    /// Show what a backup holds: its source, time, counts and workflows
    ///
    /// Reads the manifest alone; `backup verify` checks the files.
    #[command(after_help = DESCRIBE_AFTER_HELP)]
    Describe(DescribeArgs),
    /// Check every file of a backup against its manifest: present, its size, its SHA-256
    #[command(after_help = VERIFY_AFTER_HELP)]
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The directory to create; it must not exist, or be empty
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Back up every workspace of the project, each in a directory of its own (instead of
    /// --workspace-id)
    #[arg(long, conflicts_with = "workspace_id")]
    pub all_workspaces: bool,

    /// Requests in flight at once, 1 to 32; one at a time once the service answers 429
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,

    /// Only workflows whose name matches TEXT (as the service matches names)
    #[arg(long, value_name = "TEXT", help_heading = "Filters")]
    pub name: Option<String>,

    /// Only enabled (true) or disabled (false) workflows
    #[arg(long, value_name = "BOOL", help_heading = "Filters")]
    pub enabled: Option<bool>,

    /// Only workflows of this type
    #[arg(long, value_name = "TYPE", value_enum, help_heading = "Filters")]
    pub aop_type: Option<AopType>,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The backup's directory
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Output format: a summary and a table of workflows, or the manifest as JSON
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The backup's directory
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Print nothing when the backup is intact
    #[arg(short, long)]
    pub quiet: bool,
}

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReportFormat {
    /// Aligned columns and lines for people
    #[default]
    Table,
    /// JSON for programs
    Json,
}

/// What a restore does with a name the target has already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Existing {
    /// Restore only what the target lacks (copies counted)
    #[default]
    Skip,
    /// Refuse the whole restore, importing nothing, when any name exists
    Fail,
    /// Import everything, whatever the target holds
    Duplicate,
}

#[derive(Debug, Args)]
// The connection flags' --dry-run, which other commands refuse, is this
// command's own.
#[command(mut_arg("dry_run", |a| a.hide(false).help_heading(None)
    .help("Send only reads, and print what would be restored")))]
pub struct RestoreArgs {
    /// The backup's directory
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// What to do with a workflow whose name the target has already
    #[arg(long, value_enum, value_name = "WHAT", default_value_t)]
    pub existing: Existing,

    /// Only workflows whose name matches GLOB (*, ?, [abc]); repeatable
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Leave out workflows whose name matches GLOB; repeatable
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// The workspace of an --all-workspaces backup to restore from, by id or name
    #[arg(long, value_name = "SRC", value_parser = NonEmptyStringValueParser::new())]
    pub from_workspace: Option<String>,

    /// Output format of the report
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,

    /// Imports in flight at once, 1 to 32; one at a time once the service answers 429
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("other").required(true).args(["to_workspace_id", "backup"])))]
pub struct DiffArgs {
    /// Compare with this workspace
    #[arg(long, value_name = "ID", value_parser = NonEmptyStringValueParser::new())]
    pub to_workspace_id: Option<String>,

    /// Compare with this backup
    #[arg(long, value_name = "DIR")]
    pub backup: Option<PathBuf>,

    /// The workspace of an --all-workspaces backup to compare with, by id or name [default:
    /// the one with --workspace-id's id, else the backup's only one]
    #[arg(long, value_name = "SRC", requires = "backup",
          value_parser = NonEmptyStringValueParser::new())]
    pub from_workspace: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub const BACKUP_AFTER_HELP: &str = "\
Examples:
  secmaster backup create backups/2026-01-31 --region cn-north-4 --project-id P --workspace-id W
  secmaster backup verify backups/2026-01-31
  secmaster restore backups/2026-01-31 --region cn-north-4 --project-id P --workspace-id W2";

const CREATE_AFTER_HELP: &str = concat!(
    "\
Examples:
  # One workspace
  secmaster backup create backups/2026-01-31 --project-id P --workspace-id W

  # Every workspace of the project, enabled workflows only
  secmaster backup create backups/all --project-id P --all-workspaces --enabled true

Layout (docs/backup-format.md):
  DIR/manifest.json                      format, tool, time, source, counts, every file's size
                                         and SHA-256
  DIR/workflows/0001-NAME.export         the workflow's export, by its own id
  DIR/workflows/0001-NAME.json           its record as the list returned it
  DIR/workspaces/001-NAME/workflows/...  the same per workspace, with --all-workspaces

All or nothing: the files go into a hidden directory beside DIR (.DIR.PID.N.secmaster-part),
flushed to disk, and it is renamed to DIR only when the manifest, written last, is complete. A
failure, Ctrl-C, SIGTERM or SIGHUP removes it; one a killed run left is removed by the next backup
to DIR.

",
    settings_help!(),
    exit_code_table!()
);

const DESCRIBE_AFTER_HELP: &str = concat!(
    "\
Examples:
  secmaster backup describe backups/2026-01-31
  secmaster backup describe backups/2026-01-31 --format json

",
    exit_code_table!()
);

const VERIFY_AFTER_HELP: &str = concat!(
    "\
Examples:
  secmaster backup verify backups/2026-01-31 && echo intact

Every problem is named, file by file (missing, a size or a SHA-256 other than the manifest's, a
symbolic link or anything but a regular file), and the exit code is 6.

",
    exit_code_table!()
);

pub const RESTORE_AFTER_HELP: &str = concat!(
    "\
Examples:
  # Everything the target lacks, by name
  secmaster restore backups/2026-01-31 --project-id P --workspace-id W2

  # What would happen, sending only reads
  secmaster restore backups/2026-01-31 --project-id P --workspace-id W2 --dry-run

  # Some workflows of one workspace of an --all-workspaces backup
  secmaster restore backups/all --project-id P --workspace-id W2 --from-workspace SOC \\
      --include 'phishing-*' --exclude '*-test'

The backup is checked first (as backup verify does): a damaged one is refused and nothing is
imported. Workflows are matched by name against the target's list. An import whose answer never
arrives (a time-out, a broken connection, a gateway's 502/503/504) is looked for in the target's
list before it is sent again, so a restore run again after an interruption leaves every workflow
in the target once. The report (--format json: {\"workflows\": [{\"name\", \"source_id\",
\"outcome\", \"reason\"}]}; outcome restored, skipped, failed or planned) goes to standard output.

",
    settings_help!(),
    exit_code_table!()
);

pub const DIFF_AFTER_HELP: &str = concat!(
    "\
Examples:
  secmaster workflows diff --project-id P --workspace-id W --to-workspace-id W2
  secmaster workflows diff --project-id P --workspace-id W2 --backup backups/2026-01-31

Workflows are matched by name. Ids, version ids, times, and workspace and project fields are left
out of the comparison: they differ between copies of one workflow whatever was done to it.
Printed: the names only in the workspace, the names only in the other side, and for each workflow
in both that differs, the fields and their two values. Exit code 0 when they are the same, 1 when
they differ (as diff(1)).

",
    settings_help!(),
    exit_code_table!()
);
