//! Faults injected on demand, so callers can test their own retry and error handling.

use std::time::Duration;

/// What goes wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answer this `errcode` (with a WeCom-style `errmsg`).
    Errcode(i64),
    /// Wait this many milliseconds, then answer normally.
    DelayMs(u64),
    /// Start the answer, then drop the connection.
    Drop,
    /// Answer with this HTTP status and an HTML body (a failing proxy).
    Http(u16),
}

/// When a fault applies: on one path or all, to a share of calls, a number of times.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// What happens.
    pub kind: FaultKind,
    /// Only calls to this path (`/cgi-bin/user/get`); all paths when absent.
    pub path: Option<String>,
    /// The share of matching calls it hits, 0 to 1 (default 1: every one).
    pub share: f64,
    /// How many calls it hits before it retires (default: no limit).
    pub times: Option<u32>,
}

impl Fault {
    /// Every matching call answers `code`.
    pub fn errcode(code: i64) -> Self {
        Fault::new(FaultKind::Errcode(code))
    }

    /// Every matching call waits `delay` first.
    pub fn delay(delay: Duration) -> Self {
        Fault::new(FaultKind::DelayMs(delay.as_millis() as u64))
    }

    /// Every matching call loses its connection mid-answer.
    pub fn drop_connection() -> Self {
        Fault::new(FaultKind::Drop)
    }

    /// Every matching call gets this HTTP status.
    pub fn http(status: u16) -> Self {
        Fault::new(FaultKind::Http(status))
    }

    /// A fault of any kind.
    pub fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            path: None,
            share: 1.0,
            times: None,
        }
    }

    /// Only on `path`.
    pub fn on(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Only a `share` (0 to 1) of matching calls.
    pub fn share(mut self, share: f64) -> Self {
        self.share = share.clamp(0.0, 1.0);
        self
    }

    /// Only the next `times` matching calls.
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }
}

/// The faults in force, consulted by every call.
#[derive(Default)]
pub(crate) struct Faults {
    active: Vec<Fault>,
}

impl Faults {
    pub(crate) fn add(&mut self, fault: Fault) {
        self.active.push(fault);
    }

    pub(crate) fn clear(&mut self) {
        self.active.clear();
    }

    /// The fault that hits a call to `path`, if one does (the first that matches and rolls in).
    pub(crate) fn pick(&mut self, path: &str) -> Option<FaultKind> {
        let index = self.active.iter().position(|f| {
            f.path.as_deref().is_none_or(|p| p == path) && f.times != Some(0) && fastrand::f64() < f.share
        })?;
        let fault = &mut self.active[index];
        if let Some(times) = &mut fault.times {
            *times -= 1;
        }
        let kind = fault.kind.clone();
        self.active.retain(|f| f.times != Some(0));
        Some(kind)
    }
}
