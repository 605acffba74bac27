//! Passive replies: the plaintext a callback's answer carries, before [`Crypto::reply`] seals it.
//!
//! WeCom lets an app answer some callbacks (a member's message, a menu click, a template-card
//! button, …) with a message of its own, in the HTTP response, within five seconds (the
//! official "被动回复消息格式" page, `document/path/90241`). The plaintext is XML:
//!
//! ```xml
//! <xml>
//!    <ToUserName><![CDATA[member UserID]]></ToUserName>
//!    <FromUserName><![CDATA[corp id]]></FromUserName>
//!    <CreateTime>1348831860</CreateTime>
//!    <MsgType><![CDATA[text]]></MsgType>
//!    <Content><![CDATA[this is a test]]></Content>
//! </xml>
//! ```
//!
//! [`PassiveReply`] builds each kind the page lists, typed: [`text`](PassiveReply::text),
//! [`image`](PassiveReply::image), [`voice`](PassiveReply::voice),
//! [`video`](PassiveReply::video), [`news`](PassiveReply::news) (articles),
//! [`update_button`](PassiveReply::update_button) (a template card's button text, 模板卡片更新消息)
//! and [`update_taskcard`](PassiveReply::update_taskcard) (a task card's button text). A
//! [`CallbackService`](super::CallbackService) addresses it to the sender of the callback it
//! answers and seals it; alone, [`PassiveReply::to_xml`] writes the document for
//! [`Crypto::reply`].
//!
//! [`Crypto::reply`]: super::Crypto::reply

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use thiserror::Error;

use super::Format;
use super::handler::Received;

/// The most articles a `news` reply may carry.
pub const MAX_ARTICLES: usize = 8;

/// A reply that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// A `news` reply must carry 1 to [`MAX_ARTICLES`] articles.
    #[error("a news reply carries 1 to {MAX_ARTICLES} articles, not {0}")]
    ArticleCount(usize),
}

/// A passive reply to a callback: what a [`Handler`](super::Handler) returns to answer with a
/// message of its own.
///
/// The typed kinds leave the addressing to the service: `ToUserName` becomes the callback's
/// `FromUserName` (the member), `FromUserName` its `ToUserName` (the corp id), and
/// `CreateTime` the time of the answer; each can be set by hand
/// ([`to_user_name`](Self::to_user_name), [`from_user_name`](Self::from_user_name),
/// [`create_time`](Self::create_time)). [`raw_xml`](Self::raw_xml) and [`json`](Self::json)
/// carry a document as it is (a robot's replies are JSON).
///
/// ```
/// use wecom_sdk::callback::reply::{Article, PassiveReply};
///
/// let text = PassiveReply::text("收到").to_xml("zhangsan", "ww0123456789abcdef", 1348831860);
/// assert_eq!(
///     text,
///     "<xml><ToUserName><![CDATA[zhangsan]]></ToUserName>\
///      <FromUserName><![CDATA[ww0123456789abcdef]]></FromUserName>\
///      <CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType>\
///      <Content><![CDATA[收到]]></Content></xml>"
/// );
///
/// let news = PassiveReply::news([Article::new("发布说明", "https://example.com/notes")
///     .description("第 3 版")
///     .pic_url("https://example.com/cover.png")])?;
/// assert!(news.to_xml("zhangsan", "ww0123456789abcdef", 0).contains("<ArticleCount>1</ArticleCount>"));
/// # Ok::<(), wecom_sdk::callback::reply::ReplyError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PassiveReply {
    body: Body,
    to_user_name: Option<String>,
    from_user_name: Option<String>,
    create_time: Option<u64>,
}

#[derive(Clone, PartialEq, Eq)]
enum Body {
    Text(String),
    Image(String),
    Voice(String),
    Video(Video),
    News(Vec<Article>),
    UpdateButton(String),
    UpdateTaskcard(String),
    Raw { document: String, format: Format },
}

/// A video for [`PassiveReply::video`]: its `MediaId`, and optionally a title and a
/// description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Video {
    media_id: String,
    title: Option<String>,
    description: Option<String>,
}

impl Video {
    /// A video by the `media_id` of an upload (素材管理).
    pub fn new(media_id: impl Into<String>) -> Self {
        Video {
            media_id: media_id.into(),
            title: None,
            description: None,
        }
    }

    /// Its `Title`.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Its `Description`.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// One article (`item`) of a [`PassiveReply::news`]: its `Title` and `Url`, and optionally a
/// `Description` and a `PicUrl` (the cover: JPG or PNG, 1068×455 for the first article and
/// 150×150 for the others, as the docs advise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    title: String,
    url: String,
    description: Option<String>,
    pic_url: Option<String>,
}

impl Article {
    /// An article titled `title` that opens `url`.
    pub fn new(title: impl Into<String>, url: impl Into<String>) -> Self {
        Article {
            title: title.into(),
            url: url.into(),
            description: None,
            pic_url: None,
        }
    }

    /// Its `Description`.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Its cover picture, `PicUrl`.
    pub fn pic_url(mut self, pic_url: impl Into<String>) -> Self {
        self.pic_url = Some(pic_url.into());
        self
    }
}

impl PassiveReply {
    fn new(body: Body) -> Self {
        PassiveReply {
            body,
            to_user_name: None,
            from_user_name: None,
            create_time: None,
        }
    }

    /// `MsgType` `text`: `Content` (WeCom truncates it beyond 2,048 bytes).
    pub fn text(content: impl Into<String>) -> Self {
        PassiveReply::new(Body::Text(content.into()))
    }

    /// `MsgType` `image`: `Image.MediaId`, the `media_id` of an uploaded image.
    pub fn image(media_id: impl Into<String>) -> Self {
        PassiveReply::new(Body::Image(media_id.into()))
    }

    /// `MsgType` `voice`: `Voice.MediaId`, the `media_id` of an uploaded voice file.
    pub fn voice(media_id: impl Into<String>) -> Self {
        PassiveReply::new(Body::Voice(media_id.into()))
    }

    /// `MsgType` `video`: `Video.MediaId`, and `Title` and `Description` when set.
    pub fn video(video: Video) -> Self {
        PassiveReply::new(Body::Video(video))
    }

    /// `MsgType` `news`: `ArticleCount` and `Articles`, one `item` per article.
    ///
    /// Errors: [`ReplyError::ArticleCount`] for no article or more than [`MAX_ARTICLES`].
    pub fn news(articles: impl IntoIterator<Item = Article>) -> Result<Self, ReplyError> {
        let articles: Vec<Article> = articles.into_iter().collect();
        if articles.is_empty() || articles.len() > MAX_ARTICLES {
            return Err(ReplyError::ArticleCount(articles.len()));
        }
        Ok(PassiveReply::new(Body::News(articles)))
    }

    /// `MsgType` `update_button`: answers a template card's button click (the
    /// `template_card_event` event) by replacing the text of the button the member clicked,
    /// for that member, with `replace_name` (`Button.ReplaceName`). Other changes to a card
    /// go through the `message/update_template_card` call, with the event's `ResponseCode`.
    pub fn update_button(replace_name: impl Into<String>) -> Self {
        PassiveReply::new(Body::UpdateButton(replace_name.into()))
    }

    /// `MsgType` `update_taskcard`: answers a task card's button click (the `taskcard_click`
    /// event) by replacing the text of the member's buttons with `replace_name`
    /// (`TaskCard.ReplaceName`).
    pub fn update_taskcard(replace_name: impl Into<String>) -> Self {
        PassiveReply::new(Body::UpdateTaskcard(replace_name.into()))
    }

    /// An XML document sent as it is (for a kind not built here); it is not addressed.
    pub fn raw_xml(document: impl Into<String>) -> Self {
        PassiveReply::new(Body::Raw {
            document: document.into(),
            format: Format::Xml,
        })
    }

    /// A JSON document sent as it is, compact: a robot's (智能机器人) reply, such as
    /// `{"msgtype": "text", "text": {"content": "hello"}}` or a stream; it is not addressed.
    pub fn json(document: &serde_json::Value) -> Self {
        PassiveReply::new(Body::Raw {
            document: document.to_string(),
            format: Format::Json,
        })
    }

    /// Addresses the reply to `to_user_name` instead of the callback's `FromUserName`.
    pub fn to_user_name(mut self, to_user_name: impl Into<String>) -> Self {
        self.to_user_name = Some(to_user_name.into());
        self
    }

    /// Sends the reply from `from_user_name` instead of the callback's `ToUserName`.
    pub fn from_user_name(mut self, from_user_name: impl Into<String>) -> Self {
        self.from_user_name = Some(from_user_name.into());
        self
    }

    /// Sets `CreateTime` (Unix seconds) instead of the time of the answer.
    pub fn create_time(mut self, create_time: u64) -> Self {
        self.create_time = Some(create_time);
        self
    }

    /// `MsgType` of the reply: `text`, `news`, `update_button`, …; `None` for a raw document.
    pub fn msg_type(&self) -> Option<&'static str> {
        Some(match &self.body {
            Body::Text(_) => "text",
            Body::Image(_) => "image",
            Body::Voice(_) => "voice",
            Body::Video(_) => "video",
            Body::News(_) => "news",
            Body::UpdateButton(_) => "update_button",
            Body::UpdateTaskcard(_) => "update_taskcard",
            Body::Raw { .. } => return None,
        })
    }

    /// The syntax of the plaintext: XML, or JSON for [`json`](Self::json).
    pub fn format(&self) -> Format {
        match &self.body {
            Body::Raw { format, .. } => *format,
            _ => Format::Xml,
        }
    }

    /// The plaintext, addressed to `to_user_name` from `from_user_name` at `create_time`
    /// (each unless set on the reply itself), ready for [`Crypto::reply`](super::Crypto::reply).
    ///
    /// Text goes in CDATA sections, a `]]>` inside split across two of them, and characters
    /// XML 1.0 does not allow (control characters other than tab, line feed and carriage
    /// return, U+FFFE, U+FFFF) are left out. A raw document is returned as it is.
    pub fn to_xml(&self, to_user_name: &str, from_user_name: &str, create_time: u64) -> String {
        let (msg_type, content) = match &self.body {
            Body::Raw { document, .. } => return document.clone(),
            Body::Text(content) => ("text", element("Content", content)),
            Body::Image(media_id) => ("image", wrapped("Image", &element("MediaId", media_id))),
            Body::Voice(media_id) => ("voice", wrapped("Voice", &element("MediaId", media_id))),
            Body::Video(video) => {
                let mut inner = element("MediaId", &video.media_id);
                if let Some(title) = &video.title {
                    inner.push_str(&element("Title", title));
                }
                if let Some(description) = &video.description {
                    inner.push_str(&element("Description", description));
                }
                ("video", wrapped("Video", &inner))
            }
            Body::News(articles) => {
                let mut items = String::new();
                for article in articles {
                    let mut item = element("Title", &article.title);
                    item.push_str(&element(
                        "Description",
                        article.description.as_deref().unwrap_or(""),
                    ));
                    item.push_str(&element("PicUrl", article.pic_url.as_deref().unwrap_or("")));
                    item.push_str(&element("Url", &article.url));
                    items.push_str(&wrapped("item", &item));
                }
                let count = format!("<ArticleCount>{}</ArticleCount>", articles.len());
                ("news", count + &wrapped("Articles", &items))
            }
            Body::UpdateButton(name) => ("update_button", wrapped("Button", &element("ReplaceName", name))),
            Body::UpdateTaskcard(name) => (
                "update_taskcard",
                wrapped("TaskCard", &element("ReplaceName", name)),
            ),
        };
        let to = self.to_user_name.as_deref().unwrap_or(to_user_name);
        let from = self.from_user_name.as_deref().unwrap_or(from_user_name);
        let time = self.create_time.unwrap_or(create_time);
        format!(
            "<xml>{}{}<CreateTime>{time}</CreateTime>{}{content}</xml>",
            element("ToUserName", to),
            element("FromUserName", from),
            element("MsgType", msg_type),
        )
    }

    /// The plaintext answering `received`: addressed to its `FromUserName` from its
    /// `ToUserName` (the envelope's when the document has none), created now, unless set on
    /// the reply.
    pub fn plaintext_for(&self, received: &Received) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.to_xml(
            received.from_user_name().unwrap_or(""),
            received.to_user_name().unwrap_or(""),
            now,
        )
    }
}

impl fmt::Debug for PassiveReply {
    /// The kind and the addressing, not the content (which may be anything the app says).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PassiveReply")
            .field("msg_type", &self.msg_type())
            .field("format", &self.format())
            .field("to_user_name", &self.to_user_name)
            .field("from_user_name", &self.from_user_name)
            .field("create_time", &self.create_time)
            .finish_non_exhaustive()
    }
}

/// `<name><![CDATA[text]]></name>`.
fn element(name: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2 * name.len() + 17);
    out.push('<');
    out.push_str(name);
    out.push('>');
    push_cdata(&mut out, text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
    out
}

/// `<name>inner</name>`, `inner` being elements already written.
fn wrapped(name: &str, inner: &str) -> String {
    format!("<{name}>{inner}</{name}>")
}

/// `text` as one or more CDATA sections: a `]]>` would end the section, so each is split after
/// its `]]` (`]]]]><![CDATA[>`), and characters XML 1.0 forbids are dropped.
fn push_cdata(out: &mut String, text: &str) {
    out.push_str("<![CDATA[");
    let allowed = text.chars().filter(|&c| is_xml_char(c));
    let mut pending = String::new();
    for c in allowed {
        pending.push(c);
        if pending.ends_with("]]>") {
            pending.truncate(pending.len() - 1);
            out.push_str(&pending);
            out.push_str("]]><![CDATA[>");
            pending.clear();
        }
    }
    out.push_str(&pending);
    out.push_str("]]>");
}

/// Whether XML 1.0 allows `c` in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::callback::parse_xml_tree;
    use serde_json::json;

    fn tree(xml: &str) -> serde_json::Value {
        serde_json::Value::Object(parse_xml_tree(xml.as_bytes()).unwrap())
    }

    #[test]
    fn every_kind_reads_back_as_the_documented_elements() {
        let at = |r: PassiveReply| tree(&r.to_xml("zhangsan", "ww1", 1348831860));
        let head = |msg_type: &str| json!({"ToUserName": "zhangsan", "FromUserName": "ww1", "CreateTime": "1348831860", "MsgType": msg_type});
        let with = |msg_type: &str, extra: serde_json::Value| {
            let mut v = head(msg_type);
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            v
        };
        assert_eq!(
            at(PassiveReply::text("hi")),
            with("text", json!({"Content": "hi"}))
        );
        assert_eq!(
            at(PassiveReply::image("m1")),
            with("image", json!({"Image": {"MediaId": "m1"}}))
        );
        assert_eq!(
            at(PassiveReply::voice("m2")),
            with("voice", json!({"Voice": {"MediaId": "m2"}}))
        );
        assert_eq!(
            at(PassiveReply::video(Video::new("m3").title("t").description("d"))),
            with(
                "video",
                json!({"Video": {"MediaId": "m3", "Title": "t", "Description": "d"}})
            )
        );
        assert_eq!(
            at(PassiveReply::video(Video::new("m3"))),
            with("video", json!({"Video": {"MediaId": "m3"}}))
        );
        let news = PassiveReply::news([
            Article::new("a", "https://a")
                .description("da")
                .pic_url("https://a.png"),
            Article::new("b", "https://b"),
        ])
        .unwrap();
        assert_eq!(
            at(news),
            with(
                "news",
                json!({"ArticleCount": "2", "Articles": {"item": [
                    {"Title": "a", "Description": "da", "PicUrl": "https://a.png", "Url": "https://a"},
                    {"Title": "b", "Description": "", "PicUrl": "", "Url": "https://b"},
                ]}})
            )
        );
        assert_eq!(
            at(PassiveReply::update_button("已处理")),
            with("update_button", json!({"Button": {"ReplaceName": "已处理"}}))
        );
        assert_eq!(
            at(PassiveReply::update_taskcard("已同意")),
            with("update_taskcard", json!({"TaskCard": {"ReplaceName": "已同意"}}))
        );
    }

    #[test]
    fn news_carries_one_to_eight_articles() {
        assert_eq!(PassiveReply::news([]), Err(ReplyError::ArticleCount(0)));
        let nine = (0..9).map(|i| Article::new(format!("{i}"), "https://x"));
        assert_eq!(PassiveReply::news(nine), Err(ReplyError::ArticleCount(9)));
        let eight = (0..8).map(|i| Article::new(format!("{i}"), "https://x"));
        assert!(PassiveReply::news(eight).is_ok());
    }

    #[test]
    fn cdata_is_split_around_its_terminator_and_forbidden_characters_dropped() {
        let hostile = "a]]>b]]]>c<d>&e]]\u{1}\u{0}f\u{FFFE}";
        let xml = PassiveReply::text(hostile).to_xml("u]]>", "ww1", 1);
        assert!(
            xml.contains("<Content><![CDATA[a]]]]><![CDATA[>b]]]]]><![CDATA[>c<d>&e]]f]]></Content>"),
            "{xml}"
        );
        let read = tree(&xml);
        assert_eq!(read["Content"], "a]]>b]]]>c<d>&e]]f");
        assert_eq!(read["ToUserName"], "u]]>");
        // Every prefix of terminators survives a round trip.
        for text in ["]", "]]", "]]>", "]]>]]>", ">]]", "]>]>", "x]]>]]>y"] {
            assert_eq!(
                tree(&PassiveReply::text(text).to_xml("u", "c", 0))["Content"],
                text,
                "{text}"
            );
        }
    }

    #[test]
    fn addressing_set_on_the_reply_wins_and_raw_documents_are_kept() {
        let reply = PassiveReply::text("x")
            .to_user_name("lisi")
            .from_user_name("ww2")
            .create_time(7);
        let read = tree(&reply.to_xml("zhangsan", "ww1", 1));
        assert_eq!(
            (read["ToUserName"].as_str(), read["FromUserName"].as_str()),
            (Some("lisi"), Some("ww2"))
        );
        assert_eq!(read["CreateTime"], "7");
        let raw = PassiveReply::raw_xml("<xml><A>1</A></xml>");
        assert_eq!(raw.to_xml("a", "b", 1), "<xml><A>1</A></xml>");
        assert_eq!(raw.msg_type(), None);
        let robot = PassiveReply::json(&json!({"msgtype": "text", "text": {"content": "hi"}}));
        assert_eq!(robot.format(), Format::Json);
        assert_eq!(
            robot.to_xml("a", "b", 1),
            r#"{"msgtype":"text","text":{"content":"hi"}}"#
        );
    }

    #[test]
    fn debug_shows_the_kind_not_the_content() {
        let shown = format!("{:?}", PassiveReply::text("the secret plan"));
        assert!(
            shown.contains("text") && !shown.contains("secret plan"),
            "{shown}"
        );
    }
}
