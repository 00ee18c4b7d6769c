//! An idle timeout for HTTP/2 connections (h2c). hyper closes an HTTP/1
//! connection that sends no request within the header deadline, but an
//! HTTP/2 connection that opens no stream and only acks PINGs stays open
//! for good: hyper's keep-alive asks for PINGs, it does not count streams.
//!
//! So each connection counts its open streams here: a request counts from
//! the moment the router is called until its response body is finished or
//! dropped (hyper drops it when the stream ends, however it ends). When no
//! stream has been open for the idle timeout, the connection is shut down
//! gracefully (GOAWAY; nothing is in flight to cut).

use std::{
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use tokio::sync::Notify;

/// The open streams of one connection; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Streams {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    open: AtomicUsize,
    changed: Notify,
}

impl Streams {
    /// Counts a stream as open until the guard is dropped.
    pub fn open(&self) -> StreamGuard {
        self.inner.open.fetch_add(1, Ordering::SeqCst);
        self.inner.changed.notify_waiters();
        StreamGuard(self.inner.clone())
    }

    /// Streams open now.
    pub fn count(&self) -> usize {
        self.inner.open.load(Ordering::SeqCst)
    }

    /// Completes once no stream has been open for `idle` in a row.
    pub async fn idle_for(&self, idle: Duration) {
        loop {
            let changed = self.inner.changed.notified();
            tokio::pin!(changed);
            // Registered before the count is read, so no change is missed.
            changed.as_mut().enable();
            if self.count() == 0 {
                tokio::select! {
                    () = tokio::time::sleep(idle) => return,
                    () = changed => {}
                }
            } else {
                changed.await;
            }
        }
    }
}

/// One open stream; closes it when dropped.
#[derive(Debug)]
pub struct StreamGuard(Arc<Inner>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

/// A response body that keeps its stream counted until it is finished or
/// dropped.
pub struct Tracked {
    body: Body,
    guard: Option<StreamGuard>,
}

impl Tracked {
    pub fn new(body: Body, guard: StreamGuard) -> Self {
        Self {
            body,
            guard: Some(guard),
        }
    }
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) {
            self.guard = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_only_counts_time_with_no_stream_open() {
        let ms = Duration::from_millis;
        let streams = Streams::default();
        let guard = streams.open();
        let waiting = tokio::spawn({
            let streams = streams.clone();
            async move { streams.idle_for(ms(300)).await }
        });
        tokio::time::sleep(ms(700)).await;
        assert!(!waiting.is_finished(), "idle while a stream was open");
        drop(guard);
        tokio::time::sleep(ms(100)).await;
        assert!(!waiting.is_finished(), "idle before the timeout");
        let again = streams.open();
        tokio::time::sleep(ms(400)).await;
        assert!(!waiting.is_finished(), "idle while a new stream was open");
        drop(again);
        tokio::time::timeout(ms(5000), waiting)
            .await
            .expect("idle once no stream was open for the timeout")
            .expect("the waiting task");
        assert_eq!(streams.count(), 0);
    }
}
