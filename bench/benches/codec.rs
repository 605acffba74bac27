//! The SDK's in-process costs: a `user/list` answer of 10,000 members decoded into the typed
//! response and into `serde_json::Value`, with the peak memory each needs; one `user/get`
//! member; and `message/send`'s body and answer — each beside what plain serde does with the
//! hand-written types of a raw client.
//!
//! ```sh
//! cargo bench -p wecom-bench --bench codec
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wecom_bench::{MEMBER, RawMember, RawSent, SENT, raw_send_body, user_list};
use wecom_sdk::Endpoint;
use wecom_sdk::message::{
    Message, MessageSendRequest as SendRequest, MessageSendResponse as SendResponse, TextContent,
};
use wecom_sdk::user::{UserGetResponse as GetResponse, UserListResponse as ListResponse};

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak of bytes in use while `f` runs, above what was in use before.
fn peak_of<T>(f: impl FnOnce() -> T) -> usize {
    let base = IN_USE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let kept = f();
    let peak = PEAK.load(Ordering::Relaxed) - base;
    drop(kept);
    peak
}

fn large_list(c: &mut Criterion) {
    let body = user_list(10_000);
    let typed_peak = peak_of(|| serde_json::from_slice::<ListResponse>(&body).unwrap());
    let value_peak = peak_of(|| serde_json::from_slice::<serde_json::Value>(&body).unwrap());
    println!(
        "peak memory decoding {} KiB of user/list: typed {} KiB, serde_json::Value {} KiB",
        body.len() / 1024,
        typed_peak / 1024,
        value_peak / 1024
    );

    let mut group = c.benchmark_group("user_list_10000");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.sample_size(20);
    group.bench_function("typed", |b| {
        b.iter(|| serde_json::from_slice::<ListResponse>(black_box(&body)).unwrap())
    });
    group.bench_function("value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap())
    });
    group.finish();
}

fn one_member(c: &mut Criterion) {
    let member = MEMBER.as_bytes();
    let mut group = c.benchmark_group("user_get");
    group.bench_function("typed", |b| {
        b.iter(|| serde_json::from_slice::<GetResponse>(black_box(member)).unwrap())
    });
    group.bench_function("raw", |b| {
        b.iter(|| serde_json::from_slice::<RawMember>(black_box(member)).unwrap())
    });
    group.bench_function("value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(member)).unwrap())
    });
    group.finish();
}

fn send_message(c: &mut Criterion) {
    let mut group = c.benchmark_group("message_send");
    // What the SDK does before sending: build the request, check it, encode it.
    group.bench_function("request/sdk", |b| {
        b.iter(|| {
            let request = SendRequest::new(black_box(1000002), Message::Text(TextContent::new("hello")))
                .touser(["zhangsan", "lisi"]);
            request.validate().unwrap();
            serde_json::to_vec(&request).unwrap()
        })
    });
    group.bench_function("request/raw", |b| {
        b.iter(|| serde_json::to_vec(&black_box(raw_send_body())).unwrap())
    });
    group.bench_function("answer/sdk", |b| {
        b.iter(|| serde_json::from_slice::<SendResponse>(black_box(SENT.as_bytes())).unwrap())
    });
    group.bench_function("answer/raw", |b| {
        b.iter(|| serde_json::from_slice::<RawSent>(black_box(SENT.as_bytes())).unwrap())
    });
    group.finish();
}

criterion_group!(benches, large_list, one_member, send_message);
criterion_main!(benches);
