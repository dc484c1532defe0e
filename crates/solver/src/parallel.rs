//! Explicit parallelism: each solver owns the thread count it was given and, for more than
//! one thread, its own rayon pool. Nothing here touches rayon's global pool or faer's global
//! parallelism setting.

use faer::Par;
use rayon::prelude::*;

use crate::error::SolverError;

/// Entries per chunk of the deterministic reductions.
const REDUCTION_CHUNK: usize = 16_384;

/// The threads a solver runs on.
///
/// `threads == 0` means "the threads of the rayon pool the caller runs in"; `1` runs
/// sequentially; `k > 1` builds (once, lazily) a private pool of `k` threads.
#[derive(Debug)]
pub(crate) struct ThreadContext {
    threads: usize,
    pool: Option<rayon::ThreadPool>,
}

impl ThreadContext {
    pub(crate) fn new(threads: usize) -> Self {
        Self {
            threads,
            pool: None,
        }
    }

    /// Runs `f(par, threads)` on the configured threads; `par` is the faer parallelism and
    /// `threads` the number of threads to split work into.
    pub(crate) fn run<R: Send>(
        &mut self,
        f: impl FnOnce(Par, usize) -> R + Send,
    ) -> Result<R, SolverError> {
        match self.threads {
            0 => {
                let t = rayon::current_num_threads().max(1);
                Ok(f(if t > 1 { Par::rayon(t) } else { Par::Seq }, t))
            }
            1 => Ok(f(Par::Seq, 1)),
            t => {
                if self.pool.is_none() {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(t)
                        .thread_name(|i| format!("osteon-solver-{i}"))
                        .build()
                        .map_err(|e| SolverError::ThreadPool {
                            detail: e.to_string(),
                        })?;
                    self.pool = Some(pool);
                }
                match &self.pool {
                    Some(pool) => Ok(pool.install(|| f(Par::rayon(t), t))),
                    None => Ok(f(Par::Seq, 1)),
                }
            }
        }
    }
}

/// `Σ a_i b_i`, summed in fixed chunks so the result does not depend on the thread count.
pub(crate) fn dot(a: &[f64], b: &[f64], threads: usize) -> f64 {
    let chunk_dot = |(x, y): (&[f64], &[f64])| x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>();
    if threads <= 1 {
        a.chunks(REDUCTION_CHUNK)
            .zip(b.chunks(REDUCTION_CHUNK))
            .map(chunk_dot)
            .sum()
    } else {
        let partial: Vec<f64> = a
            .par_chunks(REDUCTION_CHUNK)
            .zip(b.par_chunks(REDUCTION_CHUNK))
            .map(chunk_dot)
            .collect();
        partial.iter().sum()
    }
}

/// Euclidean norm, deterministic as [`dot`].
pub(crate) fn norm(a: &[f64], threads: usize) -> f64 {
    dot(a, a, threads).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reductions_do_not_depend_on_threads() {
        let a: Vec<f64> = (0..100_000).map(|i| ((i % 97) as f64).sin()).collect();
        let b: Vec<f64> = (0..100_000).map(|i| ((i % 89) as f64).cos()).collect();
        let mut ctx = ThreadContext::new(3);
        let par = ctx.run(|_, t| dot(&a, &b, t)).unwrap();
        assert_eq!(par.to_bits(), dot(&a, &b, 1).to_bits());
        assert!(norm(&a, 1) > 0.0);
        let mut seq = ThreadContext::new(1);
        assert_eq!(seq.run(|_, t| t).unwrap(), 1);
        let mut ambient = ThreadContext::new(0);
        assert!(ambient.run(|_, t| t).unwrap() >= 1);
    }
}
