//! The SDK against local HTTP servers: every endpoint's documented exchange (generated), the
//! documented response samples, the token lifecycle, retries and failures, request validation,
//! and the hand-written helpers.

#[rustfmt::skip]
mod generated;
mod deprecated;
mod failures;
mod faults;
mod helpers;
mod pages;
mod samples;
mod skit;
mod support;
mod tokens;
mod validation;
