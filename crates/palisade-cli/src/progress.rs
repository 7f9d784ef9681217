//! A progress bar on stderr for layer walks; hidden when stderr is not a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use palisade_catalog::ScanProgress;
use palisade_image::PullProgress;

pub struct LayerProgress {
    bar: ProgressBar,
}

impl LayerProgress {
    pub fn new() -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} layer {pos}/{len} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Self { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl ScanProgress for LayerProgress {
    fn layer_started(&self, index: usize, count: usize, diff_id: &str, bytes: u64) {
        self.bar.set_length(count as u64);
        self.bar.set_position(index as u64);
        let short = diff_id.strip_prefix("sha256:").unwrap_or(diff_id);
        self.bar.set_message(format!(
            "{} ({})",
            short.get(..12).unwrap_or(short),
            indicatif::HumanBytes(bytes)
        ));
    }

    fn layer_finished(&self, index: usize, _cached: bool) {
        self.bar.set_position(index as u64 + 1);
    }
}

/// A byte progress bar for registry pulls.
pub struct DownloadProgress {
    bar: ProgressBar,
}

impl DownloadProgress {
    pub fn new() -> Self {
        let bar = ProgressBar::hidden();
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} pulling {bytes}/{total_bytes} {bytes_per_sec} [{elapsed}] {wide_bar}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Self { bar }
    }
}

impl PullProgress for DownloadProgress {
    fn start(&self, total: u64) {
        if total > 0 {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        self.bar.set_length(total);
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
