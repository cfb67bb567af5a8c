//! `image-scorer-cli copy --from PLACE --to PLACE`: a library's judgement log from one database
//! to another (a desktop's SQLite file to a team server's PostgreSQL, or back), with raters and
//! times; what the destination has already is not added again, so running it twice adds
//! nothing. The source's log is only read (an older database is brought up to this version's
//! schema first, as the app would); the desktop app's own database is not opened.

use crate::progress;
use image_scorer_core::store::migrations::without_password;
use image_scorer_core::Store;
use image_scorer_protocol::text::{count, count_is};

/// Copies `from`'s log into `to`.
pub async fn copy(bars: &progress::Bars, from: &str, to: &str) -> Result<(), String> {
    let source = open(from, "--from").await?;
    let destination = open(to, "--to").await?;
    let (batch, undone) = source
        .log_as_import(&without_password(from))
        .await
        .map_err(|e| e.to_string())?;
    let bar = bars.import_bar();
    let counts = destination
        .import(&batch, &move |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .await
        .map_err(|e| e.to_string())?;
    bars.finish();
    println!(
        "copied {}, {} and {} by {}",
        count(counts.scores, "score", "scores"),
        count(counts.comparisons, "comparison", "comparisons"),
        count(counts.others, "other judgement", "other judgements"),
        if counts.raters.is_empty() {
            "nobody".to_owned()
        } else {
            counts.raters.join(", ")
        }
    );
    if counts.already > 0 {
        println!(
            "{} in the destination already",
            count_is(counts.already, "judgement", "judgements")
        );
    }
    if counts.absent_images > 0 {
        println!(
            "{} not in the destination's library yet: their judgements attach when a file \
             with their content appears",
            count_is(counts.absent_images, "image", "images")
        );
    }
    if undone > 0 {
        println!(
            "left out {} (undone in the source: they count for nothing)",
            count(undone, "judgement", "judgements")
        );
    }
    source.close().await;
    destination.close().await;
    Ok(())
}

async fn open(place: &str, flag: &str) -> Result<Store, String> {
    let file = !image_scorer_core::store::is_postgres_url(place);
    if flag == "--from" && file && !std::path::Path::new(place).is_file() {
        return Err(format!("{flag} {place}: there is no such database file"));
    }
    Store::open_place(place)
        .await
        .map_err(|e| format!("{flag} {}: {e}", without_password(place)))
}
