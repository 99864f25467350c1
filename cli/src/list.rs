//! `secmaster workflows list`.

use std::collections::HashSet;

use secmaster_client::ListAllOptions;
use secmaster_client::ListQuery;
use secmaster_client::types::{AopType, AopWorkflowInfo, Order, SortBy};

use crate::cli::{self, FilterArgs, ListArgs};
use crate::exit::Failure;
use crate::format;
use crate::output::stdout_file;
use crate::query::Query;
use crate::session::Session;
use crate::settings::Lookup;
use crate::summary;

pub async fn run(args: ListArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let query = Query::given(args.query.as_deref())?;
    if args.filters.name.len() > 1 {
        if !args.all {
            return Err(Failure::Usage(
                "several --name: each is listed on its own and the lists are merged, which has \
                 no pages; add --all to list every workflow that matches any of the names"
                    .into(),
            ));
        }
        if args.offset.is_some() {
            return Err(Failure::Usage(
                "--offset cannot apply to several --name: the merged list has no pages".into(),
            ));
        }
    }
    let session = Session::resolve(&args.connection, env)?;
    list(&args, query.as_ref(), &session)
        .await
        .map_err(|f| f.of_workspace(&session.workspace_id))
}

async fn list(args: &ListArgs, query: Option<&Query>, session: &Session) -> Result<(), Failure> {
    let out = stdout_file()?;
    let (workflows, note, unread) = if args.all {
        let mut options = ListAllOptions::default();
        options.page_size = args.limit;
        let (items, pages) = list_all(session, &args.filters, args.offset, options).await?;
        let note = summary::all("workflow", items.len() as u64, pages);
        (items, note, false)
    } else {
        let mut request = self::query(&args.filters);
        request.name = args.filters.name.first().cloned();
        request.offset = args.offset;
        request.limit = args.limit;
        let page = session
            .client
            .list_workflows(&session.project_id, &session.workspace_id, &request)
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
        (args.format, query),
        (&format::WORKFLOWS, crate::fields::WORKFLOW),
        "workflow",
        |w| w.id.as_deref(),
    )?;
    summary::say(&note, args.format, args.connection.service.quiet, unread);
    Ok(())
}

/// Every workflow the filters match, every page from `offset` on, and the
/// pages read (shared with `export --all`). The API takes one name a
/// request: with several `--name`, each is listed in turn, and the lists
/// are merged in the order of the names, a workflow that matches several
/// of them once, at its first place.
pub async fn list_all(
    session: &Session,
    filters: &FilterArgs,
    offset: Option<u32>,
    options: ListAllOptions,
) -> Result<(Vec<AopWorkflowInfo>, u32), Failure> {
    let (names, _) = crate::ids::dedup(filters.name.iter().cloned());
    let names: Vec<Option<String>> = match names.is_empty() {
        true => vec![None],
        false => names.into_iter().map(Some).collect(),
    };
    let (mut items, mut pages, mut seen) = (Vec::new(), 0, HashSet::new());
    for name in names {
        let mut request = query(filters);
        request.name = name;
        request.offset = offset;
        let all = session
            .client
            .list_all_workflows(
                &session.project_id,
                &session.workspace_id,
                &request,
                options,
            )
            .await?;
        pages += all.pages;
        items.extend(
            all.items
                .into_iter()
                .filter(|w| w.id.as_ref().is_none_or(|id| seen.insert(id.clone()))),
        );
    }
    Ok((items, pages))
}

/// The filters but `--name` as the library's query (shared with `backup
/// create`).
pub fn query(filters: &FilterArgs) -> ListQuery {
    let mut query = ListQuery::new();
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
