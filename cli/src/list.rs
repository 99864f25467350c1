//! `secmaster workflows list`.

use secmaster_client::ListAllOptions;
use secmaster_client::ListQuery;
use secmaster_client::types::{AopType, Order, SortBy};

use crate::cli::{self, FilterArgs, ListArgs};
use crate::exit::Failure;
use crate::format;
use crate::output::stdout_file;
use crate::session::Session;
use crate::settings::Lookup;
use crate::summary;

pub async fn run(args: ListArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let session = Session::resolve(&args.connection, env)?;
    list(&args, &session)
        .await
        .map_err(|f| f.of_workspace(&session.workspace_id))
}

async fn list(args: &ListArgs, session: &Session) -> Result<(), Failure> {
    let out = stdout_file()?;
    let mut query = query(&args.filters);
    query.offset = args.offset;
    let (workflows, note, unread) = if args.all {
        let mut options = ListAllOptions::default();
        options.page_size = args.limit;
        let all = session
            .client
            .list_all_workflows(&session.project_id, &session.workspace_id, &query, options)
            .await?;
        let note = summary::all("workflow", all.items.len() as u64, all.pages);
        (all.items, note, false)
    } else {
        query.limit = args.limit;
        let page = session
            .client
            .list_workflows(&session.project_id, &session.workspace_id, &query)
            .await?;
        let total = page.total.and_then(|t| u64::try_from(t).ok());
        let start = u64::from(args.offset.unwrap_or(0));
        let shown = page.data.len() as u64;
        let note = summary::page("workflow", start, shown, total);
        (page.data, note, summary::left_unread(start, shown, total))
    };
    format::print_list(
        out,
        &workflows,
        args.format,
        &format::WORKFLOWS,
        "workflow",
        |w| w.id.as_deref(),
    )?;
    summary::say(&note, args.format, args.connection.service.quiet, unread);
    Ok(())
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
