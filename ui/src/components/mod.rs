//! Components shared by several pages.

mod empty_state;
mod error_banner;
mod folder_panel;
mod header;
mod key_help;
mod models_panel;
mod nav;
mod own_model;
mod pack_install;
mod problems_panel;
mod rater_picker;
mod share_panel;
mod trial;

pub use empty_state::EmptyState;
pub use error_banner::ErrorBanner;
pub use folder_panel::FolderPanel;
pub use header::Header;
pub use key_help::{key_button, key_help};
pub use models_panel::ModelsPanel;
pub use nav::Nav;
pub use own_model::{own_model_text, OwnModel};
pub use pack_install::PackInstall;
pub use problems_panel::ProblemsPanel;
pub use rater_picker::RaterPicker;
pub use share_panel::SharePanel;
pub use trial::{mark, mark_key, Trial, TrialProps};
