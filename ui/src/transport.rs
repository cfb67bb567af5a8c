//! How the UI reaches the app: a [`Transport`] carries commands and events and knows where
//! images are served. The desktop window uses Tauri's IPC ([`TauriTransport`]); a browser on
//! the local network uses HTTP to the desktop's network server ([`HttpTransport`]); the browser
//! tests use a stub. One is installed when the UI starts ([`install`]) and every page goes
//! through it (via `api`), never through a transport itself.

mod http;

pub use http::{in_tauri, HttpTransport};

use image_scorer_protocol::{AppError, ErrorKind, IMAGE_SCHEME};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A future on the UI's single thread.
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// What carries the protocol between the UI and the app.
pub trait Transport {
    /// Sends the command `name` with `request` (its arguments as one object) and resolves to
    /// the answer, or the app's error.
    fn invoke(
        &self,
        name: &'static str,
        request: JsValue,
    ) -> LocalFuture<Result<JsValue, AppError>>;

    /// Calls `handler` with the payload of every event `name` until the subscription is
    /// dropped.
    fn listen(
        &self,
        name: &'static str,
        handler: Rc<dyn Fn(JsValue)>,
    ) -> LocalFuture<Result<Subscription, AppError>>;

    /// The address of the image `sha1`: the original, or its thumbnail.
    fn image_url(&self, sha1: &str, thumbnail: bool) -> String;

    /// Whether this is the desktop window, which alone has the file dialogs and manages the
    /// library, the packs and sharing (a device on the network rates).
    fn desktop(&self) -> bool {
        true
    }
}

/// A subscription to an event; it ends when dropped.
pub struct Subscription(Option<Box<dyn FnOnce()>>);

impl Subscription {
    /// A subscription that runs `end` when dropped.
    pub fn new(end: impl FnOnce() + 'static) -> Self {
        Self(Some(Box::new(end)))
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(end) = self.0.take() {
            end();
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<dyn Transport>>> = const { RefCell::new(None) };
}

/// Makes `transport` the one every call goes through from now on.
pub fn install(transport: Rc<dyn Transport>) {
    CURRENT.with(|c| *c.borrow_mut() = Some(transport));
}

/// Whether the UI runs in the desktop window ([`Transport::desktop`]).
pub fn desktop() -> bool {
    current().desktop()
}

/// The installed transport (Tauri's when none was installed).
pub fn current() -> Rc<dyn Transport> {
    CURRENT.with(|c| {
        c.borrow_mut()
            .get_or_insert_with(|| Rc::new(TauriTransport))
            .clone()
    })
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(
        event: &str,
        handler: &Closure<dyn FnMut(JsValue)>,
    ) -> Result<JsValue, JsValue>;
}

/// Tauri's IPC: `window.__TAURI__` (the app sets `withGlobalTauri`), every command sent to
/// the window's one entry `call` with its name and request, images under the app's `image`
/// scheme.
#[derive(Debug, Default, Clone, Copy)]
pub struct TauriTransport;

impl Transport for TauriTransport {
    fn invoke(
        &self,
        name: &'static str,
        request: JsValue,
    ) -> LocalFuture<Result<JsValue, AppError>> {
        Box::pin(async move {
            let args = js_sys::Object::new();
            js_sys::Reflect::set(&args, &JsValue::from_str("name"), &JsValue::from_str(name))
                .map_err(from_js_error)?;
            js_sys::Reflect::set(&args, &JsValue::from_str("request"), &request)
                .map_err(from_js_error)?;
            tauri_invoke("call", args.into())
                .await
                .map_err(from_js_error)
        })
    }

    fn listen(
        &self,
        name: &'static str,
        handler: Rc<dyn Fn(JsValue)>,
    ) -> LocalFuture<Result<Subscription, AppError>> {
        Box::pin(async move {
            let closure = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                if let Ok(payload) = js_sys::Reflect::get(&event, &JsValue::from_str("payload")) {
                    handler(payload);
                }
            });
            let unlisten = tauri_listen(name, &closure).await.map_err(from_js_error)?;
            let unlisten = unlisten.dyn_into::<js_sys::Function>().ok();
            Ok(Subscription::new(move || {
                if let Some(unlisten) = unlisten {
                    let _ = unlisten.call0(&JsValue::NULL);
                }
                drop(closure);
            }))
        })
    }

    fn image_url(&self, sha1: &str, thumbnail: bool) -> String {
        scheme_url(sha1, thumbnail)
    }
}

/// An image's address under the app's image scheme. Linux and macOS webviews see custom
/// schemes as `image://localhost`; Windows and Android as `http://image.localhost`.
pub fn scheme_url(sha1: &str, thumbnail: bool) -> String {
    let windows_like = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .is_some_and(|ua| ua.contains("Windows") || ua.contains("Android"));
    let base = if windows_like {
        format!("http://{IMAGE_SCHEME}.localhost")
    } else {
        format!("{IMAGE_SCHEME}://localhost")
    };
    if thumbnail {
        format!("{base}/thumb/{sha1}")
    } else {
        format!("{base}/{sha1}")
    }
}

/// A rejected command: the app's `{kind, message}`, or whatever the bridge threw.
pub fn from_js_error(value: JsValue) -> AppError {
    serde_wasm_bindgen::from_value::<AppError>(value.clone()).unwrap_or_else(|_| {
        let text = value
            .as_string()
            .or_else(|| {
                value
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| format!("{value:?}"));
        AppError::new(
            ErrorKind::Internal,
            format!("The app did not answer as expected: {text}"),
        )
    })
}
