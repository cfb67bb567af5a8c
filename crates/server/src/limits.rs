//! What a stranger can make the door hold: open connections (in all, per address, and a share
//! kept for the addresses of devices let in), event streams (per device and in all), and how
//! long a connection may take to say what it wants. Beyond a cap a device gets a clear refusal
//! and the app keeps its file descriptors for its database, images and watcher.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The door's caps.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Open connections in all.
    pub connections: usize,
    /// Of those, how many addresses that no device was let in from lately may hold: the rest
    /// stays for the devices in use.
    pub stranger_connections: usize,
    /// Open connections from one address that no device was let in from lately.
    pub per_stranger: usize,
    /// Open connections from one address a device was let in from (a house behind one router
    /// may hold several devices).
    pub per_device_address: usize,
    /// Open event streams in all.
    pub streams: usize,
    /// Open event streams of one device (on a desktop, of one pairing).
    pub streams_per_device: usize,
    /// How long a connection may take to send a request's head, from when it is opened or its
    /// last answer was sent (a connection that sends nothing is closed after it too).
    pub head_time: Duration,
    /// How long a request may take from its head to its answer (its body included); event
    /// streams excepted.
    pub request_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self::sized(512, 128, 64)
    }
}

impl Limits {
    /// The caps for `connections` in all (at least one), of which addresses no device was let
    /// in from lately may hold three quarters, `per_device_address` from one address devices
    /// come from (at most all of them), and `streams` event streams; the rest as by default.
    pub fn sized(connections: usize, per_device_address: usize, streams: usize) -> Self {
        let connections = connections.max(1);
        let strangers = connections * 3 / 4;
        Self {
            connections,
            stranger_connections: strangers,
            per_stranger: strangers.clamp(1, 32),
            per_device_address: per_device_address.clamp(1, connections),
            streams: streams.max(1),
            streams_per_device: 16,
            head_time: Duration::from_secs(10),
            request_time: Duration::from_secs(30),
        }
    }
}

/// How long an address counts as a device's after its last request let in.
const DEVICE_ADDRESS_FOR: Duration = Duration::from_secs(3600);

/// The open connections, counted by address; see [`Limits`].
pub(crate) struct Admission {
    limits: Limits,
    state: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    open: usize,
    strangers: usize,
    by_address: HashMap<IpAddr, usize>,
    /// Addresses a device was let in from, and when last.
    devices: HashMap<IpAddr, Instant>,
}

/// One admitted connection; its place is given back when it is dropped.
pub(crate) struct Admitted {
    admission: Arc<Admission>,
    peer: IpAddr,
    stranger: bool,
}

impl Admission {
    pub fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            state: Mutex::default(),
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A place for a new connection from `peer`, or `None` when a cap is reached.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<Admitted> {
        let mut counts = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let device = counts
            .devices
            .get(&peer)
            .is_some_and(|t| t.elapsed() < DEVICE_ADDRESS_FOR);
        let from_peer = counts.by_address.get(&peer).copied().unwrap_or(0);
        let l = &self.limits;
        let full = counts.open >= l.connections
            || if device {
                from_peer >= l.per_device_address
            } else {
                from_peer >= l.per_stranger || counts.strangers >= l.stranger_connections
            };
        if full {
            return None;
        }
        counts.open += 1;
        counts.strangers += usize::from(!device);
        *counts.by_address.entry(peer).or_default() += 1;
        Some(Admitted {
            admission: self.clone(),
            peer,
            stranger: !device,
        })
    }

    /// `peer` holds a device let in: its connections count as a device's from now on.
    pub fn let_in(&self, peer: IpAddr) {
        let mut counts = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if counts.devices.len() >= 10_000 {
            counts
                .devices
                .retain(|_, t| t.elapsed() < DEVICE_ADDRESS_FOR);
        }
        counts.devices.insert(peer, Instant::now());
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).open
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut counts = self
            .admission
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        counts.open -= 1;
        counts.strangers -= usize::from(self.stranger);
        if let Some(n) = counts.by_address.get_mut(&self.peer) {
            *n -= 1;
            if *n == 0 {
                counts.by_address.remove(&self.peer);
            }
        }
    }
}

/// Event streams open, in all and by device; see [`Limits`].
#[derive(Default)]
pub(crate) struct Streams {
    by_device: Mutex<HashMap<String, usize>>,
}

/// One open event stream; its place is given back when it is dropped.
pub(crate) struct StreamPlace {
    streams: Arc<Streams>,
    device: String,
}

impl Streams {
    /// A place for one more stream of `device`, or why not.
    pub fn open(
        self: &Arc<Self>,
        device: &str,
        limits: &Limits,
    ) -> Result<StreamPlace, &'static str> {
        let mut by_device = self.by_device.lock().unwrap_or_else(|e| e.into_inner());
        let all: usize = by_device.values().sum();
        if all >= limits.streams {
            return Err("The app is sending its events to too many devices: try again later.");
        }
        let mine = by_device.entry(device.to_owned()).or_default();
        if *mine >= limits.streams_per_device {
            return Err("This device already follows the app's events in too many pages.");
        }
        *mine += 1;
        Ok(StreamPlace {
            streams: self.clone(),
            device: device.to_owned(),
        })
    }

    /// Streams open now.
    pub fn count(&self) -> usize {
        let by_device = self.by_device.lock().unwrap_or_else(|e| e.into_inner());
        by_device.values().sum()
    }
}

impl Drop for StreamPlace {
    fn drop(&mut self) {
        let mut by_device = self
            .streams
            .by_device
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = by_device.get_mut(&self.device) {
            *n -= 1;
            if *n == 0 {
                by_device.remove(&self.device);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Limits {
        Limits {
            connections: 6,
            stranger_connections: 4,
            per_stranger: 3,
            per_device_address: 5,
            streams: 3,
            streams_per_device: 2,
            ..Limits::default()
        }
    }

    #[test]
    fn strangers_leave_room_for_devices_and_places_come_back() {
        let admission = Admission::new(small());
        let device: IpAddr = "10.0.0.2".parse().unwrap();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.7".parse().unwrap(), "10.0.0.8".parse().unwrap());
        admission.let_in(device);
        let mut held: Vec<Admitted> = (0..3).filter_map(|_| admission.admit(a)).collect();
        assert_eq!(held.len(), 3);
        assert!(admission.admit(a).is_none(), "per stranger");
        held.push(admission.admit(b).unwrap());
        assert!(admission.admit(b).is_none(), "strangers in all");
        held.push(admission.admit(device).unwrap());
        held.push(admission.admit(device).unwrap());
        assert!(admission.admit(device).is_none(), "in all");
        assert_eq!(admission.open(), 6);
        held.truncate(2);
        assert_eq!(admission.open(), 2);
        assert!(admission.admit(b).is_some());
    }

    #[test]
    fn streams_are_capped_per_device_and_in_all() {
        let streams = Arc::new(Streams::default());
        let limits = small();
        let one = streams.open("ana", &limits).unwrap();
        let _two = streams.open("ana", &limits).unwrap();
        assert!(streams.open("ana", &limits).is_err());
        let _three = streams.open("ben", &limits).unwrap();
        assert!(streams.open("cy", &limits).is_err());
        drop(one);
        let _cy = streams.open("cy", &limits).unwrap();
        assert_eq!(streams.count(), 3);
    }
}
