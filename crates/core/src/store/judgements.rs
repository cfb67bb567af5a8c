//! The judgement log: every experiment's verdicts in one append-only table
//! (`judgements`, with their images in `judgement_images`). Recording checks a judgement's
//! shape for its kind and commits it before returning; undo flags a rater's newest judgement,
//! whatever its kind. Nothing else ever changes a row.

use super::backend::{on_pool, on_tx};
use super::changes::Change;
use super::log_insert::insert;
use super::Store;
use crate::{CoreError, Result};
use image_scorer_protocol::{ComparisonOutcome, ImageRole, JudgedImage, Judgement, JudgementKind};

/// A judgement to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJudgement {
    /// Which experiment.
    pub kind: JudgementKind,
    /// Who (a rater id from [`Store::rater`]).
    pub rater_id: i64,
    /// The images by SHA-1 with their part, in screen order (the index is the position).
    pub images: Vec<(String, ImageRole)>,
    /// The score (1-10) or likeness (1-5), for kinds that have one.
    pub value: Option<f64>,
    /// How a comparison ended.
    pub outcome: Option<ComparisonOutcome>,
    /// The prediction on screen.
    pub shown_prediction: Option<f64>,
    /// The cosine similarity on screen.
    pub shown_cosine: Option<f64>,
    /// The model whose prediction or cosine was shown.
    pub model_id: Option<i64>,
    /// Whether the prediction shown came from the rater's own model (fitted on `model_id`'s
    /// embeddings) rather than the pack's head.
    pub shown_own: bool,
}

impl NewJudgement {
    /// A 1-10 score of one image (`kind` is score, rate or imported).
    pub fn score(kind: JudgementKind, rater_id: i64, sha1: &str, value: f64) -> Self {
        Self {
            kind,
            rater_id,
            images: vec![(sha1.to_owned(), ImageRole::Subject)],
            value: Some(value),
            outcome: None,
            shown_prediction: None,
            shown_cosine: None,
            model_id: None,
            shown_own: false,
        }
    }

    /// A comparison by `rater_id` of `images` (by SHA-1 with their part, in screen order) that
    /// ended as `outcome`.
    pub fn comparison(
        rater_id: i64,
        images: Vec<(String, ImageRole)>,
        outcome: ComparisonOutcome,
    ) -> Self {
        Self {
            kind: JudgementKind::Comparison,
            rater_id,
            images,
            value: None,
            outcome: Some(outcome),
            shown_prediction: None,
            shown_cosine: None,
            model_id: None,
            shown_own: false,
        }
    }

    /// With the prediction that was on screen, from `model_id`.
    pub fn shown_prediction(mut self, prediction: Option<f64>, model_id: Option<i64>) -> Self {
        self.shown_prediction = prediction.filter(|p| p.is_finite());
        self.model_id = model_id.filter(|_| self.shown_prediction.is_some());
        self
    }

    /// Marks the prediction shown as the rater's own model's.
    pub fn shown_own(mut self, own: bool) -> Self {
        self.shown_own = own && self.shown_prediction.is_some();
        self
    }

    /// Checks that the judgement has the shape its kind needs; the error says what is wrong.
    pub fn validate(&self) -> Result<()> {
        let bad = |why: String| Err(CoreError::InvalidInput(why));
        let noun = self.kind.noun();
        let roles: Vec<ImageRole> = self.images.iter().map(|(_, r)| *r).collect();
        let count = |role: ImageRole| roles.iter().filter(|r| **r == role).count();
        let mut seen = std::collections::HashSet::new();
        if let Some((sha1, _)) = self.images.iter().find(|(s, _)| !seen.insert(s.as_str())) {
            return bad(format!("A {noun} shows the image {sha1} twice."));
        }
        for value in [self.value, self.shown_prediction, self.shown_cosine]
            .into_iter()
            .flatten()
        {
            if !value.is_finite() {
                return bad(format!("A {noun} cannot hold the number {value}."));
            }
        }
        if self.outcome.is_some() != (self.kind == JudgementKind::Comparison) {
            return bad(format!(
                "Only a comparison has an outcome, and it always has one (this {noun})."
            ));
        }
        match self.kind {
            k if k.is_score() => {
                if roles != [ImageRole::Subject] {
                    return bad(format!("A {noun} is about exactly one image."));
                }
                in_range(self.value, 10.0, "A score must be between 1 and 10")?;
            }
            JudgementKind::Comparison => {
                if !matches!(roles.len(), 2 | 4) {
                    return bad(format!(
                        "A comparison shows 2 or 4 images, not {}.",
                        roles.len()
                    ));
                }
                if self.value.is_some() {
                    return bad("A comparison has an outcome, not a value.".into());
                }
                let winners = count(ImageRole::Winner);
                let fits = roles
                    .iter()
                    .all(|r| matches!(r, ImageRole::Winner | ImageRole::Shown));
                let ok = fits
                    && match self.outcome {
                        Some(ComparisonOutcome::Pick) => winners == 1,
                        _ => winners == 0,
                    };
                if !ok {
                    return bad(
                        "A comparison's pick has exactly one winner among the images shown; a tie \
                         or “none” has none."
                            .into(),
                    );
                }
            }
            JudgementKind::Similarity => {
                if roles != [ImageRole::Shown, ImageRole::Shown] {
                    return bad("A similarity judgement is about exactly two images.".into());
                }
                in_range(
                    self.value,
                    5.0,
                    "How alike two images are is between 1 and 5",
                )?;
            }
            JudgementKind::Duplicate => {
                if roles.len() < 2
                    || count(ImageRole::Kept) != 1
                    || count(ImageRole::Duplicate) != roles.len() - 1
                {
                    return bad(
                        "A duplicate mark keeps one image and marks at least one other as its \
                         duplicate."
                            .into(),
                    );
                }
                if self.value.is_some() {
                    return bad("A duplicate mark has no value.".into());
                }
            }
            _ => unreachable!("every kind is handled"),
        }
        Ok(())
    }
}

/// `Ok` when `value` is there and between 1 and `top`; else `rule`, with what was given.
fn in_range(value: Option<f64>, top: f64, rule: &str) -> Result<()> {
    match value {
        Some(v) if (1.0..=top).contains(&v) => Ok(()),
        Some(v) => Err(CoreError::InvalidInput(format!("{rule}, not {v}."))),
        None => Err(CoreError::InvalidInput(format!("{rule}; none was given."))),
    }
}

/// A row of `judgements` with its rater's name.
type Row = (
    i64,
    String,
    String,
    String,
    Option<f64>,
    Option<String>,
    Option<f64>,
    Option<f64>,
    bool,
);

const SELECT: &str = "SELECT j.id, j.kind, r.name, j.created, j.value, j.outcome,
                             j.shown_prediction, j.shown_cosine, j.undone
                        FROM judgements j JOIN raters r ON r.id = j.rater_id";

impl Store {
    /// Records `judgement` after checking it ([`NewJudgement::validate`]) and that every image
    /// is in the library; committed when this returns. Returns its id.
    pub async fn record(&self, judgement: &NewJudgement) -> Result<i64> {
        Ok(self.record_images(judgement).await?.0)
    }

    /// [`Store::record`], answering the judgement's id and its images' ids (in its order).
    pub async fn record_images(&self, judgement: &NewJudgement) -> Result<(i64, Vec<i64>)> {
        judgement.validate()?;
        let mut tx = self.write().await?;
        // Every image in one question.
        let sql = format!(
            "SELECT sha1, id FROM images WHERE sha1 IN ({})",
            super::placeholders(judgement.images.len())
        );
        let found: Vec<(String, i64)> = on_tx!(&mut tx, |conn| {
            let mut query = sqlx::query_as(&sql);
            for (sha1, _) in &judgement.images {
                query = query.bind(sha1);
            }
            query.fetch_all(&mut **conn).await
        })?;
        let found: std::collections::HashMap<String, i64> = found.into_iter().collect();
        let image_ids = judgement
            .images
            .iter()
            .map(|(sha1, _)| {
                found.get(sha1).copied().ok_or_else(|| {
                    CoreError::InvalidInput("That image is not in the library.".into())
                })
            })
            .collect::<Result<Vec<i64>>>()?;
        let images: Vec<(i64, ImageRole)> = image_ids
            .iter()
            .copied()
            .zip(judgement.images.iter().map(|(_, role)| *role))
            .collect();
        let id = insert(&mut tx, judgement, judgement.rater_id, &images, None).await?;
        let change = Change::Judged {
            rater_id: judgement.rater_id,
            images: judgement.images.iter().map(|(s, _)| s.clone()).collect(),
            image_ids: image_ids.clone(),
        };
        tx.commit().await?;
        self.announce(change).await;
        Ok((id, image_ids))
    }

    /// Flags `rater_id`'s newest judgement that is not undone yet, whatever its kind, and
    /// returns it (now undone); `None` when there is nothing left to undo. Imported judgements
    /// are not undone this way (undo is for the rater's last action in the app).
    pub async fn undo_last(&self, rater_id: i64) -> Result<Option<Judgement>> {
        let id: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "UPDATE judgements SET undone = TRUE
              WHERE id = (SELECT id FROM judgements
                           WHERE rater_id = $1 AND undone = FALSE AND import_id IS NULL
                          ORDER BY id DESC LIMIT 1)
             RETURNING id",
        )
        .bind(rater_id)
        .fetch_optional(pool)
        .await)?;
        let Some(id) = id else {
            return Ok(None);
        };
        let undone = self.judgement(id).await?;
        if let Some(j) = &undone {
            self.announce(Change::Judged {
                rater_id,
                images: j.images.iter().map(|i| i.sha1.clone()).collect(),
                image_ids: Vec::new(),
            })
            .await;
        }
        Ok(undone)
    }

    /// The judgement `id`, with its images.
    pub async fn judgement(&self, id: i64) -> Result<Option<Judgement>> {
        let row: Option<Row> = on_pool!(self, |pool| sqlx::query_as(&format!(
            "{SELECT} WHERE j.id = $1"
        ))
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        match row {
            Some(row) => Ok(Some(self.complete(row).await?)),
            None => Ok(None),
        }
    }

    /// Every judgement that names the image `sha1`, undone ones included, oldest first.
    pub async fn judgements_about(&self, sha1: &str) -> Result<Vec<Judgement>> {
        let rows: Vec<Row> = on_pool!(self, |pool| sqlx::query_as(&format!(
            "{SELECT} WHERE j.id IN (SELECT ji.judgement_id FROM judgement_images ji
                                       JOIN images i ON i.id = ji.image_id WHERE i.sha1 = $1)
              ORDER BY j.id"
        ))
        .bind(sha1)
        .fetch_all(pool)
        .await)?;
        self.complete_all(rows).await
    }

    /// Every judgement of `rater_id`, undone ones included, oldest first.
    pub async fn judgements_by(&self, rater_id: i64) -> Result<Vec<Judgement>> {
        let rows: Vec<Row> = on_pool!(self, |pool| sqlx::query_as(&format!(
            "{SELECT} WHERE j.rater_id = $1 ORDER BY j.id"
        ))
        .bind(rater_id)
        .fetch_all(pool)
        .await)?;
        self.complete_all(rows).await
    }

    /// The judgements of `rows`, each with its images.
    async fn complete_all(&self, rows: Vec<Row>) -> Result<Vec<Judgement>> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.complete(row).await?);
        }
        Ok(out)
    }

    /// The judgement of `row`, with its images.
    async fn complete(&self, row: Row) -> Result<Judgement> {
        let (id, kind, rater, created, value, outcome, shown_prediction, shown_cosine, undone) =
            row;
        let images: Vec<(String, i64, String)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT i.sha1, ji.position, ji.role FROM judgement_images ji
               JOIN images i ON i.id = ji.image_id
              WHERE ji.judgement_id = $1 ORDER BY ji.position",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        let corrupt = |what: &str| CoreError::Internal(format!("judgement {id} has {what}"));
        Ok(Judgement {
            id: u32::try_from(id).map_err(|_| corrupt("an id past 4 billion"))?,
            kind: JudgementKind::parse(&kind).ok_or_else(|| corrupt("an unknown kind"))?,
            rater,
            created,
            images: images
                .into_iter()
                .map(|(sha1, position, role)| {
                    Ok(JudgedImage {
                        sha1,
                        position: position as u32,
                        role: ImageRole::parse(&role).ok_or_else(|| corrupt("an unknown role"))?,
                    })
                })
                .collect::<Result<_>>()?,
            value,
            outcome: match outcome {
                Some(o) => Some(
                    ComparisonOutcome::parse(&o).ok_or_else(|| corrupt("an unknown outcome"))?,
                ),
                None => None,
            },
            shown_prediction,
            shown_cosine,
            undone,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison(roles: &[ImageRole], outcome: ComparisonOutcome) -> NewJudgement {
        let images = roles
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("{i:040}"), *r))
            .collect();
        NewJudgement::comparison(1, images, outcome)
    }

    #[test]
    fn each_kind_has_its_shape() {
        use ComparisonOutcome::*;
        use ImageRole::*;
        let s = NewJudgement::score(JudgementKind::Score, 1, "a", 7.0);
        assert!(s.validate().is_ok());
        for v in [0.5, 10.5, f64::NAN] {
            let e = NewJudgement::score(JudgementKind::Rate, 1, "a", v).validate();
            assert!(e.is_err(), "{v}");
        }
        let mut two = NewJudgement::score(JudgementKind::Score, 1, "a", 7.0);
        two.images.push(("b".into(), Subject));
        assert!(two.validate().is_err(), "a score is about one image");

        assert!(comparison(&[Winner, Shown], Pick).validate().is_ok());
        assert!(comparison(&[Shown, Shown, Winner, Shown], Pick)
            .validate()
            .is_ok());
        assert!(comparison(&[Shown, Shown], Tie).validate().is_ok());
        assert!(comparison(&[Shown, Shown, Shown, Shown], None)
            .validate()
            .is_ok());
        assert!(comparison(&[Winner, Winner], Pick).validate().is_err());
        assert!(comparison(&[Shown, Shown], Pick).validate().is_err());
        assert!(comparison(&[Winner, Shown], Tie).validate().is_err());
        assert!(
            comparison(&[Winner, Shown, Shown], Pick)
                .validate()
                .is_err(),
            "3 images"
        );
        let mut twice = comparison(&[Winner, Shown], Pick);
        twice.images[1].0 = twice.images[0].0.clone();
        assert!(twice.validate().is_err(), "the same image twice");
        let mut scored = comparison(&[Winner, Shown], Pick);
        scored.value = Some(3.0);
        assert!(scored.validate().is_err());

        let mut similar = comparison(&[Shown, Shown], Tie);
        similar.kind = JudgementKind::Similarity;
        similar.outcome = Option::None;
        similar.value = Some(4.0);
        assert!(similar.validate().is_ok());
        similar.value = Some(6.0);
        assert!(similar.validate().is_err());

        let mut dup = comparison(&[Kept, Duplicate, Duplicate], Tie);
        dup.kind = JudgementKind::Duplicate;
        dup.outcome = Option::None;
        assert!(dup.validate().is_ok());
        dup.images[0].1 = Duplicate;
        assert!(dup.validate().is_err(), "one image is kept");
    }
}
