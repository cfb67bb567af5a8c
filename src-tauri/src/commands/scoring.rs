//! Commands of the Score experiment. Every score is committed before the command answers.

use crate::state::AppContext;
use image_scorer_core::store::ScoreSource;
use image_scorer_protocol::{AppError, Rater, ScoreQueue, ScoreState};
use tauri::{AppHandle, State};

/// The current rater and every known rater.
#[tauri::command]
#[specta::specta]
pub async fn get_rater(context: State<'_, AppContext>) -> Result<Rater, AppError> {
    rater(&context).await
}

/// Switches to the rater `name`, adding them if new; remembered across restarts.
#[tauri::command]
#[specta::specta]
pub async fn set_rater(context: State<'_, AppContext>, name: String) -> Result<Rater, AppError> {
    let id = context.store.rater(&name).await?;
    context.store.set_setting("rater", name.trim()).await?;
    *context.rater.lock().await = (id, name.trim().to_owned());
    rater(&context).await
}

/// The images to score: unrated by the current rater first, shuffled by `seed` (one per
/// session), then the rated ones when `include_rated`. With `predicted_first` (the Rate page),
/// unrated images the active pack has predicted come before the others.
#[tauri::command]
#[specta::specta]
pub async fn score_queue(
    context: State<'_, AppContext>,
    include_rated: bool,
    seed: u32,
    predicted_first: bool,
) -> Result<ScoreQueue, AppError> {
    let rater = context.rater.lock().await.0;
    let model = context.predictor.model_id().filter(|_| predicted_first);
    let items = context
        .store
        .score_queue(rater, include_rated, u64::from(seed), model)
        .await?;
    let (rated, total) = context.store.score_progress(rater).await?;
    Ok(ScoreQueue {
        items,
        rated,
        total,
    })
}

/// The image's scores (the current rater's and the mean) and the rater's progress.
#[tauri::command]
#[specta::specta]
pub async fn score_state(
    context: State<'_, AppContext>,
    sha1: String,
) -> Result<ScoreState, AppError> {
    let rater = context.rater.lock().await.0;
    state_of(&context, &sha1, rater).await
}

/// Records `value` (1-10) as the current rater's score of the image; answers once it is
/// committed.
#[tauri::command]
#[specta::specta]
pub async fn add_score(
    context: State<'_, AppContext>,
    sha1: String,
    value: f64,
) -> Result<ScoreState, AppError> {
    let rater = context.rater.lock().await.0;
    context
        .store
        .add_score(&sha1, rater, value, ScoreSource::Score, None)
        .await?;
    state_of(&context, &sha1, rater).await
}

/// Records `value` (1-10, kept to one decimal) from the Rate experiment, with the prediction
/// that was on screen; answers once it is committed.
#[tauri::command]
#[specta::specta]
pub async fn add_rating(
    context: State<'_, AppContext>,
    sha1: String,
    value: f64,
    predicted: Option<f64>,
) -> Result<ScoreState, AppError> {
    let rater = context.rater.lock().await.0;
    let value = (value * 10.0).round() / 10.0;
    let predicted = predicted.filter(|p| p.is_finite());
    context
        .store
        .add_score(&sha1, rater, value, ScoreSource::Rate, predicted)
        .await?;
    state_of(&context, &sha1, rater).await
}

/// Undoes the current rater's newest score; answers with that image's state, or `None` when
/// there is nothing to undo.
#[tauri::command]
#[specta::specta]
pub async fn undo_score(context: State<'_, AppContext>) -> Result<Option<ScoreState>, AppError> {
    let rater = context.rater.lock().await.0;
    match context.store.undo_last_score(rater).await? {
        Some(event) => Ok(Some(state_of(&context, &event.sha1, rater).await?)),
        None => Ok(None),
    }
}

/// The webview could not display the image: record it as unreadable so it leaves the queues.
#[tauri::command]
#[specta::specta]
pub async fn image_failed(
    app: AppHandle,
    context: State<'_, AppContext>,
    sha1: String,
) -> Result<(), AppError> {
    context
        .store
        .mark_unreadable(&sha1, "could not be displayed (the file may be damaged)")
        .await?;
    crate::indexer::emit_library(&app).await;
    Ok(())
}

async fn state_of(context: &AppContext, sha1: &str, rater: i64) -> Result<ScoreState, AppError> {
    let summary = context.store.score_summary(sha1, rater).await?;
    let predicted = match context.predictor.model_id() {
        Some(model) => context.store.prediction(sha1, model).await?,
        None => None,
    };
    let (rated, total) = context.store.score_progress(rater).await?;
    Ok(ScoreState {
        sha1: sha1.to_owned(),
        mine: summary.mine,
        mean: summary.mean,
        raters: summary.raters,
        predicted,
        rated,
        total,
    })
}

async fn rater(context: &AppContext) -> Result<Rater, AppError> {
    Ok(Rater {
        name: context.rater.lock().await.1.clone(),
        all: context.store.raters().await?,
    })
}
