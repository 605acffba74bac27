//! The address book the mock keeps, so that members, departments and tags behave like the real
//! thing: what is created can be read, listed, updated and deleted, and the real error codes
//! come back for what does not exist or already does. Requests arrive already checked against
//! the spec's types and limits, as JSON objects.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::reply::{Refusal, ok};

/// The corp's members, departments and tags.
pub(crate) struct Contacts {
    members: BTreeMap<String, Map<String, Value>>,
    departments: BTreeMap<u64, Map<String, Value>>,
    tags: BTreeMap<u64, Tag>,
}

struct Tag {
    name: String,
    users: BTreeSet<String>,
    parties: BTreeSet<u64>,
}

/// The member fields `user/create` and `user/update` take that `user/get` gives back.
const MEMBER_FIELDS: &[&str] = &[
    "userid",
    "name",
    "alias",
    "mobile",
    "department",
    "order",
    "position",
    "gender",
    "email",
    "biz_mail",
    "telephone",
    "is_leader_in_dept",
    "direct_leader",
    "main_department",
    "extattr",
    "external_profile",
    "external_position",
    "address",
];

impl Default for Contacts {
    fn default() -> Self {
        let mut departments = BTreeMap::new();
        departments.insert(
            1,
            json!({"id": 1, "name": "Mock 企业", "name_en": "Mock Corp", "parentid": 0, "order": 100000000})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        Contacts {
            members: BTreeMap::new(),
            departments,
            tags: BTreeMap::new(),
        }
    }
}

fn text<'a>(input: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Value::as_str)
}

/// An integer parameter, whether it came as a JSON number or (from the query) a string.
fn number(input: &Map<String, Value>, key: &str) -> Option<u64> {
    match input.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn numbers(value: Option<&Value>) -> Vec<u64> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => s
            .split('|')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
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

impl Fixture {
    /// The address book under which the official example request of the endpoint at `path`
    /// succeeds as printed (the create examples need their entity absent, the others present).
    pub fn for_example(path: &str) -> Fixture {
        match path {
            "/cgi-bin/department/create" => Fixture::Empty,
            "/cgi-bin/user/create" | "/cgi-bin/department/delete" | "/cgi-bin/tag/create" => {
                Fixture::Departments
            }
            _ => Fixture::Full,
        }
    }
}

impl Contacts {
    /// The address book of `fixture`.
    pub(crate) fn from_fixture(fixture: Fixture) -> Self {
        let mut contacts = Contacts::default();
        if fixture == Fixture::Empty {
            return contacts;
        }
        for (id, name) in [(2, "广州研发中心"), (4, "北京研发中心")] {
            let department = json!({"id": id, "name": name, "parentid": 1, "order": id});
            contacts
                .departments
                .insert(id, department.as_object().cloned().unwrap_or_default());
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
                .insert(userid.into(), member.as_object().cloned().unwrap_or_default());
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

    /// Answers `path` if it is a contacts endpoint; `None` leaves the call to the example.
    pub(crate) fn handle(
        &mut self,
        path: &str,
        input: &Map<String, Value>,
    ) -> Option<Result<Value, Refusal>> {
        Some(match path {
            "/cgi-bin/user/create" => self.create_member(input),
            "/cgi-bin/user/get" => self.get_member(input),
            "/cgi-bin/user/update" => self.update_member(input),
            "/cgi-bin/user/delete" => {
                self.delete_members(&strings(input.get("userid").map(|v| json!([v])).as_ref()))
            }
            "/cgi-bin/user/batchdelete" => self.delete_members(&strings(input.get("useridlist"))),
            "/cgi-bin/user/list" => self.list_members(input, false),
            "/cgi-bin/user/simplelist" => self.list_members(input, true),
            "/cgi-bin/department/create" => self.create_department(input),
            "/cgi-bin/department/update" => self.update_department(input),
            "/cgi-bin/department/delete" => self.delete_department(input),
            "/cgi-bin/department/list" => self.list_departments(input, false),
            "/cgi-bin/department/simplelist" => self.list_departments(input, true),
            "/cgi-bin/department/get" => self.get_department(input),
            "/cgi-bin/tag/create" => self.create_tag(input),
            "/cgi-bin/tag/update" => self.update_tag(input),
            "/cgi-bin/tag/delete" => self.delete_tag(input),
            "/cgi-bin/tag/get" => self.get_tag(input),
            "/cgi-bin/tag/addtagusers" => self.change_tag_members(input, true),
            "/cgi-bin/tag/deltagusers" => self.change_tag_members(input, false),
            "/cgi-bin/tag/list" => Ok(self.list_tags()),
            "/cgi-bin/message/send" => self.send_message(input),
            _ => return None,
        })
    }

    // ---------------------------------------------------------------------------------- members

    fn check_departments(&self, ids: &[u64]) -> Result<(), Refusal> {
        match ids.iter().find(|id| !self.departments.contains_key(id)) {
            Some(missing) => Err(Refusal::new(60003, format!("department not found: {missing}"))),
            None => Ok(()),
        }
    }

    fn create_member(&mut self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let userid = text(input, "userid").unwrap_or_default().to_string();
        if self.members.keys().any(|u| u.eq_ignore_ascii_case(&userid)) {
            return Err(Refusal::new(60102, format!("userid existed: {userid}")));
        }
        self.check_departments(&numbers(input.get("department")))?;
        let mut member: Map<String, Value> = MEMBER_FIELDS
            .iter()
            .filter_map(|k| input.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        if !member.contains_key("department") {
            // Members without a department go under the root (其他（待设置部门）in the real corp).
            member.insert("department".into(), json!([1]));
        }
        let enabled = number(input, "enable").is_none_or(|e| e != 0);
        member.insert("status".into(), json!(if enabled { 1 } else { 2 }));
        self.members.insert(userid, member);
        Ok(ok("created", json!({})))
    }

    fn get_member(&self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let userid = text(input, "userid").unwrap_or_default();
        let member = self.find_member(userid)?;
        Ok(ok("ok", Value::Object(member.clone())))
    }

    fn find_member(&self, userid: &str) -> Result<&Map<String, Value>, Refusal> {
        self.members
            .iter()
            .find(|(u, _)| u.eq_ignore_ascii_case(userid))
            .map(|(_, m)| m)
            .ok_or_else(|| Refusal::new(60111, format!("userid not found: {userid}")))
    }

    fn update_member(&mut self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let userid = text(input, "userid").unwrap_or_default().to_string();
        self.find_member(&userid)?;
        self.check_departments(&numbers(input.get("department")))?;
        let key = self
            .members
            .keys()
            .find(|u| u.eq_ignore_ascii_case(&userid))
            .cloned()
            .unwrap_or(userid);
        if let Some(member) = self.members.get_mut(&key) {
            for field in MEMBER_FIELDS.iter().filter(|f| **f != "userid") {
                if let Some(value) = input.get(*field) {
                    member.insert(field.to_string(), value.clone());
                }
            }
            if let Some(enable) = number(input, "enable") {
                member.insert("status".into(), json!(if enable == 0 { 2 } else { 1 }));
            }
        }
        Ok(ok("updated", json!({})))
    }

    fn delete_members(&mut self, userids: &[String]) -> Result<Value, Refusal> {
        for userid in userids {
            self.find_member(userid)?;
        }
        for userid in userids {
            self.members.retain(|u, _| !u.eq_ignore_ascii_case(userid));
            for tag in self.tags.values_mut() {
                tag.users.retain(|u| !u.eq_ignore_ascii_case(userid));
            }
        }
        Ok(ok("deleted", json!({})))
    }

    fn list_members(&self, input: &Map<String, Value>, simple: bool) -> Result<Value, Refusal> {
        let department = number(input, "department_id").unwrap_or(0);
        self.check_departments(&[department])?;
        let members: Vec<Value> = self
            .members
            .values()
            .filter(|m| numbers(m.get("department")).contains(&department))
            .map(|m| {
                if simple {
                    json!({"userid": m["userid"], "name": m.get("name").cloned().unwrap_or(Value::Null),
                           "department": m.get("department").cloned().unwrap_or(json!([]))})
                } else {
                    Value::Object(m.clone())
                }
            })
            .collect();
        Ok(ok("ok", json!({ "userlist": members })))
    }

    // ------------------------------------------------------------------------------ departments

    fn create_department(&mut self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let parent = number(input, "parentid").unwrap_or(1);
        self.check_departments(&[parent])?;
        let name = text(input, "name").unwrap_or_default();
        if self
            .departments
            .values()
            .any(|d| number(d, "parentid") == Some(parent) && text(d, "name") == Some(name))
        {
            return Err(Refusal::new(60008, format!("department existed: {name}")));
        }
        let id = match number(input, "id") {
            Some(id) if self.departments.contains_key(&id) => {
                return Err(Refusal::new(60008, format!("department existed: {id}")));
            }
            Some(id) => id,
            None => self.departments.keys().max().copied().unwrap_or(1) + 1,
        };
        let mut department = Map::new();
        department.insert("id".into(), json!(id));
        department.insert("name".into(), json!(name));
        if let Some(en) = input.get("name_en") {
            department.insert("name_en".into(), en.clone());
        }
        department.insert("parentid".into(), json!(parent));
        department.insert("order".into(), json!(number(input, "order").unwrap_or(0)));
        self.departments.insert(id, department);
        Ok(ok("created", json!({ "id": id })))
    }

    fn find_department(&self, input: &Map<String, Value>) -> Result<u64, Refusal> {
        let id = number(input, "id").unwrap_or(0);
        if self.departments.contains_key(&id) {
            Ok(id)
        } else {
            Err(Refusal::new(60003, format!("department not found: {id}")))
        }
    }

    fn update_department(&mut self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let id = self.find_department(input)?;
        if let Some(parent) = number(input, "parentid") {
            self.check_departments(&[parent])?;
        }
        if let Some(department) = self.departments.get_mut(&id) {
            for field in ["name", "name_en", "parentid", "order"] {
                if let Some(value) = input.get(field) {
                    department.insert(field.into(), value.clone());
                }
            }
        }
        Ok(ok("updated", json!({})))
    }

    fn delete_department(&mut self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let id = self.find_department(input)?;
        if id == 1 {
            return Err(Refusal::new(60006, "the root department cannot be deleted"));
        }
        if self
            .departments
            .values()
            .any(|d| number(d, "parentid") == Some(id))
        {
            return Err(Refusal::new(
                60006,
                format!("department {id} has sub departments"),
            ));
        }
        if self
            .members
            .values()
            .any(|m| numbers(m.get("department")).contains(&id))
        {
            return Err(Refusal::new(60005, format!("department {id} has members")));
        }
        self.departments.remove(&id);
        Ok(ok("deleted", json!({})))
    }

    /// `id` and every department below it.
    fn subtree(&self, root: u64) -> Vec<u64> {
        let mut out = vec![root];
        let mut i = 0;
        while i < out.len() {
            let parent = out[i];
            out.extend(
                self.departments
                    .iter()
                    .filter(|(id, d)| **id != parent && number(d, "parentid") == Some(parent))
                    .map(|(id, _)| *id),
            );
            i += 1;
        }
        out
    }

    fn list_departments(&self, input: &Map<String, Value>, simple: bool) -> Result<Value, Refusal> {
        let ids = match number(input, "id") {
            Some(_) => self.subtree(self.find_department(input)?),
            None => self.departments.keys().copied().collect(),
        };
        let items: Vec<Value> = ids
            .iter()
            .filter_map(|id| self.departments.get(id))
            .map(|d| {
                if simple {
                    json!({"id": d["id"], "parentid": d["parentid"], "order": d["order"]})
                } else {
                    Value::Object(d.clone())
                }
            })
            .collect();
        Ok(if simple {
            ok("ok", json!({ "department_id": items }))
        } else {
            ok("ok", json!({ "department": items }))
        })
    }

    fn get_department(&self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let id = self.find_department(input)?;
        Ok(ok("ok", json!({ "department": self.departments[&id] })))
    }

    // ------------------------------------------------------------------------------------- tags

    fn find_tag(&self, input: &Map<String, Value>) -> Result<u64, Refusal> {
        let id = number(input, "tagid").unwrap_or(0);
        if self.tags.contains_key(&id) {
            Ok(id)
        } else {
            Err(Refusal::new(40068, format!("invalid tagid: {id}")))
        }
    }

    fn create_tag(&mut self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let name = text(input, "tagname").unwrap_or_default().to_string();
        if self.tags.values().any(|t| t.name == name) {
            return Err(Refusal::new(40071, format!("tagname exists: {name}")));
        }
        let id = match number(input, "tagid") {
            Some(id) if self.tags.contains_key(&id) => {
                return Err(Refusal::new(40068, format!("tagid exists: {id}")));
            }
            Some(id) => id,
            None => self.tags.keys().max().copied().unwrap_or(0) + 1,
        };
        self.tags.insert(
            id,
            Tag {
                name,
                users: BTreeSet::new(),
                parties: BTreeSet::new(),
            },
        );
        Ok(ok("created", json!({ "tagid": id })))
    }

    fn update_tag(&mut self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let id = self.find_tag(input)?;
        let name = text(input, "tagname").unwrap_or_default().to_string();
        if self.tags.iter().any(|(other, t)| *other != id && t.name == name) {
            return Err(Refusal::new(40071, format!("tagname exists: {name}")));
        }
        if let Some(tag) = self.tags.get_mut(&id) {
            tag.name = name;
        }
        Ok(ok("updated", json!({})))
    }

    fn delete_tag(&mut self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let id = self.find_tag(input)?;
        self.tags.remove(&id);
        Ok(ok("deleted", json!({})))
    }

    fn get_tag(&self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let tag = &self.tags[&self.find_tag(input)?];
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

    fn change_tag_members(&mut self, input: &Map<String, Value>, add: bool) -> Result<Value, Refusal> {
        let id = self.find_tag(input)?;
        let users = strings(input.get("userlist"));
        let parties = numbers(input.get("partylist"));
        let (valid_users, invalid_users): (Vec<String>, Vec<String>) =
            users.into_iter().partition(|u| self.members.contains_key(u));
        let (valid_parties, invalid_parties): (Vec<u64>, Vec<u64>) = parties
            .into_iter()
            .partition(|p| self.departments.contains_key(p));
        if valid_users.is_empty() && valid_parties.is_empty() {
            let code = if add { 40070 } else { 40031 };
            return Err(Refusal::new(code, "all list invalid"));
        }
        if let Some(tag) = self.tags.get_mut(&id) {
            if add {
                tag.users.extend(valid_users);
                tag.parties.extend(valid_parties);
            } else {
                valid_users.iter().for_each(|u| {
                    tag.users.remove(u);
                });
                valid_parties.iter().for_each(|p| {
                    tag.parties.remove(p);
                });
            }
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
    fn send_message(&mut self, input: &Map<String, Value>) -> Result<Value, Refusal> {
        let users = strings(input.get("touser"));
        let everyone = users.iter().any(|u| u == "@all");
        let parties = strings(input.get("toparty"));
        let tags = strings(input.get("totag"));
        let invalid_users: Vec<&String> = users
            .iter()
            .filter(|u| !everyone && !self.members.keys().any(|m| m.eq_ignore_ascii_case(u)))
            .collect();
        let invalid_parties: Vec<&String> = parties
            .iter()
            .filter(|p| {
                p.parse::<u64>()
                    .map_or(true, |id| !self.departments.contains_key(&id))
            })
            .collect();
        let invalid_tags: Vec<&String> = tags
            .iter()
            .filter(|t| t.parse::<u64>().map_or(true, |id| !self.tags.contains_key(&id)))
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
