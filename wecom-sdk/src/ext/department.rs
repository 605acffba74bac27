//! The seed's `get_map_users`: a map from one member field to the member's `userid`, for the
//! many calls that take user ids when all one has is a name or an email.

use std::collections::BTreeMap;

use crate::Error;
use crate::department::DepartmentApi;
use crate::user::Member;

impl DepartmentApi<'_> {
    /// `key(member) → userid` for the members of `department_id` (or, with `None`, of every
    /// department the app can see), read with `user/list`. Members for whom `key` gives `None`
    /// are left out; when two members share a key, the later one wins, so pick a unique field.
    ///
    /// ```no_run
    /// # async fn demo(client: &wecom_sdk::Client) -> Result<(), wecom_sdk::Error> {
    /// let by_email = client.department().map_users(None, |m| m.email.clone()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn map_users<F>(
        &self,
        department_id: Option<u32>,
        key: F,
    ) -> Result<BTreeMap<String, String>, Error>
    where
        F: Fn(&Member) -> Option<String>,
    {
        let departments = match department_id {
            Some(id) => vec![id],
            None => self.list().await?.department.into_iter().map(|d| d.id).collect(),
        };
        let mut map = BTreeMap::new();
        for id in departments {
            for member in self.client.user().list(id).await?.userlist {
                if let Some(k) = key(&member) {
                    map.insert(k, member.userid.clone());
                }
            }
        }
        Ok(map)
    }
}
