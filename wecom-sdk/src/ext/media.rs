//! The seed's `get_url` / `get_jssdk_url`: the download links of a media file, for handing to
//! something that fetches by URL. They carry the access token, so they come back as [`Secret`]s.

use crate::media::MediaApi;
use crate::{Error, Secret};

impl MediaApi<'_> {
    /// The link `media/get` would download `media_id` from.
    pub async fn get_url(&self, media_id: &str) -> Result<Secret, Error> {
        self.link("/cgi-bin/media/get", media_id).await
    }

    /// The link of the high-definition voice file `media/get/jssdk` would download.
    pub async fn get_jssdk_url(&self, media_id: &str) -> Result<Secret, Error> {
        self.link("/cgi-bin/media/get/jssdk", media_id).await
    }

    async fn link(&self, path: &str, media_id: &str) -> Result<Secret, Error> {
        let token = self.client.access_token().await?;
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.client.base_url()))
            .map_err(|e| Error::Config(format!("bad base URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("access_token", token.expose())
            .append_pair("media_id", media_id);
        Ok(Secret::from(url.to_string()))
    }
}
