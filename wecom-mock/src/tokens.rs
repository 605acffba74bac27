//! The mock's credentials: which of each kind exist, the tokens handed out, and the checks a
//! call's token goes through — all as `spec/credentials.yaml` describes them
//! ([`Credential::def`]).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use wecom_sdk::{Credential, Slot};

use crate::reply::Refusal;

/// What the mock accepts as credentials: an id and a secret per kind.
#[derive(Debug, Clone)]
pub struct Credentials {
    kinds: BTreeMap<Credential, (String, String)>,
    /// How long tokens live (`expires_in`, default 7200 s).
    pub token_lifetime: Duration,
}

impl Default for Credentials {
    fn default() -> Self {
        let mut kinds = BTreeMap::new();
        kinds.insert(Credential::DEFAULT, ("ww-mock-corp".into(), "mock-secret".into()));
        Credentials {
            kinds,
            token_lifetime: Duration::from_secs(7200),
        }
    }
}

impl Credentials {
    /// The id and secret of `kind` the mock accepts, if it knows that kind.
    pub fn get(&self, kind: Credential) -> Option<(&str, &str)> {
        self.kinds
            .get(&kind)
            .map(|(id, secret)| (id.as_str(), secret.as_str()))
    }

    /// The corp id of the corp app.
    pub fn corp_id(&self) -> &str {
        self.get(Credential::DEFAULT).map_or("", |(id, _)| id)
    }

    /// The corp app's secret.
    pub fn secret(&self) -> &str {
        self.get(Credential::DEFAULT).map_or("", |(_, s)| s)
    }

    /// Accepts `id` and `secret` for `kind`.
    pub fn set(&mut self, kind: Credential, id: String, secret: String) {
        self.kinds.insert(kind, (id, secret));
    }

    /// Every kind the mock accepts, with its id and secret.
    pub fn iter(&self) -> impl Iterator<Item = (Credential, &str, &str)> {
        self.kinds
            .iter()
            .map(|(k, (id, s))| (*k, id.as_str(), s.as_str()))
    }
}

/// Tokens handed out, by value.
#[derive(Default)]
pub(crate) struct Tokens {
    issued: HashMap<String, (Credential, Instant)>,
}

impl Tokens {
    pub(crate) fn issue(&mut self, kind: Credential, lifetime: Duration) -> String {
        let token = format!(
            "mock-{}-{:016x}",
            kind.def().name.replace('_', "-"),
            fastrand::u64(..)
        );
        self.issued
            .insert(token.clone(), (kind, Instant::now() + lifetime));
        token
    }

    /// Every token expires now (for testing a client's refresh).
    pub(crate) fn expire_all(&mut self) {
        let now = Instant::now();
        for (_, until) in self.issued.values_mut() {
            *until = now;
        }
    }

    /// Checks the token a call carries, as WeCom does: the kind's `missing`, `invalid` (also for a
    /// token of another kind) and `expired` codes.
    pub(crate) fn check(&self, kind: Credential, presented: Option<&str>) -> Result<(), Refusal> {
        let def = kind.def();
        let param = def.param.unwrap_or(def.name);
        let Some(token) = presented.filter(|t| !t.is_empty()) else {
            return Err(Refusal::new(def.missing, format!("{param} missing")));
        };
        match self.issued.get(token) {
            Some((issued_for, until)) if *issued_for == kind => {
                if Instant::now() >= *until {
                    Err(Refusal::new(def.expired, format!("{param} expired")))
                } else {
                    Ok(())
                }
            }
            _ => Err(Refusal::new(def.invalid, format!("invalid {param}"))),
        }
    }
}

/// The kind of credential `path` fetches, if it is a fetch endpoint.
pub(crate) fn fetched_at(path: &str) -> Option<Credential> {
    Credential::ALL
        .iter()
        .copied()
        .find(|k| k.def().fetch.path == path)
}

/// Checks what a fetch presents against the configured credential of `kind` (and, for kinds that
/// need one, that a ticket was given), the way WeCom answers each input it does not like.
pub(crate) fn check_inputs(
    credentials: &Credentials,
    kind: Credential,
    query: &Map<String, Value>,
    body: &Map<String, Value>,
) -> Result<(), Refusal> {
    let def = kind.def();
    let configured = match def.derived_from {
        Some(base) => credentials.get(base),
        None => credentials.get(kind),
    };
    for input in def.inputs {
        let source = match input.placement {
            wecom_sdk::schema::Placement::Query => query,
            _ => body,
        };
        let given = source
            .get(input.param)
            .and_then(Value::as_str)
            .unwrap_or_default();
        let refused = |code: Option<i64>, why: &str| {
            Refusal::new(code.unwrap_or(40001), format!("{why} {}", input.param))
        };
        if given.is_empty() {
            return Err(refused(input.missing.or(input.refused), "missing"));
        }
        let expected = match (input.slot, configured) {
            (Slot::Id, Some((id, _))) => Some(id),
            (Slot::Secret, Some((_, secret))) => Some(secret),
            // Any ticket will do: the mock never pushed one to compare with.
            (Slot::Ticket, Some(_)) => None,
            (_, None) => return Err(refused(input.refused, "unknown")),
            _ => None,
        };
        if let Some(expected) = expected
            && expected != given
        {
            return Err(refused(input.refused, "invalid"));
        }
    }
    Ok(())
}
