//! The stub's Ratings commands. The gallery is the gallery images the test set
//! ([`super::set_images`]), or a synthetic library of any size ([`set_gallery`]); it sorts by
//! name or by the asking rater's score (what the tests check), keeps the scores the grid gives,
//! and records what exports, imports, plot saves and renames were asked for.

use super::{on, Handler, StubState};
use image_scorer_protocol::commands::*;
use image_scorer_protocol::*;
use std::collections::HashMap;

/// What the stub keeps of the Ratings page.
#[derive(Default)]
pub(super) struct RatingsStub {
    /// A synthetic library of this many images, instead of the images set.
    pub synthetic: Option<u32>,
    /// Scores given from the grid (or elsewhere), by SHA-1.
    pub scores: HashMap<String, f64>,
    /// The rater's own model's predictions, by SHA-1.
    pub own: HashMap<String, f64>,
    /// The orders computed so far.
    pub orders: u32,
    /// The exports asked for.
    pub exports: Vec<ExportOptions>,
    /// The plots saved.
    pub saved: Vec<PlotKind>,
}

/// A synthetic library of `n` images, `img-00000.png` …, each hash its number.
pub fn set_gallery(n: u32) {
    super::with(|s| {
        s.ratings = RatingsStub {
            synthetic: Some(n),
            ..RatingsStub::default()
        }
    });
}

/// The rater's own model predicts `score` for synthetic image `n`.
pub fn set_own_prediction(n: u32, score: f64) {
    super::with(|s| {
        s.ratings.own.insert(synthetic_sha1(n), score);
    });
}

/// The exports asked for, as `format:raters:mode` lines.
pub fn exports() -> String {
    super::with(|s| {
        s.ratings
            .exports
            .iter()
            .map(|o| format!("{}:{}:{:?}", o.format.as_str(), o.raters.join("+"), o.mode))
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The hash of synthetic image `n`.
pub fn synthetic_sha1(n: u32) -> String {
    format!("{n:040}")
}

fn tiles(s: &StubState) -> Vec<GalleryTile> {
    let tile = |sha1: String, name: String| GalleryTile {
        mine: s.ratings.scores.get(&sha1).copied(),
        mean: s.ratings.scores.get(&sha1).copied(),
        raters: u32::from(s.ratings.scores.contains_key(&sha1)),
        own: s.ratings.own.get(&sha1).copied(),
        sha1,
        name,
        width: 64,
        height: 48,
        predicted: None,
        rank: None,
        judgements: 0,
        duplicate: false,
        problem: None,
    };
    match s.ratings.synthetic {
        Some(n) => (0..n)
            .map(|k| tile(synthetic_sha1(k), format!("img-{k:05}.png")))
            .collect(),
        None => s
            .images
            .iter()
            .map(|i| tile(i.sha1.clone(), i.name.clone()))
            .collect(),
    }
}

/// The stub's handlers of the Ratings commands.
pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        on(|r: GetGallery, s| {
            if r.refresh {
                s.ratings.orders += 1;
            }
            let mut all = tiles(s);
            if r.query.show == GalleryShow::Unreadable {
                all.clear();
            }
            let by = |key: fn(&GalleryTile) -> Option<f64>| {
                move |a: &GalleryTile, b: &GalleryTile| {
                    let key = |t| key(t).unwrap_or(f64::NEG_INFINITY);
                    key(b).total_cmp(&key(a)).then(a.name.cmp(&b.name))
                }
            };
            match r.query.sort {
                GallerySort::Mine => all.sort_by(by(|t| t.mine)),
                GallerySort::Own => all.sort_by(by(|t| t.own)),
                _ => all.sort_by(|a, b| a.name.cmp(&b.name)),
            }
            if !r.query.descending && matches!(r.query.sort, GallerySort::Mine | GallerySort::Own) {
                all.reverse();
            }
            if r.query.descending && r.query.sort == GallerySort::Name {
                all.reverse();
            }
            let total = all.len() as u32;
            let start = (r.start as usize).min(all.len());
            let end = (start + r.limit as usize).min(all.len());
            Ok(GalleryPage {
                order: s.ratings.orders.max(1),
                start: r.start,
                tiles: all[start..end].to_vec(),
                total,
            })
        }),
        on(|r: GetImageDetail, s| {
            let Some(tile) = tiles(s).into_iter().find(|t| t.sha1 == r.sha1) else {
                return Err(AppError::new(
                    ErrorKind::NotFound,
                    "No image has that hash.",
                ));
            };
            Ok(ImageDetail {
                sha1: tile.sha1.clone(),
                width: tile.width,
                height: tile.height,
                format: Some("png".into()),
                files: vec![
                    ImageFile {
                        path: format!("/data/My Photos/{}", tile.name),
                        present: true,
                    },
                    ImageFile {
                        path: format!("/data/old/{}", tile.name),
                        present: false,
                    },
                ],
                judgements: Vec::new(),
                predictions: vec![PackPrediction {
                    pack: "Stand-in".into(),
                    score: 6.25,
                }],
                rank: Some(3),
                strength: Some(0.5),
                se: Some(0.1),
                neighbours: Vec::new(),
            })
        }),
        on(|r: GetRatingStats, s| {
            Ok(RatingStats {
                images: tiles(s).len() as u32,
                scored: s.ratings.scores.len() as u32,
                scores: s.ratings.scores.len() as u32,
                raters: vec![RaterStats {
                    name: r.raters.first().cloned().unwrap_or_else(|| "tester".into()),
                    scored: s.ratings.scores.len() as u32,
                    mean: None,
                    sd: None,
                    comparisons: 0,
                }],
                ..RatingStats::default()
            })
        }),
        on(|r: GetPlot, _| {
            Ok(Plot {
                kind: r.kind,
                title: format!("{} plot", r.kind.as_str()),
                svg: format!(
                    r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><text x="5" y="20">{}</text></svg>"#,
                    r.kind.as_str()
                ),
                note: format!("{} raters", r.raters.len()),
            })
        }),
        on(|r: SavePlot, s| {
            s.ratings.saved.push(r.plot.kind);
            Ok(Some(format!("/home/tester/{}.svg", r.plot.kind.as_str())))
        }),
        on(|r: Export, s| {
            s.ratings.exports.push(r.options.clone());
            Ok(Some(ExportSummary {
                files: vec![format!(
                    "/home/tester/ratings.{}",
                    r.options.format.extension()
                )],
                rows: 3,
                skipped: vec![Skipped {
                    reason: "rated images marked as duplicates".into(),
                    count: 1,
                }],
            }))
        }),
        on(|_: ImportRatings, _| {
            Ok(Some(ImportReport {
                source: "ratings.db".into(),
                format: "the old tool's ratings.db".into(),
                raters: vec!["old-a1b2c3d4".into()],
                scores: 5,
                comparisons: 2,
                already: 0,
                absent_images: 1,
                skipped: vec![Skipped {
                    reason: "scores outside 1-10 (or not a number)".into(),
                    count: 1,
                }],
            }))
        }),
        on(|r: RenameRater, _| {
            Ok(Rater {
                name: "tester".into(),
                all: vec!["tester".into(), r.to],
            })
        }),
    ]
}
