//! A deadline for a whole request body. The pause timeout
//! (`RequestBodyTimeoutLayer`) cuts off a body that stops; this one cuts off
//! a body that keeps dripping a byte at a time, however slowly, so a
//! request's connection slot is bounded in time by construction.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use axum::body::{Body, Bytes};
use http_body::{Body as HttpBody, Frame, SizeHint};
use tokio::time::Sleep;

/// The error a body past its deadline ends with; `graphql::stalled` and the
/// multipart reader answer it with `408`.
#[derive(Debug, thiserror::Error)]
#[error("the request body took longer than allowed")]
pub struct BodyDeadlineExceeded;

/// A body that fails once `deadline` has passed since the request arrived.
pub struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<Sleep>>,
}

impl DeadlineBody {
    /// Wraps `inner`; the clock starts now (when the request's head is in).
    pub fn new(inner: Body, deadline: Duration) -> Self {
        Self {
            inner,
            deadline: Box::pin(tokio::time::sleep(deadline)),
        }
    }
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if self.inner.is_end_stream() {
            return Poll::Ready(None);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(axum::Error::new(BodyDeadlineExceeded))));
        }
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The middleware: every request body gets the deadline.
pub fn with_deadline(
    deadline: Duration,
) -> impl Fn(axum::extract::Request) -> axum::extract::Request + Clone {
    move |request| request.map(|body| Body::new(DeadlineBody::new(body, deadline)))
}
