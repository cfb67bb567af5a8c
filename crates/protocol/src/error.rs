//! The one error type every command returns.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong, as a category the UI can react to (e.g. offer "Open folder" again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A file or folder does not exist.
    NotFound,
    /// A path that should be a folder is something else.
    NotAFolder,
    /// The operating system refused access.
    PermissionDenied,
    /// The request itself is malformed (e.g. a path that is not valid UTF-8).
    InvalidInput,
    /// The database failed or is damaged.
    Database,
    /// Any other input/output failure.
    Io,
    /// The model runtime or a model pack is missing or failed.
    Model,
    /// A bug or an unexpected state in the app.
    Internal,
}

/// An error as the UI sees it: `{ "kind": "not_found", "message": "…" }`.
///
/// `message` is a complete sentence meant for the user; it names the thing that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    /// The category, for code.
    pub kind: ErrorKind,
    /// The explanation, for people.
    pub message: String,
}

impl AppError {
    /// An error of `kind` with a message for the user.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_kind_and_message() {
        let e = AppError::new(ErrorKind::NotAFolder, "“x” is a file, not a folder.");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "not_a_folder", "message": "“x” is a file, not a folder."})
        );
        let back: AppError = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }
}
