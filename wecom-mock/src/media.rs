//! The media the mock keeps: what is uploaded is stored with its name and bytes and given back
//! by its `media_id`, as the real server does for three days; an unknown `media_id` is refused
//! with WeCom's code.
//!
//! Like the address book, each handler is keyed by the typed request of its endpoint and answers
//! through the typed response, so no path or field name is restated here; the file part is
//! found as the request's file parameter in its `META`.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wecom_sdk::schema::Placement;
use wecom_sdk::{DownloadEndpoint, Endpoint, EndpointMeta, media};

use crate::reply::{Refusal, ok};

/// A file part of a multipart request: its file name and bytes.
#[derive(Debug, Clone)]
pub(crate) struct Uploaded {
    pub(crate) file_name: String,
    pub(crate) bytes: Bytes,
}

/// What a media endpoint answers: JSON, or a file.
pub(crate) enum Served {
    Json(Value),
    File(String, Bytes),
}

struct Stored {
    file_name: String,
    bytes: Bytes,
}

/// The uploaded files, by `media_id`.
#[derive(Default)]
pub(crate) struct Media {
    stored: HashMap<String, Stored>,
    next: u64,
}

/// The file parts of a request, by parameter name.
pub(crate) type Files = HashMap<String, Uploaded>;

type Handler = Box<dyn Fn(&mut Media, Value, &Files) -> Result<Served, Refusal> + Send + Sync>;

/// The media endpoints, by the path of their typed request.
pub(crate) struct MediaHandlers(HashMap<&'static str, Handler>);

/// The file part of request `R`: the one its `META` names as its file parameter.
fn the_file<R: Endpoint>(files: &Files) -> Result<&Uploaded, Refusal> {
    R::META
        .params
        .iter()
        .find(|p| p.placement() == Placement::File)
        .and_then(|p| files.get(p.name()))
        .ok_or_else(|| Refusal::new(41005, "media data missing"))
}

/// A typed response as the body of a success.
fn answer<T: Serialize>(response: &T) -> Result<Served, Refusal> {
    let fields =
        serde_json::to_value(response).map_err(|e| Refusal::new(-1, format!("system error: {e}")))?;
    Ok(Served::Json(ok("ok", fields)))
}

impl MediaHandlers {
    /// `handle` answers the endpoint `meta` describes, with its request decoded as `R`.
    fn on<R: DeserializeOwned + 'static>(
        &mut self,
        meta: &'static EndpointMeta,
        handle: fn(&mut Media, R, &Files) -> Result<Served, Refusal>,
    ) {
        let handler: Handler = Box::new(move |media, input, files| {
            let request: R = serde_json::from_value(input)
                .map_err(|e| Refusal::new(40058, format!("invalid parameter: {e}")))?;
            handle(media, request, files)
        });
        self.0.insert(meta.path, handler);
    }

    pub(crate) fn get(&self, path: &str) -> Option<&Handler> {
        self.0.get(path)
    }

    pub(crate) fn all() -> MediaHandlers {
        let mut h = MediaHandlers(HashMap::new());
        h.on(
            media::MediaUploadRequest::META,
            |m, r: media::MediaUploadRequest, files| {
                let file = the_file::<media::MediaUploadRequest>(files)?;
                let mut sent = media::MediaUploadResponse::default();
                sent.media_id = m.store(r.type_.as_ref(), file);
                sent.type_ = r.type_;
                sent.created_at = now();
                answer(&sent)
            },
        );
        h.on(
            media::MediaUploadImgRequest::META,
            |m, _: media::MediaUploadImgRequest, files| {
                let file = the_file::<media::MediaUploadImgRequest>(files)?;
                let id = m.store("img", file);
                let mut sent = media::MediaUploadImgResponse::default();
                // A URL that names the stored picture; the real server answers a CDN address.
                sent.url = format!("https://mock.invalid/media/{id}/{}", file.file_name);
                answer(&sent)
            },
        );
        h.on(
            <media::MediaGetRequest as DownloadEndpoint>::META,
            |m, r: media::MediaGetRequest, _| m.fetch(&r.media_id),
        );
        h.on(
            <media::MediaGetJssdkRequest as DownloadEndpoint>::META,
            |m, r: media::MediaGetJssdkRequest, _| m.fetch(&r.media_id),
        );
        h
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Media {
    /// Keeps `file`; its new `media_id`.
    fn store(&mut self, kind: &str, file: &Uploaded) -> String {
        self.next += 1;
        let id = format!("mock-{kind}-{:04}", self.next);
        self.stored.insert(
            id.clone(),
            Stored {
                file_name: file.file_name.clone(),
                bytes: file.bytes.clone(),
            },
        );
        id
    }

    fn fetch(&self, media_id: &str) -> Result<Served, Refusal> {
        match self.stored.get(media_id) {
            Some(s) => Ok(Served::File(s.file_name.clone(), s.bytes.clone())),
            None => Err(Refusal::new(40007, format!("invalid media_id: {media_id}"))),
        }
    }
}
