//! A rater's own model written as an ONNX head with its weights ([`crate::export::write_head`]).

use super::blocking;
use crate::app::App;
use crate::CoreError;
use std::collections::HashSet;

impl App {
    /// Writes `rater`'s own model for the active pack at `path` as an ONNX head, with its
    /// weights and bias as `.npy` beside it ([`crate::export::write_head`]): the path comes from
    /// a door's save dialog or command line. The model is brought up to date first.
    pub async fn export_own_model(
        &self,
        path: &std::path::Path,
        rater: &str,
    ) -> std::result::Result<image_scorer_protocol::OwnModelExported, image_scorer_protocol::AppError>
    {
        let rater_id = self.rater_id(rater).await?;
        let Some(model_id) = self.0.predictor.model_id() else {
            return Err(CoreError::InvalidInput(
                "Your own model learns from a model pack's embeddings: install one and let it                  embed the library."
                    .into(),
            )
            .into());
        };
        self.sync_pending().await;
        self.sync(rater_id, HashSet::new()).await?;
        let fitted = {
            let entries = self.0.personal.entries.lock().expect("entries");
            entries
                .get(&rater_id)
                .filter(|e| e.model_id == model_id && !e.ridge.is_empty())
                .map(|e| {
                    (
                        e.ridge.weights().to_vec(),
                        e.ridge.intercept(),
                        e.ridge.len(),
                    )
                })
        };
        let Some((weights, bias, ratings)) = fitted else {
            return Err(CoreError::InvalidInput(format!(
                "{rater} has no scores of images the model pack has embedded yet: there is no                  model to export."
            ))
            .into());
        };
        let head = self.0.predictor.head();
        let (path, over_head) = (path.to_owned(), head.is_some());
        let (files, input, output) = blocking(move || {
            let (_, input, output) = crate::export::head_model(&weights, bias, head.as_ref())?;
            let files = crate::export::write_head(&path, &weights, bias, head.as_ref())?;
            Ok::<_, CoreError>((files, input, output))
        })
        .await??;
        Ok(image_scorer_protocol::OwnModelExported {
            files: files.iter().map(|f| f.display().to_string()).collect(),
            ratings: ratings as u32,
            over_head,
            input,
            output,
        })
    }
}
