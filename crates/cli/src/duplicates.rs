//! `duplicates`: the library's near-duplicate groups as the Similarity page finds them, by the
//! active pack's embeddings (the ones computed so far) or by the perceptual hash, with a
//! progress bar while a large library's pairs are computed.

use crate::verbs::wait_for_pack;
use clap::Args;
use image_scorer_core::App;
use image_scorer_protocol::commands::GetDuplicateGroups;
use image_scorer_protocol::{DuplicateMethod, DEFAULT_THRESHOLD};

/// The options of `duplicates`.
#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    /// Images whose embeddings have at least this cosine are near-duplicates (0.8 to 1).
    #[arg(long, value_name = "COSINE", default_value_t = DEFAULT_THRESHOLD)]
    threshold: f64,
    /// Instead, images whose perceptual hashes differ in at most this many bits (0 to 16);
    /// needs no model pack.
    #[arg(long, value_name = "BITS", conflicts_with = "threshold")]
    distance: Option<u32>,
    /// How many groups to list, closest first.
    #[arg(long, value_name = "N", default_value_t = 20)]
    limit: u32,
}

/// Prints the groups at the threshold (or distance) and how many there are.
pub async fn duplicates(app: &App, args: DuplicatesArgs) -> Result<(), String> {
    app.index_now().await;
    let method = match args.distance {
        Some(distance) => {
            app.hash_now().await;
            DuplicateMethod::Hash { distance }
        }
        None => {
            app.start_predictor();
            wait_for_pack(app).await?;
            DuplicateMethod::Embedding {
                threshold: args.threshold,
            }
        }
    };
    let found = app
        .call(GetDuplicateGroups {
            method,
            limit: args.limit,
        })
        .await
        .map_err(|e| e.message)?;
    println!(
        "{} groups, {} images in them, of {} images searched ({} in the library)",
        found.total, found.images, found.searched, found.library
    );
    for group in &found.groups {
        // The app lists a large group's largest images; the rest are counted.
        let names: Vec<&str> = group.images.iter().map(|i| i.name.as_str()).collect();
        let more = (group.size as usize).saturating_sub(names.len());
        let more = if more > 0 {
            format!("  … and {more} more")
        } else {
            String::new()
        };
        println!("{:.3}  {}{more}", group.closest, names.join("  "));
    }
    Ok(())
}
