//! A file to upload as one part of a multipart request.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use serde::{Deserialize, Deserializer};

use crate::{EndpointMeta, Error};

/// A file for a multipart parameter (`media/upload`'s `media`): its name as the server will
/// see it and where its bytes come from. The name is sent as a plain UTF-8
/// `filename="…"` (the server rejects the RFC 2231 `filename*=` form).
#[derive(Clone)]
pub struct Upload {
    file_name: String,
    content_type: Option<String>,
    source: Source,
}

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    /// Read when the request is sent, streamed, never held whole.
    Path(PathBuf),
    /// A one-shot stream: taken by the first attempt to send.
    Stream {
        stream: StreamSlot,
        length: Option<u64>,
    },
}

type StreamSlot = Arc<Mutex<Option<BoxStream<'static, std::io::Result<Bytes>>>>>;

impl Upload {
    /// A file already in memory.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Upload {
            file_name: file_name.into(),
            content_type: None,
            source: Source::Bytes(bytes.into()),
        }
    }

    /// A file on disk, named after its last path component. It is opened and streamed when the
    /// request is sent; a file that cannot be read then fails the call.
    pub fn from_path(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref().to_path_buf();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
        Upload {
            file_name,
            content_type: None,
            source: Source::Path(path),
        }
    }

    /// A stream of bytes, with its length when known. A stream can be sent once: if WeCom
    /// rejects the access token, the call cannot be repeated and fails with that error.
    pub fn from_stream<S>(file_name: impl Into<String>, stream: S, length: Option<u64>) -> Self
    where
        S: futures_util::Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let slot: StreamSlot = Arc::new(Mutex::new(Some(stream.boxed())));
        Upload {
            file_name: file_name.into(),
            content_type: None,
            source: Source::Stream { stream: slot, length },
        }
    }

    /// Overrides the name the server sees.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// Sets the part's Content-Type (default `application/octet-stream`).
    pub fn content_type(mut self, mime: impl Into<String>) -> Self {
        self.content_type = Some(mime.into());
        self
    }

    /// The name the server will see.
    pub fn name(&self) -> &str {
        &self.file_name
    }

    /// The size in bytes, when known without reading (bytes in memory, a stream of stated
    /// length); files on disk are measured when sent.
    pub fn known_size(&self) -> Option<u64> {
        match &self.source {
            Source::Bytes(b) => Some(b.len() as u64),
            Source::Path(_) => None,
            Source::Stream { length, .. } => *length,
        }
    }

    /// The part to send; reads nothing yet for files and streams.
    pub(crate) async fn into_part(
        self,
        meta: &'static EndpointMeta,
    ) -> Result<reqwest::multipart::Part, Error> {
        let invalid = |message: String| Error::InvalidRequest {
            endpoint: meta.id,
            field: None,
            message,
            doc: meta.doc,
        };
        let part = match self.source {
            Source::Bytes(bytes) => {
                reqwest::multipart::Part::stream_with_length(bytes.clone(), bytes.len() as u64)
            }
            Source::Path(path) => {
                let unreadable = |e: std::io::Error| Error::Io {
                    endpoint: meta.id,
                    message: format!("cannot read {}: {e}", path.display()),
                };
                let file = tokio::fs::File::open(&path).await.map_err(unreadable)?;
                let length = file.metadata().await.map_err(unreadable)?.len();
                let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file));
                reqwest::multipart::Part::stream_with_length(body, length)
            }
            Source::Stream { stream, length } => {
                let taken = stream.lock().unwrap_or_else(PoisonError::into_inner).take();
                let Some(stream) = taken else {
                    return Err(invalid(format!(
                        "the stream for `{}` was already sent once and cannot be repeated",
                        self.file_name
                    )));
                };
                let body = reqwest::Body::wrap_stream(stream.map_err(std::io::Error::other));
                match length {
                    Some(length) => reqwest::multipart::Part::stream_with_length(body, length),
                    None => reqwest::multipart::Part::stream(body),
                }
            }
        };
        let mime = self.content_type.as_deref().unwrap_or("application/octet-stream");
        part.file_name(self.file_name)
            .mime_str(mime)
            .map_err(|e| invalid(format!("bad content type {mime:?}: {e}")))
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Bytes(b) => format!("{} bytes in memory", b.len()),
            Source::Path(p) => format!("file {}", p.display()),
            Source::Stream { length, .. } => match length {
                Some(n) => format!("stream of {n} bytes"),
                None => "stream".to_string(),
            },
        };
        f.debug_struct("Upload")
            .field("file_name", &self.file_name)
            .field("source", &source)
            .finish()
    }
}

impl PartialEq for Upload {
    /// Same name and same source (bytes compared; files by path; streams by identity).
    fn eq(&self, other: &Self) -> bool {
        self.file_name == other.file_name
            && match (&self.source, &other.source) {
                (Source::Bytes(a), Source::Bytes(b)) => a == b,
                (Source::Path(a), Source::Path(b)) => a == b,
                (Source::Stream { stream: a, .. }, Source::Stream { stream: b, .. }) => Arc::ptr_eq(a, b),
                _ => false,
            }
    }
}

/// In JSON (the registry, the mock, logs) a file is its path, or its name when it is not on disk.
impl serde::Serialize for Upload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.source {
            Source::Path(path) => serializer.collect_str(&path.display()),
            _ => serializer.serialize_str(&self.file_name),
        }
    }
}

/// From JSON input (the CLI, tests) a file parameter is a path.
impl<'de> Deserialize<'de> for Upload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Upload::from_path)
    }
}
