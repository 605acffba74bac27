//! The seed's `get_url` / `get_jssdk_url`: the download links of a media file, for handing to
//! something that fetches by URL. They carry the access token, so they come back as [`Secret`]s.

use crate::media::{MediaApi, MediaGetJssdkRequest, MediaGetRequest};
use crate::{DownloadEndpoint, EndpointMeta, Error, Secret};

impl MediaApi<'_> {
    /// The link `media/get` would download `media_id` from.
    pub async fn get_url(&self, media_id: &str) -> Result<Secret, Error> {
        self.link(MediaGetRequest::META, &MediaGetRequest::new(media_id))
            .await
    }

    /// The link of the high-definition voice file `media/get/jssdk` would download.
    pub async fn get_jssdk_url(&self, media_id: &str) -> Result<Secret, Error> {
        self.link(MediaGetJssdkRequest::META, &MediaGetJssdkRequest::new(media_id))
            .await
    }

    /// The URL of a download request: its path and query, the credential it carries included.
    async fn link<R: serde::Serialize>(
        &self,
        meta: &'static EndpointMeta,
        request: &R,
    ) -> Result<Secret, Error> {
        let mut url = reqwest::Url::parse(&format!("{}{}", self.client.base_url(), meta.path))
            .map_err(|e| Error::Config(format!("bad base URL: {e}")))?;
        let parts = crate::rt::split::split(request, meta).map_err(Error::Config)?;
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(kind) = meta.auth
                && let Some(param) = kind.def().param
            {
                let token = self.client.current_token(kind).await?;
                pairs.append_pair(param, token.expose());
            }
            for (key, value) in parts.query.public_pairs() {
                pairs.append_pair(key, value);
            }
        }
        Ok(Secret::from(url.to_string()))
    }
}
