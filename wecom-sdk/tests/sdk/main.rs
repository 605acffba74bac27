//! The SDK against local HTTP servers: every endpoint's documented exchange (generated), the
//! documented response samples, the token lifecycle and the failure modes.

#[rustfmt::skip]
mod generated;
mod failures;
mod faults;
mod samples;
mod support;
mod tokens;
mod validation;
