//! Every page of any list that pages by `offset` and `limit`: the one
//! pager, driven by the operation table's [`Paging`] (the answer's array,
//! its count of everything that matches, the largest page and offset).
//!
//! The first page gives the total; the remaining pages then go out a few at
//! a time (in order, concurrency bounded). A 429 on any page drops the pager
//! to one page at a time. Without a total, pages are fetched one after the
//! other until an empty page. The offset moves by what the service returned,
//! not by what was asked: a service that pages in smaller pieces than the
//! requested limit is followed, not skipped. Where the document caps the
//! offset, a list longer than the API can reach is an error that says so,
//! and so is a list that ends with fewer items than the total promised;
//! never a silent partial list. A service that repeats a page cannot make
//! the pager loop.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::{StreamExt, TryStreamExt, stream};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Input, decode};
use crate::error::Error;
use crate::operation::{Operation, Paging};
use crate::untrusted::escape;
use crate::{Args, Gate, SecMasterClient};

/// The page size when the document gives no largest page.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// The paging parameters, as every paged operation of the document names
/// them.
const OFFSET: &str = "offset";
const LIMIT: &str = "limit";
/// The item field that tells a repeated item from a new one.
const ID: &str = "id";

/// How [`SecMasterClient::list_all`] and the typed `list_all_*` methods
/// page.
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
/// println!("{} workflows in {} pages", all.items.len(), all.pages);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListAllOptions {
    /// Items per page, from 1 to the largest page the document allows.
    /// Default (`None`): that largest page (fewest requests), or
    /// [`DEFAULT_PAGE_SIZE`] when the document gives none.
    pub page_size: Option<u32>,
    /// Pages in flight at once once the total is known. Default 4.
    pub concurrency: usize,
}

impl Default for ListAllOptions {
    fn default() -> Self {
        ListAllOptions {
            page_size: None,
            concurrency: 4,
        }
    }
}

impl ListAllOptions {
    /// Sets [`ListAllOptions::page_size`].
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }
    /// Sets [`ListAllOptions::concurrency`].
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }
}

/// Every item that matched, in the service's order, each once.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ListAll<T> {
    /// The items: workflows, workspaces, or JSON values from
    /// [`SecMasterClient::list_all`].
    pub items: Vec<T>,
    /// What the service said the total was, when it said.
    pub total: Option<u64>,
    /// Pages fetched (a page that was retried counts once).
    pub pages: u32,
}

impl SecMasterClient {
    /// Every item of a list operation (one whose table entry has
    /// [`Operation::paging`]) that matches `args`, each decoded as `T` (one
    /// of [`crate::types`], or `serde_json::Value` for the item as sent)
    /// as its page arrives: `args`' `offset` is where listing starts, their
    /// `limit` is replaced by the page size.
    ///
    /// Fails with [`Error::ListTooLong`] when more items match than the
    /// API can page to (narrow the list with filters then), and with
    /// [`Error::Unexpected`] when the pages hold fewer items than the
    /// service's total promised.
    ///
    /// Arguments without a `project_id` take the client's default project,
    /// as for [`SecMasterClient::execute`].
    ///
    /// ```no_run
    /// use secmaster_client::{Args, ListAllOptions, SecMasterClient, operations};
    ///
    /// # async fn run(client: SecMasterClient) -> Result<(), secmaster_client::Error> {
    /// let args = Args::new().set("project_id", "<project_id>").set("is_view", false);
    /// let all = client
    ///     .list_all::<serde_json::Value>(&operations::LIST_WORKSPACES, &args, ListAllOptions::default())
    ///     .await?;
    /// for workspace in &all.items {
    ///     println!("{} {}", workspace["id"], workspace["name"]);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_all<T: DeserializeOwned>(
        &self,
        op: &Operation,
        args: &Args,
        options: ListAllOptions,
    ) -> Result<ListAll<T>, Error> {
        let Some(paging) = op.paging else {
            return Err(Error::InvalidInput(format!(
                "{} is not a list that pages",
                op.id
            )));
        };
        // The document names its lists list_<things>.
        let what = op.id.strip_prefix("list_").unwrap_or(op.id);
        let limit = page_size(op, &paging, options.page_size)?;
        let start = match args.get(OFFSET) {
            None => 0,
            Some(text) => text.parse::<u64>().map_err(|_| {
                Error::InvalidInput(format!(
                    "{}: parameter offset: {:?} is not a whole number of 0 or more",
                    op.id,
                    escape(text)
                ))
            })?,
        };
        let max_offset = paging.max_offset.map(|m| u64::try_from(m).unwrap_or(0));
        let gate = Gate::new(options.concurrency);
        let fetch = |offset: u64| {
            let page_args = args.clone().set(OFFSET, offset).set(LIMIT, limit);
            let gate = &gate;
            async move {
                let _pass = gate.enter().await;
                let answer: Value = self
                    .json_observed(op, &page_args, Input::None, &|e| gate.observe(e))
                    .await?;
                read_page(&paging, answer)
            }
        };

        let first = fetch(start).await?;
        let total = first.total;
        // The service's own page size: what the first page held, when that
        // is less than asked and more remain.
        let step = match first.items.len() as u64 {
            0 => limit,
            n => limit.min(n),
        };
        let mut listed = Listed::new();
        let mut last_len = first.items.len() as u64;
        listed.add(first.items)?;
        match total {
            Some(total) => {
                if let Some(max_offset) = max_offset {
                    check_reachable(what, total, start, step, max_offset)?;
                }
                // A page that holds nothing new (empty, or only repeats)
                // ends the list: no further pages are asked for, and those
                // in flight are still read.
                let ended = AtomicBool::new(false);
                let offsets = later_offsets(start, step, total, max_offset)
                    .take_while(|_| !ended.load(Ordering::SeqCst));
                let mut pages = stream::iter(offsets)
                    .map(fetch)
                    .buffered(options.concurrency.max(1));
                while let Some(page) = pages.try_next().await? {
                    if !listed.add(page.items)? {
                        ended.store(true, Ordering::SeqCst);
                    }
                }
            }
            None => {
                let mut offset = start;
                while last_len > 0 {
                    offset = offset.saturating_add(last_len);
                    if let Some(max_offset) = max_offset.filter(|&m| offset > m) {
                        return Err(Error::ListTooLong {
                            what,
                            total: None,
                            reachable: max_offset.saturating_add(step),
                        });
                    }
                    let page = fetch(offset).await?;
                    last_len = page.items.len() as u64;
                    // The empty last page counts as fetched.
                    let new = listed.add(page.items)?;
                    if last_len > 0 && !new {
                        return Err(Error::Unexpected(format!(
                            "the service answered offset {offset} with {what} it had already listed"
                        )));
                    }
                }
            }
        }
        check_complete(what, total, start, listed.items.len())?;
        Ok(ListAll {
            items: listed.items,
            total,
            pages: listed.pages,
        })
    }
}

/// The page size: `asked`, else the document's largest page, else
/// [`DEFAULT_PAGE_SIZE`]; refused when outside 1 to the largest page.
fn page_size(op: &Operation, paging: &Paging, asked: Option<u32>) -> Result<u64, Error> {
    let largest = paging.max_limit.map(|m| u64::try_from(m).unwrap_or(0));
    let size = asked.map_or_else(
        || largest.unwrap_or(u64::from(DEFAULT_PAGE_SIZE)),
        u64::from,
    );
    if size == 0 || largest.is_some_and(|m| size > m) {
        let range = largest.map_or_else(|| "1..".to_owned(), |m| format!("1..={m}"));
        return Err(Error::InvalidInput(format!(
            "{}: page size {size} is outside {range}",
            op.id
        )));
    }
    Ok(size)
}

/// One page as the table describes it.
#[derive(Debug, PartialEq)]
struct Page {
    items: Vec<Value>,
    total: Option<u64>,
}

/// The items (`paging.items`, absent or null: none) and the total
/// (`paging.total`, absent or null: not said) of a page. Anything else
/// there does not match the document.
fn read_page(paging: &Paging, mut answer: Value) -> Result<Page, Error> {
    let unexpected = |what: String| {
        Error::Unexpected(format!(
            "the service's answer does not match the API document: {what}"
        ))
    };
    if !answer.is_object() {
        return Err(unexpected("it is not a JSON object".into()));
    }
    let total = match answer.get(paging.total) {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            whole_number(value)
                .ok_or_else(|| unexpected(format!("its {} is not a whole number", paging.total)))?,
        ),
    };
    let items = match answer.get_mut(paging.items).map(Value::take) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(unexpected(format!("its {} is not a list", paging.items))),
    };
    Ok(Page { items, total })
}

/// A count as JSON writes it: `150`, or `150.0` where the document types
/// it as a number.
fn whole_number(value: &Value) -> Option<u64> {
    if let Some(n) = value.as_u64() {
        return Some(n);
    }
    let n = value.as_f64()?;
    // Below 2^53 every whole f64 is exact.
    (n >= 0.0 && n.fract() == 0.0 && n < 9_007_199_254_740_992.0).then_some(n as u64)
}

/// The offsets of the pages after the first, every `step` from `start`
/// while below `total`; where the API takes no offset past `max_offset`,
/// the last page is asked from there (the overlap is de-duplicated).
fn later_offsets(
    start: u64,
    step: u64,
    total: u64,
    max_offset: Option<u64>,
) -> impl Iterator<Item = u64> {
    let mut capped = false;
    (1u64..)
        .map(move |k| start.saturating_add(k.saturating_mul(step)))
        .take_while(move |&offset| offset < total)
        .map_while(move |offset| match max_offset {
            Some(max) if offset >= max => (!std::mem::replace(&mut capped, true)).then_some(max),
            _ => Some(offset),
        })
}

/// The items so far, each id once, decoded as `T`: only the page being
/// added is held as JSON values, which take more memory than `T`.
struct Listed<T> {
    items: Vec<T>,
    seen: HashSet<String>,
    pages: u32,
}

impl<T: DeserializeOwned> Listed<T> {
    fn new() -> Self {
        Listed {
            items: Vec::new(),
            seen: HashSet::new(),
            pages: 0,
        }
    }

    /// Adds a page's items that were not listed before: by id, or, for an
    /// item without one, by its whole content (else a service repeating
    /// id-less items could keep the pager asking for ever). Returns
    /// whether there was one; fails when an item does not decode as `T`.
    fn add(&mut self, page: Vec<Value>) -> Result<bool, Error> {
        self.pages += 1;
        let before = self.items.len();
        for item in page {
            let key = match item.get(ID).and_then(Value::as_str) {
                Some(id) => format!("id {id}"),
                None => format!("item {item}"),
            };
            let new = self.seen.insert(key);
            if new {
                self.items.push(decode(item)?);
            }
        }
        Ok(self.items.len() > before)
    }
}

/// The API lists at most `step` items from `max_offset` on.
fn check_reachable(
    what: &'static str,
    total: u64,
    start: u64,
    step: u64,
    max_offset: u64,
) -> Result<(), Error> {
    let reachable = max_offset.saturating_add(step);
    if total > reachable && total > start {
        return Err(Error::ListTooLong {
            what,
            total: Some(total),
            reachable,
        });
    }
    Ok(())
}

/// Fewer items than `total` promised (pages skipped or cut by the
/// service, or items deleted meanwhile) is an error, not a short list.
fn check_complete(what: &str, total: Option<u64>, start: u64, listed: usize) -> Result<(), Error> {
    let expected = total.map_or(0, |t| t.saturating_sub(start));
    if (listed as u64) < expected {
        return Err(Error::Unexpected(format!(
            "the service said {expected} {what} match from offset {start}, but its pages held only {listed}; \
             nothing is returned rather than a partial list (try again: the list may have changed meanwhile)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{LIST_WORKFLOWS, LIST_WORKSPACES};
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn lists_past_the_api_limit_are_refused() {
        assert!(check_reachable("workflows", 10_100, 0, 100, 10_000).is_ok());
        let err = check_reachable("workflows", 10_101, 0, 100, 10_000).unwrap_err();
        assert!(matches!(
            err,
            Error::ListTooLong {
                what: "workflows",
                total: Some(10_101),
                reachable: 10_100
            }
        ));
        assert!(err.to_string().contains("10101 workflows"), "{err}");
        assert!(check_reachable("workflows", 10_050, 0, 50, 10_000).is_ok());
    }

    #[test]
    fn fewer_than_total_is_refused() {
        assert!(check_complete("workflows", Some(25), 0, 25).is_ok());
        assert!(check_complete("workflows", Some(25), 20, 5).is_ok());
        assert!(check_complete("workflows", None, 0, 0).is_ok());
        // More than promised: added meanwhile, nothing lost.
        assert!(check_complete("workflows", Some(25), 0, 26).is_ok());
        let err = check_complete("workspaces", Some(25), 0, 10).unwrap_err();
        assert!(
            err.to_string()
                .contains("25 workspaces match from offset 0, but its pages held only 10"),
            "{err}"
        );
    }

    #[test]
    fn the_page_size_is_the_documents_largest_else_a_default() {
        let workflows = LIST_WORKFLOWS.paging.unwrap();
        let workspaces = LIST_WORKSPACES.paging.unwrap();
        assert_eq!(page_size(&LIST_WORKFLOWS, &workflows, None).unwrap(), 100);
        assert_eq!(page_size(&LIST_WORKSPACES, &workspaces, None).unwrap(), 100);
        assert_eq!(
            page_size(&LIST_WORKSPACES, &workspaces, Some(500)).unwrap(),
            500
        );
        let err = page_size(&LIST_WORKFLOWS, &workflows, Some(101)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input: list_workflows: page size 101 is outside 1..=100"
        );
        let err = page_size(&LIST_WORKSPACES, &workspaces, Some(0)).unwrap_err();
        assert!(
            err.to_string().contains("page size 0 is outside 1.."),
            "{err}"
        );
    }

    #[test]
    fn pages_are_read_by_the_tables_names() {
        let workspaces = LIST_WORKSPACES.paging.unwrap();
        let page = read_page(
            &workspaces,
            json!({"workspaces": [{"id": "a"}], "count": 150.0}),
        );
        assert_eq!(
            page.unwrap(),
            Page {
                items: vec![json!({"id": "a"})],
                total: Some(150)
            }
        );
        let empty = read_page(&workspaces, json!({"count": null})).unwrap();
        assert_eq!(
            empty,
            Page {
                items: vec![],
                total: None
            }
        );
        for bad in [
            json!({"workspaces": {}, "count": 1}),
            json!({"workspaces": [], "count": -1}),
            json!({"workspaces": [], "count": 1.5}),
            json!({"workspaces": [], "count": "150"}),
        ] {
            let err = read_page(&workspaces, bad.clone()).unwrap_err();
            assert!(matches!(err, Error::Unexpected(_)), "{bad}: {err:?}");
        }
    }

    #[test]
    fn later_pages_step_to_the_total_and_stop_at_the_largest_offset() {
        let offsets =
            |start, step, total, max| later_offsets(start, step, total, max).collect::<Vec<_>>();
        assert_eq!(offsets(0, 10, 35, None), [10, 20, 30]);
        assert_eq!(offsets(5, 10, 35, None), [15, 25]);
        assert_eq!(offsets(0, 30, 10_025, Some(10_000)).last(), Some(&10_000));
        assert_eq!(offsets(0, 100, 10_100, Some(10_000)).len(), 100);
        assert_eq!(offsets(0, 10, 10, None), Vec::<u64>::new());
    }

    #[test]
    fn repeats_are_listed_once_and_a_page_of_repeats_holds_nothing_new() {
        let mut listed = Listed::<Value>::new();
        assert!(
            listed
                .add(vec![json!({"id": "a"}), json!({"id": "b"})])
                .unwrap()
        );
        assert!(
            !listed
                .add(vec![json!({"id": "b"}), json!({"id": "a"})])
                .unwrap()
        );
        assert!(!listed.add(vec![]).unwrap());
        assert!(
            listed
                .add(vec![json!({"id": "a"}), json!({"name": "no id"})])
                .unwrap()
        );
        assert_eq!(listed.items.len(), 3);
        assert_eq!(listed.pages, 4);
        // Items without an id repeat by their content: a page of the same
        // id-less items holds nothing new, so it ends the list.
        assert!(!listed.add(vec![json!({"name": "no id"})]).unwrap());
        assert!(listed.add(vec![json!({"name": "another"})]).unwrap());
        assert_eq!(listed.items.len(), 4);
        // An item that is not what the document describes.
        let mut typed = Listed::<crate::types::Workspace>::new();
        let err = typed.add(vec![json!({"id": 7})]).unwrap_err();
        assert!(
            err.to_string().contains("does not match the API document"),
            "{err}"
        );
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| json!(f)),
            ".{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(
                    "(id|count|workspaces|data|total|[a-z]{1,4})",
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any answer: never a panic; a page read holds exactly the
        /// answer's array and a total that is its whole count.
        #[test]
        fn any_answer_is_read_or_refused_without_panic(answer in json_value()) {
            for op in [&LIST_WORKFLOWS, &LIST_WORKSPACES] {
                let paging = op.paging.unwrap();
                match read_page(&paging, answer.clone()) {
                    Ok(page) => {
                        prop_assert!(answer.is_object());
                        let items = answer.get(paging.items).and_then(Value::as_array).cloned().unwrap_or_default();
                        prop_assert_eq!(page.items, items);
                        if let Some(total) = page.total {
                            prop_assert_eq!(answer[paging.total].as_f64(), Some(total as f64));
                        }
                    }
                    Err(e) => prop_assert!(matches!(e, Error::Unexpected(_))),
                }
            }
        }

        /// Any total the service claims: the offsets rise, stay below the
        /// total and within the largest offset, and are bounded in number
        /// when the document caps the offset.
        #[test]
        fn any_total_gives_rising_offsets_within_the_limits(
            start in 0u64..20_000,
            step in 1u64..200,
            total in any::<u64>(),
            max in proptest::option::of(0u64..20_000),
        ) {
            let offsets: Vec<u64> = later_offsets(start, step, total, max).take(100_000).collect();
            prop_assert!(offsets.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(offsets.iter().all(|&o| o < total));
            if let Some(max) = max {
                prop_assert!(offsets.iter().all(|&o| o <= max));
                prop_assert!(offsets.len() as u64 <= max / step + 1);
            }
        }
    }
}
