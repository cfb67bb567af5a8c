//! The UI's state in one place: the library, the errors to show, and what is in progress.
//! Components read it from context ([`use_app`]) and change it only through [`Action`]s.

use image_scorer_protocol::{
    AppError, AppState, JudgementsChanged, LibraryState, PredictorState, Rater, ScanStatus,
};
use std::rc::Rc;
use yew::prelude::*;

/// Everything the header and pages share.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    /// The open folders.
    pub library: LibraryState,
    /// Whether the first answer from the app has arrived.
    pub loaded: bool,
    /// The library is the app's own folder (a phone or tablet): images are imported, no
    /// folder is opened.
    pub app_storage: bool,
    /// Whether the folder picker is open.
    pub choosing_folder: bool,
    /// Errors to show, oldest first, until the user dismisses them.
    pub errors: Vec<AppError>,
    /// Folders being indexed right now.
    pub scanning: Vec<ScanStatus>,
    /// Whether the folder settings panel is shown.
    pub folders_panel: bool,
    /// Whether the list of unreadable files is shown.
    pub problems_panel: bool,
    /// Who is rating.
    pub rater: Rater,
    /// Bumped whenever the current rater changes (pages reload their queues).
    pub rater_revision: u32,
    /// Bumped whenever the images below the folders change (pages reload what they show).
    pub revision: u32,
    /// Model packs, the active one, and the background embedding.
    pub predictor: PredictorState,
    /// Whether the model packs panel is shown.
    pub models_panel: bool,
    /// The Share panel (the desktop window only).
    pub share_panel: bool,
    /// Bumped as the embedding job progresses (pages fetch a prediction still missing).
    pub prediction_revision: u32,
    /// Bumped when the active pack changes (pages fetch the prediction on screen again).
    pub pack_revision: u32,
    /// Whether the folders came with an event or a command's answer already (newer than the
    /// state asked for at start, which may arrive after them).
    pub roots_known: bool,
    /// Whether the counts came with an event already.
    pub counts_known: bool,
    /// What the Similarity page's find view shows: asked for from any page.
    pub similar: Option<SimilarQuery>,
    /// Bumped with every new [`Model::similar`] (the Similarity page opens its find view).
    pub similar_revision: u32,
    /// Bumped when another rater's judgements changed (on another device, or through another
    /// process of a team server): pages that show counts and means read them again.
    pub judged_revision: u32,
    /// The images of the last such change (empty: any image).
    pub judged_images: Vec<String>,
}

/// A find-similar query asked for from anywhere.
#[derive(Debug, Clone, PartialEq)]
pub enum SimilarQuery {
    /// A library image, by SHA-1.
    Image(String),
    /// An outside file, already searched (chosen in the dialog or dropped on the window).
    File(image_scorer_protocol::SimilarImages),
}

impl Model {
    /// Whether any panel under the header is open (Escape closes them first).
    pub fn panel_open(&self) -> bool {
        self.folders_panel || self.problems_panel || self.models_panel || self.share_panel
    }
}

/// A change to the [`Model`].
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The app's state at start.
    Loaded(AppState),
    /// The set of open folders changed.
    LibraryChanged(LibraryState),
    /// The folder picker opened (`true`) or closed (`false`).
    ChoosingFolder(bool),
    /// A command changed the open folders. Counts are left alone: they come with the
    /// library-changed events, which are ordered after the indexing they reflect, while a
    /// command's answer may arrive after newer events.
    RootsChanged(Vec<image_scorer_protocol::Root>),
    /// A folder's indexing progressed (or finished).
    Scan(ScanStatus),
    /// The current rater changed (or was loaded).
    RaterChanged(Rater),
    /// Show (`true`) or hide the folder settings panel.
    ShowFolders(bool),
    /// Show (`true`) or hide the list of unreadable files.
    ShowProblems(bool),
    /// The packs, the active pack or the embedding progress changed.
    Predictor(PredictorState),
    /// Show (`true`) or hide the model packs panel.
    ShowModels(bool),
    /// Show or hide the Share panel.
    ShowShare(bool),
    /// Close every panel.
    ClosePanels,
    /// Something failed: show it.
    Failed(AppError),
    /// The user dismissed the error at this index.
    Dismiss(usize),
    /// Show the images most like this (the Similarity page's find view).
    FindSimilar(SimilarQuery),
    /// Judgements were recorded or undone somewhere.
    Judged(JudgementsChanged),
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Loaded(state) => {
                // What arrived meanwhile is newer than this answer.
                if !next.roots_known {
                    next.library.roots = state.library.roots;
                }
                if !next.counts_known {
                    next.library.counts = state.library.counts;
                }
                next.errors.extend(state.startup_errors);
                next.app_storage = state.app_storage;
                next.loaded = true;
            }
            Action::LibraryChanged(library) => {
                next.library = library;
                next.roots_known = true;
                next.counts_known = true;
                next.revision = next.revision.wrapping_add(1);
            }
            Action::RootsChanged(roots) => {
                next.library.roots = roots;
                next.roots_known = true;
                next.revision = next.revision.wrapping_add(1);
            }
            Action::Scan(status) => {
                next.scanning.retain(|s| s.root_id != status.root_id);
                if !status.done {
                    next.scanning.push(status);
                }
            }
            Action::ChoosingFolder(open) => next.choosing_folder = open,
            // This rater's own judgements are on screen already.
            Action::Judged(j) if j.rater.as_ref() == Some(&next.rater.name) => {}
            Action::Judged(j) => {
                next.judged_revision = next.judged_revision.wrapping_add(1);
                next.judged_images = j.images;
            }
            Action::RaterChanged(rater) => {
                if rater.name != next.rater.name {
                    next.rater_revision = next.rater_revision.wrapping_add(1);
                }
                next.rater = rater;
            }
            Action::ShowFolders(show) => next.folders_panel = show,
            Action::ShowProblems(show) => next.problems_panel = show,
            // An answer to GetPredictor older than an event already here changes nothing.
            Action::Predictor(state) if state.revision < next.predictor.revision => {}
            Action::Predictor(state) => {
                // Predictions of images on screen appear as the job reaches them; another pack
                // (or the same one opened or failed) means other predictions altogether.
                if state.progress.done != next.predictor.progress.done {
                    next.prediction_revision = next.prediction_revision.wrapping_add(1);
                }
                if state.active != next.predictor.active
                    || state.predicts != next.predictor.predicts
                    || state.problem.is_some() != next.predictor.problem.is_some()
                {
                    next.pack_revision = next.pack_revision.wrapping_add(1);
                }
                next.predictor = state;
            }
            Action::ShowModels(show) => next.models_panel = show,
            Action::ShowShare(show) => next.share_panel = show,
            Action::ClosePanels => {
                next.folders_panel = false;
                next.problems_panel = false;
                next.models_panel = false;
                next.share_panel = false;
            }
            Action::Failed(error) => next.errors.push(error),
            Action::FindSimilar(query) => {
                next.similar = Some(query);
                next.similar_revision += 1;
            }
            Action::Dismiss(index) => {
                if index < next.errors.len() {
                    next.errors.remove(index);
                }
            }
        }
        Rc::new(next)
    }
}

/// The shared state and the operations on it, provided by [`crate::App`].
#[derive(Clone, PartialEq)]
pub struct AppContext {
    /// The current state.
    pub model: UseReducerHandle<Model>,
    /// Opens the system folder picker and adds the chosen folder.
    pub choose_folder: Callback<()>,
}

/// The app's shared state (panics outside [`crate::App`], which is a bug).
#[hook]
pub fn use_app() -> AppContext {
    use_context::<AppContext>().expect("AppContext is provided by App")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image_scorer_protocol::{ErrorKind, Root};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn reduce(model: Model, action: Action) -> Model {
        (*Rc::new(model).reduce(action)).clone()
    }

    #[test]
    fn loading_keeps_earlier_errors_and_adds_startup_ones() {
        let failed = reduce(
            Model::default(),
            Action::Failed(AppError::new(ErrorKind::Io, "first")),
        );
        let state = AppState {
            library: LibraryState {
                roots: vec![Root {
                    id: 1,
                    path: "/p".into(),
                    excludes: String::new(),
                }],
                ..LibraryState::default()
            },
            startup_errors: vec![AppError::new(ErrorKind::NotFound, "second")],
            app_storage: false,
        };
        let loaded = reduce(failed, Action::Loaded(state));
        assert!(loaded.loaded);
        assert_eq!(loaded.library.roots.len(), 1);
        let messages: Vec<_> = loaded.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    fn scan_progress_is_kept_per_folder_until_done() {
        let status = |root_id, hashed, done| ScanStatus {
            root_id,
            found: 10,
            to_hash: 10,
            hashed,
            done,
        };
        let mut model = Model::default();
        model = reduce(model, Action::Scan(status(1, 2, false)));
        model = reduce(model, Action::Scan(status(2, 5, false)));
        model = reduce(model, Action::Scan(status(1, 7, false)));
        assert_eq!(model.scanning, [status(2, 5, false), status(1, 7, false)]);
        model = reduce(model, Action::Scan(status(2, 10, true)));
        assert_eq!(model.scanning, [status(1, 7, false)]);
    }

    #[test]
    fn an_older_predictor_snapshot_does_not_undo_a_newer_one() {
        let state = |revision, done, running| PredictorState {
            active: Some("pack".into()),
            progress: image_scorer_protocol::EmbedProgress {
                done,
                total: 3,
                running,
                paused: false,
            },
            revision,
            ..PredictorState::default()
        };
        let mut model = Model::default();
        model = reduce(model, Action::Predictor(state(7, 3, false)));
        // GetPredictor's answer, read while the job ran, arrives after the job's last event.
        model = reduce(model, Action::Predictor(state(5, 2, true)));
        assert_eq!(model.predictor, state(7, 3, false));
        model = reduce(model, Action::Predictor(state(8, 3, false)));
        assert_eq!(model.predictor.revision, 8);
    }

    #[test]
    fn another_raters_judgements_make_pages_read_counts_again_and_ones_own_do_not() {
        let judged = |rater: Option<&str>, images: &[&str]| {
            Action::Judged(image_scorer_protocol::JudgementsChanged {
                rater: rater.map(Into::into),
                images: images.iter().map(|s| s.to_string()).collect(),
            })
        };
        let mut model = reduce(
            Model::default(),
            Action::RaterChanged(Rater {
                name: "ana".into(),
                all: vec!["ana".into()],
            }),
        );
        model = reduce(model, judged(Some("ana"), &["a"]));
        assert_eq!(
            model.judged_revision, 0,
            "one's own score is on screen already"
        );
        model = reduce(model, judged(Some("ben"), &["b"]));
        assert_eq!(
            (model.judged_revision, &model.judged_images[..]),
            (1, &["b".to_owned()][..])
        );
        model = reduce(model, judged(None, &[]));
        assert_eq!(model.judged_revision, 2);
        assert!(model.judged_images.is_empty(), "any image");
    }

    #[test]
    fn a_commands_roots_keep_the_counts_from_events() {
        let mut model = Model::default();
        let library = LibraryState {
            roots: vec![],
            counts: image_scorer_protocol::LibraryCounts {
                ok: 5,
                unreadable: 1,
            },
        };
        model = reduce(model, Action::LibraryChanged(library));
        let revision = model.revision;
        model = reduce(model, Action::RootsChanged(vec![]));
        assert_eq!(model.library.counts.ok, 5);
        assert_ne!(model.revision, revision, "pages reload");
    }

    #[test]
    fn the_state_asked_for_at_start_does_not_undo_what_arrived_before_it() {
        let root = |id, path: &str| Root {
            id,
            path: path.into(),
            excludes: String::new(),
        };
        // A folder opened before the first answer came back.
        let mut model = reduce(
            Model::default(),
            Action::RootsChanged(vec![root(9, "/mnt/new")]),
        );
        let state = AppState {
            library: LibraryState {
                roots: vec![],
                counts: image_scorer_protocol::LibraryCounts {
                    ok: 3,
                    unreadable: 0,
                },
            },
            startup_errors: vec![],
            app_storage: true,
        };
        model = reduce(model, Action::Loaded(state.clone()));
        assert_eq!(model.library.roots, [root(9, "/mnt/new")]);
        assert_eq!(model.library.counts.ok, 3, "the counts had not come yet");
        // Nothing arrived before it: the answer is the state.
        let fresh = reduce(Model::default(), Action::Loaded(state));
        assert!(fresh.library.roots.is_empty() && fresh.loaded);
        assert!(
            fresh.app_storage && model.app_storage,
            "a device's own library is kept"
        );
    }

    #[test]
    fn dismiss_removes_only_that_error_and_ignores_stale_indexes() {
        let mut model = Model::default();
        for m in ["a", "b", "c"] {
            model = reduce(model, Action::Failed(AppError::new(ErrorKind::Io, m)));
        }
        model = reduce(model, Action::Dismiss(1));
        model = reduce(model, Action::Dismiss(7));
        let messages: Vec<_> = model.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["a", "c"]);
    }
}
