//! The Share panel's commands: the network door, started and stopped from the desktop.

use serde::{Deserialize, Serialize};

/// Whether the library is shared on the local network, and how a device pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetSharing {}

/// Starts sharing the library on the local network with a new pairing code (the desktop app
/// only; a device on the network cannot).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartSharing {}

/// Stops sharing: nothing listens any more, and every device's session ends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopSharing {}

/// Unpairs one device: its credential stops working at once and its event stream ends; it
/// must scan the code again (and may then choose another rater).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnpairDevice {
    /// Its number ([`crate::PairedDevice::id`]).
    pub device: u32,
}
