//! The window's one command. Every protocol command arrives as `call` with its name and its
//! request, and goes to core's [`App::dispatch`] through the protocol's table: a new command
//! needs nothing here. No command takes a file-system path from the webview; those that need
//! a file get it from the native dialog ([`crate::desktop`]).

use image_scorer_core::App;
use image_scorer_protocol::AppError;
use serde_json::Value;
use tauri::State;

/// Answers the protocol command `name` with `request` (its arguments as one object).
#[tauri::command]
pub async fn call(app: State<'_, App>, name: String, request: Value) -> Result<Value, AppError> {
    app.dispatch(&name, request).await
}
