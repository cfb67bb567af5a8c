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
}
