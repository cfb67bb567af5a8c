//! Sharing the library with tablets and phones on the local network (the desktop's network
//! door): whether it runs, the address a device opens, and its QR code.

use serde::{Deserialize, Serialize};

/// The network door as the desktop's Share panel shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingState {
    /// Whether a server listens now.
    pub running: bool,
    /// The pairing address (with its token) while it runs.
    pub url: Option<String>,
    /// That address as a QR code, an SVG document, while it runs.
    pub qr_svg: Option<String>,
    /// How many devices follow the app's events now.
    pub devices: u32,
    /// The devices paired while it runs, each with a credential of its own.
    #[serde(default)]
    pub paired: Vec<PairedDevice>,
}

/// A device paired with the desktop's door: it acts only as the rater it chose first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairedDevice {
    /// Its number in this pairing (what unpairing names).
    pub id: u32,
    /// What its browser says it is (its user agent, shortened).
    pub label: String,
    /// The rater it acts as, once it chose one (or judged as the devices' default).
    pub rater: Option<String>,
    /// Seconds since it paired.
    pub paired_s_ago: u32,
}
