//! The HTTP transport: a browser on the local network talking to the desktop app's network
//! server (`crates/server`). Commands are `POST /api/call/{name}` with this device's credential
//! (drawn when it paired with the code) in the `Authorization` header; events come from one
//! server-sent-event stream read with `fetch` (an `EventSource` cannot send the header) and are
//! handed to the subscribers of each name; images are at `/image/[thumb/]{sha1}?key=…` with the
//! session's image key. The device keeps its own rater in the browser's storage (the desktop's
//! choice is not touched), and the door holds it to the first one it chose.

use super::{from_js_error, LocalFuture, Subscription, Transport};
use image_scorer_protocol::commands::{GetRater, SetRater};
use image_scorer_protocol::{AppError, Command, ErrorKind};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Where the browser keeps this device's credential.
const TOKEN_KEY: &str = "image-scorer.pairing";
/// Where the browser keeps the device's rater.
const RATER_KEY: &str = "image-scorer.rater";
/// How long the event stream waits before it connects again after it ended.
const RECONNECT_MS: u32 = 2000;

type Handler = Rc<dyn Fn(JsValue)>;

/// The subscribers of each event, and whether the stream runs.
#[derive(Default)]
struct Listeners {
    next: u64,
    by_name: HashMap<String, Vec<(u64, Handler)>>,
    streaming: bool,
}

/// See the module.
pub struct HttpTransport {
    token: String,
    image_key: String,
    listeners: Rc<RefCell<Listeners>>,
}

impl HttpTransport {
    /// Pairs with the server this page came from: the code from the address's `#pair=…` (taken
    /// out of the address) is exchanged for this device's own credential, kept in the
    /// browser's storage (or the one kept there before is used), checked by asking for the
    /// session's image key. The error says what to do when this device is not
    /// paired, or no longer.
    pub async fn pair() -> Result<Self, AppError> {
        let window = web_sys::window().ok_or_else(|| internal("no window"))?;
        let storage = window.local_storage().ok().flatten();
        let hash = window.location().hash().unwrap_or_default();
        let from_address = hash
            .strip_prefix("#pair=")
            .filter(|t| !t.is_empty() && t.len() <= 128 && t.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_owned);
        let mut credential = None;
        if let Some(code) = &from_address {
            // Out of the address bar and the history: the code is not for sharing.
            let path = window.location().pathname().unwrap_or_else(|_| "/".into());
            if let Ok(history) = window.history() {
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
            }
            // The code pairs this device; what it acts with is a credential of its own.
            let paired = post(code, "/api/pair", "{}").await?;
            let token = js_sys::Reflect::get(&paired, &"token".into())
                .ok()
                .and_then(|t| t.as_string())
                .ok_or_else(|| internal("the pairing answered no credential"))?;
            if let Some(s) = &storage {
                let _ = s.set_item(TOKEN_KEY, &token);
            }
            credential = Some(token);
        }
        let token = credential
            .or_else(|| storage.as_ref()?.get_item(TOKEN_KEY).ok().flatten())
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::PermissionDenied,
                    "This device is not paired yet. On the desktop, open Share with a tablet and \
                     scan its code (or open the address it shows).",
                )
            })?;
        let session = post(&token, "/api/session", "{}").await?;
        let image_key = js_sys::Reflect::get(&session, &"image_key".into())
            .ok()
            .and_then(|k| k.as_string())
            .ok_or_else(|| internal("the session has no image key"))?;
        Ok(Self {
            token,
            image_key,
            listeners: Rc::default(),
        })
    }
}

impl Transport for HttpTransport {
    fn invoke(
        &self,
        name: &'static str,
        request: JsValue,
    ) -> LocalFuture<Result<JsValue, AppError>> {
        let token = self.token.clone();
        Box::pin(async move {
            let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
            let saved = storage
                .as_ref()
                .and_then(|s| s.get_item(RATER_KEY).ok().flatten());
            // The device's own rater: the one it chose last (made known to the app), else
            // the app's default for devices.
            let (name, request) = match saved {
                Some(saved) if name == GetRater::NAME => {
                    let request = js_sys::Object::new();
                    js_sys::Reflect::set(&request, &"name".into(), &saved.into())
                        .map_err(from_js_error)?;
                    (SetRater::NAME, request.into())
                }
                _ => (name, request),
            };
            let body = js_sys::JSON::stringify(&request)
                .map(String::from)
                .unwrap_or_else(|_| "{}".into());
            let answer = post(&token, &format!("/api/call/{name}"), &body).await?;
            if name == SetRater::NAME {
                if let (Some(s), Some(chosen)) = (
                    &storage,
                    js_sys::Reflect::get(&answer, &"name".into())
                        .ok()
                        .and_then(|n| n.as_string()),
                ) {
                    let _ = s.set_item(RATER_KEY, &chosen);
                }
            }
            Ok(answer)
        })
    }

    fn listen(
        &self,
        name: &'static str,
        handler: Rc<dyn Fn(JsValue)>,
    ) -> LocalFuture<Result<Subscription, AppError>> {
        let listeners = self.listeners.clone();
        let token = self.token.clone();
        Box::pin(async move {
            let id = {
                let mut l = listeners.borrow_mut();
                l.next += 1;
                let id = l.next;
                l.by_name
                    .entry(name.to_owned())
                    .or_default()
                    .push((id, handler));
                if !l.streaming {
                    l.streaming = true;
                    follow(token, listeners.clone());
                }
                id
            };
            Ok(Subscription::new(move || {
                if let Some(list) = listeners.borrow_mut().by_name.get_mut(name) {
                    list.retain(|(i, _)| *i != id);
                }
            }))
        })
    }

    fn desktop(&self) -> bool {
        false
    }

    fn image_url(&self, sha1: &str, thumbnail: bool) -> String {
        let thumb = if thumbnail { "thumb/" } else { "" };
        format!("/image/{thumb}{sha1}?key={}", self.image_key)
    }
}

/// Whether the page runs in the desktop window (Tauri's bridge is there).
pub fn in_tauri() -> bool {
    web_sys::window()
        .is_some_and(|w| js_sys::Reflect::has(&w, &"__TAURI__".into()).unwrap_or(false))
}

fn internal(what: &str) -> AppError {
    AppError::new(
        ErrorKind::Internal,
        format!("The network connection failed: {what}."),
    )
}

/// `fetch` with the token: the answer's JSON, or the app's error.
async fn post(token: &str, path: &str, body: &str) -> Result<JsValue, AppError> {
    let response = fetch(token, "POST", path, Some(body)).await?;
    let text = JsFuture::from(response.text().map_err(from_js_error)?)
        .await
        .map_err(from_js_error)?
        .as_string()
        .unwrap_or_default();
    let value = js_sys::JSON::parse(&text).unwrap_or_else(|_| JsValue::from_str(&text));
    if response.ok() {
        Ok(value)
    } else {
        Err(
            serde_wasm_bindgen::from_value::<AppError>(value).unwrap_or_else(|_| {
                AppError::new(
                    ErrorKind::Internal,
                    format!("The desktop answered {}: {text}", response.status()),
                )
            }),
        )
    }
}

async fn fetch(
    token: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<web_sys::Response, AppError> {
    let window = web_sys::window().ok_or_else(|| internal("no window"))?;
    let headers = web_sys::Headers::new().map_err(from_js_error)?;
    headers
        .set("Authorization", &format!("Bearer {token}"))
        .map_err(from_js_error)?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        headers
            .set("Content-Type", "application/json")
            .map_err(from_js_error)?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|e| {
            AppError::new(
                ErrorKind::Io,
                format!(
                    "The desktop app cannot be reached (is it still sharing?): {}",
                    from_js_error(e).message
                ),
            )
        })?
        .dyn_into()
        .map_err(from_js_error)
}

/// Reads the event stream for as long as the page lives, connecting again after it ends,
/// until the server refuses the pairing.
fn follow(token: String, listeners: Rc<RefCell<Listeners>>) {
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            match read_events(&token, &listeners).await {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => web_sys::console::warn_1(&e.message.into()),
            }
            gloo_timers::future::TimeoutFuture::new(RECONNECT_MS).await;
        }
        listeners.borrow_mut().streaming = false;
    });
}

/// One connection of the event stream; `Ok(true)` when the pairing is refused (stop trying).
async fn read_events(token: &str, listeners: &Rc<RefCell<Listeners>>) -> Result<bool, AppError> {
    let response = fetch(token, "GET", "/api/events", None).await?;
    if matches!(response.status(), 401 | 403) {
        return Ok(true);
    }
    let body = response
        .body()
        .ok_or_else(|| internal("the event stream has no body"))?;
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(from_js_error)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(false);
        }
        let bytes: js_sys::Uint8Array = js_sys::Reflect::get(&chunk, &"value".into())
            .map_err(from_js_error)?
            .dyn_into()
            .map_err(from_js_error)?;
        pending.extend(bytes.to_vec());
        while let Some(end) = pending.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = pending.drain(..end + 2).collect();
            if let Some((name, data)) = parse_event(&String::from_utf8_lossy(&block)) {
                deliver(listeners, &name, &data);
            }
        }
    }
}

/// The name and data of one server-sent event (`None` for a comment or a keep-alive).
fn parse_event(block: &str) -> Option<(String, String)> {
    let mut name = None;
    let mut data = String::new();
    for line in block.lines() {
        if let Some(n) = line.strip_prefix("event:") {
            name = Some(n.trim().to_owned());
        } else if let Some(d) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(d.strip_prefix(' ').unwrap_or(d));
        }
    }
    Some((name?, data))
}

fn deliver(listeners: &Rc<RefCell<Listeners>>, name: &str, data: &str) {
    let Ok(payload) = js_sys::JSON::parse(data) else {
        return;
    };
    let handlers: Vec<Handler> = listeners
        .borrow()
        .by_name
        .get(name)
        .map(|list| list.iter().map(|(_, h)| h.clone()).collect())
        .unwrap_or_default();
    for handler in handlers {
        handler(payload.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn events_are_read_by_name_and_keep_alives_skipped() {
        assert_eq!(
            parse_event("event: library-changed\ndata: {\"roots\":[]}\n\n"),
            Some(("library-changed".into(), "{\"roots\":[]}".into()))
        );
        assert_eq!(parse_event(":\n\n"), None);
        assert_eq!(
            parse_event("event:x\ndata:a\ndata: b\n"),
            Some(("x".into(), "a\nb".into()))
        );
    }
}
