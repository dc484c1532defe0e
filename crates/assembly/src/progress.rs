//! Progress of long work, one mechanism for every layer: the linear solver's phases, the
//! contact solver's increments and a study's stages all arrive at one [`Observer`] as
//! [`Event`]s. Libraries never print; the CLI turns events into spinners or log lines, a
//! test ignores them ([`Silent`]).

use std::time::Instant;

use crate::contact::IncrementLog;

/// A phase of an analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// DOF map, rigid-body check, pattern, colouring (contact: and the pairing).
    Setup,
    /// Stiffness assembly.
    Assemble,
    /// Fill-reducing ordering and symbolic factorisation.
    Analyse,
    /// Numeric factorisation.
    Factorise,
    /// Loads and solve of one load case.
    Solve,
    /// Strain/stress recovery of one load case.
    Recover,
}

impl Phase {
    /// Lower-case name ("setup", "assemble", ...).
    pub fn name(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Assemble => "assemble",
            Phase::Analyse => "analyse",
            Phase::Factorise => "factorise",
            Phase::Solve => "solve",
            Phase::Recover => "recover",
        }
    }
}

/// Something that happened during a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event<'a> {
    /// A stage of a workflow begins (a study: "building the mesh", "solving the intact
    /// model"); it lasts until the next stage or [`Event::Done`].
    Stage(&'a str),
    /// A solver phase starts; `detail` names the load case (or the model being solved)
    /// where there is one.
    Started {
        /// The phase.
        phase: Phase,
        /// Load case or model, or empty.
        detail: &'a str,
    },
    /// The phase that started last has ended (successfully or not: an error follows).
    Finished {
        /// The phase.
        phase: Phase,
        /// As in [`Event::Started`].
        detail: &'a str,
        /// Wall-clock seconds it took.
        seconds: f64,
    },
    /// A load increment of a contact step converged.
    Increment(&'a IncrementLog),
    /// A load increment of a contact step failed and is retried smaller.
    Cutback {
        /// Step number (1-based).
        step: usize,
        /// Increment number within the step (1-based, the attempt that failed).
        increment: usize,
        /// Step fractions the increment tried to go between.
        fraction: (f64, f64),
        /// Why it failed.
        reason: &'a str,
    },
    /// The run finished after `seconds` (wall clock).
    Done {
        /// Seconds.
        seconds: f64,
    },
}

/// Receives the [`Event`]s of a run (progress bars, logs).
pub trait Observer: Send {
    /// Something happened.
    fn notify(&mut self, event: &Event<'_>);
}

/// Run `f` as `phase` (`detail`: the load case or model, or empty): tell the observer when it
/// starts and when it ends — successfully or not — and add its seconds to `slot`.
pub fn timed<T>(
    observer: &mut dyn Observer,
    phase: Phase,
    detail: &str,
    slot: &mut f64,
    f: impl FnOnce() -> T,
) -> T {
    observer.notify(&Event::Started { phase, detail });
    let t = Instant::now();
    let out = f();
    let seconds = t.elapsed().as_secs_f64();
    *slot += seconds;
    observer.notify(&Event::Finished {
        phase,
        detail,
        seconds,
    });
    out
}

/// An observer that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Observer for Silent {
    fn notify(&mut self, _: &Event<'_>) {}
}

/// Writes one line per stage, finished phase, increment and cut-back to standard error, with
/// the seconds since it was created — for examples and scripts. (The libraries print only
/// through an observer the caller hands them, such as this one.)
#[derive(Debug)]
pub struct ConsoleLog {
    start: Instant,
}

impl Default for ConsoleLog {
    fn default() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Observer for ConsoleLog {
    fn notify(&mut self, event: &Event<'_>) {
        let t = self.start.elapsed().as_secs_f64();
        match event {
            Event::Stage(what) => eprintln!("[{t:6.1} s] {what}"),
            Event::Started { .. } => {}
            Event::Finished {
                phase,
                detail,
                seconds,
            } => {
                let detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({detail})")
                };
                eprintln!("[{t:6.1} s]   {}{detail} {seconds:.2} s", phase.name());
            }
            Event::Increment(log) => eprintln!("[{t:6.1} s]   {log}"),
            Event::Cutback {
                step,
                increment,
                fraction,
                reason,
            } => eprintln!(
                "[{t:6.1} s]   step {step} increment {increment} [{:.4} → {:.4}] cut back: {reason}",
                fraction.0, fraction.1
            ),
            Event::Done { seconds } => eprintln!("[{t:6.1} s] done in {seconds:.1} s"),
        }
    }
}

/// Passes events on to `inner` with `label` in front of every phase's detail ("implanted",
/// "implanted: stance"), for a workflow that solves several models.
pub struct Labelled<'a> {
    /// The label.
    pub label: &'a str,
    /// Where the events go.
    pub inner: &'a mut dyn Observer,
}

impl Observer for Labelled<'_> {
    fn notify(&mut self, event: &Event<'_>) {
        let with = |detail: &str| {
            if detail.is_empty() {
                self.label.to_string()
            } else {
                format!("{}: {detail}", self.label)
            }
        };
        match *event {
            Event::Started { phase, detail } => {
                let detail = with(detail);
                self.inner.notify(&Event::Started {
                    phase,
                    detail: &detail,
                });
            }
            Event::Finished {
                phase,
                detail,
                seconds,
            } => {
                let detail = with(detail);
                self.inner.notify(&Event::Finished {
                    phase,
                    detail: &detail,
                    seconds,
                });
            }
            other => self.inner.notify(&other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Record(Vec<String>);

    impl Observer for Record {
        fn notify(&mut self, event: &Event<'_>) {
            if let Event::Started { phase, detail } = event {
                self.0.push(format!("{} {detail}", phase.name()));
            }
        }
    }

    #[test]
    fn labelled_prefixes_phase_details_only() {
        let mut record = Record(Vec::new());
        let mut labelled = Labelled {
            label: "intact",
            inner: &mut record,
        };
        labelled.notify(&Event::Started {
            phase: Phase::Setup,
            detail: "",
        });
        labelled.notify(&Event::Started {
            phase: Phase::Solve,
            detail: "stance",
        });
        labelled.notify(&Event::Stage("ignored by Record"));
        assert_eq!(record.0, ["setup intact", "solve intact: stance"]);
    }
}
