//! Where a request's loader batches run: inside the request's own task, at
//! the moment the request has nothing left to do but wait.
//!
//! async-graphql's `DataLoader` hands each batch to a spawner and starts it
//! after a delay; with `tokio::spawn` the batch races the rest of the page.
//! Sibling fields of a long list do not all ask in one poll (the joins
//! yield every 32 futures), so on a busy two-core machine a short delay
//! split one page into several batches, and a long one (10 ms) was paid by
//! every nested level of every request. Here the batch is queued instead,
//! and [`Driver`] polls it only once the request's future returns
//! `Pending` without having woken itself: every field that could ask has
//! asked. Batching is then a matter of order, not of time, so the loaders
//! need no delay, and a batch never outlives its request.

use std::{
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll, Wake, Waker},
};

use futures_util::{StreamExt, future::BoxFuture, stream::FuturesUnordered};

/// The batches loaders have started and no driver has picked up yet.
#[derive(Default)]
pub struct BatchQueue {
    queued: Mutex<Vec<BoxFuture<'static, ()>>>,
}

impl BatchQueue {
    /// The spawner a request's `DataLoader`s are built with.
    pub fn spawner(self: &Arc<Self>) -> impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static {
        let queue = Arc::clone(self);
        move |batch| {
            queue
                .queued
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(batch);
        }
    }

    fn take(&self) -> Vec<BoxFuture<'static, ()>> {
        std::mem::take(&mut *self.queued.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Remembers whether the request woke itself while it was polled, and
/// passes every wake on to the task.
struct WakeFlag {
    woken: AtomicBool,
    task: Mutex<Waker>,
}

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .wake_by_ref();
    }
}

/// Polls a request and the batches its loaders queue.
pub struct Driver {
    queue: Arc<BatchQueue>,
    running: FuturesUnordered<BoxFuture<'static, ()>>,
    flag: Arc<WakeFlag>,
}

impl Driver {
    pub fn new(queue: Arc<BatchQueue>) -> Self {
        Self {
            queue,
            running: FuturesUnordered::new(),
            flag: Arc::new(WakeFlag {
                woken: AtomicBool::new(false),
                task: Mutex::new(Waker::noop().clone()),
            }),
        }
    }

    /// Polls the request with `poll_request`, then, if it is only waiting,
    /// the batches.
    pub fn poll<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll_request: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        {
            let mut task = self
                .flag
                .task
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !task.will_wake(cx.waker()) {
                *task = cx.waker().clone();
            }
        }
        self.flag.woken.store(false, Ordering::SeqCst);
        let waker = Waker::from(Arc::clone(&self.flag));
        if let Poll::Ready(value) = poll_request(&mut Context::from_waker(&waker)) {
            return Poll::Ready(value);
        }
        if self.flag.woken.load(Ordering::SeqCst) {
            // The request yielded with fields still to poll (it has been
            // woken, so it runs again): those fields may still ask.
            return Poll::Pending;
        }
        self.running.extend(self.queue.take());
        // A batch that finishes answers its fields, which wakes the request.
        while let Poll::Ready(Some(())) = self.running.poll_next_unpin(cx) {}
        Poll::Pending
    }
}
