//! Typed calls to the app: every command of `image_scorer_protocol::commands` through
//! [`call`], every event through [`listen`], over the installed [`crate::transport`].

use crate::transport::{self, Subscription};
use image_scorer_protocol::{AppError, Command, ErrorKind, Event};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// Sends `request` and decodes the answer: `call(AddScore { .. }).await`.
pub async fn call<C: Command>(request: C) -> Result<C::Response, AppError> {
    let request = to_js(&request)?;
    let answer = transport::current().invoke(C::NAME, request).await?;
    from_js(answer)
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
