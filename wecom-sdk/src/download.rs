//! Endpoints that answer with a file (`media/get`): streamed to the caller, never buffered whole.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::path::Path;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::Stream;

use crate::{Client, EndpointMeta, Error};

/// A request whose successful answer is a file rather than JSON. Only errors are JSON; they are
/// told apart by their Content-Type. Its parameters travel as [`Endpoint`](crate::Endpoint)'s do.
pub trait DownloadEndpoint: serde::Serialize + Send + Sync + 'static {
    /// Method, path, credential, parameters and docs of the endpoint.
    const META: &'static EndpointMeta;

    /// Checks the request against the documented limits before it is sent.
    fn validate(&self) -> Result<(), crate::Violation> {
        crate::rt::validate::check(self, Self::META.params, Self::META.rules)
    }
}

/// A file being received. Read it chunk by chunk, as a stream, or into a file; the bytes stay on
/// the wire until asked for.
pub struct Download {
    endpoint: &'static str,
    response: reqwest::Response,
    file_name: Option<String>,
}

impl Download {
    pub(crate) fn new(endpoint: &'static str, response: reqwest::Response) -> Self {
        let file_name = response
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            // Raw UTF-8 in a quoted file name is common; decode it rather than refuse it.
            .and_then(|v| content_disposition_file_name(&String::from_utf8_lossy(v.as_bytes())));
        Download {
            endpoint,
            response,
            file_name,
        }
    }

    /// The file name the server gave, from either `filename="…"` or `filename*=UTF-8''…`.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The Content-Type of the file.
    pub fn content_type(&self) -> Option<&str> {
        self.response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// The size the server announced, if it did.
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// The next piece of the file; `None` at the end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        self.response
            .chunk()
            .await
            .map_err(|e| Error::transport(self.endpoint, None, e))
    }

    /// The file as a stream of pieces.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Error>> + Send + 'static {
        let endpoint = self.endpoint;
        futures_util::stream::unfold(self.response, move |mut response| async move {
            match response.chunk().await {
                Ok(Some(bytes)) => Some((Ok(bytes), response)),
                Ok(None) => None,
                Err(e) => Some((Err(Error::transport(endpoint, None, e)), response)),
            }
        })
    }

    /// Writes the file to `path` piece by piece; returns the number of bytes written.
    pub async fn save_to(mut self, path: impl AsRef<Path>) -> Result<u64, Error> {
        use tokio::io::AsyncWriteExt;
        let path = path.as_ref();
        let endpoint = self.endpoint;
        let io = |e: std::io::Error| Error::Io {
            endpoint,
            message: format!("cannot write {}: {e}", path.display()),
        };
        let mut file = tokio::fs::File::create(path).await.map_err(io)?;
        let mut written = 0;
        while let Some(bytes) = self.chunk().await? {
            file.write_all(&bytes).await.map_err(io)?;
            written += bytes.len() as u64;
        }
        file.flush().await.map_err(io)?;
        Ok(written)
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("endpoint", &self.endpoint)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type())
            .field("content_length", &self.content_length())
            .finish()
    }
}

/// The file name of a Content-Disposition header: `filename*=` (RFC 5987, percent-encoded
/// UTF-8) wins over `filename=` when both are there.
pub(crate) fn content_disposition_file_name(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for param in split_params(header) {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "filename*" => {
                let value = value.trim().trim_matches('"');
                // charset'language'percent-encoded
                let encoded = value.splitn(3, '\'').nth(2).unwrap_or(value);
                let decoded = percent_encoding::percent_decode_str(encoded)
                    .decode_utf8_lossy()
                    .into_owned();
                extended = Some(decoded);
            }
            "filename" => {
                let value = value.trim();
                let unquoted = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .map(|v| v.replace("\\\"", "\"").replace("\\\\", "\\"))
                    .unwrap_or_else(|| value.to_string());
                plain = Some(unquoted);
            }
            _ => {}
        }
    }
    extended.or(plain).filter(|name| !name.is_empty())
}

/// `;`-separated parameters, keeping `;` inside quotes.
fn split_params(header: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in header.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&header[start..]);
    out
}

/// A download request bound to a client: `.send().await` or `.await` gives the [`Download`].
#[must_use = "a call does nothing until it is sent or awaited"]
pub struct DownloadCall<R> {
    pub(crate) client: Client,
    pub(crate) request: R,
}

impl<R: DownloadEndpoint> DownloadCall<R> {
    /// Binds `request` to `client`.
    pub fn new(client: Client, request: R) -> Self {
        DownloadCall { client, request }
    }

    /// The request as it will be sent.
    pub fn request(&self) -> &R {
        &self.request
    }

    /// Sends the request; the answer's body is read only as the caller reads the download.
    pub async fn send(self) -> Result<Download, Error> {
        self.client.download(&self.request).await
    }
}

impl<R: DownloadEndpoint> IntoFuture for DownloadCall<R> {
    type Output = Result<Download, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<R: fmt::Debug> fmt::Debug for DownloadCall<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadCall")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_either_form() {
        assert_eq!(
            content_disposition_file_name(r#"attachment; filename="wework.txt""#).as_deref(),
            Some("wework.txt")
        );
        assert_eq!(
            content_disposition_file_name(
                "attachment; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%BE%AE%E4%BF%A1.png"
            )
            .as_deref(),
            Some("企业微信.png")
        );
        assert_eq!(
            content_disposition_file_name(
                r#"attachment; filename="fallback.png"; filename*=utf-8''%E5%9B%BE.png"#
            )
            .as_deref(),
            Some("图.png")
        );
        assert_eq!(
            content_disposition_file_name(r#"attachment; filename="a;b.txt""#).as_deref(),
            Some("a;b.txt")
        );
        assert_eq!(content_disposition_file_name("inline").as_deref(), None);
        assert_eq!(
            content_disposition_file_name("attachment; filename=plain.jpg").as_deref(),
            Some("plain.jpg")
        );
    }
}
