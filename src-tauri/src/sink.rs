//! The app's events, sent on to the window: core's [`EventSink`] over Tauri's `AppHandle`.

use image_scorer_core::app::EventSink;
use image_scorer_protocol::AppEvent;
use tauri::{AppHandle, Emitter};

/// Emits every event of the app to the webview under its protocol name.
pub struct WindowSink(pub AppHandle);

impl EventSink for WindowSink {
    fn emit(&self, event: AppEvent) {
        if let Err(e) = self.0.emit(event.name(), &event) {
            eprintln!(
                "image-scorer: cannot send {} to the window: {e}",
                event.name()
            );
        }
    }
}
