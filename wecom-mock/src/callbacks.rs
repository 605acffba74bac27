//! Callbacks the mock pushes: each change to its address book is POSTed to the app's callback
//! URL, encrypted and signed, the way WeCom's 通讯录变更回调 sends it.
//!
//! The address book ([`crate::contacts`]) records each change as the spec's typed event
//! (`callback::Event::CreateUser(…)`, built from what it keeps); after the API call that made
//! it, the changes go, in order, to one background task that writes each as its document
//! (the `app` header, the event's `when` elements and its own elements under the spec's wire
//! names, through `callback::to_xml`), encrypts it with the corp id as the receive id, POSTs it
//! and records how it was answered. An attempt that gets no answer in time (5 s) or no
//! connection is resent, up to three times, as WeCom does; any HTTP answer is final.

use std::fmt;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use wecom_sdk::callback::{self, Crypto, Event, EventInfo, Tree};
use wecom_sdk::reqwest;
use wecom_sdk::{department, types, user};

use crate::server::lock;

/// How long WeCom waits for an answer before it resends.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How many times WeCom resends a callback that got no answer.
pub(crate) const DEFAULT_RETRIES: u32 = 3;
/// The longest answer body kept in a [`SentCallback`].
const MAX_ANSWER: usize = 4096;

/// Where the builder was told to push callbacks, and how. The token and the EncodingAESKey are
/// never shown by `Debug`.
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) target: Option<(String, String, String)>,
    pub(crate) timeout: Duration,
    pub(crate) retries: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            target: None,
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callbacks")
            .field("url", &self.target.as_ref().map(|(url, _, _)| url))
            .field("token", &"[redacted]")
            .field("encoding_aes_key", &"[redacted]")
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish()
    }
}

/// One callback the mock pushed, and how it was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SentCallback {
    /// The spec's name of the event: `create_user`, `update_party`, `update_tag`, …
    pub event: &'static str,
    /// The HTTP status of the answer (`Some(200)` when the app took it); `None` when no
    /// attempt got an answer (a timeout or no connection).
    pub status: Option<u16>,
    /// How many times it was sent: 1, and one more for each attempt that got no answer.
    pub attempts: u32,
    /// Why the last attempt failed, when no attempt got an answer (or the callback could not
    /// be written).
    pub error: Option<String>,
    /// The document that was encrypted: the decrypted XML the app reads.
    pub document: String,
    /// The body of the answer (at most 4 KiB): empty, `success`, an encrypted passive reply,
    /// or a refusal such as `-40001 ValidateSignatureError`.
    pub answer: String,
}

impl SentCallback {
    /// Whether the app answered 200.
    pub fn ok(&self) -> bool {
        self.status == Some(200)
    }
}

/// What has been pushed: every delivery in the order it finished (which is the order of the
/// changes), and a count for waiters.
pub(crate) struct Log {
    sent: Mutex<Vec<SentCallback>>,
    count: watch::Sender<usize>,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            sent: Mutex::default(),
            count: watch::Sender::new(0),
        }
    }
}

impl Log {
    pub(crate) fn sent(&self) -> Vec<SentCallback> {
        lock(&self.sent).clone()
    }

    pub(crate) fn failures(&self) -> usize {
        lock(&self.sent).iter().filter(|s| !s.ok()).count()
    }

    fn record(&self, sent: SentCallback) {
        let count = {
            let mut all = lock(&self.sent);
            all.push(sent);
            all.len()
        };
        self.count.send_replace(count);
    }

    /// Waits until `count` deliveries have finished or `within` has passed; what has finished
    /// by then.
    pub(crate) async fn wait_for(&self, count: usize, within: Duration) -> Vec<SentCallback> {
        let mut receiver = self.count.subscribe();
        let _ = tokio::time::timeout(within, receiver.wait_for(|n| *n >= count)).await;
        self.sent()
    }
}

/// A change waiting to be pushed.
struct Job {
    event: Event,
    create_time: i64,
}

/// Hands changes to the pushing task; never blocks and never fails the caller.
pub(crate) struct Pusher {
    jobs: mpsc::UnboundedSender<Job>,
}

impl Pusher {
    /// Queues `events`, in order, stamped with the current time.
    pub(crate) fn push(&self, events: Vec<Event>) {
        let create_time = now();
        for event in events {
            if self.jobs.send(Job { event, create_time }).is_err() {
                tracing::warn!("the callback task has stopped; a change was not pushed");
            }
        }
    }
}

/// The pushing task's configuration: checked, with the secrets inside a [`Crypto`].
struct Target {
    url: reqwest::Url,
    crypto: Crypto,
    corp_id: String,
    timeout: Duration,
    retries: u32,
    http: reqwest::Client,
}

/// Checks the settings and starts the pushing task; `None` when no URL was given. Errors
/// ([`io::ErrorKind::InvalidInput`]): a URL that is not `http(s)`, an empty token, an
/// EncodingAESKey that is not one (the message never quotes it).
pub(crate) fn start(
    settings: &Settings,
    corp_id: &str,
    log: Arc<Log>,
) -> io::Result<Option<(Pusher, tokio::task::JoinHandle<()>)>> {
    let Some((url, token, key)) = &settings.target else {
        return Ok(None);
    };
    let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
    let url = reqwest::Url::parse(url)
        .map_err(|e| invalid(format!("the callback URL `{url}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!("the callback URL `{url}` is not http or https")));
    }
    if token.is_empty() {
        return Err(invalid("the callback token is empty".into()));
    }
    let crypto = Crypto::new(token.as_str(), key, corp_id)
        .map_err(|e| invalid(format!("the callback EncodingAESKey: {e}")))?;
    let http = reqwest::Client::builder()
        .build()
        .map_err(|e| io::Error::other(format!("cannot make an HTTP client for callbacks: {e}")))?;
    let target = Target {
        url,
        crypto,
        corp_id: corp_id.to_string(),
        timeout: settings.timeout,
        retries: settings.retries,
        http,
    };
    let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
    let task = tokio::spawn(async move {
        while let Some(job) = queue.recv().await {
            let sent = target.deliver(job).await;
            log.record(sent);
        }
    });
    Ok(Some((Pusher { jobs }, task)))
}

impl Target {
    /// Writes, encrypts and POSTs one change, resending while no answer comes.
    async fn deliver(&self, job: Job) -> SentCallback {
        let event = job.event.name().unwrap_or("unknown");
        let mut sent = SentCallback {
            event,
            status: None,
            attempts: 0,
            error: None,
            document: String::new(),
            answer: String::new(),
        };
        let sealed = document(&job.event, &self.corp_id, job.create_time).and_then(|document| {
            sent.document = document;
            // WeCom's nonces are digits.
            let nonce = fastrand::u64(1_000_000_000..10_000_000_000).to_string();
            self.crypto
                .reply(&sent.document)
                .nonce(nonce)
                .seal()
                .map_err(|e| format!("cannot encrypt the callback: {e}"))
        });
        let sealed = match sealed {
            Ok(sealed) => sealed,
            Err(error) => {
                tracing::error!(event, error, "a callback could not be written; not pushed");
                sent.error = Some(error);
                return sent;
            }
        };
        let body = envelope(&self.corp_id, sealed.encrypt());
        let mut url = self.url.clone();
        url.query_pairs_mut()
            .append_pair("msg_signature", sealed.msg_signature())
            .append_pair("timestamp", &sealed.timestamp().to_string())
            .append_pair("nonce", sealed.nonce());
        let shown = self.shown_url();
        loop {
            sent.attempts += 1;
            match tokio::time::timeout(self.timeout, self.post(&url, &body)).await {
                Ok(Ok((status, answer))) => {
                    sent.status = Some(status);
                    sent.answer = answer;
                    sent.error = None;
                    if status == 200 {
                        tracing::debug!(event, url = %shown, attempts = sent.attempts, "callback pushed");
                    } else {
                        tracing::warn!(event, url = %shown, status, "callback refused by the app");
                    }
                    return sent;
                }
                Ok(Err(error)) => sent.error = Some(error),
                Err(_) => sent.error = Some(format!("no answer within {} ms", self.timeout.as_millis())),
            }
            if sent.attempts > self.retries {
                tracing::warn!(
                    event,
                    url = %shown,
                    attempts = sent.attempts,
                    error = sent.error.as_deref(),
                    "callback not delivered; given up"
                );
                return sent;
            }
            tracing::info!(
                event,
                url = %shown,
                attempt = sent.attempts,
                error = sent.error.as_deref(),
                "callback got no answer; resending"
            );
        }
    }

    async fn post(&self, url: &reqwest::Url, body: &str) -> Result<(u16, String), String> {
        let response = self
            .http
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let status = response.status().as_u16();
        let mut answer = response.text().await.map_err(|e| e.without_url().to_string())?;
        if answer.len() > MAX_ANSWER {
            let mut end = MAX_ANSWER;
            while !answer.is_char_boundary(end) {
                end -= 1;
            }
            answer.truncate(end);
        }
        Ok((status, answer))
    }

    /// The URL as logged: without its query.
    fn shown_url(&self) -> String {
        let mut url = self.url.clone();
        url.set_query(None);
        url.to_string()
    }
}

/// Unix seconds now.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The POST body: `<xml><ToUserName>…</ToUserName><Encrypt>…</Encrypt><AgentID></AgentID></xml>`;
/// contact changes name no app.
fn envelope(corp_id: &str, encrypt: &str) -> String {
    format!(
        "<xml><ToUserName>{}</ToUserName><Encrypt>{}</Encrypt><AgentID>{}</AgentID></xml>",
        cdata(corp_id),
        cdata(encrypt),
        cdata("")
    )
}

fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// The decrypted document of `event`, as WeCom writes it for the corp `corp_id`: the header of
/// the event's shape (`ToUserName` the corp, `FromUserName` `sys`, `CreateTime`, and the
/// `when` elements; contact changes carry no `AgentID`), then the event's own elements by
/// their wire names. Empty elements are left out (the spec's "变更时推送"), except the four
/// lists of `update_tag`, which the event always carries.
pub(crate) fn document(event: &Event, corp_id: &str, create_time: i64) -> Result<String, String> {
    let name = event
        .name()
        .ok_or_else(|| "an event the spec does not describe".to_string())?;
    let info = EventInfo::find(name).ok_or_else(|| format!("the spec has no event `{name}`"))?;
    let mut tree = Tree::new();
    for element in info.header {
        let value = match *element {
            "ToUserName" => Value::from(corp_id),
            "FromUserName" => Value::from("sys"),
            "CreateTime" => Value::from(create_time),
            other => match info.when.iter().find(|(key, _)| *key == other) {
                Some((_, value)) => Value::from(*value),
                None => continue,
            },
        };
        tree.insert((*element).to_string(), value);
    }
    for (key, value) in info.when {
        tree.entry(*key).or_insert_with(|| Value::from(*value));
    }
    let elements = match event.to_value() {
        Ok(Value::Object(elements)) => elements,
        Ok(_) => return Err(format!("the event `{name}` is not a document")),
        Err(e) => return Err(format!("the event `{name}` does not encode: {e}")),
    };
    let keep_empty = matches!(event, Event::UpdateTag(_));
    for (key, value) in elements {
        let empty = value.is_null() || value.as_str() == Some("");
        if !empty || keep_empty {
            tree.insert(key, value);
        }
    }
    Ok(callback::to_xml(&tree))
}

// --------------------------------------------------------------------- events of the changes

/// 新增成员事件 for a member as the mock keeps it: every element of the event the member has.
pub(crate) fn member_created(member: &user::Member) -> Event {
    let mut e = user::CreateUserEvent::default();
    e.user_id = member.userid.clone();
    e.name = Some(member.name.clone()).filter(|n| !n.is_empty());
    e.department = member.department.clone();
    e.main_department = member.main_department;
    e.is_leader_in_dept = leader_flags(&member.is_leader_in_dept);
    e.direct_leader = member.direct_leader.clone();
    e.mobile = member.mobile.clone();
    e.position = member.position.clone();
    e.gender = member.gender;
    e.email = member.email.clone();
    e.biz_mail = member.biz_mail.clone();
    e.status = member.status;
    e.avatar = member.avatar.clone();
    e.alias = member.alias.clone();
    e.telephone = member.telephone.clone();
    e.address = member.address.clone();
    e.ext_attr = member.extattr.as_ref().map(event_ext_attr);
    Event::CreateUser(e)
}

/// 更新成员事件: `UserID` (the old one), `NewUserID` when it changed, and each other element
/// whose value changed; `None` when nothing about the member changed.
pub(crate) fn member_updated(old: &user::Member, new: &user::Member) -> Option<Event> {
    if old == new {
        return None;
    }
    fn changed<T: PartialEq + Clone>(old: &T, new: &T) -> Option<T> {
        (old != new).then(|| new.clone())
    }
    let mut e = user::UpdateUserEvent::default();
    e.user_id = old.userid.clone();
    e.new_user_id = changed(&old.userid, &new.userid);
    e.name = changed(&old.name, &new.name);
    e.department = changed(&old.department, &new.department).unwrap_or_default();
    e.main_department = changed(&old.main_department, &new.main_department).flatten();
    e.is_leader_in_dept = changed(&old.is_leader_in_dept, &new.is_leader_in_dept)
        .map(|flags| leader_flags(&flags))
        .unwrap_or_default();
    e.position = changed(&old.position, &new.position).flatten();
    e.mobile = changed(&old.mobile, &new.mobile).flatten();
    e.gender = changed(&old.gender, &new.gender).flatten();
    e.email = changed(&old.email, &new.email).flatten();
    e.status = changed(&old.status, &new.status).flatten();
    e.avatar = changed(&old.avatar, &new.avatar).flatten();
    e.alias = changed(&old.alias, &new.alias).flatten();
    e.telephone = changed(&old.telephone, &new.telephone).flatten();
    e.address = changed(&old.address, &new.address).flatten();
    e.direct_leader = changed(&old.direct_leader, &new.direct_leader).unwrap_or_default();
    e.biz_mail = changed(&old.biz_mail, &new.biz_mail).flatten();
    e.ext_attr = changed(&old.extattr, &new.extattr)
        .flatten()
        .as_ref()
        .map(event_ext_attr);
    Some(Event::UpdateUser(e))
}

/// 删除成员事件.
pub(crate) fn member_deleted(userid: &str) -> Event {
    let mut e = user::DeleteUserEvent::default();
    e.user_id = userid.to_string();
    Event::DeleteUser(e)
}

/// 新增部门事件.
pub(crate) fn department_created(d: &department::Department) -> Event {
    let mut e = department::CreatePartyEvent::default();
    e.id = d.id;
    e.name = d.name.clone();
    e.parent_id = d.parentid;
    e.order = Some(d.order);
    Event::CreateParty(e)
}

/// 更新部门事件: `Id`, and `Name` and `ParentId` when they changed; `None` when nothing about
/// the department changed.
pub(crate) fn department_updated(
    old: &department::Department,
    new: &department::Department,
) -> Option<Event> {
    if old == new {
        return None;
    }
    let mut e = department::UpdatePartyEvent::default();
    e.id = new.id;
    e.name = if old.name == new.name {
        None
    } else {
        new.name.clone()
    };
    e.parent_id = (old.parentid != new.parentid).then_some(new.parentid);
    Some(Event::UpdateParty(e))
}

/// 删除部门事件.
pub(crate) fn department_deleted(id: u32) -> Event {
    let mut e = department::DeletePartyEvent::default();
    e.id = id;
    Event::DeleteParty(e)
}

/// 标签成员变更事件 for what a call really changed; `None` when it changed nothing.
pub(crate) fn tag_members_changed(
    tag_id: u32,
    (add_users, del_users): (Vec<String>, Vec<String>),
    (add_parties, del_parties): (Vec<u32>, Vec<u32>),
) -> Option<Event> {
    if add_users.is_empty() && del_users.is_empty() && add_parties.is_empty() && del_parties.is_empty() {
        return None;
    }
    let mut e = wecom_sdk::tag::UpdateTagEvent::default();
    e.tag_id = tag_id;
    e.add_user_items = add_users;
    e.del_user_items = del_users;
    e.add_party_items = add_parties;
    e.del_party_items = del_parties;
    Some(Event::UpdateTag(e))
}

fn leader_flags(flags: &[bool]) -> Vec<u8> {
    flags.iter().map(|&leader| u8::from(leader)).collect()
}

/// A member's `extattr` as the callback writes it: `<ExtAttr><Item>…</Item></ExtAttr>`, text
/// and web attributes with their content (the event declares no mini-program content).
fn event_ext_attr(attr: &types::ExtAttr) -> types::EventExtAttr {
    let mut out = types::EventExtAttr::default();
    out.item = attr
        .attrs
        .iter()
        .flatten()
        .map(|a| {
            let mut item = types::EventExtAttrItem::default();
            item.name = Some(a.name.clone());
            item.type_ = Some(a.type_);
            item.text = a.text.as_ref().map(|t| {
                let mut text = types::EventExtAttrText::default();
                text.value = Some(t.value.clone());
                text
            });
            item.web = a.web.as_ref().map(|w| {
                let mut web = types::EventExtAttrWeb::default();
                web.title = Some(w.title.clone());
                web.url = Some(w.url.clone());
                web
            });
            item
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_has_the_header_and_the_elements_the_member_has() {
        let member: user::Member = serde_json::from_value(serde_json::json!({
            "userid": "zhangsan", "name": "张三", "department": [1, 2], "mobile": "13800000000",
            "gender": "1", "status": 1, "is_leader_in_dept": [1, 0],
        }))
        .unwrap();
        let xml = document(&member_created(&member), "ww-corp", 1_700_000_000).unwrap();
        let tree = callback::parse_tree(xml.as_bytes()).unwrap();
        let text = |k: &str| tree.get(k).and_then(Value::as_str).unwrap_or("<absent>");
        assert_eq!(text("ToUserName"), "ww-corp");
        assert_eq!(text("FromUserName"), "sys");
        assert_eq!(text("CreateTime"), "1700000000");
        assert_eq!(text("MsgType"), "event");
        assert_eq!(text("Event"), "change_contact");
        assert_eq!(text("ChangeType"), "create_user");
        assert_eq!(text("UserID"), "zhangsan");
        assert_eq!(text("Department"), "1,2");
        assert_eq!(text("IsLeaderInDept"), "1,0");
        assert_eq!(text("Mobile"), "13800000000");
        assert_eq!(text("Gender"), "1");
        assert_eq!(text("Status"), "1");
        // Nothing the member lacks, and no AgentID: contact changes name no app.
        for absent in ["AgentID", "DirectLeader", "Email", "Avatar", "ExtAttr"] {
            assert!(!tree.contains_key(absent), "{absent} in {xml}");
        }
        match Event::from_tree(&tree).unwrap() {
            Event::CreateUser(e) => {
                assert_eq!(e.user_id, "zhangsan");
                assert_eq!(e.department, [1, 2]);
                assert_eq!(e.is_leader_in_dept, [1, 0]);
            }
            other => panic!("not create_user: {other:?}"),
        }
    }

    #[test]
    fn update_tag_always_carries_its_four_lists() {
        let event = tag_members_changed(7, (vec!["zhangsan".into()], vec![]), (vec![], vec![])).unwrap();
        let xml = document(&event, "ww-corp", 1).unwrap();
        assert!(
            xml.contains("<AddUserItems><![CDATA[zhangsan]]></AddUserItems>"),
            "{xml}"
        );
        assert!(xml.contains("<DelUserItems><![CDATA[]]></DelUserItems>"), "{xml}");
        assert!(
            xml.contains("<AddPartyItems><![CDATA[]]></AddPartyItems>"),
            "{xml}"
        );
        assert!(
            xml.contains("<DelPartyItems><![CDATA[]]></DelPartyItems>"),
            "{xml}"
        );
        assert!(tag_members_changed(7, (vec![], vec![]), (vec![], vec![])).is_none());
    }

    #[test]
    fn an_update_carries_what_changed() {
        let member = |v: Value| serde_json::from_value::<user::Member>(v).unwrap();
        let old = member(
            serde_json::json!({"userid": "zhangsan", "name": "张三", "department": [1], "mobile": "1"}),
        );
        let new = member(
            serde_json::json!({"userid": "zhangsan", "name": "张三", "department": [1, 2], "mobile": "1"}),
        );
        let xml = document(&member_updated(&old, &new).unwrap(), "ww", 1).unwrap();
        assert!(xml.contains("<UserID><![CDATA[zhangsan]]></UserID>"), "{xml}");
        assert!(xml.contains("<Department><![CDATA[1,2]]></Department>"), "{xml}");
        assert!(
            !xml.contains("<Name>") && !xml.contains("<Mobile>") && !xml.contains("NewUserID"),
            "{xml}"
        );
        assert!(member_updated(&old, &old).is_none());
    }

    #[test]
    fn debug_of_the_settings_hides_the_secrets() {
        let settings = Settings {
            target: Some((
                "http://127.0.0.1:1/cb".into(),
                "tok-secret".into(),
                "key-secret".into(),
            )),
            ..Settings::default()
        };
        let shown = format!("{settings:?}");
        assert!(
            shown.contains("127.0.0.1") && !shown.contains("tok-secret") && !shown.contains("key-secret")
        );
    }
}
