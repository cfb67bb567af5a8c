//! The Ratings page's gallery: the order of every image that passes the filters, computed once
//! per query and library revision (or when the page asks), and pages of tiles read from it by
//! position; an image's whole record for the detail view.
//!
//! The order is a list of image ids kept in memory: a page is the ids at its positions, whose
//! rows SQLite reads by id (a bound list), so any position of 100,000 costs what a page costs,
//! where `OFFSET` would read every row before it. Tiles are read fresh for each page, so a
//! score given from the grid shows at once, while the order stays put until it is computed
//! again (a tile does not jump away under the rater's keys).

use super::rankings::Sources;
use super::{App, Handler};
use crate::store::{GalleryBase, GalleryJudged};
use image_scorer_protocol::commands::{FindSimilar, GetGallery, GetImageDetail};
use image_scorer_protocol::{
    AppError, ErrorKind, GalleryPage, GalleryQuery, GalleryShow, GallerySort, GalleryTile,
    ImageDetail, ImageFile, PackPrediction, Presence,
};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

/// The most tiles one page holds.
const MAX_PAGE: u32 = 1000;
/// How many neighbours the detail view shows.
const NEIGHBOURS: u32 = 12;

/// Every image's (rank, strength, standard error) in everyone's ranking, by SHA-1.
type Standings = Arc<HashMap<String, (u32, f64, f64)>>;
/// [`Standings`] and what the fit was made from.
type Ranks = (Sources, Standings);

/// The library's rows as the gallery sorts and filters them, in three parts aligned by
/// position, each with what it was read from: the images (the library's revision), what the
/// judgement log says of them ([`crate::Store::judgement_log_key`]), and the active model's
/// predictions (its id and how many images it has predicted).
struct Library {
    revision: u64,
    base: Arc<Vec<GalleryBase>>,
    log: (i64, i64),
    judged: Arc<Vec<GalleryJudged>>,
    model: Option<(i64, u32)>,
    predicted: Arc<Vec<Option<f64>>>,
}

/// One image, as its three parts tell it.
#[derive(Clone, Copy)]
struct Image<'a> {
    base: &'a GalleryBase,
    judged: &'a GalleryJudged,
    predicted: Option<f64>,
}

/// The gallery's memory: the library's rows last read, the order last computed, and the ranks
/// last fitted.
#[derive(Default)]
pub(super) struct Gallery {
    library: tokio::sync::Mutex<Option<Library>>,
    order: tokio::sync::Mutex<Option<Arc<Order>>>,
    ranks: std::sync::Mutex<Option<Ranks>>,
}

/// One computed order.
struct Order {
    query: GalleryQuery,
    library: u64,
    generation: u32,
    rows: Rows,
    /// Whose score is "mine".
    rater_id: i64,
    /// The active pack's model when it was computed.
    model_id: Option<i64>,
}

enum Rows {
    /// Images, by id.
    Images(Vec<i64>),
    /// Files that cannot be shown: their tiles, whole.
    Problems(Vec<GalleryTile>),
}

impl Handler<GetGallery> for App {
    async fn handle(&self, r: GetGallery) -> Result<GalleryPage, AppError> {
        let order = self.gallery_order(&r.query, r.refresh).await?;
        let start = r.start as usize;
        let end = start.saturating_add(r.limit.min(MAX_PAGE) as usize);
        let (tiles, total) = match &order.rows {
            Rows::Problems(all) => (
                all.get(start.min(all.len())..end.min(all.len()))
                    .unwrap_or_default()
                    .to_vec(),
                all.len(),
            ),
            Rows::Images(ids) => {
                let page = &ids[start.min(ids.len())..end.min(ids.len())];
                let mut tiles: HashMap<i64, GalleryTile> = self
                    .0
                    .store
                    .gallery_tiles(order.rater_id, order.model_id, page)
                    .await?
                    .into_iter()
                    .collect();
                let ranks = self.current_ranks();
                // An image that left the library since the order was computed is left out.
                let tiles = page
                    .iter()
                    .filter_map(|id| tiles.remove(id))
                    .map(|mut tile| {
                        tile.rank = ranks.as_ref().and_then(|r| r.get(&tile.sha1).map(|s| s.0));
                        tile
                    })
                    .collect();
                (tiles, ids.len())
            }
        };
        Ok(GalleryPage {
            order: order.generation,
            start: r.start,
            tiles,
            total: total as u32,
        })
    }
}

impl App {
    /// The order for `query`: the one computed last when it is for the same query and library
    /// and no `refresh` is asked for, else computed now.
    async fn gallery_order(
        &self,
        query: &GalleryQuery,
        refresh: bool,
    ) -> Result<Arc<Order>, AppError> {
        let mut held = self.0.gallery.order.lock().await;
        let library = self.0.indexer.revision();
        if let Some(order) = held.as_ref() {
            if !refresh && order.query == *query && order.library == library {
                return Ok(order.clone());
            }
        }
        let generation = held.as_ref().map_or(1, |o| o.generation.wrapping_add(1));
        let rater_id = self.rater_id(&query.rater).await?;
        let rated_by = match &query.rated_by {
            Some(name) => Some(
                self.0
                    .store
                    .raters_named(std::slice::from_ref(name))
                    .await?[0]
                    .0,
            ),
            None => None,
        };
        let model_id = self.0.predictor.model_id();
        let rows = if query.show == GalleryShow::Unreadable {
            let folder = query.folder.map(i64::from);
            Rows::Problems(self.0.store.problem_tiles(folder).await?)
        } else {
            let (base, judged, predicted) = self.gallery_rows(model_id).await?;
            // Only the rank order waits for a fit (seconds the first time at 100,000 images);
            // tiles show ranks whenever one is current.
            let ranks = if query.sort == GallerySort::Rank {
                Some(self.fitted_ranks().await?)
            } else {
                None
            };
            let kept: Vec<Image> = (0..base.len())
                .map(|k| Image {
                    base: &base[k],
                    judged: &judged[k],
                    predicted: predicted.get(k).copied().flatten(),
                })
                .filter(|image| passes(image, query, rated_by))
                .collect();
            Rows::Images(sorted(&kept, query, rater_id, ranks.as_deref()))
        };
        let order = Arc::new(Order {
            query: query.clone(),
            library,
            generation,
            rows,
            rater_id,
            model_id,
        });
        *held = Some(order.clone());
        Ok(order)
    }

    /// The library's rows in their three parts, each read again only when what it is read
    /// from changed (at 100,000 images: the images about 60 ms after a change of the library,
    /// the log's part 70 ms after a judgement, the predictions 20 ms as they come; a sort of
    /// what was read takes 20-60 ms).
    #[allow(clippy::type_complexity)]
    pub(super) async fn gallery_rows(
        &self,
        model_id: Option<i64>,
    ) -> Result<
        (
            Arc<Vec<GalleryBase>>,
            Arc<Vec<GalleryJudged>>,
            Arc<Vec<Option<f64>>>,
        ),
        AppError,
    > {
        let store = &self.0.store;
        let mut held = self.0.gallery.library.lock().await;
        let revision = self.0.indexer.revision();
        let log = store.judgement_log_key().await?;
        let model = model_id.map(|m| (m, self.0.predictor.state().progress.done));
        let library = match held.take() {
            Some(mut l) if l.revision == revision => {
                if l.log != log {
                    l.judged = Arc::new(store.gallery_judged(l.base.clone()).await?);
                    l.log = log;
                }
                if l.model != model {
                    l.predicted = self.predicted_rows(l.base.clone(), model_id).await?;
                    l.model = model;
                }
                l
            }
            old => {
                // The old rows are freed off the async threads (100,000 take a while).
                tokio::task::spawn_blocking(move || drop(old));
                let base = Arc::new(store.gallery_base().await?);
                Library {
                    revision,
                    judged: Arc::new(store.gallery_judged(base.clone()).await?),
                    log,
                    predicted: self.predicted_rows(base.clone(), model_id).await?,
                    model,
                    base,
                }
            }
        };
        let rows = (
            library.base.clone(),
            library.judged.clone(),
            library.predicted.clone(),
        );
        *held = Some(library);
        Ok(rows)
    }

    async fn predicted_rows(
        &self,
        base: Arc<Vec<GalleryBase>>,
        model_id: Option<i64>,
    ) -> Result<Arc<Vec<Option<f64>>>, AppError> {
        Ok(Arc::new(match model_id {
            Some(model) => self.0.store.gallery_predicted(base, model).await?,
            None => Vec::new(),
        }))
    }

    /// Everyone's ranking as it is now, fitted if it is not current.
    async fn fitted_ranks(&self) -> Result<Standings, AppError> {
        if let Some(ranks) = self.current_ranks() {
            return Ok(ranks);
        }
        let sources = self.ranking_sources();
        let standings = self
            .0
            .rankings
            .standings(&self.0.store, None, sources)
            .await?;
        let ranks: Standings = Arc::new(standings);
        *self
            .0
            .gallery
            .ranks
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some((sources, ranks.clone()));
        Ok(ranks)
    }

    /// The ranks last fitted, when nothing they are made from changed since.
    fn current_ranks(&self) -> Option<Standings> {
        let sources = self.ranking_sources();
        let held = self
            .0
            .gallery
            .ranks
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        held.as_ref()
            .filter(|(made, _)| *made == sources)
            .map(|(_, ranks)| ranks.clone())
    }
}

impl Image<'_> {
    fn mean(&self) -> Option<f64> {
        self.judged.mean()
    }

    fn score_of(&self, rater_id: i64) -> Option<f64> {
        self.judged.score_of(rater_id)
    }
}

/// Whether `image` passes the query's filters (`rated_by`: the rater id of `query.rated_by`).
fn passes(image: &Image, query: &GalleryQuery, rated_by: Option<i64>) -> bool {
    let has = |p: Presence, yes: bool| match p {
        Presence::Any => true,
        Presence::With => yes,
        Presence::Without => !yes,
    };
    let rated = match rated_by {
        Some(r) => image.score_of(r).is_some(),
        None => !image.judged.scores.is_empty(),
    };
    (query.show != GalleryShow::Duplicates || image.judged.duplicate)
        && query
            .folder
            .is_none_or(|f| image.base.roots.contains(&i64::from(f)))
        && has(query.rated, rated)
        && has(query.predicted, image.predicted.is_some())
}

/// The ids of `images` in the order `query.sort` gives (largest first when descending; for
/// rank, the strongest is the largest), images without the value last, then by name.
fn sorted(
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

impl Handler<GetImageDetail> for App {
    async fn handle(&self, r: GetImageDetail) -> Result<ImageDetail, AppError> {
        let Some(((width, height, format), files, predictions)) =
            self.0.store.image_record(&r.sha1).await?
        else {
            return Err(AppError::new(
                ErrorKind::NotFound,
                "No image has that hash.",
            ));
        };
        let judgements = self.0.store.judgements_about(&r.sha1).await?;
        let standing = self.fitted_ranks().await?.get(&r.sha1).copied();
        // Neighbours only when the pack has embedded it; anything else leaves them out.
        let neighbours = match self
            .handle(FindSimilar {
                sha1: r.sha1.clone(),
                k: NEIGHBOURS,
            })
            .await
        {
            Ok(found) => found.results,
            Err(_) => Vec::new(),
        };
        Ok(ImageDetail {
            sha1: r.sha1,
            width,
            height,
            format,
            files: files
                .into_iter()
                .map(|(path, present)| ImageFile { path, present })
                .collect(),
            judgements,
            predictions: predictions
                .into_iter()
                .map(|(pack, score)| PackPrediction { pack, score })
                .collect(),
            rank: standing.map(|s| s.0),
            strength: standing.map(|s| s.1),
            se: standing.map(|s| s.2),
            neighbours,
        })
    }
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
                first_seen: format!("2026-01-0{id}"),
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
    }

    #[test]
    fn filters_keep_what_they_say() {
        let rows = rows();
        let all = view(&rows);
        let kept = |query: GalleryQuery, by: Option<i64>| -> Vec<i64> {
            all.iter()
                .filter(|i| passes(i, &query, by))
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
                    ..q
                },
                None
            ),
            [5]
        );
    }
}
