//! The app's events for the browsers on the network: one broadcast, read by each event stream.

use image_scorer_core::app::EventSink;
use image_scorer_protocol::AppEvent;
use tokio::sync::broadcast;

/// How many events a slow stream may fall behind before it skips some.
const BACKLOG: usize = 256;

/// Every event of the app, for the event streams of [`crate::Server`]. A door's sink sends each
/// event here as well as to its own window; with no stream open, an event costs a clone.
#[derive(Clone)]
pub struct EventHub(broadcast::Sender<AppEvent>);

impl Default for EventHub {
    fn default() -> Self {
        Self(broadcast::channel(BACKLOG).0)
    }
}

impl EventHub {
    /// Sends `event` to every open stream.
    pub fn send(&self, event: AppEvent) {
        // No stream open: nothing to do.
        let _ = self.0.send(event);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<AppEvent> {
        self.0.subscribe()
    }
}

impl EventSink for EventHub {
    fn emit(&self, event: AppEvent) {
        self.send(event);
    }
}
