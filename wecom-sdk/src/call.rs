//! A request bound to a client, ready to send: `client.user().get("zhangsan").await`.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::{Client, Endpoint, Error};

/// A request and the client to send it with. Optional parameters are set with the generated
/// setters; `.send().await` or plain `.await` performs the call.
#[must_use = "a call does nothing until it is sent or awaited"]
pub struct Call<R> {
    pub(crate) client: Client,
    pub(crate) request: R,
}

impl<R: Endpoint> Call<R> {
    /// Binds `request` to `client`; [`Client::call`] does the same.
    pub fn new(client: Client, request: R) -> Self {
        Call { client, request }
    }

    /// The request as it will be sent.
    pub fn request(&self) -> &R {
        &self.request
    }

    /// The request, to keep or send with another client.
    pub fn into_request(self) -> R {
        self.request
    }

    /// Sends the request and decodes the answer.
    pub async fn send(self) -> Result<R::Response, Error> {
        self.client.execute(&self.request).await
    }
}

impl<R: Endpoint> IntoFuture for Call<R> {
    type Output = Result<R::Response, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<R: fmt::Debug> fmt::Debug for Call<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}
