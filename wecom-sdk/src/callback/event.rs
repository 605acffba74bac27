//! Typed callback events: how a decrypted document is recognised as one of the spec's events
//! ([`Event`](crate::callback::Event), generated from `spec/<group>/events.yaml`) and decoded.

use serde::de::DeserializeOwned;

use super::Tree;

/// What the spec says about one event: how it is recognised, where it is documented, and its
/// documented example (the decrypted document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventInfo {
    /// The spec's name: `create_user`.
    pub name: &'static str,
    /// The API group it belongs to (and the cargo feature that compiles it): `user`.
    pub group: &'static str,
    /// The official heading: 新增成员事件.
    pub title: &'static str,
    /// The official page.
    pub doc: &'static str,
    /// The callback shape: `app` (messages and events to an app) or `suite` (a suite's
    /// instruction callbacks, answered with `success`).
    pub shape: &'static str,
    /// The header elements of its shape, which every event of the shape carries: `ToUserName`,
    /// `FromUserName`, `CreateTime`, `MsgType`, `Event`, `AgentID` for `app`.
    pub header: &'static [&'static str],
    /// The elements and values that identify it: `[("MsgType", "event"), ("Event",
    /// "change_contact"), ("ChangeType", "create_user")]`.
    pub when: &'static [(&'static str, &'static str)],
    /// The documented example.
    pub example: &'static str,
}

impl EventInfo {
    /// Whether a document is this event: every `when` element has its value (surrounding
    /// whitespace aside; WeCom writes `<InfoType> <![CDATA[suite_ticket]]>` too).
    pub fn matches(&self, tree: &Tree) -> bool {
        self.when.iter().all(|(key, want)| {
            tree.get(*key)
                .and_then(serde_json::Value::as_str)
                .is_some_and(|found| found.trim() == *want)
        })
    }

    /// The event of this name.
    pub fn find(name: &str) -> Option<&'static EventInfo> {
        crate::generated::events::EVENTS.iter().find(|e| e.name == name)
    }
}

/// A document recognised as an event whose elements do not decode as the spec declares them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("callback event `{event}`: `{path}` does not decode: {message}")]
#[non_exhaustive]
pub struct EventError {
    /// The event it was recognised as.
    pub event: &'static str,
    /// Where in the document: `ExtAttr.Item[1].Type`.
    pub path: String,
    /// What was wrong.
    pub message: String,
}

/// The name of the event a document is, the most specific `when` first.
pub(crate) fn identify(tree: &Tree) -> Option<&'static str> {
    crate::generated::events::EVENTS
        .iter()
        .find(|e| e.matches(tree))
        .map(|e| e.name)
}

/// Decodes an event's elements. Empty elements (`<ExtraInfo></ExtraInfo>`) count as absent.
#[cfg_attr(
    not(feature = "full"),
    allow(
        dead_code,
        reason = "called for the events of the groups compiled in, which may be none"
    )
)]
pub(crate) fn decode<T: DeserializeOwned>(event: &'static str, tree: &Tree) -> Result<T, EventError> {
    let value = without_empty(serde_json::Value::Object(tree.clone()));
    serde_path_to_error::deserialize(value).map_err(|err| EventError {
        event,
        path: err.path().to_string(),
        message: err.into_inner().to_string(),
    })
}

#[cfg_attr(
    not(feature = "full"),
    allow(
        dead_code,
        reason = "called for the events of the groups compiled in, which may be none"
    )
)]
fn without_empty(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !matches!(v, Value::String(s) if s.trim().is_empty()))
                .map(|(k, v)| (k, without_empty(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_empty).collect()),
        other => other,
    }
}
