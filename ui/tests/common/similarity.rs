//! The stub's Similarity commands: the stub has no model pack, so the embedding commands are
//! refused as the app refuses them without one, and there are no near-duplicates.

use super::{on, Handler};
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{AppError, DuplicateGroups, ErrorKind, LikenessSummary};

fn no_pack() -> AppError {
    AppError::new(
        ErrorKind::Model,
        "Similarity needs a model pack's embeddings. No model pack is installed.",
    )
}

/// The handlers.
pub fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        on(|_: FindSimilar, _| Err(no_pack())),
        on(|_: FindSimilarToFile, _| Ok(None)),
        on(|_: GetSimilarPair, _| Err(no_pack())),
        on(|_: RecordLikeness, _| Err(no_pack())),
        on(|_: GetLikeness, _| Ok(LikenessSummary::default())),
        on(|r: GetDuplicateGroups, _| {
            Ok(DuplicateGroups {
                method: r.method,
                groups: Vec::new(),
                total: 0,
                images: 0,
                searched: 0,
                library: 0,
            })
        }),
        on(|_: MarkDuplicates, _| {
            Err(AppError::new(
                ErrorKind::InvalidInput,
                "There are no near-duplicates to mark.",
            ))
        }),
    ]
}
