//! Every event the app sends to the UI, defined once: its name and its payload ([`Event`]).
//! The app's services report through [`AppEvent`]; a door (the Tauri window, a tablet's
//! connection) sends it on under [`AppEvent::name`] with the payload alone.

use crate::{
    AppError, DuplicatesProgress, JudgementsChanged, LibraryState, PredictorState, ScanStatus,
    SimilarImages,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// An event: its name on every transport and the type of its payload.
pub trait Event: 'static {
    /// The event's name (kebab-case).
    const NAME: &'static str;
    /// What it carries.
    type Payload: Serialize + DeserializeOwned + Clone + 'static;
}

macro_rules! events {
    ($($(#[$doc:meta])* $name:literal => $marker:ident($payload:ty);)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct $marker;
            impl Event for $marker {
                const NAME: &'static str = $name;
                type Payload = $payload;
            }
        )*

        /// One event with its payload, as the app's services report it. Serialises as the
        /// payload alone (the name travels beside it).
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum AppEvent {
            $(
                $(#[$doc])*
                $marker($payload),
            )*
        }

        impl AppEvent {
            /// The event's name.
            pub fn name(&self) -> &'static str {
                match self {
                    $(AppEvent::$marker(_) => $marker::NAME,)*
                }
            }
        }

        /// The name of every event.
        pub const EVENT_NAMES: &[&str] = &[$($name),*];
    };
}

events! {
    /// The open folders or the images below them changed.
    "library-changed" => LibraryChanged(LibraryState);
    /// A folder is being indexed.
    "scan-progress" => ScanProgress(ScanStatus);
    /// Background work failed; the message is for the user.
    "app-error" => BackgroundError(AppError);
    /// The packs, the active pack or the embedding job's progress changed.
    "predictor-changed" => PredictorChanged(PredictorState);
    /// A file dropped on the window was embedded: the library images most like it.
    "similar-to-file" => SimilarToFile(SimilarImages);
    /// Judgements were recorded or undone (here or in another process of a team server).
    "judgements-changed" => JudgementsRecorded(JudgementsChanged);
    /// The near-duplicate pairs of many new images are being computed.
    "duplicates-progress" => DuplicatesSearch(DuplicatesProgress);
}

/// [`LibraryChanged::NAME`].
pub const LIBRARY_CHANGED: &str = LibraryChanged::NAME;
/// [`ScanProgress::NAME`].
pub const SCAN_PROGRESS: &str = ScanProgress::NAME;
/// [`BackgroundError::NAME`].
pub const APP_ERROR: &str = BackgroundError::NAME;
/// [`PredictorChanged::NAME`].
pub const PREDICTOR_CHANGED: &str = PredictorChanged::NAME;
/// [`SimilarToFile::NAME`].
pub const SIMILAR_TO_FILE: &str = SimilarToFile::NAME;
/// [`JudgementsRecorded::NAME`].
pub const JUDGEMENTS_CHANGED: &str = JudgementsRecorded::NAME;
/// [`DuplicatesSearch::NAME`].
pub const DUPLICATES_PROGRESS: &str = DuplicatesSearch::NAME;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn an_event_travels_as_its_payload_under_its_name() {
        let event = AppEvent::BackgroundError(AppError::new(ErrorKind::Io, "gone"));
        assert_eq!(event.name(), "app-error");
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::json!({"kind": "io", "message": "gone"})
        );
        assert_eq!(EVENT_NAMES.len(), 7);
    }
}
