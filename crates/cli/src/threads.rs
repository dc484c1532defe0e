//! The one place where osteon's worker threads are created: the libraries run on the rayon
//! pool they are called in and build none of their own, so the CLI sizes rayon's global pool
//! once, from `--threads` (or the study file's `threads`), before any work starts.

use anyhow::{Context, Result};

/// Size rayon's global pool to `requested` threads (default: every core) and return the
/// count, which the command passes on to the solvers. Call once per process, before any
/// parallel work.
pub fn start_pool(requested: Option<usize>) -> Result<usize> {
    let threads = requested
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("osteon-{i}"))
        .build_global()
        .with_context(|| format!("cannot start {threads} worker threads"))?;
    Ok(threads)
}
