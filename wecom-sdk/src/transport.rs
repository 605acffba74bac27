//! The HTTP side of a call: build the URL, send once, read the answer, check the envelope.
//! Retries and credentials are the client's business; this module sends what it is given.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::endpoint::{EndpointMeta, Method, Query};
use crate::error::{ApiError, excerpt};
use crate::tokens::Token;
use crate::upload::Upload;

/// The largest error body read from a download whose answer turned out to be JSON.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    /// The origin, without a trailing slash.
    pub(crate) base: String,
    pub(crate) timeout: Option<Duration>,
}

/// The credential a call carries, and the query parameter it travels in.
pub(crate) struct Credential {
    pub(crate) param: &'static str,
    pub(crate) token: Arc<Token>,
}

/// What goes in the request body. Rebuilt for every attempt: a multipart form is consumed by
/// sending it.
pub(crate) enum Payload {
    None,
    Json(Bytes),
    /// `(part name, file)`.
    Multipart(Vec<(&'static str, Upload)>),
}

impl Transport {
    fn request(
        &self,
        meta: &'static EndpointMeta,
        query: &Query,
        credential: Option<&Credential>,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let mut url = reqwest::Url::parse(&format!("{}{}", self.base, meta.path)).map_err(|e| {
            Error::InvalidRequest {
                endpoint: meta.id,
                field: None,
                message: format!("bad path {}: {e}", meta.path),
                doc: meta.doc,
            }
        })?;
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(credential) = credential {
                pairs.append_pair(credential.param, credential.token.value.expose());
            }
            for (key, value) in query.public_pairs() {
                pairs.append_pair(key, value);
            }
            for (key, value) in query.secret_pairs() {
                pairs.append_pair(key, value.expose());
            }
        }
        let method = match meta.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut request = self.http.request(method, url);
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        tracing::trace!(query = ?query, "sending");
        Ok(request)
    }

    /// One exchange whose answer is JSON; `Ok` only when the envelope says success.
    pub(crate) async fn send(
        &self,
        meta: &'static EndpointMeta,
        query: &Query,
        credential: Option<Credential>,
        payload: Payload,
    ) -> Result<Bytes, Error> {
        let mut request = self.request(meta, query, credential.as_ref())?;
        request = match payload {
            Payload::None => request,
            Payload::Json(body) => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body),
            Payload::Multipart(files) => {
                let mut form = reqwest::multipart::Form::new();
                for (name, upload) in files {
                    form = form.part(name, upload.into_part(meta).await?);
                }
                request.multipart(form)
            }
        };
        let response = request
            .send()
            .await
            .map_err(|e| Error::transport(meta.id, self.timeout, e))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Error::transport(meta.id, self.timeout, e))?;
        if !status.is_success() {
            return Err(Error::Http {
                endpoint: meta.id,
                status: status.as_u16(),
                excerpt: excerpt(&bytes, meta.sensitive),
            });
        }
        check_envelope(meta, &bytes)?;
        Ok(bytes)
    }

    /// One exchange whose answer is a file. A JSON answer is WeCom refusing: its envelope
    /// becomes the error.
    pub(crate) async fn open(
        &self,
        meta: &'static EndpointMeta,
        query: &Query,
        credential: Option<Credential>,
    ) -> Result<reqwest::Response, Error> {
        let response = self
            .request(meta, query, credential.as_ref())?
            .send()
            .await
            .map_err(|e| Error::transport(meta.id, self.timeout, e))?;
        let status = response.status();
        let is_json = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            });
        if status.is_success() && !is_json {
            return Ok(response);
        }
        let body = read_capped(response, MAX_ERROR_BODY)
            .await
            .map_err(|e| Error::transport(meta.id, self.timeout, e))?;
        if !status.is_success() {
            return Err(Error::Http {
                endpoint: meta.id,
                status: status.as_u16(),
                excerpt: excerpt(&body, meta.sensitive),
            });
        }
        check_envelope(meta, &body)?;
        Err(Error::Decode {
            endpoint: meta.id,
            message: "expected a file, got a JSON answer that reports success".into(),
            excerpt: excerpt(&body, meta.sensitive),
        })
    }
}

/// Reads at most `cap` bytes of a body.
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, reqwest::Error> {
    let mut out = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() >= cap {
            break;
        }
    }
    Ok(out)
}

/// The two fields every answer carries. `errcode` may be absent (the service-token endpoints
/// omit it on success) or a string.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default, with = "crate::rt::wire::As::<Option<crate::rt::wire::Lenient>>")]
    errcode: Option<i64>,
    #[serde(default, with = "crate::rt::wire::As::<Option<crate::rt::wire::Lenient>>")]
    errmsg: Option<String>,
}

pub(crate) fn check_envelope(meta: &'static EndpointMeta, bytes: &[u8]) -> Result<(), Error> {
    // WeCom writes `errcode` first; a success then needs no parse of its own here (the typed
    // decode that follows reads the whole body anyway).
    if bytes.starts_with(br#"{"errcode":0,"#) {
        return Ok(());
    }
    let envelope: Envelope = serde_json::from_slice(bytes).map_err(|e| Error::Decode {
        endpoint: meta.id,
        message: format!("not a JSON object: {e}"),
        excerpt: excerpt(bytes, meta.sensitive),
    })?;
    match envelope.errcode.unwrap_or(0) {
        0 => Ok(()),
        code => {
            let message = envelope.errmsg.unwrap_or_default();
            tracing::debug!(errcode = code, errmsg = %message, "WeCom refused the call");
            let body = if meta.sensitive {
                None
            } else {
                serde_json::from_slice(bytes).ok()
            };
            Err(Error::Api(Box::new(ApiError {
                endpoint: meta.id,
                code,
                message,
                doc: meta.doc,
                body,
            })))
        }
    }
}

/// The typed response from an answer whose envelope said success.
pub(crate) fn decode<T: DeserializeOwned>(meta: &'static EndpointMeta, bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|_| {
        // Decode again with the path tracked, only now that it is needed for the message.
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let message = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(e) => format!("at `{}`: {}", e.path(), e.inner()),
            Ok(_) => "the body does not match the spec".to_string(),
        };
        Error::Decode {
            endpoint: meta.id,
            message,
            excerpt: excerpt(bytes, meta.sensitive),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::BodyKind;

    static META: EndpointMeta = EndpointMeta::new(
        "user.get",
        Method::Get,
        "/cgi-bin/user/get",
        "https://developer.work.weixin.qq.com/document/path/90196",
        Some(crate::Credential::AccessToken),
        BodyKind::None,
    );

    fn code_of(body: &str) -> Option<i64> {
        match check_envelope(&META, body.as_bytes()) {
            Ok(()) => None,
            Err(Error::Api(api)) => Some(api.code),
            Err(other) => panic!("{body}: unexpected {other}"),
        }
    }

    #[test]
    fn success_in_any_spelling_passes() {
        for body in [
            r#"{"errcode":0,"errmsg":"ok","userid":"zhangsan"}"#,
            r#"{ "errcode": 0, "errmsg": "ok" }"#,
            r#"{"errmsg":"ok","errcode":"0"}"#,
            r#"{"provider_access_token":"t","expires_in":7200}"#,
        ] {
            assert_eq!(code_of(body), None, "{body}");
        }
    }

    #[test]
    fn a_refusal_is_an_api_error_whatever_its_layout() {
        assert_eq!(
            code_of(r#"{"errcode":40014,"errmsg":"invalid access_token"}"#),
            Some(40014)
        );
        assert_eq!(
            code_of(r#"{ "errcode":60111, "errmsg":"userid not found"}"#),
            Some(60111)
        );
        assert_eq!(code_of(r#"{"errmsg":"busy","errcode":"-1"}"#), Some(-1));
    }

    #[test]
    fn a_body_that_is_not_json_is_a_decode_error() {
        let error = check_envelope(&META, b"<html>502</html>").unwrap_err();
        assert!(
            matches!(
                error,
                Error::Decode {
                    endpoint: "user.get",
                    ..
                }
            ),
            "{error}"
        );
    }
}
