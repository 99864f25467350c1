//! Every page of a workflow list: the pager.
//!
//! The first page gives `total`; the remaining pages then go out a few at a
//! time (in order, concurrency bounded). A 429 on any page drops the pager
//! to one page at a time. Without `total`, pages are fetched one after the
//! other until an empty page. The offset moves by what the service returned,
//! not by what was asked: a service that pages in smaller pieces than the
//! requested limit is followed, not skipped. The API cannot page past offset
//! 10,000: a list longer than that is an error that says so, and so is a
//! list that ends with fewer workflows than `total` promised; never a silent
//! partial list. A service that repeats a page cannot make the pager loop.

use std::collections::HashSet;

use futures_util::{StreamExt, TryStreamExt, stream};

use super::list::{ListQuery, MAX_LIMIT, MAX_OFFSET};
use crate::error::Error;
use crate::types::{AopWorkflowInfo, ListWorkflowsResponse};
use crate::{Gate, SecMasterClient};

/// How [`SecMasterClient::list_all_workflows`] pages.
///
/// # Example
///
/// ```no_run
/// use secmaster_client::{ListAllOptions, ListQuery, SecMasterClient};
///
/// # async fn run(client: SecMasterClient) -> Result<(), secmaster_client::Error> {
/// // Gentler on a busy service: smaller pages, one at a time.
/// let options = ListAllOptions::default().page_size(50).concurrency(1);
/// let all = client
///     .list_all_workflows("<project_id>", "<workspace_id>", &ListQuery::new(), options)
///     .await?;
/// println!("{} workflows in {} pages", all.workflows.len(), all.pages);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListAllOptions {
    /// Workflows per page, 1 to 100. Default 100 (fewest requests).
    pub page_size: u32,
    /// Pages in flight at once once `total` is known. Default 4.
    pub concurrency: usize,
}

impl Default for ListAllOptions {
    fn default() -> Self {
        ListAllOptions {
            page_size: MAX_LIMIT,
            concurrency: 4,
        }
    }
}

impl ListAllOptions {
    /// Sets [`ListAllOptions::page_size`].
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }
    /// Sets [`ListAllOptions::concurrency`].
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }
}

/// Every workflow that matched, in the service's order, each once.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ListAll {
    /// The workflows.
    pub workflows: Vec<AopWorkflowInfo>,
    /// What the service said the total was, when it said.
    pub total: Option<u64>,
    /// Pages fetched (a page that was retried counts once).
    pub pages: u32,
}

impl SecMasterClient {
    /// Every workflow of the workspace that matches `query` (its `offset`
    /// is where listing starts; its `limit` is ignored in favour of
    /// `options.page_size`).
    ///
    /// Fails with [`Error::ListTooLong`] when more workflows match than the
    /// API can page to, so narrow the query with filters then.
    /// Fails with [`Error::Unexpected`] when the pages hold fewer workflows
    /// than the service's `total` promised.
    pub async fn list_all_workflows(
        &self,
        project_id: &str,
        workspace_id: &str,
        query: &ListQuery,
        options: ListAllOptions,
    ) -> Result<ListAll, Error> {
        if options.page_size == 0 || options.page_size > MAX_LIMIT {
            return Err(Error::InvalidInput(format!(
                "page size {} is outside 1..={MAX_LIMIT}",
                options.page_size
            )));
        }
        let limit = options.page_size;
        let start = query.offset.unwrap_or(0);
        let page_query = |offset: u32| query.clone().offset(offset).limit(limit);
        let gate = Gate::new(options.concurrency);
        let fetch = |offset: u32| {
            let (q, gate) = (page_query(offset), &gate);
            async move {
                let _pass = gate.enter().await;
                self.list_page(project_id, workspace_id, &q, &|e| gate.observe(e))
                    .await
            }
        };

        let first = fetch(start).await?;
        let total = first.total.and_then(|t| u64::try_from(t).ok());
        // The service's own page size: what the first page held, when that
        // is less than asked and more remain.
        let step = match first.data.len() {
            0 => limit,
            n => limit.min(u32::try_from(n).unwrap_or(u32::MAX)),
        };
        let mut pages = vec![first];
        match total {
            Some(total) => {
                check_reachable(total, start, step)?;
                // The API takes no offset past 10,000: the last page is asked
                // from there (the overlap is de-duplicated below).
                let mut offsets: Vec<u32> = (1..)
                    .map(|k| u64::from(start) + k * u64::from(step))
                    .take_while(|&o| o < total)
                    .map(|o| u32::try_from(o.min(u64::from(MAX_OFFSET))).unwrap_or(MAX_OFFSET))
                    .collect();
                offsets.dedup();
                let rest: Vec<ListWorkflowsResponse> = stream::iter(offsets)
                    .map(fetch)
                    .buffered(options.concurrency.max(1))
                    .try_collect()
                    .await?;
                pages.extend(rest);
            }
            None => {
                let mut offset = start;
                loop {
                    let last = pages.last().map_or(0, |p| p.data.len());
                    if last == 0 {
                        break;
                    }
                    offset = offset.saturating_add(u32::try_from(last).unwrap_or(u32::MAX));
                    if offset > MAX_OFFSET {
                        return Err(Error::ListTooLong {
                            total: None,
                            reachable: u64::from(MAX_OFFSET) + u64::from(step),
                        });
                    }
                    pages.push(fetch(offset).await?);
                    if repeats_only(&pages) {
                        return Err(Error::Unexpected(format!(
                            "the service answered offset {offset} with workflows it had already listed"
                        )));
                    }
                }
            }
        }
        let count = pages.len() as u32;
        let mut seen = HashSet::new();
        let workflows = pages
            .into_iter()
            .flat_map(|p| p.data)
            .filter(|w| w.id.as_ref().is_none_or(|id| seen.insert(id.clone())))
            .collect::<Vec<_>>();
        check_complete(total, start, workflows.len())?;
        Ok(ListAll {
            workflows,
            total,
            pages: count,
        })
    }
}

/// The API lists at most `limit` workflows from offset 10,000 on.
fn check_reachable(total: u64, start: u32, limit: u32) -> Result<(), Error> {
    let reachable = u64::from(MAX_OFFSET) + u64::from(limit);
    if total > reachable && total > u64::from(start) {
        return Err(Error::ListTooLong {
            total: Some(total),
            reachable,
        });
    }
    Ok(())
}

/// Fewer workflows than `total` promised (pages skipped or cut by the
/// service, or workflows deleted meanwhile) is an error, not a short list.
fn check_complete(total: Option<u64>, start: u32, listed: usize) -> Result<(), Error> {
    let expected = total.map_or(0, |t| t.saturating_sub(u64::from(start)));
    if (listed as u64) < expected {
        return Err(Error::Unexpected(format!(
            "the service said {expected} workflows match from offset {start}, but its pages held only {listed}; \
             nothing is returned rather than a partial list (try again: the workspace may have changed meanwhile)"
        )));
    }
    Ok(())
}

/// True when the newest page is not empty and holds nothing new.
fn repeats_only(pages: &[ListWorkflowsResponse]) -> bool {
    let Some((last, earlier)) = pages.split_last() else {
        return false;
    };
    let seen: HashSet<&String> = earlier
        .iter()
        .flat_map(|p| &p.data)
        .filter_map(|w| w.id.as_ref())
        .collect();
    !last.data.is_empty()
        && last
            .data
            .iter()
            .all(|w| w.id.as_ref().is_some_and(|id| seen.contains(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_past_the_api_limit_are_refused() {
        assert!(check_reachable(10_100, 0, 100).is_ok());
        let err = check_reachable(10_101, 0, 100).unwrap_err();
        assert!(matches!(
            err,
            Error::ListTooLong {
                total: Some(10_101),
                reachable: 10_100
            }
        ));
        assert!(err.to_string().contains("10101"), "{err}");
        assert!(check_reachable(10_050, 0, 50).is_ok());
    }

    #[test]
    fn fewer_than_total_is_refused() {
        assert!(check_complete(Some(25), 0, 25).is_ok());
        assert!(check_complete(Some(25), 20, 5).is_ok());
        assert!(check_complete(None, 0, 0).is_ok());
        // More than promised: added meanwhile, nothing lost.
        assert!(check_complete(Some(25), 0, 26).is_ok());
        let err = check_complete(Some(25), 0, 10).unwrap_err();
        assert!(
            err.to_string().contains("25") && err.to_string().contains("10"),
            "{err}"
        );
    }
}
