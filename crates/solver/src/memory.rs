//! Resident memory of this process, for run summaries and benchmarks, and the memory a
//! factorisation may plan for ([`available_bytes`]).
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

/// Environment variable that caps the memory a factorisation may plan for: a number of
/// bytes with an optional suffix K, M, G or T (powers of 1024), e.g. `OSTEON_MEMORY_LIMIT=8G`.
/// It overrides the detected limit ([`available_bytes`]) in both directions — for a batch
/// job whose allowance is below what the machine has free, or for a test.
pub const MEMORY_LIMIT_VARIABLE: &str = "OSTEON_MEMORY_LIMIT";

/// Where a memory limit comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitSource {
    /// [`MEMORY_LIMIT_VARIABLE`].
    Environment,
    /// `MemAvailable` of `/proc/meminfo`, or the control group's `memory.max` less its
    /// `memory.current` when that is smaller.
    System,
    /// Set by the caller (`CholeskySolver::with_memory_limit`).
    Caller,
}

impl std::fmt::Display for LimitSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LimitSource::Environment => "OSTEON_MEMORY_LIMIT",
            LimitSource::System => "free memory of this machine: MemAvailable or the cgroup limit",
            LimitSource::Caller => "the limit set by the caller",
        })
    }
}

/// The memory (bytes) a new allocation may use, and where that number comes from:
/// [`MEMORY_LIMIT_VARIABLE`] when set, else what the system reports free (`MemAvailable`,
/// capped by a cgroup v2 limit: `memory.max − memory.current`). `None` where neither is
/// known (not Linux, no variable).
///
/// # Errors
/// A message when the variable is set but is not a size.
pub fn available_bytes() -> Result<Option<(u64, LimitSource)>, String> {
    if let Ok(text) = std::env::var(MEMORY_LIMIT_VARIABLE) {
        return parse_size(&text)
            .map(|b| Some((b, LimitSource::Environment)))
            .ok_or_else(|| {
                format!("{MEMORY_LIMIT_VARIABLE}={text} is not a size (e.g. 8G, 512M, 1000000)")
            });
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| parse_status_field(&m, "MemAvailable"));
    let cgroup = (|| {
        let max = std::fs::read_to_string("/sys/fs/cgroup/memory.max").ok()?;
        let max: u64 = max.trim().parse().ok()?; // "max" means no limit
        let current: u64 = std::fs::read_to_string("/sys/fs/cgroup/memory.current")
            .ok()?
            .trim()
            .parse()
            .ok()?;
        Some(max.saturating_sub(current))
    })();
    Ok(match (meminfo, cgroup) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
    .map(|b| (b, LimitSource::System)))
}

/// A size in bytes: digits with an optional K, M, G or T suffix (powers of 1024; a trailing
/// `B` or `iB` is allowed).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, factor) = match t.chars().last()? {
        'K' | 'k' => (&t[..t.len() - 1], 1u64 << 10),
        'M' | 'm' => (&t[..t.len() - 1], 1 << 20),
        'G' | 'g' => (&t[..t.len() - 1], 1 << 30),
        'T' | 't' => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let value: f64 = digits.trim().parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some((value * factor as f64) as u64)
}

/// A vector of `len` copies of `value`, or `None` when the allocator cannot reserve it
/// (instead of aborting the process): the factorisation's large buffers go through it.
pub(crate) fn try_filled<T: Clone>(len: usize, value: T) -> Option<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).ok()?;
    v.resize(len, value);
    Some(v)
}

/// Hands the memory the C allocator holds free back to the operating system (glibc's
/// `malloc_trim`; nothing elsewhere). Building a sparsity pattern frees many mid-sized
/// blocks that glibc keeps in its heaps, where a later allocation of gigabytes (an
/// `mmap` of its own) cannot reuse them: at 1.4 M unknowns about 0.4 GiB that would
/// otherwise sit beside the Cholesky factor. Costs a walk over the allocator's free lists;
/// changes no allocation that is in use.
pub fn release_free_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused pages of glibc's heaps to the kernel; it takes
    // the allocator's own locks and touches no memory that is allocated.
    unsafe {
        libc::malloc_trim(0);
    }
}

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
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("1000000"), Some(1_000_000));
        assert_eq!(parse_size("8G"), Some(8 << 30));
        assert_eq!(parse_size("512MiB"), Some(512 << 20));
        assert_eq!(parse_size("1.5k"), Some(1536));
        assert_eq!(parse_size(" 2 GB"), Some(2 << 30));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("-1G"), None);
        assert_eq!(parse_size(""), None);
    }

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
