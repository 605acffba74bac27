//! The link that starts WeCom's web sign-in (网页授权登录): the member's browser goes there,
//! WeCom sends it back to `redirect_uri` with a `code`, and `client.oauth().get_user_info(code)`
//! says who it is.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::Error;
use crate::oauth::OauthApi;

/// What `encodeURIComponent` leaves alone: letters, digits and `-_.~`; everything else is
/// percent-encoded, so a redirect URI with its own query survives the trip.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

const AUTHORIZE: &str = "https://open.weixin.qq.com/connect/oauth2/authorize";

/// What the sign-in may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OauthScope {
    /// `snsapi_base`: silent; the member's id only.
    #[default]
    Base,
    /// `snsapi_privateinfo`: asks the member, then also their details (needs `agentid`).
    PrivateInfo,
}

impl OauthScope {
    fn as_str(self) -> &'static str {
        match self {
            OauthScope::Base => "snsapi_base",
            OauthScope::PrivateInfo => "snsapi_privateinfo",
        }
    }
}

/// A sign-in link (its `Display` is the URL).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct AuthorizeUrl {
    corp_id: String,
    redirect_uri: String,
    scope: OauthScope,
    state: Option<String>,
    agentid: Option<u32>,
}

impl AuthorizeUrl {
    /// The link for corp `corp_id` that returns to `redirect_uri` (whose domain must be the
    /// app's trusted domain).
    pub fn new(corp_id: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        AuthorizeUrl {
            corp_id: corp_id.into(),
            redirect_uri: redirect_uri.into(),
            scope: OauthScope::Base,
            state: None,
            agentid: None,
        }
    }

    /// What the sign-in may read (default [`OauthScope::Base`]).
    pub fn scope(mut self, scope: OauthScope) -> Self {
        self.scope = scope;
        self
    }

    /// A value WeCom hands back unchanged with the code (at most 128 bytes, `a-zA-Z0-9`):
    /// bind it to the browser session to stop forged sign-ins.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// The app that signs the member in; required for [`OauthScope::PrivateInfo`].
    pub fn agentid(mut self, agentid: u32) -> Self {
        self.agentid = Some(agentid);
        self
    }
}

impl fmt::Display for AuthorizeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{AUTHORIZE}?appid={}&redirect_uri={}&response_type=code&scope={}",
            utf8_percent_encode(&self.corp_id, COMPONENT),
            utf8_percent_encode(&self.redirect_uri, COMPONENT),
            self.scope.as_str()
        )?;
        if let Some(state) = &self.state {
            write!(f, "&state={}", utf8_percent_encode(state, COMPONENT))?;
        }
        if let Some(agentid) = self.agentid {
            write!(f, "&agentid={agentid}")?;
        }
        f.write_str("#wechat_redirect")
    }
}

impl OauthApi<'_> {
    /// The sign-in link of this client's corp that returns to `redirect_uri`.
    pub fn authorize_url(&self, redirect_uri: impl Into<String>) -> Result<AuthorizeUrl, Error> {
        let corp_id = self
            .client
            .corp_id()
            .ok_or_else(|| Error::Config("a sign-in link needs the corp id of a corp app".into()))?;
        Ok(AuthorizeUrl::new(corp_id, redirect_uri))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_encodes_its_parts() {
        let url = AuthorizeUrl::new(
            "ww0123456789abcdef",
            "https://app.example.com/cb?next=/home&x=1 2",
        )
        .state("s1")
        .to_string();
        assert_eq!(
            url,
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww0123456789abcdef\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Fnext%3D%2Fhome%26x%3D1%202\
             &response_type=code&scope=snsapi_base&state=s1#wechat_redirect"
        );
    }

    #[test]
    fn private_info_carries_the_agent() {
        let url = AuthorizeUrl::new("ww1", "https://a.example/中文")
            .scope(OauthScope::PrivateInfo)
            .agentid(1000002)
            .to_string();
        assert!(url.contains("scope=snsapi_privateinfo"), "{url}");
        assert!(url.contains("&agentid=1000002#wechat_redirect"), "{url}");
        assert!(
            url.contains("redirect_uri=https%3A%2F%2Fa.example%2F%E4%B8%AD%E6%96%87"),
            "{url}"
        );
        assert!(!url.contains("state="), "{url}");
    }
}
