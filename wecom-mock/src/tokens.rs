//! The mock's credentials: which corp apps, providers and suites exist, the tokens handed out,
//! and the checks a call's token goes through.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use wecom_sdk::Auth;

use crate::reply::Refusal;

/// What the mock accepts as credentials.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The corp id of the one corp app.
    pub corp_id: String,
    /// Its secret.
    pub secret: String,
    /// A service provider's corp id and secret, for `service/get_provider_token`.
    pub provider: Option<(String, String)>,
    /// A third-party app's suite id and secret, for `service/get_suite_token`.
    pub suite: Option<(String, String)>,
    /// How long tokens live (`expires_in`, default 7200 s).
    pub token_lifetime: Duration,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            corp_id: "ww-mock-corp".into(),
            secret: "mock-secret".into(),
            provider: None,
            suite: None,
            token_lifetime: Duration::from_secs(7200),
        }
    }
}

/// Tokens handed out, by value.
#[derive(Default)]
pub(crate) struct Tokens {
    issued: HashMap<String, (Auth, Instant)>,
}

impl Tokens {
    pub(crate) fn issue(&mut self, kind: Auth, lifetime: Duration) -> String {
        let prefix = match kind {
            Auth::ProviderAccessToken => "mock-provider-token",
            Auth::SuiteAccessToken => "mock-suite-token",
            _ => "mock-access-token",
        };
        let token = format!("{prefix}-{:016x}", fastrand::u64(..));
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

    /// Checks the token a call carries, as WeCom does: 41001 missing, 40014 unknown (or of the
    /// wrong kind), 42001 expired.
    pub(crate) fn check(&self, kind: Auth, presented: Option<&str>) -> Result<(), Refusal> {
        let (param, missing, invalid, expired) = match kind {
            Auth::SuiteAccessToken => ("suite_access_token", 41001, 40082, 42009),
            _ => ("access_token", 41001, 40014, 42001),
        };
        let Some(token) = presented.filter(|t| !t.is_empty()) else {
            return Err(Refusal::new(missing, format!("{param} missing")));
        };
        match self.issued.get(token) {
            Some((issued_for, until)) if *issued_for == kind => {
                if Instant::now() >= *until {
                    Err(Refusal::new(expired, format!("{param} expired")))
                } else {
                    Ok(())
                }
            }
            _ => Err(Refusal::new(invalid, format!("invalid {param}"))),
        }
    }
}
