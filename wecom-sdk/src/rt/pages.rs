//! Walking the pages of a list endpoint as one stream of items. Generated code says how to read
//! and set the position on a request and how to read items and the next position from an answer.

use std::collections::{HashSet, VecDeque};
use std::fmt::Display;
use std::hash::Hash;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use futures_util::stream::BoxStream;

use crate::{Call, Endpoint, Error};

/// Every item of every page of a list endpoint, fetched as the stream is read (`.stream()` on the
/// call). It is `Unpin`, so `while let Some(item) = pages.next().await` works as written; the
/// first error ends it.
#[must_use = "a stream does nothing until it is read"]
pub struct Pages<T> {
    inner: BoxStream<'static, Result<T, Error>>,
}

impl<T> Stream for Pages<T> {
    type Item = Result<T, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> std::fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pages")
    }
}

/// What one answer says about the walk.
pub struct Page<T, C> {
    pub items: Vec<T>,
    /// Where the next page starts; `None` (or an empty cursor) ends the walk.
    pub next: Option<C>,
}

/// A cursor that marks the end when it comes back empty (`""` or `0`).
pub trait Cursor: Clone + Eq + Hash + Display + Send + 'static {
    fn is_end(&self) -> bool;
}

impl Cursor for String {
    fn is_end(&self) -> bool {
        self.is_empty()
    }
}

macro_rules! int_cursor {
    ($($t:ty),*) => {$(
        impl Cursor for $t {
            fn is_end(&self) -> bool {
                *self == 0
            }
        }
    )*};
}

int_cursor!(u8, u16, u32, u64, i32, i64);

struct Walk<R: Endpoint, T, C> {
    call: Call<R>,
    buffered: VecDeque<T>,
    /// `None` before the first page; `Some(None)` once the last page is in.
    next: Option<Option<C>>,
    seen: HashSet<C>,
    /// An error to report once the buffered items are out.
    pending: Option<Error>,
    failed: bool,
}

/// Items of every page, following the cursor the answers hand back. A cursor handed back twice
/// ends the walk with [`Error::RepeatedCursor`] rather than looping.
pub fn cursor<R, T, C>(
    call: Call<R>,
    get_cursor: fn(&R) -> Option<C>,
    set_cursor: fn(&mut R, C),
    read_page: fn(R::Response) -> Page<T, C>,
) -> Pages<T>
where
    R: Endpoint,
    T: Send + 'static,
    C: Cursor,
{
    let mut seen = HashSet::new();
    if let Some(start) = get_cursor(&call.request).filter(|c| !c.is_end()) {
        seen.insert(start);
    }
    let walk = Walk {
        call,
        buffered: VecDeque::new(),
        next: None,
        seen,
        pending: None,
        failed: false,
    };
    let stream = futures_util::stream::unfold(walk, move |mut walk| async move {
        loop {
            if let Some(item) = walk.buffered.pop_front() {
                return Some((Ok(item), walk));
            }
            if let Some(error) = walk.pending.take() {
                walk.failed = true;
                return Some((Err(error), walk));
            }
            if walk.failed {
                return None;
            }
            match walk.next.take() {
                Some(None) => return None,
                Some(Some(position)) => set_cursor(&mut walk.call.request, position),
                None => {}
            }
            match walk.call.client.execute(&walk.call.request).await {
                Ok(response) => {
                    let page = read_page(response);
                    walk.buffered.extend(page.items);
                    match page.next.filter(|c| !c.is_end()) {
                        // The page's items are good: they come out first, then the error.
                        Some(c) if !walk.seen.insert(c.clone()) => {
                            walk.pending = Some(Error::RepeatedCursor {
                                endpoint: R::META.id,
                                cursor: c.to_string(),
                            });
                            walk.next = Some(None);
                        }
                        next => walk.next = Some(next),
                    }
                }
                Err(err) => {
                    walk.failed = true;
                    return Some((Err(err), walk));
                }
            }
        }
    });
    Pages {
        inner: Box::pin(stream),
    }
}

/// Items of every page, asking for the next `offset` until a page comes back short (or empty,
/// when the page size is left to the server).
pub fn offset<R, T>(
    call: Call<R>,
    get_offset: fn(&R) -> u64,
    set_offset: fn(&mut R, u64),
    page_size: fn(&R) -> Option<u64>,
    read_items: fn(R::Response) -> Vec<T>,
) -> Pages<T>
where
    R: Endpoint,
    T: Send + 'static,
{
    let start = get_offset(&call.request);
    let walk = (call, VecDeque::<T>::new(), Some(start), false);
    let stream = futures_util::stream::unfold(
        walk,
        move |(mut call, mut buffered, mut next, failed)| async move {
            loop {
                if let Some(item) = buffered.pop_front() {
                    return Some((Ok(item), (call, buffered, next, failed)));
                }
                let position = match (failed, next) {
                    (false, Some(position)) => position,
                    _ => return None,
                };
                set_offset(&mut call.request, position);
                match call.client.execute(&call.request).await {
                    Ok(response) => {
                        let items = read_items(response);
                        let got = items.len() as u64;
                        let full = match page_size(&call.request) {
                            Some(size) => got >= size && got > 0,
                            None => got > 0,
                        };
                        next = full.then_some(position + got);
                        buffered.extend(items);
                    }
                    Err(err) => return Some((Err(err), (call, buffered, None, true))),
                }
            }
        },
    );
    Pages {
        inner: Box::pin(stream),
    }
}
