//! The Ratings page's gallery: the order of every image that passes the filters, computed once
//! per query and library revision (or when the page asks), and pages of tiles read from it by
//! position; an image's whole record for the detail view.
//!
//! The order is a list of image ids kept in memory: a page is the ids at its positions, whose
//! rows SQLite reads by id (a bound list), so any position of 100,000 costs what a page costs,
//! where `OFFSET` would read every row before it. Tiles are read fresh for each page, so a
//! score given from the grid shows at once, while the order stays put until it is computed
//! again (a tile does not jump away under the rater's keys).

use super::{App, Handler};
use crate::store::{GalleryFilter, GalleryRow};
use crate::CoreError;
use image_scorer_protocol::commands::{FindSimilar, GetGallery, GetImageDetail};
use image_scorer_protocol::{
    AppError, ErrorKind, GalleryPage, GalleryQuery, GalleryShow, GallerySort, GalleryTile,
    ImageDetail, ImageFile, PackPrediction,
};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

/// The most tiles one page holds.
const MAX_PAGE: u32 = 1000;
/// How many neighbours the detail view shows.
const NEIGHBOURS: u32 = 12;

/// The gallery's memory: the order last computed.
#[derive(Default)]
pub(super) struct Gallery {
    order: tokio::sync::Mutex<Option<Arc<Order>>>,
}

/// One computed order.
struct Order {
    query: GalleryQuery,
    library: u64,
    generation: u32,
    rows: Rows,
    /// Each image's place in everyone's ranking, by SHA-1 (as when the order was computed).
    ranks: HashMap<String, u32>,
    /// The filter the rows were read with (a page reads its tiles with it).
    filter: GalleryFilter,
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
                let mut rows: HashMap<i64, GalleryRow> = self
                    .0
                    .store
                    .gallery_rows(&order.filter, Some(page))
                    .await?
                    .into_iter()
                    .map(|r| (r.id, r))
                    .collect();
                // An image that left the library since the order was computed is left out.
                let tiles = page
                    .iter()
                    .filter_map(|id| rows.remove(id))
                    .map(|row| {
                        let mut tile = row.tile;
                        tile.rank = order.ranks.get(&tile.sha1).copied();
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
        let filter = GalleryFilter {
            rater_id: self.rater_id(&query.rater).await?,
            model_id: self.0.predictor.model_id(),
            show: query.show,
            folder: query.folder.map(i64::from),
            rated: query.rated,
            rated_by: match &query.rated_by {
                Some(name) => Some(self.0.store.raters_named(&[name.clone()]).await?[0].0),
                None => None,
            },
            predicted: query.predicted,
        };
        let (rows, ranks) = if query.show == GalleryShow::Unreadable {
            let tiles = self.0.store.problem_tiles(filter.folder).await?;
            (Rows::Problems(tiles), HashMap::new())
        } else {
            let rows = self.0.store.gallery_rows(&filter, None).await?;
            let sources = self.ranking_sources();
            let standings = self
                .0
                .rankings
                .standings(&self.0.store, None, sources)
                .await?;
            let ranks: HashMap<String, u32> = standings
                .into_iter()
                .map(|(s, (rank, _, _))| (s, rank))
                .collect();
            (
                Rows::Images(sorted(rows, query.sort, query.descending, &ranks)),
                ranks,
            )
        };
        let order = Arc::new(Order {
            query: query.clone(),
            library,
            generation,
            rows,
            ranks,
            filter,
        });
        *held = Some(order.clone());
        Ok(order)
    }
}

/// The ids of `rows` in the order `sort` gives (largest first when `descending`; for rank,
/// the strongest is the largest), images without the value last, then by name.
fn sorted(
    rows: Vec<GalleryRow>,
    sort: GallerySort,
    descending: bool,
    ranks: &HashMap<String, u32>,
) -> Vec<i64> {
    let key = |row: &GalleryRow| -> Option<f64> {
        let t = &row.tile;
        match sort {
            GallerySort::Rank => ranks.get(&t.sha1).map(|r| -f64::from(*r)),
            GallerySort::Mean => t.mean,
            GallerySort::Mine => t.mine,
            GallerySort::Predicted => t.predicted,
            GallerySort::Disagreement => Some((t.mean? - t.predicted?).abs()),
            GallerySort::Judgements => Some(f64::from(t.judgements)),
            GallerySort::Newest | GallerySort::Name => None,
        }
    };
    let mut keyed: Vec<(Option<f64>, GalleryRow)> =
        rows.into_iter().map(|r| (key(&r), r)).collect();
    let by_name =
        |a: &GalleryRow, b: &GalleryRow| a.tile.name.cmp(&b.tile.name).then(a.id.cmp(&b.id));
    keyed.sort_by(|(ka, a), (kb, b)| {
        let flip = |o: Ordering| if descending { o.reverse() } else { o };
        match sort {
            GallerySort::Name => flip(by_name(a, b)),
            GallerySort::Newest => flip(a.first_seen.cmp(&b.first_seen).then(a.id.cmp(&b.id))),
            _ => match (ka, kb) {
                (Some(x), Some(y)) => flip(x.total_cmp(y)).then_with(|| by_name(a, b)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => by_name(a, b),
            },
        }
    });
    keyed.into_iter().map(|(_, r)| r.id).collect()
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
        let sources = self.ranking_sources();
        let standing = self
            .0
            .rankings
            .standings(&self.0.store, None, sources)
            .await
            .map_err(CoreError::from)?
            .remove(&r.sha1);
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

    fn row(id: i64, name: &str, mean: Option<f64>, predicted: Option<f64>) -> GalleryRow {
        GalleryRow {
            id,
            first_seen: format!("2026-01-0{id}"),
            tile: GalleryTile {
                sha1: format!("{id}"),
                name: name.into(),
                width: 1,
                height: 1,
                mine: None,
                mean,
                raters: 0,
                predicted,
                rank: None,
                judgements: id as u32,
                duplicate: false,
                problem: None,
            },
        }
    }

    #[test]
    fn orders_put_missing_values_last_and_break_ties_by_name() {
        let rows = || {
            vec![
                row(1, "c", Some(5.0), Some(9.0)),
                row(2, "a", None, Some(1.0)),
                row(3, "b", Some(7.0), None),
                row(4, "d", Some(5.0), Some(4.0)),
            ]
        };
        let ranks: HashMap<String, u32> = [("3".into(), 1), ("1".into(), 2)].into();
        let order = |sort, descending| sorted(rows(), sort, descending, &ranks);
        assert_eq!(order(GallerySort::Mean, true), [3, 1, 4, 2]);
        assert_eq!(order(GallerySort::Mean, false), [1, 4, 3, 2]);
        assert_eq!(order(GallerySort::Disagreement, true), [1, 4, 2, 3]);
        assert_eq!(order(GallerySort::Rank, true), [3, 1, 2, 4]);
        assert_eq!(order(GallerySort::Name, false), [2, 3, 1, 4]);
        assert_eq!(order(GallerySort::Newest, true), [4, 3, 2, 1]);
        assert_eq!(order(GallerySort::Judgements, true), [4, 3, 2, 1]);
        assert_eq!(order(GallerySort::Predicted, false), [2, 4, 1, 3]);
    }
}
