//! The library's commands: what it holds, the folders it watches, and the images that cannot be shown.

use serde::{Deserialize, Serialize};

/// The library and any problem met while starting; the UI asks once when it loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetState {}

/// Shows the system folder picker and opens the chosen folder; `None` when the user cancels.
/// The path comes from the native dialog, never from the webview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChooseFolder {}

/// Shows the system file picker (several images) and copies the chosen files into the app's
/// own library folder, where the library is that folder ([`crate::AppState::app_storage`], a phone or
/// tablet); `None` when the user cancels. The paths come from the native dialog, never from the
/// webview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportImages {}

/// The app's page came back to the front (it was hidden: another app, a locked screen). A
/// library in app storage is scanned again, so images shared into it meanwhile appear; folders
/// on the desktop are watched, and nothing more is done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppResumed {}

/// The first `limit` images that can be shown, by file path, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListImages {
    /// At most this many (the app caps it at 10,000).
    pub limit: u32,
}

/// The first `limit` files that cannot be shown, with what is wrong with each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListProblems {
    /// At most this many (the app caps it at 10,000).
    pub limit: u32,
}

/// Closes a folder: its files leave the library; images and judgements stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveFolder {
    /// The folder's id.
    pub root_id: i32,
}

/// Sets a folder's exclusion patterns (one glob per line) and indexes it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetExcludes {
    /// The folder's id.
    pub root_id: i32,
    /// One glob per line.
    pub patterns: String,
}

/// The webview could not display the image: it is recorded as unreadable and leaves the queues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFailed {
    /// The image.
    pub sha1: String,
}
