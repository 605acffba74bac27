//! What generated code leans on. Public only so that generated code can name it; not part of
//! the API and free to change in any release.

pub mod check;
pub mod de;
pub mod enums;
pub mod pages;
pub mod ser;
pub mod split;
pub mod validate;
pub mod wire;

pub(crate) use de::wire;
pub(crate) use enums::{int_enum, str_enum};
pub(crate) use ser::setters;

/// The names generated modules use unqualified.
pub mod prelude {
    pub use std::collections::BTreeMap;

    pub use serde_json::Value;

    pub use crate::rt::{self, de, ser, wire};
    pub use crate::schema as s;
    pub use crate::{BodyKind, Call, Credential, DownloadCall, EndpointMeta, Method, Secret, Upload};
}
