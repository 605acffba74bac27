//! JS-SDK: the corp's and the app's tickets, cached and refreshed like the access token, and
//! the signature a web page hands to `wx.config` / `wx.agentConfig`.

use std::time::{SystemTime, UNIX_EPOCH};

use sha1::{Digest, Sha1};

use crate::jsapi::JsapiApi;
use crate::{Credential, Error, Secret};

/// What a page needs to call `wx.config` (or `wx.agentConfig`): sign once per page URL.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct JsapiSignature {
    /// The random string signed.
    #[serde(rename = "nonceStr")]
    pub noncestr: String,
    /// The Unix time signed, in seconds.
    pub timestamp: u64,
    /// The page URL signed (without its `#` fragment).
    pub url: String,
    /// The SHA-1 signature, lower-case hex.
    pub signature: String,
}

/// The JS-SDK signature: SHA-1 over `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` (the four
/// keys in ASCII order, values as given; the URL without its `#` fragment).
pub fn signature(ticket: &str, noncestr: &str, timestamp: u64, url: &str) -> String {
    let url = url.split('#').next().unwrap_or(url);
    let plain = format!("jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}");
    let digest = Sha1::digest(plain.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn sign(ticket: &Secret, url: &str) -> JsapiSignature {
    let noncestr: String = std::iter::repeat_with(fastrand::alphanumeric).take(16).collect();
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let url = url.split('#').next().unwrap_or(url).to_string();
    JsapiSignature {
        signature: signature(ticket.expose(), &noncestr, timestamp, &url),
        noncestr,
        timestamp,
        url,
    }
}

impl JsapiApi<'_> {
    /// The corp's `jsapi_ticket` (for `wx.config`), cached until shortly before it expires and
    /// fetched by one caller for all.
    pub async fn ticket(&self) -> Result<Secret, Error> {
        self.client.current_token(Credential::JsapiTicket).await
    }

    /// The app's `jsapi_ticket` (for `wx.agentConfig`), cached like [`JsapiApi::ticket`].
    pub async fn agent_ticket(&self) -> Result<Secret, Error> {
        self.client.current_token(Credential::AgentTicket).await
    }

    /// A fresh `wx.config` signature for the page at `url`.
    pub async fn sign(&self, url: &str) -> Result<JsapiSignature, Error> {
        Ok(sign(&self.ticket().await?, url))
    }

    /// A fresh `wx.agentConfig` signature for the page at `url`.
    pub async fn sign_agent(&self, url: &str) -> Result<JsapiSignature, Error> {
        Ok(sign(&self.agent_ticket().await?, url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_example_signs_as_documented() {
        // The worked example of the official signature algorithm page.
        let signed = signature(
            "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
            "Wm3WZYTPz0wzccnW",
            1414587457,
            "http://mp.weixin.qq.com?params=value",
        );
        assert_eq!(signed, "0f9de62fce790f9a083d5c99e95740ceb90c27ed");
    }

    #[test]
    fn the_fragment_is_not_signed() {
        assert_eq!(
            signature("t", "n", 1, "https://a.example/p?q=1#section"),
            signature("t", "n", 1, "https://a.example/p?q=1")
        );
        let signed = sign(&Secret::from("t"), "https://a.example/p#x");
        assert_eq!(signed.url, "https://a.example/p");
        assert_eq!(signed.noncestr.len(), 16);
        assert_eq!(
            signed.signature,
            signature("t", &signed.noncestr, signed.timestamp, &signed.url)
        );
    }
}
