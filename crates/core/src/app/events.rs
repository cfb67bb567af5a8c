//! How the app's services report: every event goes to an [`EventSink`], which a door
//! implements (the Tauri shell over its `AppHandle`, a test over a channel).

use image_scorer_protocol::{AppError, AppEvent};

/// Where the app's events go. Called from any thread, often from background work; it must not
/// block for long.
pub trait EventSink: Send + Sync + 'static {
    /// Delivers one event.
    fn emit(&self, event: AppEvent);
}

/// Drops every event (a command-line run that reports by other means).
#[derive(Debug, Default, Clone, Copy)]
pub struct NullSink;

impl EventSink for NullSink {
    fn emit(&self, _event: AppEvent) {}
}

/// Delivers every event to each of several sinks: a door's own, and the network server's
/// browsers.
pub struct FanOut(pub Vec<std::sync::Arc<dyn EventSink>>);

impl EventSink for FanOut {
    fn emit(&self, event: AppEvent) {
        for sink in &self.0 {
            sink.emit(event.clone());
        }
    }
}

/// Sends every event into a channel (tests observe the app with it).
#[derive(Debug)]
pub struct ChannelSink(tokio::sync::mpsc::UnboundedSender<AppEvent>);

impl ChannelSink {
    /// A sink and the receiving end of its channel.
    pub fn new() -> (Self, tokio::sync::mpsc::UnboundedReceiver<AppEvent>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        (Self(tx), rx)
    }
}

impl EventSink for ChannelSink {
    fn emit(&self, event: AppEvent) {
        let _ = self.0.send(event);
    }
}

/// Reports a failure in background work: to standard error, and to the user through `sink`.
pub fn report(sink: &dyn EventSink, error: AppError) {
    eprintln!("image-scorer: {error}");
    sink.emit(AppEvent::BackgroundError(error));
}
