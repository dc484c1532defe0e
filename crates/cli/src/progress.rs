//! Progress display: one spinner per stage or phase on stderr (indicatif), a line per contact
//! increment, and the final phase table. The one [`Observer`] of every command.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use osteon_assembly::{Event, Observer, Phase};

/// Shows a spinner while each phase runs and a line with its time when it ends.
pub struct Spinners {
    quiet: bool,
    bar: Option<ProgressBar>,
    /// The workflow stage shown until the next one (label, start).
    stage: Option<(String, Instant)>,
}

impl Spinners {
    /// `quiet`: show nothing.
    pub fn new(quiet: bool) -> Self {
        Self {
            quiet,
            bar: None,
            stage: None,
        }
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

    /// Print a line above the spinner.
    pub fn line(&mut self, text: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{text}")),
            None => eprintln!("{text}"),
        }
    }

    /// End the current workflow stage, printing its duration (or, for a stage that ended at
    /// once, its label alone: a message such as mesh counts or a reused result).
    fn end_stage(&mut self) {
        if let Some((label, t)) = self.stage.take() {
            let seconds = t.elapsed().as_secs_f64();
            if seconds < 1e-3 {
                self.finish_untimed(&label);
            } else {
                self.finish(&label, seconds);
            }
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
    fn notify(&mut self, event: &Event<'_>) {
        match *event {
            Event::Stage(what) => {
                self.end_stage();
                self.start(what);
                self.stage = Some((what.to_string(), Instant::now()));
            }
            Event::Started { phase, detail } => self.start(&phase_label(phase, detail)),
            Event::Finished {
                phase,
                detail,
                seconds,
            } => self.finish(&phase_label(phase, detail), seconds),
            Event::Increment(log) => self.line(&log.to_string()),
            Event::Cutback {
                step,
                increment,
                fraction,
                reason,
            } => self.line(&format!(
                "step {step} increment {increment} [{:.4} → {:.4}] cut back: {reason}",
                fraction.0, fraction.1
            )),
            Event::Done { seconds } => {
                self.end_stage();
                self.line(&format!("done in {seconds:.1} s"));
            }
        }
    }
}

/// "factorise" or "solve [stance]".
fn phase_label(phase: Phase, detail: &str) -> String {
    if detail.is_empty() {
        phase.name().to_string()
    } else {
        format!("{} [{detail}]", phase.name())
    }
}
