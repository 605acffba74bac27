//! Hand-written conveniences on top of generated groups: what the seed offers beyond one HTTP
//! call (JS-SDK signatures and tickets, the OAuth link, message shortcuts, media links, the
//! member map). Each lives with its group's feature.

#[cfg(all(feature = "department", feature = "user"))]
mod department;
#[cfg(feature = "jsapi")]
pub mod jsapi;
#[cfg(feature = "media")]
mod media;
#[cfg(feature = "message")]
mod message;
#[cfg(feature = "oauth")]
pub mod oauth;
