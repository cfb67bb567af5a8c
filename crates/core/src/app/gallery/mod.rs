//! The Ratings page's gallery: the order of every image that passes the filters, computed once
//! per query and library revision (or when the page asks), and pages of tiles read from it by
//! position; an image's whole record for the detail view.
//!
//! The order is a list of image ids kept in memory: a page is the ids at its positions, whose
//! rows SQLite reads by id (a bound list), so any position of 100,000 costs what a page costs,
//! where `OFFSET` would read every row before it. Tiles are read fresh for each page, so a
//! score given from the grid shows at once, while the order stays put until it is computed
//! again (a tile does not jump away under the rater's keys).

mod order;

use super::rankings::Sources;
use super::{App, Handler};
use crate::store::{GalleryBase, GalleryJudged};
use crate::CoreError;
use image_scorer_protocol::commands::{FindSimilar, GetGallery, GetImageDetail};
use image_scorer_protocol::{
    AppError, ErrorKind, GalleryPage, GalleryQuery, GalleryShow, GallerySort, GalleryTile,
    ImageDetail, ImageFile, PackPrediction, QueueRule,
};
use order::{passes, sorted, Image};
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
        self.0.page_served.notify_one();
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
                    .map(|(id, row)| (id, row.into()))
                    .collect();
                if let Some(model) = order.model_id {
                    self.own_on_tiles(order.rater_id, model, &mut tiles).await?;
                }
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
            let files = self.0.store.unshown_files(folder, u32::MAX).await?;
            Rows::Problems(files.into_iter().map(Into::into).collect())
        } else {
            let (base, judged, predicted) = self.gallery_rows(model_id).await?;
            // Only the rank order waits for a fit (seconds the first time at 100,000 images);
            // tiles show ranks whenever one is current.
            let ranks = if query.sort == GallerySort::Rank {
                Some(self.fitted_ranks().await?)
            } else {
                None
            };
            let own = match (query.sort, model_id) {
                (GallerySort::Own, Some(model)) => {
                    self.own_rows(rater_id, model, &base, &predicted).await?
                }
                _ => Vec::new(),
            };
            let rule = match query.show {
                GalleryShow::NeedsReview => self.queue_rule().await?,
                _ => QueueRule::default(),
            };
            let kept: Vec<Image> = (0..base.len())
                .map(|k| Image {
                    base: &base[k],
                    judged: &judged[k],
                    predicted: predicted.get(k).copied().flatten(),
                    own: own.get(k).copied().flatten(),
                })
                .filter(|image| passes(image, query, rated_by, &rule))
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
        CoreError,
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
                // The library's rows and the log's at once, the log's aligned with them after.
                let (base, log_rows) = tokio::try_join!(store.gallery_base(), store.judged_rows())?;
                let base = Arc::new(base);
                Library {
                    revision,
                    judged: Arc::new(log_rows.align(base.clone()).await?),
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
    ) -> Result<Arc<Vec<Option<f64>>>, CoreError> {
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
