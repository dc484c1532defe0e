//! Resident memory of this process, for run summaries and benchmarks.
//!
//! **Linux only.** The kernel publishes the resident set size (`VmRSS`) and its high-water
//! mark (`VmHWM`) in `/proc/self/status`, and resets the mark to the current resident size
//! when `5` is written to `/proc/self/clear_refs` (Linux ≥ 4.0), so the peak of one phase
//! (a numeric factorisation, say) can be measured on its own:
//!
//! ```no_run
//! use osteon_solver::memory::{peak_resident_bytes, reset_peak};
//!
//! reset_peak()?;
//! // ... the phase to measure ...
//! if let Some(peak) = peak_resident_bytes() {
//!     println!("phase peak: {:.3} GiB", peak as f64 / (1u64 << 30) as f64);
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! On other systems the readings are `None` and [`reset_peak`] returns the error of the
//! missing file.

/// The status file the readings come from.
const STATUS: &str = "/proc/self/status";

/// Peak resident set size of this process (bytes; `VmHWM` of `/proc/self/status`), since
/// the start or the last [`reset_peak`]. `None` where the file cannot be read or has no such
/// line (not Linux).
pub fn peak_resident_bytes() -> Option<u64> {
    status_bytes("VmHWM")
}

/// Current resident set size of this process (bytes; `VmRSS` of `/proc/self/status`).
/// `None` where the file cannot be read or has no such line (not Linux).
pub fn resident_bytes() -> Option<u64> {
    status_bytes("VmRSS")
}

/// Reset the peak resident set size ([`peak_resident_bytes`]) to the current resident size,
/// so that the next reading is the peak of what follows (writes `5` to
/// `/proc/self/clear_refs`).
///
/// # Errors
/// The operating-system error of that write: the file does not exist before Linux 4.0 or
/// on other systems, and may be read-only in a restricted container.
pub fn reset_peak() -> std::io::Result<()> {
    std::fs::write("/proc/self/clear_refs", "5")
}

/// The `field` line of `/proc/self/status`, in bytes.
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(STATUS).ok()?;
    parse_status_field(&status, field)
}

/// The value of `field` (`VmHWM`, `VmRSS`, ...) in the text of a `/proc/<pid>/status` file,
/// in bytes (the kernel writes `kB`, meaning KiB). `None` if the line is missing or
/// unreadable.
fn parse_status_field(status: &str, field: &str) -> Option<u64> {
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?;
    let mut parts = line.split_whitespace();
    let value: u64 = parts.next()?.parse().ok()?;
    let factor = match parts.next().unwrap_or("kB") {
        "kB" | "KB" | "kb" => 1024,
        "mB" | "MB" => 1024 * 1024,
        "B" => 1,
        _ => return None,
    };
    value.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_hwm_is_parsed_in_bytes() {
        let status = "Name:\tosteon\nVmPeak:\t  200 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(parse_status_field(status, "VmHWM"), Some(1234 * 1024));
        assert_eq!(parse_status_field(status, "VmRSS"), Some(1000 * 1024));
        assert_eq!(parse_status_field("Name: x\n", "VmHWM"), None);
        assert_eq!(parse_status_field("VmHWM: lots kB\n", "VmHWM"), None);
        // a field whose name starts with another's is not taken for it
        assert_eq!(parse_status_field("VmRSSx:\t 7 kB\n", "VmRSS"), None);
        if cfg!(target_os = "linux") {
            assert!(peak_resident_bytes().is_some_and(|b| b > 0));
            assert!(resident_bytes().is_some_and(|b| b > 0));
        }
    }

    #[test]
    fn the_peak_is_at_least_the_resident_size_after_a_reset() {
        if !cfg!(target_os = "linux") || reset_peak().is_err() {
            return; // not Linux, or clear_refs is not writable here
        }
        // the resident size first: the peak read after it covers it (the kernel's per-thread
        // counters may lag by a few pages, hence the slack)
        let now = resident_bytes().expect("VmRSS on Linux");
        let peak = peak_resident_bytes().expect("VmHWM on Linux");
        assert!(peak + (1 << 20) >= now, "peak {peak} < resident {now}");
    }
}
