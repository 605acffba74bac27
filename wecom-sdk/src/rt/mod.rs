//! What generated code leans on. Public only so that generated code can name it; not part of
//! the API and free to change in any release.

pub mod check;
pub mod pages;
pub mod wire;
