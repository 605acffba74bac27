//! How the mock answers: WeCom's envelope, refusals with WeCom's `errmsg` suffix.

use serde_json::{Map, Value, json};

/// A refusal: an `errcode` and a short `errmsg`, and business fields an error answer may still
/// carry (`invaliduser` of `message/send`).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub code: i64,
    pub message: String,
    pub extra: Map<String, Value>,
}

impl Refusal {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
            extra: Map::new(),
        }
    }

    /// The body, `errmsg` carrying the suffix the real server appends.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("errcode".into(), json!(self.code));
        body.insert(
            "errmsg".into(),
            json!(format!(
                "{}, hint: [{:016x}mock], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e={}",
                self.message,
                fastrand::u64(..),
                self.code
            )),
        );
        body.extend(self.extra.clone());
        Value::Object(body)
    }
}

/// A success body: `errcode` 0, `errmsg` as given, then `fields`.
pub fn ok(errmsg: &str, fields: Value) -> Value {
    let mut body = Map::new();
    body.insert("errcode".into(), json!(0));
    body.insert("errmsg".into(), json!(errmsg));
    if let Value::Object(fields) = fields {
        body.extend(fields);
    }
    Value::Object(body)
}
