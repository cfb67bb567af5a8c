//! The gallery's order: which images pass the filters, and their order by the sort asked for.

use crate::store::{GalleryBase, GalleryJudged};
use image_scorer_protocol::{GalleryQuery, GalleryShow, GallerySort, Presence, QueueRule};
use std::cmp::Ordering;
use std::collections::HashMap;

/// One image, as its three parts tell it.
#[derive(Clone, Copy)]
pub(super) struct Image<'a> {
    pub base: &'a GalleryBase,
    pub judged: &'a GalleryJudged,
    /// The active pack's prediction.
    pub predicted: Option<f64>,
    /// The asking rater's own model's prediction (computed for the order by it only).
    pub own: Option<f64>,
}

impl Image<'_> {
    fn mean(&self) -> Option<f64> {
        self.judged.mean()
    }

    fn score_of(&self, rater_id: i64) -> Option<f64> {
        self.judged.score_of(rater_id)
    }
}

/// The spread "needs review" uses when the queue rule has none.
pub(super) const REVIEW_SPREAD: f64 = 1.5;

/// Whether `image` passes the query's filters (`rated_by`: the rater id of `query.rated_by`;
/// `rule`: the team queue's, whose spread says which images need review).
pub(super) fn passes(
    image: &Image,
    query: &GalleryQuery,
    rated_by: Option<i64>,
    rule: &QueueRule,
) -> bool {
    let has = |p: Presence, yes: bool| match p {
        Presence::Any => true,
        Presence::With => yes,
        Presence::Without => !yes,
    };
    let rated = match rated_by {
        Some(r) => image.score_of(r).is_some(),
        None => !image.judged.scores.is_empty(),
    };
    let review = || {
        let values: Vec<f64> = image.judged.scores.iter().map(|s| s.1).collect();
        let rule = QueueRule {
            spread: rule.spread.or(Some(REVIEW_SPREAD)),
            ..*rule
        };
        rule.disputed(&values)
    };
    (query.show != GalleryShow::Duplicates || image.judged.duplicate)
        && (query.show != GalleryShow::NeedsReview || review())
        && query
            .folder
            .is_none_or(|f| image.base.roots.contains(&i64::from(f)))
        && has(query.rated, rated)
        && has(query.predicted, image.predicted.is_some())
}

/// The ids of `images` in the order `query.sort` gives (largest first when descending; for
/// rank, the strongest is the largest), images without the value last, then by name.
pub(super) fn sorted(
    images: &[Image],
    query: &GalleryQuery,
    rater_id: i64,
    ranks: Option<&HashMap<String, (u32, f64, f64)>>,
) -> Vec<i64> {
    let sort = query.sort;
    let key = |image: &Image| -> Option<f64> {
        match sort {
            GallerySort::Rank => ranks?.get(&image.base.sha1).map(|r| -f64::from(r.0)),
            GallerySort::Mean => image.mean(),
            GallerySort::Mine => image.score_of(rater_id),
            GallerySort::Predicted => image.predicted,
            GallerySort::Own => image.own,
            GallerySort::Disagreement => Some((image.mean()? - image.predicted?).abs()),
            GallerySort::Judgements => Some(f64::from(image.judged.judgements)),
            GallerySort::Name => Some(f64::from(image.base.by_name)),
            GallerySort::Newest => Some(f64::from(image.base.by_age)),
        }
    };
    // Sorted as (key, place by name, id): numbers only, moved 24 bytes at a time.
    let mut order: Vec<(Option<f64>, u32, i64)> = images
        .iter()
        .map(|image| (key(image), image.base.by_name, image.base.id))
        .collect();
    let flip = |o: Ordering| if query.descending { o.reverse() } else { o };
    order.sort_unstable_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => flip(x.total_cmp(&y)).then(a.1.cmp(&b.1)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.1.cmp(&b.1),
    });
    order.into_iter().map(|(_, _, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (base, judged, predicted) of an image, its name giving its place by name.
    fn image(
        id: i64,
        name: &str,
        mean: Option<f64>,
        predicted: Option<f64>,
    ) -> (GalleryBase, GalleryJudged, Option<f64>) {
        (
            GalleryBase {
                id,
                sha1: format!("{id}"),
                name: name.into(),
                roots: vec![1],
                by_name: u32::from(name.as_bytes()[0] - b'a'),
                by_age: id as u32,
            },
            GalleryJudged {
                scores: mean.map(|m| vec![(1, m)]).unwrap_or_default(),
                judgements: id as u32,
                duplicate: false,
            },
            predicted,
        )
    }

    fn rows() -> Vec<(GalleryBase, GalleryJudged, Option<f64>)> {
        let mut dup = image(5, "e", None, None);
        dup.1.duplicate = true;
        dup.0.roots = vec![2];
        vec![
            image(1, "c", Some(5.0), Some(9.0)),
            image(2, "a", None, Some(1.0)),
            image(3, "b", Some(7.0), None),
            image(4, "d", Some(5.0), Some(4.0)),
            dup,
        ]
    }

    fn view(rows: &[(GalleryBase, GalleryJudged, Option<f64>)]) -> Vec<Image<'_>> {
        rows.iter()
            .map(|(base, judged, predicted)| Image {
                base,
                judged,
                predicted: *predicted,
                own: predicted.map(|p| 11.0 - p),
            })
            .collect()
    }

    #[test]
    fn orders_put_missing_values_last_and_break_ties_by_name() {
        let rows = rows();
        let images = view(&rows[..4]);
        let ranks: HashMap<String, (u32, f64, f64)> =
            [("3".into(), (1, 0.0, 0.0)), ("1".into(), (2, 0.0, 0.0))].into();
        let order = |sort, descending| {
            let query = GalleryQuery {
                sort,
                descending,
                ..GalleryQuery::default()
            };
            sorted(&images, &query, 1, Some(&ranks))
        };
        assert_eq!(order(GallerySort::Mean, true), [3, 1, 4, 2]);
        assert_eq!(order(GallerySort::Mean, false), [1, 4, 3, 2]);
        assert_eq!(order(GallerySort::Mine, true), [3, 1, 4, 2]);
        assert_eq!(order(GallerySort::Disagreement, true), [1, 4, 2, 3]);
        assert_eq!(order(GallerySort::Rank, true), [3, 1, 2, 4]);
        assert_eq!(order(GallerySort::Name, false), [2, 3, 1, 4]);
        assert_eq!(order(GallerySort::Name, true), [4, 1, 3, 2]);
        assert_eq!(order(GallerySort::Newest, true), [4, 3, 2, 1]);
        assert_eq!(order(GallerySort::Judgements, true), [4, 3, 2, 1]);
        assert_eq!(order(GallerySort::Predicted, false), [2, 4, 1, 3]);
        assert_eq!(order(GallerySort::Own, false), [1, 4, 2, 3]);
    }

    #[test]
    fn filters_keep_what_they_say() {
        let rows = rows();
        let all = view(&rows);
        let kept = |query: GalleryQuery, by: Option<i64>| -> Vec<i64> {
            all.iter()
                .filter(|i| passes(i, &query, by, &QueueRule::default()))
                .map(|i| i.base.id)
                .collect()
        };
        let q = GalleryQuery::default();
        let rated = GalleryQuery {
            rated: Presence::With,
            ..q.clone()
        };
        assert_eq!(kept(q.clone(), None), [1, 2, 3, 4, 5]);
        assert_eq!(kept(rated.clone(), None), [1, 3, 4]);
        assert_eq!(kept(rated, Some(9)), [] as [i64; 0]);
        let unrated = GalleryQuery {
            rated: Presence::Without,
            ..q.clone()
        };
        assert_eq!(kept(unrated, None), [2, 5]);
        let unpredicted = GalleryQuery {
            predicted: Presence::Without,
            ..q.clone()
        };
        assert_eq!(kept(unpredicted, None), [3, 5]);
        let duplicates = GalleryQuery {
            show: GalleryShow::Duplicates,
            ..q.clone()
        };
        assert_eq!(kept(duplicates, None), [5]);
        assert_eq!(
            kept(
                GalleryQuery {
                    folder: Some(2),
                    ..q.clone()
                },
                None
            ),
            [5]
        );
    }

    #[test]
    fn needs_review_keeps_the_images_whose_raters_disagree_beyond_the_rule() {
        let mut rows = rows();
        // 1: 2 and 9 (sd 4.9); 3: 7 and 8 (sd 0.7); 4: 5 and 7 (sd 1.4).
        rows[0].1.scores = vec![(1, 2.0), (2, 9.0)];
        rows[2].1.scores = vec![(1, 7.0), (2, 8.0)];
        rows[3].1.scores = vec![(1, 5.0), (2, 7.0)];
        let all = view(&rows);
        let query = GalleryQuery {
            show: GalleryShow::NeedsReview,
            ..GalleryQuery::default()
        };
        let kept = |rule: QueueRule| -> Vec<i64> {
            all.iter()
                .filter(|i| passes(i, &query, None, &rule))
                .map(|i| i.base.id)
                .collect()
        };
        // Without a spread in the rule, 1.5 points.
        assert_eq!(kept(QueueRule::default()), [1]);
        let strict = QueueRule {
            overlap: 2,
            spread: Some(0.5),
            max_raters: 4,
            ..QueueRule::default()
        };
        assert_eq!(kept(strict), [1, 3, 4]);
    }
}
