//! What generated code leans on and users never need to name.

pub(crate) mod wire;
