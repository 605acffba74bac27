//! Walking the pages of a list endpoint as one stream of items. Generated code says how to set
//! the position on a request and how to read items and the next position from an answer.

use std::collections::VecDeque;

use futures_util::Stream;

use crate::{Client, Endpoint, Error};

/// What one answer says about the walk.
pub struct Page<T, C> {
    pub items: Vec<T>,
    /// Where the next page starts; `None` ends the walk.
    pub next: Option<C>,
}

struct Walk<R, T, C> {
    client: Client,
    request: R,
    buffered: VecDeque<T>,
    /// `None` before the first page; `Some(None)` once the last page is in.
    next: Option<Option<C>>,
    failed: bool,
}

/// Items of every page, following the cursor the answers hand back.
pub fn cursor<R, T, C>(
    client: Client,
    request: R,
    set_cursor: fn(&mut R, C),
    read_page: fn(R::Response) -> Page<T, C>,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    R: Endpoint,
    T: Send + 'static,
    C: Send + 'static,
{
    let walk = Walk {
        client,
        request,
        buffered: VecDeque::new(),
        next: None,
        failed: false,
    };
    futures_util::stream::unfold(walk, move |mut walk| async move {
        loop {
            if let Some(item) = walk.buffered.pop_front() {
                return Some((Ok(item), walk));
            }
            if walk.failed {
                return None;
            }
            match walk.next.take() {
                Some(None) => return None,
                Some(Some(position)) => set_cursor(&mut walk.request, position),
                None => {}
            }
            match walk.client.execute(&walk.request).await {
                Ok(response) => {
                    let page = read_page(response);
                    walk.next = Some(page.next);
                    walk.buffered.extend(page.items);
                }
                Err(err) => {
                    walk.failed = true;
                    return Some((Err(err), walk));
                }
            }
        }
    })
}

/// Items of every page, asking for the next `offset` until a page comes back short (or empty,
/// when the page size is left to the server).
pub fn offset<R, T>(
    client: Client,
    request: R,
    get_offset: fn(&R) -> u64,
    set_offset: fn(&mut R, u64),
    page_size: fn(&R) -> Option<u64>,
    read_items: fn(R::Response) -> Vec<T>,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    R: Endpoint,
    T: Send + 'static,
{
    let start = get_offset(&request);
    let walk = (client, request, VecDeque::<T>::new(), Some(start), false);
    futures_util::stream::unfold(
        walk,
        move |(client, mut request, mut buffered, mut next, failed)| async move {
            loop {
                if let Some(item) = buffered.pop_front() {
                    return Some((Ok(item), (client, request, buffered, next, failed)));
                }
                let position = match (failed, next) {
                    (false, Some(position)) => position,
                    _ => return None,
                };
                set_offset(&mut request, position);
                match client.execute(&request).await {
                    Ok(response) => {
                        let items = read_items(response);
                        let got = items.len() as u64;
                        let full = match page_size(&request) {
                            Some(size) => got >= size && got > 0,
                            None => got > 0,
                        };
                        next = full.then_some(position + got);
                        buffered.extend(items);
                    }
                    Err(err) => return Some((Err(err), (client, request, buffered, None, true))),
                }
            }
        },
    )
}
