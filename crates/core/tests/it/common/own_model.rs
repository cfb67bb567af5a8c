//! The own model's tests' library: varied copies of the fixture photos with a synthetic taste,
//! an app over them with a pack, and waiting for a rater's model to take scores in.

use super::{app_with_packs, fixture_path, until, until_embedded, until_indexed};
use image_scorer_core::App;
use image_scorer_protocol::commands::{GetPersonalModel, Undo};
use std::collections::HashMap;
use std::path::Path;

const PHOTOS: [&str; 7] = [
    "astronaut.png",
    "chelsea.png",
    "coffee.png",
    "franz-kafka.jpg",
    "motorcycle_left.png",
    "motorcycle_right.png",
    "rocket.jpg",
];
/// Each photo's place in the taste.
const LIKING: [f64; 7] = [7.0, 9.0, 3.0, 5.0, 6.0, 6.5, 2.0];
const COPIES: usize = 12;

/// Varied copies of the photos: a crop of 55-100 % of each side at a random place, mirrored or
/// not, lighter or darker; the taste of each: its photo's liking, plus the lightness (this
/// rater likes light pictures), as a whole score. Returns (file name, taste) by file.
pub fn varied_photos(dir: &Path) -> HashMap<String, f64> {
    std::fs::create_dir_all(dir).unwrap();
    let mut rng = fastrand::Rng::with_seed(11);
    let mut taste = HashMap::new();
    for (p, name) in PHOTOS.iter().enumerate() {
        let image = image::open(fixture_path(name)).unwrap().to_rgb8();
        let (w, h) = image.dimensions();
        for c in 0..COPIES {
            let (fw, fh) = (0.55 + 0.45 * rng.f64(), 0.55 + 0.45 * rng.f64());
            let (cw, ch) = ((w as f64 * fw) as u32, (h as f64 * fh) as u32);
            let (x, y) = (rng.u32(0..=w - cw), rng.u32(0..=h - ch));
            let mut copy = image::imageops::crop_imm(&image, x, y, cw, ch).to_image();
            if rng.bool() {
                copy = image::imageops::flip_horizontal(&copy);
            }
            let light = rng.f64() * 2.0 - 1.0;
            let copy = image::imageops::colorops::brighten(&copy, (light * 60.0) as i32);
            let file = format!("p{p}-{c:02}.png");
            copy.save(dir.join(&file)).unwrap();
            taste.insert(file, (LIKING[p] + 1.5 * light).clamp(1.0, 10.0));
        }
    }
    taste
}

/// The EfficientNet-Lite0 pack (no head): folder, manifest, models.
pub const EFFNET: (&str, &str, &[&str]) = (
    "effnet",
    super::EFFICIENTNET_FEATURES,
    &["efficientnet-lite0-imagenet.onnx"],
);

/// A started app with `pack` over [`varied_photos`], every copy indexed and embedded: the app,
/// the taste by file name, and the folder it lives in (removed when dropped).
pub async fn app_on_copies(
    pack: (&str, &str, &[&str]),
) -> (App, HashMap<String, f64>, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let app = app_with_packs(tmp.path(), &[pack]).await;
    let root = tmp.path().join("photos");
    let taste = varied_photos(&root);
    let total = taste.len() as u32;
    app.open_folder(&root).await.unwrap();
    until_indexed(&app, total).await;
    until_embedded(&app, total).await;
    (app, taste, tmp)
}

pub async fn model(app: &App, rater: &str) -> image_scorer_protocol::PersonalModel {
    app.call(GetPersonalModel {
        rater: rater.into(),
    })
    .await
    .unwrap()
}

pub async fn settled(app: &App, rater: &str, ratings: u32) {
    until(&format!("{ratings} ratings in the model"), || async {
        let m = model(app, rater).await;
        m.settled
            && m.ratings == ratings
            && m.quality
                .as_ref()
                .map_or(ratings < 8, |q| q.ratings == ratings)
    })
    .await;
}

/// Undoes `rater`'s newest judgement (there must be one).
pub async fn undo(app: &App, rater: &str) {
    app.call(Undo {
        rater: rater.into(),
    })
    .await
    .unwrap()
    .unwrap();
}
