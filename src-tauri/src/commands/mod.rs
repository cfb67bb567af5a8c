//! The commands the UI can invoke, one file per area. Each parses its arguments, calls core and
//! maps the error; no command takes a file-system path from the webview.

pub mod library;
pub mod predictions;
pub mod scoring;

use tauri_specta::{collect_commands, Builder};

/// Every command, registered for Tauri and for the TypeScript bindings.
pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new().commands(collect_commands![
        library::get_state,
        library::choose_folder,
        library::list_images,
        library::list_problems,
        library::remove_folder,
        library::set_excludes,
        scoring::get_rater,
        scoring::set_rater,
        scoring::score_queue,
        scoring::score_state,
        scoring::add_score,
        scoring::add_rating,
        scoring::undo_score,
        scoring::image_failed,
        predictions::get_predictor,
        predictions::set_pack,
        predictions::pause_predictions,
    ])
}

/// Writes the TypeScript bindings of every command and type to `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder()
        .export(
            specta_typescript::Typescript::default()
                .header("// Regenerate with: cargo xtask bindings"),
            path,
        )
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    /// The committed bindings are what the commands generate. `cargo xtask bindings` (which sets
    /// `UPDATE_BINDINGS=1`) rewrites them.
    #[test]
    fn bindings_are_up_to_date() {
        let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bindings.ts");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            super::export_bindings(&committed).unwrap();
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("bindings.ts");
        super::export_bindings(&fresh).unwrap();
        let fresh = std::fs::read_to_string(fresh).unwrap();
        let committed = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            fresh == committed,
            "src-tauri/bindings.ts is out of date with the commands: run `cargo xtask bindings` \
             and commit the result"
        );
    }
}
