//! Listing workflows (`GET .../soc/workflows`), one page at a time.

use crate::error::Error;
use crate::operations::LIST_WORKFLOWS;
use crate::ops::Input;
use crate::ops::{ListAll, ListAllOptions};
use crate::types::{AopType, AopWorkflowInfo, ListWorkflowsResponse, Order, SortBy};
use crate::{Args, SecMasterClient};

/// The largest `offset` the API accepts.
pub const MAX_OFFSET: u32 = 10_000;
/// The largest page (`limit`) the API accepts.
pub const MAX_LIMIT: u32 = 100;

/// Filters, order and paging of a workflow list. Every field is optional;
/// the service's defaults are offset 0, limit 10, newest first by creation
/// time.
///
/// # Example
///
/// ```no_run
/// use secmaster_client::types::{Order, SortBy};
/// use secmaster_client::{ListQuery, SecMasterClient};
///
/// # async fn run(client: SecMasterClient) -> Result<(), secmaster_client::Error> {
/// let query = ListQuery::new()
///     .name("backup")
///     .enabled(true)
///     .sort_by(SortBy::UpdateTime)
///     .order(Order::Asc)
///     .offset(20)
///     .limit(10);
/// let page = client.list_workflows("<project_id>", "<workspace_id>", &query).await?;
/// println!("{} of {:?}", page.data.len(), page.total);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ListQuery {
    /// Workflows whose name matches (as the service matches names).
    pub name: Option<String>,
    /// Workflows whose description matches.
    pub description: Option<String>,
    /// Only enabled (`true`) or disabled (`false`) workflows.
    pub enabled: Option<bool>,
    /// Only workflows of this type.
    pub aop_type: Option<AopType>,
    /// Only workflows of this data class (by ID).
    pub dataclass_id: Option<String>,
    /// Only workflows of this data class (by name).
    pub dataclass_name: Option<String>,
    /// The field the list is sorted by.
    pub sort_by: Option<SortBy>,
    /// Ascending or descending.
    pub order: Option<Order>,
    /// Workflows to skip, 0 to 10,000.
    pub offset: Option<u32>,
    /// Page size, 1 to 100.
    pub limit: Option<u32>,
}

impl ListQuery {
    /// No filters, the service's defaults.
    pub fn new() -> Self {
        ListQuery::default()
    }
    /// Sets [`ListQuery::name`].
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// Sets [`ListQuery::description`].
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
    /// Sets [`ListQuery::enabled`].
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }
    /// Sets [`ListQuery::aop_type`].
    pub fn aop_type(mut self, aop_type: AopType) -> Self {
        self.aop_type = Some(aop_type);
        self
    }
    /// Sets [`ListQuery::dataclass_id`].
    pub fn dataclass_id(mut self, id: impl Into<String>) -> Self {
        self.dataclass_id = Some(id.into());
        self
    }
    /// Sets [`ListQuery::dataclass_name`].
    pub fn dataclass_name(mut self, name: impl Into<String>) -> Self {
        self.dataclass_name = Some(name.into());
        self
    }
    /// Sets [`ListQuery::sort_by`].
    pub fn sort_by(mut self, sort_by: SortBy) -> Self {
        self.sort_by = Some(sort_by);
        self
    }
    /// Sets [`ListQuery::order`].
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }
    /// Sets [`ListQuery::offset`].
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }
    /// Sets [`ListQuery::limit`].
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}

impl ListQuery {
    /// The query as the operation's arguments, in `project_id`'s
    /// `workspace_id`.
    pub(crate) fn args(&self, project_id: &str, workspace_id: &str) -> Args {
        let mut args = Args::new()
            .set("project_id", project_id)
            .set("workspace_id", workspace_id);
        let q = self.clone();
        let text = [
            ("name", q.name),
            ("description", q.description),
            ("dataclass_id", q.dataclass_id),
            ("dataclass_name", q.dataclass_name),
            ("aop_type", q.aop_type.map(|v| v.to_string())),
            ("sortby", q.sort_by.map(|v| v.to_string())),
            ("order", q.order.map(|v| v.to_string())),
            ("enabled", q.enabled.map(|v| v.to_string())),
            ("offset", q.offset.map(|v| v.to_string())),
            ("limit", q.limit.map(|v| v.to_string())),
        ];
        for (name, value) in text {
            if let Some(value) = value {
                args.insert(name, value);
            }
        }
        args
    }
}

impl SecMasterClient {
    /// One page of the workspace's workflows. Safe to retry; retried as the
    /// [`RetryPolicy`](crate::RetryPolicy) says. Fields the document does
    /// not name are kept in each object's `extra`. `request_id` is the
    /// body's, else the `X-Request-Id` header.
    ///
    /// An empty `project_id` is the client's default project
    /// ([`SecMasterClientBuilder::project_id`](crate::SecMasterClientBuilder::project_id)).
    ///
    /// To fetch every page, see [`SecMasterClient::list_all_workflows`].
    pub async fn list_workflows(
        &self,
        project_id: &str,
        workspace_id: &str,
        query: &ListQuery,
    ) -> Result<ListWorkflowsResponse, Error> {
        let args = query.args(project_id, workspace_id);
        self.execute_json(&LIST_WORKFLOWS, &args, Input::None).await
    }

    /// Every workflow of the workspace that matches `query` (its `offset`
    /// is where listing starts; its `limit` is ignored in favour of
    /// `options.page_size`), through [`SecMasterClient::list_all`].
    ///
    /// Fails with [`Error::ListTooLong`] when more workflows match than the
    /// API can page to (it takes no offset past 10,000), so narrow the
    /// query with filters then. Fails with [`Error::Unexpected`] when the
    /// pages hold fewer workflows than the service's `total` promised.
    ///
    /// An empty `project_id` is the client's default project
    /// ([`SecMasterClientBuilder::project_id`](crate::SecMasterClientBuilder::project_id)).
    pub async fn list_all_workflows(
        &self,
        project_id: &str,
        workspace_id: &str,
        query: &ListQuery,
        options: ListAllOptions,
    ) -> Result<ListAll<AopWorkflowInfo>, Error> {
        let args = query.args(project_id, workspace_id);
        self.list_all(&LIST_WORKFLOWS, &args, options).await
    }
}
