//! Another Image Scorer database's log (a desktop's SQLite file, a team server's PostgreSQL):
//! every judgement that stands (not undone), with its rater and time, as an import batch. The
//! store's import keeps what the destination has already, so copying twice adds nothing; the
//! source is only read.

use super::Skips;
use crate::store::{ImportBatch, ImportJudgement, ImportRater, NewJudgement};
use crate::{Result, Store};

/// The batch's format, as reports name it.
pub const FORMAT: &str = "Image Scorer database";

/// Reads `from`'s log; `source` names it in the destination's list of imports.
pub async fn read(from: &Store, source: &str) -> Result<(ImportBatch, Skips)> {
    let names = from.raters().await?;
    let raters = from.raters_named(&names).await?;
    let mut batch = ImportBatch {
        source: source.to_owned(),
        format: FORMAT.to_owned(),
        ..ImportBatch::default()
    };
    let mut skips = Skips::default();
    for (index, (id, name)) in raters.into_iter().enumerate() {
        batch.raters.push(ImportRater::Named(name));
        for j in from.judgements_by(id).await? {
            if j.undone {
                skips.add("undone in the source (they count for nothing)");
                continue;
            }
            batch.judgements.push(ImportJudgement {
                rater: index,
                created: j.created,
                judgement: NewJudgement {
                    kind: j.kind,
                    rater_id: 0,
                    images: j.images.into_iter().map(|i| (i.sha1, i.role)).collect(),
                    value: j.value,
                    outcome: j.outcome,
                    shown_prediction: j.shown_prediction,
                    shown_cosine: j.shown_cosine,
                    // Models are numbered per database: which one was shown does not travel.
                    model_id: None,
                    shown_own: false,
                },
            });
        }
    }
    Ok((batch, skips))
}
