//! The command line's event sink: the app's progress events drawn as progress bars on standard
//! error (hidden when it is not a terminal). Background problems are printed by core itself.

use image_scorer_core::app::EventSink;
use image_scorer_protocol::AppEvent;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::sync::Mutex;

/// The bars, made when their work first reports.
pub struct Bars {
    all: MultiProgress,
    scan: Mutex<Option<ProgressBar>>,
    embed: Mutex<Option<ProgressBar>>,
    duplicates: Mutex<Option<ProgressBar>>,
}

fn style(what: &str) -> ProgressStyle {
    styled(&format!(
        "{what:>9} [{{bar:40}}] {{pos}}/{{len}} {{msg}} ({{eta}} left)"
    ))
}

fn styled(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Bars {
    /// No bars yet.
    pub fn new() -> Self {
        Self {
            all: MultiProgress::new(),
            scan: Mutex::new(None),
            embed: Mutex::new(None),
            duplicates: Mutex::new(None),
        }
    }

    /// A bar for a pack's copy or download, in bytes.
    pub fn install_bar(&self) -> ProgressBar {
        let style = ProgressStyle::with_template(
            "installing [{bar:40}] {bytes}/{total_bytes} {binary_bytes_per_sec} ({eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        self.all.add(ProgressBar::new(0).with_style(style))
    }

    /// A bar for an import's judgements.
    pub fn import_bar(&self) -> ProgressBar {
        self.all
            .add(ProgressBar::new(0).with_style(style("importing")))
    }

    /// Clears the bars (the summary lines follow on standard output).
    pub fn finish(&self) {
        for bar in [&self.scan, &self.embed, &self.duplicates] {
            if let Some(bar) = bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
                bar.finish_and_clear();
            }
        }
    }

    fn bar(
        &self,
        slot: &Mutex<Option<ProgressBar>>,
        style: impl FnOnce() -> ProgressStyle,
    ) -> ProgressBar {
        slot.lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(|| self.all.add(ProgressBar::new(0).with_style(style())))
            .clone()
    }
}

impl EventSink for Bars {
    fn emit(&self, event: AppEvent) {
        match event {
            AppEvent::ScanProgress(s) => {
                let bar = self.bar(&self.scan, || style("reading"));
                bar.set_length(u64::from(s.to_hash));
                bar.set_position(u64::from(s.hashed));
                bar.set_message(format!("({} image files found)", s.found));
            }
            AppEvent::PredictorChanged(p) if p.progress.total > 0 => {
                let bar = self.bar(&self.embed, || style("embedding"));
                bar.set_length(u64::from(p.progress.total));
                bar.set_position(u64::from(p.progress.done));
                bar.set_message(p.active.unwrap_or_default());
            }
            AppEvent::DuplicatesSearch(d) => {
                let bar = self.bar(&self.duplicates, || {
                    styled("comparing [{bar:40}] {pos:>3} % {msg} ({eta} left)")
                });
                bar.set_length(100);
                bar.set_position((f64::from(d.done) * 100.0).floor() as u64);
                bar.set_message(format!("of the pairs of {} new images", d.images));
            }
            _ => {}
        }
    }
}
