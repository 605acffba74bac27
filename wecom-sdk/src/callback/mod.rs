//! Callbacks: what WeCom POSTs to an app's URL, verified, decrypted and parsed, and the
//! encrypted passive replies (WeCom's "加解密方案", the WXBizMsgCrypt scheme).
//!
//! WeCom signs every callback with the app's **Token** and encrypts its body with the
//! **EncodingAESKey**, both set where the callback URL is configured:
//!
//! - `msg_signature` = SHA-1 (hex) of the token, `timestamp`, `nonce` and the ciphertext, sorted
//!   and concatenated; [`Crypto::verify_signature`] checks it in constant time.
//! - the ciphertext is base64 of AES-256-CBC (key: the 32 bytes of base64(EncodingAESKey + "="),
//!   IV: its first 16 bytes) over `16 random bytes ‖ 4-byte big-endian length ‖ message ‖
//!   receive id`, PKCS#7-padded to 32-byte blocks. The receive id must be the configured one: the
//!   corp id for an app, the suite id for a suite's instruction callbacks, `""` for 智能机器人.
//!
//! The pieces, each usable alone:
//!
//! - [`Crypto`]: the URL-verification GET ([`Crypto::verify_url`]), decryption
//!   ([`Crypto::decrypt`], or [`Crypto::open`] straight from a POST body) and encryption of
//!   replies ([`Crypto::reply`] → [`Reply::to_xml`] / [`Reply::to_json`]);
//! - [`Envelope`]: the POST body, `<xml><Encrypt>…</Encrypt></xml>` or `{"encrypt": "…"}`;
//! - [`parse_tree`]: a decrypted XML (or JSON) document as a `serde_json` map;
//! - [`ReplayGuard`]: an optional timestamp window and nonce cache;
//! - [`CallbackError`]: every failure, with its official WXBizMsgCrypt code (-40001…-40011).
//!
//! On top of them, [`CallbackService`] receives callbacks over HTTP: a `tower` service (mount
//! it on axum with `route_service`, or serve it with hyper) that answers the URL verification,
//! verifies, decrypts and reads each POST into a [`Received`], drops WeCom's retries
//! ([`Dedup`]: in memory, or `RedisDedup` (feature `redis`) for a fleet), hands it to the most specific
//! [`Handler`] registered (by `EventKey`, `Event` and `ChangeType`, `InfoType`, `MsgType`,
//! `AgentID`, or a fallback) and answers within WeCom's five seconds: empty, `success` for a
//! suite's instruction callbacks, or a [`PassiveReply`] ([`reply`]) encrypted. Given a
//! [`Client`](crate::Client), it stores each `suite_ticket` through it.
//!
//! ```
//! use wecom_sdk::callback::{Crypto, parse_tree};
//!
//! # fn main() -> Result<(), wecom_sdk::callback::CallbackError> {
//! // The example configuration of WeCom's 加解密方案说明 page and its sample code.
//! let crypto = Crypto::new("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")?;
//!
//! // GET ?msg_signature=…&timestamp=…&nonce=…&echostr=… (query already URL-decoded):
//! // answer with the decrypted echostr.
//! let echo = crypto.verify_url(
//!     "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
//!     "1409659589",
//!     "263014780",
//!     "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
//! )?;
//! assert_eq!(echo, "1616140317555161061");
//!
//! // A POST: the body is an envelope; open it, then read the document.
//! # let body = crypto.reply(b"<xml><MsgType><![CDATA[text]]></MsgType></xml>").timestamp(1409659813).nonce("1372623149").seal()?;
//! # let (msg_signature, timestamp, nonce) = (body.msg_signature().to_owned(), "1409659813", "1372623149");
//! # let body = format!("<xml><Encrypt><![CDATA[{}]]></Encrypt></xml>", body.encrypt());
//! let opened = crypto.open(&msg_signature, timestamp, nonce, body.as_bytes())?;
//! let tree = parse_tree(&opened.plaintext)?;
//! assert_eq!(tree["MsgType"], "text");
//!
//! // A passive reply, encrypted and signed.
//! let reply = crypto.reply("<xml><MsgType><![CDATA[text]]></MsgType></xml>").seal()?;
//! let _response_body: String = reply.to_xml();
//! # Ok(()) }
//! ```

// Input from the network must never panic this module.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod crypto;
mod dedup;
mod envelope;
mod error;
pub(crate) mod event;
mod handler;
mod replay;
pub mod reply;
mod tree;

#[cfg(test)]
mod tests;

pub use crate::generated::events::{EVENTS, Event};
pub use crypto::{Crypto, Opened, OsRandom, RandomSource, Reply, ReplyBuilder};
#[cfg(feature = "redis")]
pub use dedup::RedisDedup;
pub use dedup::{Dedup, DedupError, MemoryDedup, dedup_key};
pub use envelope::Envelope;
pub use error::CallbackError;
pub use event::{EventError, EventInfo};
pub use handler::{
    BoxError, CallbackService, CallbackServiceBuilder, Handler, IntoReply, Received, ResponseBody, handler_of,
};
pub use replay::{Clock, ReplayError, ReplayGuard, SystemClock};
pub use reply::PassiveReply;
pub use tree::{Tree, parse_json_tree, parse_tree, parse_xml_tree, to_xml};

/// Which of its two syntaxes a body or a document uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// XML: most callbacks, and the replies to them.
    Xml,
    /// JSON: 智能机器人 (robot) callbacks and a few others.
    Json,
}

impl Format {
    /// Tells XML from JSON by the first byte that is not whitespace (a UTF-8 byte-order mark is
    /// skipped): `<` is XML, `{` is JSON; anything else, or nothing, is an error (-40002).
    pub fn detect(bytes: &[u8]) -> Result<Format, CallbackError> {
        match strip_bom(bytes).iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => Ok(Format::Xml),
            Some(b'{') => Ok(Format::Json),
            Some(other) => Err(CallbackError::ParseXml(format!(
                "the document starts with byte 0x{other:02x}, neither XML ('<') nor a JSON object ('{{')"
            ))),
            None => Err(CallbackError::ParseXml("the document is empty".to_string())),
        }
    }
}

/// `bytes` without a leading UTF-8 byte-order mark.
fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}
