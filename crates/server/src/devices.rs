//! The devices of one desktop pairing, each with a credential of its own (drawn when it pairs
//! with the pairing's code), so that one device can be told from another: each acts only as
//! the rater it chose first, and the desktop can unpair one without the others.

use image_scorer_protocol::PairedDevice;
use std::sync::Mutex;
use std::time::Instant;

/// The devices paired, at most [`Devices::MOST`].
#[derive(Default)]
pub(crate) struct Devices {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next: u32,
    list: Vec<Device>,
}

struct Device {
    id: u32,
    token: String,
    label: String,
    rater: Option<String>,
    paired: Instant,
}

/// Why a device may not act as a rater.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NotAs {
    /// It acts as this one.
    Bound(String),
    /// It is not paired (any more).
    Gone,
}

impl Devices {
    /// Devices one pairing holds.
    pub const MOST: usize = 32;

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new device described by `label`: its number and credential (`token`, 128 random
    /// bits), or `None` when the pairing holds as many as it may.
    pub fn add(&self, label: &str, token: String) -> Option<u32> {
        let mut state = self.state();
        if state.list.len() >= Self::MOST {
            return None;
        }
        state.next += 1;
        let id = state.next;
        let label: String = label
            .chars()
            .filter(|c| !c.is_control())
            .take(120)
            .collect();
        state.list.push(Device {
            id,
            token,
            label,
            rater: None,
            paired: Instant::now(),
        });
        Some(id)
    }

    /// The device holding `token`, compared in time that does not depend on where they differ.
    pub fn find(&self, token: &str) -> Option<u32> {
        let state = self.state();
        let mut found = None;
        for device in &state.list {
            if crate::pairing::equal(device.token.as_bytes(), token.as_bytes()) {
                found = Some(device.id);
            }
        }
        found
    }

    /// Whether device `id` is paired.
    pub fn contains(&self, id: u32) -> bool {
        self.state().list.iter().any(|d| d.id == id)
    }

    /// The rater device `id` acts as, once it chose one.
    pub fn rater(&self, id: u32) -> Option<String> {
        self.state()
            .list
            .iter()
            .find(|d| d.id == id)
            .and_then(|d| d.rater.clone())
    }

    /// Device `id` acts as `rater`: once it chose one, another is refused; `choose` makes
    /// `rater` its choice when it has none yet (a judgement does, a reservation does not).
    pub fn act_as(&self, id: u32, rater: &str, choose: bool) -> Result<(), NotAs> {
        let mut state = self.state();
        let device = state
            .list
            .iter_mut()
            .find(|d| d.id == id)
            .ok_or(NotAs::Gone)?;
        match &device.rater {
            None => {
                if choose {
                    device.rater = Some(rater.to_owned());
                }
                Ok(())
            }
            Some(bound) if bound == rater => Ok(()),
            Some(bound) => Err(NotAs::Bound(bound.clone())),
        }
    }

    /// Unpairs device `id`; whether it was paired.
    pub fn remove(&self, id: u32) -> bool {
        let mut state = self.state();
        let before = state.list.len();
        state.list.retain(|d| d.id != id);
        state.list.len() < before
    }

    /// The devices as the Share panel lists them, first paired first.
    pub fn list(&self) -> Vec<PairedDevice> {
        self.state()
            .list
            .iter()
            .map(|d| PairedDevice {
                id: d.id,
                label: d.label.clone(),
                rater: d.rater.clone(),
                paired_s_ago: d.paired.elapsed().as_secs().min(u64::from(u32::MAX)) as u32,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_device_keeps_its_first_rater_until_it_is_unpaired() {
        let devices = Devices::default();
        let a = devices.add("tablet\u{7}", "a".repeat(32)).unwrap();
        let b = devices.add("phone", "b".repeat(32)).unwrap();
        assert_ne!(a, b);
        assert_eq!(devices.find(&"b".repeat(32)), Some(b));
        assert_eq!(devices.find(&"c".repeat(32)), None);
        assert_eq!(devices.act_as(a, "ana", true), Ok(()));
        assert_eq!(devices.act_as(a, "ana", true), Ok(()));
        assert_eq!(
            devices.act_as(a, "ben", true),
            Err(NotAs::Bound("ana".into()))
        );
        assert_eq!(devices.act_as(b, "ben", true), Ok(()));
        assert_eq!(devices.list()[0].label, "tablet");
        assert!(devices.remove(a));
        assert!(!devices.contains(a));
        assert_eq!(devices.find(&"a".repeat(32)), None);
        assert_eq!(devices.act_as(a, "ana", true), Err(NotAs::Gone));
        for k in 0..Devices::MOST - 1 {
            assert!(devices.add("x", format!("{k:032}")).is_some());
        }
        assert!(devices.add("one too many", "d".repeat(32)).is_none());
    }
}
