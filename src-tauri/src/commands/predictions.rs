//! Commands about predictions: the model packs and the background embedding job.

use crate::state::AppContext;
use image_scorer_protocol::{AppError, ErrorKind, PredictorState};
use tauri::State;

/// The packs found, the active one, and how far the embedding of the library is.
#[tauri::command]
#[specta::specta]
pub async fn get_predictor(context: State<'_, AppContext>) -> Result<PredictorState, AppError> {
    Ok(context.predictor.state())
}

/// Makes the pack `id` (as listed by [`get_predictor`]) the active one; remembered across
/// restarts. Embeddings already computed with any pack stay cached.
#[tauri::command]
#[specta::specta]
pub async fn set_pack(
    context: State<'_, AppContext>,
    id: String,
) -> Result<PredictorState, AppError> {
    if !context.predictor.knows(&id) {
        return Err(AppError::new(
            ErrorKind::NotFound,
            format!("There is no model pack “{id}” (it may have been removed)."),
        ));
    }
    context
        .store
        .set_setting(crate::predictor::ACTIVE_SETTING, &id)
        .await?;
    context.predictor.choose(id);
    Ok(context.predictor.state())
}

/// Pauses (`true`) or resumes the background embedding; what is done stays done.
#[tauri::command]
#[specta::specta]
pub async fn pause_predictions(
    context: State<'_, AppContext>,
    paused: bool,
) -> Result<PredictorState, AppError> {
    context.predictor.pause(paused);
    Ok(context.predictor.state())
}
