//! Running long work from Python: on a worker thread without the GIL, with progress shown
//! as a tqdm bar (`tqdm.auto`: a widget in notebooks) when tqdm is installed, else as lines
//! written through Python's `sys.stderr`, or handed to a callable; and Ctrl-C.
//!
//! The libraries report progress to an [`Observer`] and cannot be cancelled from outside.
//! The observer given to them here is the hook: when Python has seen Ctrl-C, the observer's
//! next event unwinds the worker (with [`std::panic::resume_unwind`], which skips the panic
//! hook), the worker catches it, and the call raises `KeyboardInterrupt`. So a run stops at
//! the next event: the start or end of a phase (setup, assembly, factorisation, the solve
//! or stress recovery of one load case), a study stage, or a contact increment. A phase
//! that is running goes on to its end first.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use osteon::assembly::{Event, Observer};
use pyo3::prelude::*;

use crate::errors::Error;

/// How often the waiting thread looks for Ctrl-C and progress lines.
const POLL: Duration = Duration::from_millis(100);

/// Where progress goes: nowhere, a tqdm bar, `sys.stderr`, or a Python callable given one
/// line at a time.
pub enum Progress {
    /// Nothing.
    Off,
    /// A `tqdm.auto.tqdm` bar (the class, and the bar once the first message came): the
    /// stage as its description, one step per finished phase, the phase (and its time) as
    /// its postfix. Closed when the run ends.
    Tqdm {
        /// `tqdm.auto.tqdm`.
        class: Py<PyAny>,
        /// The bar of this run.
        bar: RefCell<Option<Py<PyAny>>>,
    },
    /// One line per stage and phase on `sys.stderr` (`progress=True` without tqdm).
    Stderr,
    /// Each line to this callable.
    Callback(Py<PyAny>),
}

/// What a progress message is: tqdm shows them differently, the lines all alike.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A stage of a study (the bar's description).
    Stage,
    /// A phase that ended (one step of the bar).
    Phase,
    /// A contact increment, a cutback, the end of the run.
    Note,
}

impl Progress {
    /// From the `progress` argument: a bool or a callable. `True` (or no argument when
    /// `default`) gives a tqdm bar when `tqdm.auto` can be imported, else lines on stderr.
    pub fn from_arg(
        py: Python<'_>,
        arg: Option<&Bound<'_, PyAny>>,
        default: bool,
    ) -> PyResult<Self> {
        let on = match arg {
            None => default,
            Some(arg) if arg.is_none() => false,
            Some(arg) if arg.is_callable() => return Ok(Self::Callback(arg.clone().unbind())),
            Some(arg) => arg.extract::<bool>().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "progress: expected True, False or a callable taking one str, got {}",
                    arg.get_type()
                        .name()
                        .map_or_else(|_| "?".to_string(), |n| n.to_string())
                ))
            })?,
        };
        if !on {
            return Ok(Self::Off);
        }
        match py.import("tqdm.auto") {
            Ok(module) => Ok(Self::Tqdm {
                class: module.getattr("tqdm")?.unbind(),
                bar: RefCell::new(None),
            }),
            // tqdm is optional: without it, the lines on stderr
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyImportError>(py) => Ok(Self::Stderr),
            Err(e) => Err(e),
        }
    }

    fn emit(&self, py: Python<'_>, kind: Kind, text: &str, line: &str) -> PyResult<()> {
        match self {
            Self::Off => Ok(()),
            Self::Tqdm { class, bar } => {
                let mut slot = bar.borrow_mut();
                let bar = match &*slot {
                    Some(bar) => bar.bind(py).clone(),
                    None => {
                        let kwargs = pyo3::types::PyDict::new(py);
                        kwargs.set_item("desc", "osteon")?;
                        kwargs.set_item("unit", "phase")?;
                        let bar = class.bind(py).call((), Some(&kwargs))?;
                        *slot = Some(bar.clone().unbind());
                        bar
                    }
                };
                match kind {
                    Kind::Stage => {
                        bar.call_method1("set_description_str", (text,))?;
                    }
                    Kind::Phase => {
                        bar.call_method1("set_postfix_str", (text.trim(),))?;
                        bar.call_method1("update", (1,))?;
                    }
                    Kind::Note => {
                        bar.call_method1("set_postfix_str", (text.trim(),))?;
                    }
                }
                Ok(())
            }
            Self::Stderr => {
                let stderr = py.import("sys")?.getattr("stderr")?;
                stderr.call_method1("write", (format!("{line}\n"),))?;
                stderr.call_method0("flush")?;
                Ok(())
            }
            Self::Callback(f) => f.call1(py, (line,)).map(|_| ()),
        }
    }

    /// Close the tqdm bar (nothing for the others).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        if let Self::Tqdm { bar, .. } = self
            && let Some(bar) = bar.borrow_mut().take()
        {
            bar.bind(py).call_method0("close")?;
        }
        Ok(())
    }
}

/// A progress message: its kind, its text, and the text as a line with the elapsed time.
type Message = (Kind, String, String);

/// The payload the observer unwinds the worker with when the run is interrupted.
struct Interrupt;

/// The observer handed to the libraries: formats events as lines for the waiting thread and
/// unwinds the worker once the run is interrupted.
struct Relay {
    lines: Option<Sender<Message>>,
    interrupted: Arc<AtomicBool>,
    start: Instant,
}

impl Relay {
    /// Send `text` (as it is, for the tqdm bar) with its line (`text` after the elapsed
    /// time, for stderr and callables).
    fn send(&self, kind: Kind, text: String) {
        if let Some(tx) = &self.lines {
            let t = self.start.elapsed().as_secs_f64();
            let line = format!("[{t:7.1} s] {text}");
            // the receiver lives until the worker has ended: a failed send cannot happen
            let _ = tx.send((kind, text, line));
        }
    }
}

impl Observer for Relay {
    fn notify(&mut self, event: &Event<'_>) {
        if self.interrupted.load(Ordering::Relaxed) {
            resume_unwind(Box::new(Interrupt));
        }
        if self.lines.is_none() {
            return;
        }
        match event {
            Event::Stage(what) => self.send(Kind::Stage, (*what).to_string()),
            Event::Started { .. } => {}
            Event::Finished {
                phase,
                detail,
                seconds,
            } => {
                let detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!(" [{detail}]")
                };
                self.send(
                    Kind::Phase,
                    format!("  {}{detail} {seconds:.3} s", phase.name()),
                );
            }
            Event::Increment(log) => self.send(Kind::Note, format!("  {log}")),
            Event::Cutback {
                step,
                increment,
                fraction,
                reason,
            } => self.send(
                Kind::Note,
                format!(
                    "  step {step} increment {increment} [{:.4} → {:.4}] cut back: {reason}",
                    fraction.0, fraction.1
                ),
            ),
            Event::Done { seconds } => {
                self.send(Kind::Note, format!("done in {seconds:.1} s"));
            }
        }
    }
}

/// Run `job` on a worker thread (inside a rayon pool of `threads` threads when given, else
/// on rayon's global pool) while this thread, without the GIL except for short moments,
/// writes the progress lines and checks for Ctrl-C. Ctrl-C sets the flag that makes the
/// observer stop the worker at its next event; the call then waits for the worker and
/// raises `KeyboardInterrupt`. A panic in the libraries becomes a `RuntimeError`.
pub fn run_observed<T, F>(
    py: Python<'_>,
    progress: &Progress,
    threads: Option<usize>,
    job: F,
) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&mut dyn Observer) -> Result<T, Error> + Send,
{
    let pool = match threads {
        Some(0) => {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "threads: expected a positive number of threads (or None for every core)",
            ));
        }
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .thread_name(|i| format!("osteon-{i}"))
                .build()
                .map_err(|e| {
                    pyo3::exceptions::PyRuntimeError::new_err(format!(
                        "cannot start {n} worker threads: {e}"
                    ))
                })?,
        ),
        None => None,
    };
    let interrupted = Arc::new(AtomicBool::new(false));
    let (tx, rx): (Sender<Message>, Receiver<Message>) = channel();
    let mut relay = Relay {
        lines: (!matches!(progress, Progress::Off)).then_some(tx),
        interrupted: Arc::clone(&interrupted),
        start: Instant::now(),
    };
    // set by the worker when it ends; the waiting thread sleeps on it between polls
    let done = Arc::new((Mutex::new(false), Condvar::new()));
    let done_worker = Arc::clone(&done);
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(|| match &pool {
                Some(pool) => pool.install(|| job(&mut relay)),
                None => job(&mut relay),
            }));
            drop(relay);
            let (flag, signal) = &*done_worker;
            if let Ok(mut finished) = flag.lock() {
                *finished = true;
            }
            signal.notify_all();
            match outcome {
                Ok(result) => result,
                Err(payload) if payload.is::<Interrupt>() => Err(Error::Interrupted),
                Err(payload) => Err(Error::Internal(panic_text(payload.as_ref()))),
            }
        });
        let mut callback_error: Option<PyErr> = None;
        let mut signal_error: Option<PyErr> = None;
        loop {
            let finished = py.detach(|| {
                let (flag, signal) = &*done;
                match flag.lock() {
                    Ok(guard) => signal
                        .wait_timeout_while(guard, POLL, |finished| !*finished)
                        .map_or(true, |(finished, _)| *finished),
                    // a poisoned lock: the worker panicked while holding it, so it has ended
                    Err(_) => true,
                }
            });
            for (kind, text, line) in rx.try_iter() {
                if callback_error.is_none()
                    && let Err(e) = progress.emit(py, kind, &text, &line)
                {
                    // a failing progress callback stops the run like Ctrl-C, then re-raises
                    callback_error = Some(e);
                    interrupted.store(true, Ordering::Relaxed);
                }
            }
            // signals first, also in the last round: a Ctrl-C raised while the last events
            // were handed over must not be lost because the work ended in the same round
            if signal_error.is_none()
                && let Err(e) = py.check_signals()
            {
                signal_error = Some(e);
                interrupted.store(true, Ordering::Relaxed);
            }
            if finished {
                break;
            }
        }
        let result = py.detach(|| worker.join());
        if callback_error.is_none()
            && let Err(e) = progress.close(py)
        {
            callback_error = Some(e);
        }
        let result = match result {
            Ok(r) => r,
            Err(payload) => Err(Error::Internal(panic_text(payload.as_ref()))),
        };
        // Ctrl-C is honoured even when the work ended before it could stop,
        if let Some(e) = signal_error {
            return Err(e);
        }
        // so is an exception raised by the progress callback
        if let Some(e) = callback_error {
            return Err(e);
        }
        result.map_err(PyErr::from)
    })
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}
