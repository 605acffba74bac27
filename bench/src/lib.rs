//! What the benchmarks of wecom-rs share: the fixed answers the local server gives, the plain
//! serde types a hand-written client would decode them into, and generated large bodies.
//!
//! - `cargo run --release -p wecom-bench --bin throughput` — the SDK beside a raw `reqwest` loop
//!   and wechatpy against a local server, and the cold-token path;
//! - `cargo bench -p wecom-bench --bench decode` — decoding and encoding in-process (criterion);
//! - `cargo xtask bench` runs both, times codegen and compilation, and writes the report.

use serde::Deserialize;
use serde_json::json;

/// `user/get`'s documented example answer.
pub const MEMBER: &str = r#"{"errcode":0,"errmsg":"ok","userid":"zhangsan","name":"张三","department":[1,2],"order":[1,2],"position":"后台工程师","mobile":"13800000000","gender":"1","email":"zhangsan@gzdev.com","biz_mail":"zhangsan@qyycs2.wecom.work","is_leader_in_dept":[1,0],"direct_leader":["lisi"],"avatar":"http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0","thumb_avatar":"http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/100","telephone":"020-123456","alias":"jackzhang","address":"广州市海珠区新港中路","open_userid":"xxxxxx","main_department":1,"extattr":{"attrs":[{"type":0,"name":"文本名称","text":{"value":"文本"}},{"type":1,"name":"网页名称","web":{"url":"http://www.test.com","title":"标题"}}]},"status":1,"qr_code":"https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx","external_position":"产品经理","external_profile":{"external_corp_name":"企业简称","wechat_channels":{"nickname":"视频号名称","status":1},"external_attr":[{"type":0,"name":"文本名称","text":{"value":"文本"}}]}}"#;
/// `message/send`'s documented example answer.
pub const SENT: &str = r#"{"errcode":0,"errmsg":"ok","invaliduser":"userid1|userid2","msgid":"xxxx"}"#;
/// A `gettoken` answer.
pub const TOKEN: &str = r#"{"errcode":0,"errmsg":"ok","access_token":"bench-token","expires_in":7200}"#;

/// What a careful hand-written client decodes a member into: every documented field, plain
/// serde, no leniency — so the comparison measures the SDK's own cost, not a smaller struct.
#[derive(Deserialize)]
pub struct RawMember {
    pub errcode: i64,
    pub errmsg: String,
    pub userid: String,
    pub name: String,
    #[serde(default)]
    pub department: Vec<u32>,
    #[serde(default)]
    pub order: Vec<u32>,
    pub position: Option<String>,
    pub mobile: Option<String>,
    pub gender: Option<String>,
    pub email: Option<String>,
    pub biz_mail: Option<String>,
    #[serde(default)]
    pub is_leader_in_dept: Vec<u8>,
    #[serde(default)]
    pub direct_leader: Vec<String>,
    pub avatar: Option<String>,
    pub thumb_avatar: Option<String>,
    pub telephone: Option<String>,
    pub alias: Option<String>,
    pub address: Option<String>,
    pub open_userid: Option<String>,
    pub main_department: Option<u32>,
    pub extattr: Option<RawExtAttr>,
    pub status: Option<i32>,
    pub qr_code: Option<String>,
    pub external_position: Option<String>,
    pub external_profile: Option<RawExternalProfile>,
}

#[derive(Deserialize)]
pub struct RawExtAttr {
    pub attrs: Vec<RawAttr>,
}

#[derive(Deserialize)]
pub struct RawAttr {
    #[serde(rename = "type")]
    pub kind: i32,
    pub name: String,
    pub text: Option<RawText>,
    pub web: Option<RawWeb>,
}

#[derive(Deserialize)]
pub struct RawText {
    pub value: String,
}

#[derive(Deserialize)]
pub struct RawWeb {
    pub url: String,
    pub title: String,
}

#[derive(Deserialize)]
pub struct RawExternalProfile {
    pub external_corp_name: Option<String>,
    pub wechat_channels: Option<RawChannels>,
    #[serde(default)]
    pub external_attr: Vec<RawAttr>,
}

#[derive(Deserialize)]
pub struct RawChannels {
    pub nickname: Option<String>,
    pub status: Option<i32>,
}

#[derive(Deserialize)]
pub struct RawSent {
    pub errcode: i64,
    pub errmsg: String,
    pub invaliduser: Option<String>,
    pub msgid: Option<String>,
}

/// The body a hand-written client sends for the benchmark's `message/send`.
pub fn raw_send_body() -> serde_json::Value {
    json!({"touser": "zhangsan|lisi", "msgtype": "text", "agentid": 1000002, "text": {"content": "hello"}})
}

/// A `user/list` answer of `n` members, each shaped like the documented example.
pub fn user_list(n: usize) -> Vec<u8> {
    let members: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            json!({
                "userid": format!("user{i}"), "name": format!("成员{i}"), "department": [1, 2], "order": [1, 2],
                "position": "后台工程师", "mobile": format!("138{i:08}"), "gender": "1",
                "email": format!("user{i}@example.com"), "is_leader_in_dept": [1, 0], "direct_leader": ["lisi"],
                "avatar": "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0",
                "telephone": "020-123456", "alias": "jackzhang", "status": 1, "address": "广州市海珠区新港中路",
                "main_department": 1, "open_userid": "xxxxxx",
                "extattr": {"attrs": [{"type": 0, "name": "文本名称", "text": {"value": "文本"}},
                                      {"type": 1, "name": "网页名称", "web": {"url": "http://www.test.com", "title": "标题"}}]},
                "external_position": "产品经理",
                "external_profile": {"external_corp_name": "企业简称", "wechat_channels": {"nickname": "视频号名称", "status": 1}}
            })
        })
        .collect();
    let body = json!({"errcode": 0, "errmsg": "ok", "userlist": members});
    serde_json::to_vec(&body).expect("a JSON value always serializes")
}
