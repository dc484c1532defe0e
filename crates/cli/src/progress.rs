//! Progress display: one spinner per phase on stderr (indicatif), and the final phase table.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use osteon_assembly::{Observer, Phase};

/// Shows a spinner while each phase runs and a line with its time when it ends.
pub struct Spinners {
    quiet: bool,
    bar: Option<ProgressBar>,
}

impl Spinners {
    /// `quiet`: show nothing.
    pub fn new(quiet: bool) -> Self {
        Self { quiet, bar: None }
    }

    /// Whether nothing is shown.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Start a phase that is not part of the solver pipeline (read, write).
    pub fn start(&mut self, label: &str) {
        if self.quiet {
            return;
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        self.bar = Some(bar);
    }

    /// End the running phase and print `label` alone: a stage that was a message, not work.
    pub fn finish_untimed(&mut self, label: &str) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if !self.quiet {
            eprintln!("  {label}");
        }
    }

    /// End the running phase, printing its duration.
    pub fn finish(&mut self, label: &str, seconds: f64) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if !self.quiet {
            eprintln!("  {label:<40} {seconds:>9.3} s");
        }
    }
}

impl Observer for Spinners {
    fn started(&mut self, phase: Phase, detail: &str) {
        let label = if detail.is_empty() {
            phase.name().to_string()
        } else {
            format!("{} [{detail}]", phase.name())
        };
        self.start(&label);
    }

    fn finished(&mut self, phase: Phase, seconds: f64) {
        self.finish(phase.name(), seconds);
    }
}
