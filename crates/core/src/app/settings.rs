//! The keys of the app's settings (the `settings` table), in one place.

/// The rater the desktop window starts with: the one chosen last.
pub const RATER: &str = "rater";
/// The model pack the user chose (its id).
pub const PACK: &str = "pack";
/// Where a team server's raters reach it (`serve` records it; `team add-rater` puts it in the
/// sign-in addresses).
pub const TEAM_ADDRESS: &str = "team.address";
/// The library's queue rule for a team (JSON of a `QueueRule`; see `app/queue.rs`).
pub const QUEUE_RULE: &str = "queue.rule";

/// The remembered fingerprint of a pack's files as they are on disk now
/// (see [`crate::inference::pack_stat_key`]).
pub fn fingerprint(stat_key: &str) -> String {
    format!("fingerprint:{stat_key}")
}

/// The Preference page's settings: `<size> <choice>`, e.g. `4 active`.
pub const PREFERENCE: &str = "preference";
