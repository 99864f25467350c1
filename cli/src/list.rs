//! `secmaster workflows list`.

use std::fs::File;
use std::io::{IsTerminal, Write};

use secmaster_client::types::{AopType, AopWorkflowInfo, Order, SortBy};
use secmaster_client::{ListAllOptions, ListQuery};

use crate::cli::{self, FilterArgs, Format, ListArgs};
use crate::exit::Failure;
use crate::format;
use crate::ids;
use crate::output::stdout_file;
use crate::session::Session;
use crate::settings::Lookup;
use crate::stderr;

pub async fn run(args: ListArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let session = Session::resolve(&args.connection, env)?;
    let out = stdout_file()?;
    let mut query = query(&args.filters);
    query.offset = args.offset;
    let (workflows, note) = if args.all {
        let options =
            ListAllOptions::default().page_size(args.limit.unwrap_or(secmaster_client::MAX_LIMIT));
        let all = session
            .client
            .list_all_workflows(&session.project_id, &session.workspace_id, &query, options)
            .await?;
        let note = format!(
            "{} ({})",
            count(all.items.len() as u64, "workflow"),
            count(u64::from(all.pages), "page")
        );
        (all.items, note)
    } else {
        query.limit = args.limit;
        let page = session
            .client
            .list_workflows(&session.project_id, &session.workspace_id, &query)
            .await?;
        let shown = page.data.len();
        let start = u64::from(args.offset.unwrap_or(0));
        let (first, last) = (start + 1, start + shown as u64);
        let note = match page.total.and_then(|t| u64::try_from(t).ok()) {
            Some(total) if shown > 0 && last < total => {
                let which = if first == last {
                    format!("workflow {first}")
                } else {
                    format!("workflows {first}-{last}")
                };
                format!("{which} of {total}; --all lists every page")
            }
            Some(total) => format!("{shown} of {}", count(total, "workflow")),
            None => count(shown as u64, "workflow"),
        };
        (page.data, note)
    };
    print(out, &workflows, args.format)?;
    if !args.connection.quiet && args.format == Format::Table {
        stderr::line(note);
    }
    Ok(())
}

/// `1 request`, `2 requests`.
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Prints `workflows` on standard output (`out`) in `format`.
fn print(out: File, workflows: &[AopWorkflowInfo], format: Format) -> Result<(), Failure> {
    let terminal = out.is_terminal();
    let mut out = std::io::BufWriter::new(out);
    let written = match format {
        Format::Table => format::table(&mut out, workflows),
        Format::Json => format::json(&mut out, &workflows),
        Format::Ids => format::ids(&mut out, &ids::listable(workflows)?, terminal),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))
}

/// The filters as the library's query (shared with `export --all`).
pub fn query(filters: &FilterArgs) -> ListQuery {
    let mut query = ListQuery::new();
    query.name = filters.name.clone();
    query.enabled = filters.enabled;
    query.aop_type = filters.aop_type.map(|t| match t {
        cli::AopType::Normal => AopType::Normal,
        cli::AopType::Survey => AopType::Survey,
        cli::AopType::Hemostasis => AopType::Hemostasis,
        cli::AopType::Ease => AopType::Ease,
    });
    query.sort_by = filters.sort_by.map(|s| match s {
        cli::SortBy::CreateTime => SortBy::CreateTime,
        cli::SortBy::UpdateTime => SortBy::UpdateTime,
    });
    query.order = filters.order.map(|o| match o {
        cli::Order::Asc => Order::Asc,
        cli::Order::Desc => Order::Desc,
    });
    query
}
