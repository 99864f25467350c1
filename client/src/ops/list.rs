//! Listing workflows (`GET .../soc/workflows`), one page at a time.

use crate::call::{Repeat, generated_result};
use crate::error::Error;
use crate::types::{AopType, ListWorkflowsResponse, Order, SortBy};
use crate::{SecMasterClient, path_value};

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

    /// The documented ranges, checked before sending: the generated code
    /// does not enforce a schema's minimum and maximum.
    fn check(&self) -> Result<(), Error> {
        if self.offset.is_some_and(|o| o > MAX_OFFSET) {
            return Err(Error::InvalidInput(format!(
                "offset {} is past the API's limit of {MAX_OFFSET}",
                self.offset.unwrap_or_default()
            )));
        }
        if self.limit.is_some_and(|l| l == 0 || l > MAX_LIMIT) {
            return Err(Error::InvalidInput(format!(
                "limit {} is outside 1..={MAX_LIMIT}",
                self.limit.unwrap_or_default()
            )));
        }
        Ok(())
    }
}

impl SecMasterClient {
    /// One page of the workspace's workflows. Safe to retry; retried as the
    /// [`RetryPolicy`](crate::RetryPolicy) says. Fields the document does
    /// not name are kept in each object's `extra`. `request_id` is the
    /// body's, else the `X-Request-Id` header.
    ///
    /// To fetch every page, see [`SecMasterClient::list_all_workflows`].
    pub async fn list_workflows(
        &self,
        project_id: &str,
        workspace_id: &str,
        query: &ListQuery,
    ) -> Result<ListWorkflowsResponse, Error> {
        self.list_page(project_id, workspace_id, query, &|_| {})
            .await
    }

    /// [`Self::list_workflows`], telling `before_retry` of each retry.
    pub(super) async fn list_page(
        &self,
        project_id: &str,
        workspace_id: &str,
        query: &ListQuery,
        before_retry: &(dyn Fn(&Error) + Sync),
    ) -> Result<ListWorkflowsResponse, Error> {
        path_value::check("project_id", project_id)?;
        path_value::check("workspace_id", workspace_id)?;
        query.check()?;
        let response = self
            .call_observed(project_id, Repeat::Safe, before_retry, |context| {
                let api = self.generated(context);
                let q = query.clone();
                async move {
                    let mut call = api
                        .list_workflows()
                        .project_id(project_id)
                        .workspace_id(workspace_id);
                    // The builder's setters take plain values; unset ones
                    // stay off the query.
                    if let Some(v) = q.name {
                        call = call.name(v);
                    }
                    if let Some(v) = q.description {
                        call = call.description(v);
                    }
                    if let Some(v) = q.enabled {
                        call = call.enabled(v);
                    }
                    if let Some(v) = q.aop_type {
                        call = call.aop_type(v);
                    }
                    if let Some(v) = q.dataclass_id {
                        call = call.dataclass_id(v);
                    }
                    if let Some(v) = q.dataclass_name {
                        call = call.dataclass_name(v);
                    }
                    if let Some(v) = q.sort_by {
                        call = call.sortby(v);
                    }
                    if let Some(v) = q.order {
                        call = call.order(v);
                    }
                    if let Some(v) = q.offset {
                        call = call.offset(i64::from(v));
                    }
                    if let Some(v) = q.limit {
                        call = call.limit(u64::from(v));
                    }
                    generated_result(call.send()).await
                }
            })
            .await?;
        let (status, headers) = (response.status(), response.headers().clone());
        super::checked(status, &headers, response.into_inner(), None)
    }
}
