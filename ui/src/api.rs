//! Typed calls to the app: every command of `image_scorer_protocol::commands` through
//! [`call`], every event through [`listen`], over the installed [`crate::transport`].

use crate::transport::{self, Subscription};
use image_scorer_protocol::{AppError, Command, ErrorKind, Event};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// Sends `request` and decodes the answer: `call(AddScore { .. }).await`.
pub async fn call<C: Command>(request: C) -> Result<C::Response, AppError> {
    let request = to_js(&request)?;
    let answer = transport::current().invoke(C::NAME, request).await?;
    from_js(answer)
}

type Job = Pin<Box<dyn Future<Output = ()>>>;

/// The jobs given to [`in_order`].
#[derive(Default)]
struct InOrder {
    /// Waiting to run.
    waiting: VecDeque<Job>,
    /// Whether a loop is running them.
    running: bool,
    /// Given and not finished.
    pending: usize,
}

thread_local! {
    static IN_ORDER: RefCell<InOrder> = RefCell::new(InOrder::default());
}

/// Runs `job` once every job given before it has finished. The pages move on at a key press and
/// hand the judgement over here, so judgements and undos reach the app in the order the person
/// made them, one at a time (the app runs concurrent commands in any order).
pub fn in_order(job: impl Future<Output = ()> + 'static) {
    let start = IN_ORDER.with(|q| {
        let mut q = q.borrow_mut();
        q.waiting.push_back(Box::pin(job));
        q.pending += 1;
        !std::mem::replace(&mut q.running, true)
    });
    if start {
        wasm_bindgen_futures::spawn_local(async {
            while let Some(job) = IN_ORDER.with(|q| {
                let mut q = q.borrow_mut();
                let next = q.waiting.pop_front();
                q.running = next.is_some();
                next
            }) {
                job.await;
                IN_ORDER.with(|q| q.borrow_mut().pending -= 1);
            }
        });
    }
}

/// How many jobs given to [`in_order`] have not finished.
pub fn pending_in_order() -> usize {
    IN_ORDER.with(|q| q.borrow().pending)
}

/// Calls `on_event` with the payload of every event `E` until the subscription is dropped.
pub async fn listen<E: Event>(
    on_event: impl Fn(E::Payload) + 'static,
) -> Result<Subscription, AppError> {
    let handler = Rc::new(move |payload: JsValue| {
        if let Ok(payload) = from_js::<E::Payload>(payload) {
            on_event(payload);
        }
    });
    transport::current().listen(E::NAME, handler).await
}

/// The address of an image's thumbnail.
pub fn thumbnail_url(sha1: &str) -> String {
    transport::current().image_url(sha1, true)
}

/// The address of an image's original.
pub fn image_url(sha1: &str) -> String {
    transport::current().image_url(sha1, false)
}

/// `value` as a plain JavaScript value (objects, not maps; `None` as `null`), as the app's
/// JSON expects.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, AppError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(disagree)
}

/// A JavaScript value decoded into `T`.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, AppError> {
    serde_wasm_bindgen::from_value(value).map_err(disagree)
}

fn disagree(e: serde_wasm_bindgen::Error) -> AppError {
    AppError::new(
        ErrorKind::Internal,
        format!("The app and its window disagree on a message: {e}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    async fn sleep(ms: i32) {
        gloo_timers::future::TimeoutFuture::new(ms.max(0) as u32).await;
    }

    #[test]
    async fn jobs_in_order_run_one_at_a_time_in_the_order_given() {
        let log = Rc::new(RefCell::new(Vec::new()));
        // The first job takes longest: run concurrently, it would finish last.
        for (n, ms) in [(1, 60), (2, 0), (3, 30), (4, 0)] {
            let log = log.clone();
            in_order(async move {
                log.borrow_mut().push(format!("start {n}"));
                sleep(ms).await;
                log.borrow_mut().push(format!("end {n}"));
            });
        }
        assert_eq!(pending_in_order(), 4);
        for _ in 0..100 {
            if pending_in_order() == 0 {
                break;
            }
            sleep(10).await;
        }
        let expected: Vec<String> = (1..=4)
            .flat_map(|n| [format!("start {n}"), format!("end {n}")])
            .collect();
        assert_eq!(*log.borrow(), expected);
        // A job given after the queue ran dry starts it again.
        let again = log.clone();
        in_order(async move { again.borrow_mut().push("again".into()) });
        sleep(10).await;
        assert_eq!(log.borrow().last().map(String::as_str), Some("again"));
    }
}
