//! The address book the mock keeps, so that members, departments and tags behave like the real
//! thing: what is created can be read, listed, updated and deleted, and the real error codes
//! come back for what does not exist or already does.
//!
//! Each handler is keyed by the typed request of its endpoint and receives it decoded; what it
//! keeps and answers is shaped by the typed responses (a member is whatever `user::Member` holds),
//! so no path, field list or wire name is restated here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use wecom_sdk::callback::Event;
use wecom_sdk::{Endpoint, department, message, tag, user};

use crate::callbacks;
use crate::reply::{Refusal, ok};

/// The corp's members, departments and tags.
pub(crate) struct Contacts {
    /// By userid, as `user::Member` JSON.
    members: BTreeMap<String, Map<String, Value>>,
    departments: BTreeMap<u32, department::Department>,
    tags: BTreeMap<u32, Tag>,
    /// The changes made since they were last taken, as the callback events WeCom pushes for
    /// them, in order.
    changes: Vec<Event>,
}

struct Tag {
    name: String,
    users: BTreeSet<String>,
    parties: BTreeSet<u32>,
}

type Handler = Box<dyn Fn(&mut Contacts, Value) -> Result<Value, Refusal> + Send + Sync>;

/// The stateful endpoints, by the path of their typed request.
pub(crate) struct Handlers(HashMap<&'static str, Handler>);

impl Handlers {
    fn on<R: Endpoint + DeserializeOwned>(&mut self, handle: fn(&mut Contacts, R) -> Result<Value, Refusal>) {
        let handler: Handler = Box::new(move |contacts, input| {
            let request: R = serde_json::from_value(input)
                .map_err(|e| Refusal::new(40058, format!("invalid parameter: {e}")))?;
            handle(contacts, request)
        });
        self.0.insert(R::META.path, handler);
    }

    /// The handler of the endpoint at `path`, if the address book keeps its state.
    pub(crate) fn get(&self, path: &str) -> Option<&Handler> {
        self.0.get(path)
    }

    pub(crate) fn all() -> Handlers {
        let mut h = Handlers(HashMap::new());
        h.on(Contacts::create_member);
        h.on(Contacts::get_member);
        h.on(Contacts::update_member);
        h.on(|c, r: user::UserDeleteRequest| c.delete_members(&[r.userid]));
        h.on(|c, r: user::UserBatchDeleteRequest| c.delete_members(&r.useridlist));
        h.on(|c, r: user::UserListRequest| c.list_members::<user::Member>(r.department_id));
        h.on(|c, r: user::UserSimpleListRequest| c.list_members::<user::SimpleMember>(r.department_id));
        h.on(Contacts::create_department);
        h.on(Contacts::update_department);
        h.on(Contacts::delete_department);
        h.on(|c, r: department::DepartmentListRequest| c.list_departments(r.id, false));
        h.on(|c, r: department::DepartmentSimpleListRequest| c.list_departments(r.id, true));
        h.on(Contacts::get_department);
        h.on(Contacts::create_tag);
        h.on(Contacts::update_tag);
        h.on(Contacts::delete_tag);
        h.on(Contacts::get_tag);
        h.on(|c, r: tag::TagAddUsersRequest| c.change_tag_members(r.tagid, r.userlist, r.partylist, true));
        h.on(|c, r: tag::TagDeleteUsersRequest| {
            c.change_tag_members(r.tagid, r.userlist, r.partylist, false)
        });
        h.on(|c, _: tag::TagListRequest| Ok(c.list_tags()));
        h.on(Contacts::send_message);
        h
    }
}

impl Default for Contacts {
    fn default() -> Self {
        let mut contacts = Contacts {
            members: BTreeMap::new(),
            departments: BTreeMap::new(),
            tags: BTreeMap::new(),
            changes: Vec::new(),
        };
        contacts.add_department(
            json!({"id": 1, "name": "Mock 企业", "name_en": "Mock Corp", "parentid": 0, "order": 100000000}),
        );
        contacts
    }
}

/// `value` as the typed response type `T` sees it, back as JSON: keys `T` does not have are gone.
fn shaped<T: DeserializeOwned + Serialize>(value: Value) -> Map<String, Value> {
    let typed: Option<T> = serde_json::from_value(value).ok();
    match typed.and_then(|t| serde_json::to_value(t).ok()) {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn to_json<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn member_departments(member: &Map<String, Value>) -> Vec<u32> {
    typed_member(member).department
}

fn typed_member(member: &Map<String, Value>) -> user::Member {
    serde_json::from_value(Value::Object(member.clone())).unwrap_or_default()
}

/// The address books the mock can start from; the fuller ones hold the members, departments
/// and tags that the official examples name, so the documented requests work as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixture {
    /// The root department only.
    Empty,
    /// Departments 1, 2 and 4; no members or tags.
    Departments,
    /// Departments 1, 2 and 4, the members `zhangsan`, `lisi`, `user1`, `user2`, `userid1` to
    /// `userid3`, and tag 12 (`UI`) holding `user1`, `user2` and departments 2 and 4.
    Full,
}

impl Fixture {
    /// The fixture's name, as `wecom mock --fixture` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Fixture::Empty => "empty",
            Fixture::Departments => "departments",
            Fixture::Full => "full",
        }
    }

    /// The address book under which the official example request of `endpoint` succeeds as
    /// printed (the create examples need their entity absent, the others present).
    pub fn for_example(endpoint: &wecom_sdk::EndpointMeta) -> Fixture {
        if endpoint.id == department::DepartmentCreateRequest::META.id {
            Fixture::Empty
        } else if [
            user::UserCreateRequest::META.id,
            department::DepartmentDeleteRequest::META.id,
            tag::TagCreateRequest::META.id,
        ]
        .contains(&endpoint.id)
        {
            Fixture::Departments
        } else {
            Fixture::Full
        }
    }
}

impl std::str::FromStr for Fixture {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "empty" => Ok(Fixture::Empty),
            "departments" => Ok(Fixture::Departments),
            "full" => Ok(Fixture::Full),
            other => Err(format!("unknown fixture `{other}`: empty, departments or full")),
        }
    }
}

impl Contacts {
    /// The changes made since the last call, oldest first, as callback events.
    pub(crate) fn take_changes(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.changes)
    }

    /// The address book of `fixture`.
    pub(crate) fn from_fixture(fixture: Fixture) -> Self {
        let mut contacts = Contacts::default();
        if fixture == Fixture::Empty {
            return contacts;
        }
        for (id, name) in [(2, "广州研发中心"), (4, "北京研发中心")] {
            contacts.add_department(json!({"id": id, "name": name, "parentid": 1, "order": id}));
        }
        if fixture == Fixture::Departments {
            return contacts;
        }
        for (userid, name, departments) in [
            ("zhangsan", "张三", json!([1, 2])),
            ("lisi", "李四", json!([1])),
            ("user1", "用户一", json!([2])),
            ("user2", "用户二", json!([4])),
            ("userid1", "用户甲", json!([1])),
            ("userid2", "用户乙", json!([1])),
            ("userid3", "用户丙", json!([1])),
        ] {
            let member = json!({"userid": userid, "name": name, "department": departments, "status": 1});
            contacts
                .members
                .insert(userid.into(), shaped::<user::Member>(member));
        }
        contacts.tags.insert(
            12,
            Tag {
                name: "UI".into(),
                users: ["user1", "user2"].into_iter().map(String::from).collect(),
                parties: [2, 4].into_iter().collect(),
            },
        );
        contacts
    }

    fn add_department(&mut self, value: Value) {
        if let Ok(d) = serde_json::from_value::<department::Department>(value) {
            self.departments.insert(d.id, d);
        }
    }

    // ---------------------------------------------------------------------------------- members

    fn check_departments(&self, ids: &[u32]) -> Result<(), Refusal> {
        match ids.iter().find(|id| !self.departments.contains_key(id)) {
            Some(missing) => Err(Refusal::new(60003, format!("department not found: {missing}"))),
            None => Ok(()),
        }
    }

    fn member_key(&self, userid: &str) -> Option<String> {
        self.members
            .keys()
            .find(|u| u.eq_ignore_ascii_case(userid))
            .cloned()
    }

    fn find_member(&self, userid: &str) -> Result<&Map<String, Value>, Refusal> {
        self.member_key(userid)
            .and_then(|k| self.members.get(&k))
            .ok_or_else(|| Refusal::new(60111, format!("userid not found: {userid}")))
    }

    fn create_member(&mut self, r: user::UserCreateRequest) -> Result<Value, Refusal> {
        if self.member_key(&r.userid).is_some() {
            return Err(Refusal::new(60102, format!("userid existed: {}", r.userid)));
        }
        self.check_departments(r.department.as_deref().unwrap_or_default())?;
        let mut member = to_json(&r);
        if r.department.is_none() {
            // Members without a department go under the root (其他（待设置部门）in the real corp).
            member.insert("department".into(), json!([1]));
        }
        let enabled = r.enable.unwrap_or(true);
        member.insert("status".into(), json!(if enabled { 1 } else { 2 }));
        let member = shaped::<user::Member>(Value::Object(member));
        self.changes
            .push(callbacks::member_created(&typed_member(&member)));
        self.members.insert(r.userid.clone(), member);
        Ok(ok("created", json!({})))
    }

    fn get_member(&mut self, r: user::UserGetRequest) -> Result<Value, Refusal> {
        let member = self.find_member(&r.userid)?;
        Ok(ok("ok", Value::Object(member.clone())))
    }

    fn update_member(&mut self, r: user::UserUpdateRequest) -> Result<Value, Refusal> {
        let key = self
            .member_key(&r.userid)
            .ok_or_else(|| Refusal::new(60111, format!("userid not found: {}", r.userid)))?;
        self.check_departments(r.department.as_deref().unwrap_or_default())?;
        let mut member = self.members.remove(&key).unwrap_or_default();
        let before = typed_member(&member);
        let mut changes = to_json(&r);
        changes.remove("userid");
        if let Some(enable) = r.enable {
            changes.insert("status".into(), json!(if enable { 1 } else { 2 }));
        }
        let new_key = r.new_userid.clone().unwrap_or(key);
        if let Some(new_userid) = changes.remove("new_userid") {
            member.insert("userid".into(), new_userid);
        }
        member.extend(changes);
        let member = shaped::<user::Member>(Value::Object(member));
        self.changes
            .extend(callbacks::member_updated(&before, &typed_member(&member)));
        self.members.insert(new_key, member);
        Ok(ok("updated", json!({})))
    }

    fn delete_members(&mut self, userids: &[String]) -> Result<Value, Refusal> {
        for userid in userids {
            self.find_member(userid)?;
        }
        for userid in userids {
            if let Some(key) = self.member_key(userid) {
                self.changes.push(callbacks::member_deleted(&key));
            }
            self.members.retain(|u, _| !u.eq_ignore_ascii_case(userid));
            for tag in self.tags.values_mut() {
                tag.users.retain(|u| !u.eq_ignore_ascii_case(userid));
            }
        }
        Ok(ok("deleted", json!({})))
    }

    /// The members of `department`, each as `T` (a full or a simple member) sees it.
    fn list_members<T: DeserializeOwned + Serialize>(&mut self, department: u32) -> Result<Value, Refusal> {
        self.check_departments(&[department])?;
        let members: Vec<Value> = self
            .members
            .values()
            .filter(|m| member_departments(m).contains(&department))
            .map(|m| Value::Object(shaped::<T>(Value::Object(m.clone()))))
            .collect();
        Ok(ok("ok", json!({ "userlist": members })))
    }

    // ------------------------------------------------------------------------------ departments

    fn create_department(&mut self, r: department::DepartmentCreateRequest) -> Result<Value, Refusal> {
        self.check_departments(&[r.parentid])?;
        if self
            .departments
            .values()
            .any(|d| d.parentid == r.parentid && d.name.as_deref() == Some(r.name.as_str()))
        {
            return Err(Refusal::new(60008, format!("department existed: {}", r.name)));
        }
        let id = match r.id {
            Some(id) if self.departments.contains_key(&id) => {
                return Err(Refusal::new(60008, format!("department existed: {id}")));
            }
            Some(id) => id,
            None => self.departments.keys().max().copied().unwrap_or(1) + 1,
        };
        let mut department = to_json(&r);
        department.insert("id".into(), json!(id));
        department.entry("order").or_insert(json!(0));
        self.add_department(Value::Object(department));
        if let Some(created) = self.departments.get(&id) {
            self.changes.push(callbacks::department_created(created));
        }
        Ok(ok("created", json!({ "id": id })))
    }

    fn find_department(&self, id: u32) -> Result<u32, Refusal> {
        if self.departments.contains_key(&id) {
            Ok(id)
        } else {
            Err(Refusal::new(60003, format!("department not found: {id}")))
        }
    }

    fn update_department(&mut self, r: department::DepartmentUpdateRequest) -> Result<Value, Refusal> {
        let id = self.find_department(r.id)?;
        if let Some(parent) = r.parentid {
            self.check_departments(&[parent])?;
        }
        let before = self.departments.get(&id).cloned();
        let mut department = before.as_ref().map(to_json).unwrap_or_default();
        department.extend(to_json(&r));
        self.add_department(Value::Object(department));
        if let (Some(before), Some(after)) = (before, self.departments.get(&id)) {
            self.changes.extend(callbacks::department_updated(&before, after));
        }
        Ok(ok("updated", json!({})))
    }

    fn delete_department(&mut self, r: department::DepartmentDeleteRequest) -> Result<Value, Refusal> {
        let id = self.find_department(r.id)?;
        if id == 1 {
            return Err(Refusal::new(60006, "the root department cannot be deleted"));
        }
        if self.departments.values().any(|d| d.parentid == id) {
            return Err(Refusal::new(
                60006,
                format!("department {id} has sub departments"),
            ));
        }
        if self.members.values().any(|m| member_departments(m).contains(&id)) {
            return Err(Refusal::new(60005, format!("department {id} has members")));
        }
        self.departments.remove(&id);
        self.changes.push(callbacks::department_deleted(id));
        Ok(ok("deleted", json!({})))
    }

    /// `id` and every department below it.
    fn subtree(&self, root: u32) -> Vec<u32> {
        let mut out = vec![root];
        let mut i = 0;
        while i < out.len() {
            let parent = out[i];
            out.extend(
                self.departments
                    .values()
                    .filter(|d| d.id != parent && d.parentid == parent)
                    .map(|d| d.id),
            );
            i += 1;
        }
        out
    }

    fn list_departments(&mut self, id: Option<u32>, simple: bool) -> Result<Value, Refusal> {
        let ids = match id {
            Some(id) => self.subtree(self.find_department(id)?),
            None => self.departments.keys().copied().collect(),
        };
        let items: Vec<Value> = ids
            .iter()
            .filter_map(|id| self.departments.get(id))
            .map(|d| {
                let full = Value::Object(to_json(d));
                if simple {
                    Value::Object(shaped::<department::DepartmentId>(full))
                } else {
                    full
                }
            })
            .collect();
        Ok(if simple {
            ok("ok", json!({ "department_id": items }))
        } else {
            ok("ok", json!({ "department": items }))
        })
    }

    fn get_department(&mut self, r: department::DepartmentGetRequest) -> Result<Value, Refusal> {
        let id = self.find_department(r.id)?;
        Ok(ok("ok", json!({ "department": to_json(&self.departments[&id]) })))
    }

    // ------------------------------------------------------------------------------------- tags

    fn find_tag(&self, id: u32) -> Result<u32, Refusal> {
        if self.tags.contains_key(&id) {
            Ok(id)
        } else {
            Err(Refusal::new(40068, format!("invalid tagid: {id}")))
        }
    }

    fn create_tag(&mut self, r: tag::TagCreateRequest) -> Result<Value, Refusal> {
        if self.tags.values().any(|t| t.name == r.tagname) {
            return Err(Refusal::new(40071, format!("tagname exists: {}", r.tagname)));
        }
        let id = match r.tagid {
            Some(id) if self.tags.contains_key(&id) => {
                return Err(Refusal::new(40068, format!("tagid exists: {id}")));
            }
            Some(id) => id,
            None => self.tags.keys().max().copied().unwrap_or(0) + 1,
        };
        self.tags.insert(
            id,
            Tag {
                name: r.tagname,
                users: BTreeSet::new(),
                parties: BTreeSet::new(),
            },
        );
        Ok(ok("created", json!({ "tagid": id })))
    }

    fn update_tag(&mut self, r: tag::TagUpdateRequest) -> Result<Value, Refusal> {
        let id = self.find_tag(r.tagid)?;
        if self
            .tags
            .iter()
            .any(|(other, t)| *other != id && t.name == r.tagname)
        {
            return Err(Refusal::new(40071, format!("tagname exists: {}", r.tagname)));
        }
        if let Some(tag) = self.tags.get_mut(&id) {
            tag.name = r.tagname;
        }
        Ok(ok("updated", json!({})))
    }

    fn delete_tag(&mut self, r: tag::TagDeleteRequest) -> Result<Value, Refusal> {
        let id = self.find_tag(r.tagid)?;
        self.tags.remove(&id);
        Ok(ok("deleted", json!({})))
    }

    fn get_tag(&mut self, r: tag::TagGetRequest) -> Result<Value, Refusal> {
        let tag = &self.tags[&self.find_tag(r.tagid)?];
        let users: Vec<Value> = tag
            .users
            .iter()
            .map(|u| {
                let name = self
                    .members
                    .get(u)
                    .and_then(|m| m.get("name"))
                    .cloned()
                    .unwrap_or(Value::Null);
                json!({"userid": u, "name": name})
            })
            .collect();
        Ok(ok(
            "ok",
            json!({"tagname": tag.name, "userlist": users, "partylist": tag.parties}),
        ))
    }

    fn change_tag_members(
        &mut self,
        tagid: u32,
        users: Option<Vec<String>>,
        parties: Option<Vec<u32>>,
        add: bool,
    ) -> Result<Value, Refusal> {
        let id = self.find_tag(tagid)?;
        let (valid_users, invalid_users): (Vec<String>, Vec<String>) = users
            .unwrap_or_default()
            .into_iter()
            .partition(|u| self.members.contains_key(u));
        let (valid_parties, invalid_parties): (Vec<u32>, Vec<u32>) = parties
            .unwrap_or_default()
            .into_iter()
            .partition(|p| self.departments.contains_key(p));
        if valid_users.is_empty() && valid_parties.is_empty() {
            let code = if add { 40070 } else { 40031 };
            return Err(Refusal::new(code, "all list invalid"));
        }
        if let Some(tag) = self.tags.get_mut(&id) {
            // What really changed: a member already in the tag is not added again.
            let users: Vec<String> = if add {
                valid_users
                    .into_iter()
                    .filter(|u| tag.users.insert(u.clone()))
                    .collect()
            } else {
                valid_users.into_iter().filter(|u| tag.users.remove(u)).collect()
            };
            let parties: Vec<u32> = if add {
                valid_parties
                    .into_iter()
                    .filter(|p| tag.parties.insert(*p))
                    .collect()
            } else {
                valid_parties
                    .into_iter()
                    .filter(|p| tag.parties.remove(p))
                    .collect()
            };
            let (users, parties) = if add {
                ((users, Vec::new()), (parties, Vec::new()))
            } else {
                ((Vec::new(), users), (Vec::new(), parties))
            };
            self.changes
                .extend(callbacks::tag_members_changed(id, users, parties));
        }
        let mut fields = Map::new();
        if !invalid_users.is_empty() {
            fields.insert("invalidlist".into(), json!(invalid_users.join("|")));
        }
        if !invalid_parties.is_empty() {
            fields.insert("invalidparty".into(), json!(invalid_parties));
        }
        Ok(ok(if add { "ok" } else { "deleted" }, Value::Object(fields)))
    }

    fn list_tags(&self) -> Value {
        let tags: Vec<Value> = self
            .tags
            .iter()
            .map(|(id, t)| json!({"tagid": id, "tagname": t.name}))
            .collect();
        ok("ok", json!({ "taglist": tags }))
    }

    // --------------------------------------------------------------------------------- messages

    /// Delivers to the members, departments and tags that exist; names the others the way the
    /// real server does, and refuses with 81013 when no receiver is valid.
    fn send_message(&mut self, r: message::MessageSendRequest) -> Result<Value, Refusal> {
        let users = r.touser.unwrap_or_default();
        let everyone = users.iter().any(|u| u == "@all");
        let parties = r.toparty.unwrap_or_default();
        let tags = r.totag.unwrap_or_default();
        let invalid_users: Vec<&String> = users
            .iter()
            .filter(|u| !everyone && self.member_key(u).is_none())
            .collect();
        let invalid_parties: Vec<&String> = parties
            .iter()
            .filter(|p| {
                p.parse::<u32>()
                    .map_or(true, |id| !self.departments.contains_key(&id))
            })
            .collect();
        let invalid_tags: Vec<&String> = tags
            .iter()
            .filter(|t| t.parse::<u32>().map_or(true, |id| !self.tags.contains_key(&id)))
            .collect();
        let delivered = everyone
            || users.len() > invalid_users.len()
            || parties.len() > invalid_parties.len()
            || tags.len() > invalid_tags.len();
        let mut fields = Map::new();
        let join = |items: &[&String]| {
            json!(
                items
                    .iter()
                    .map(|s| s.to_lowercase())
                    .collect::<Vec<_>>()
                    .join("|")
            )
        };
        if !invalid_users.is_empty() {
            fields.insert("invaliduser".into(), join(&invalid_users));
        }
        if !invalid_parties.is_empty() {
            fields.insert("invalidparty".into(), join(&invalid_parties));
        }
        if !invalid_tags.is_empty() {
            fields.insert("invalidtag".into(), join(&invalid_tags));
        }
        if !delivered {
            let mut refusal = Refusal::new(81013, "user & party & tag all invalid");
            refusal.extra = fields;
            return Err(refusal);
        }
        fields.insert(
            "msgid".into(),
            json!(format!("mock-msg-{:016x}", fastrand::u64(..))),
        );
        Ok(ok("ok", Value::Object(fields)))
    }
}
