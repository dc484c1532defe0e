//! Explicit parallelism, passed in by the caller: each solver splits its work into the
//! number of threads it was given, **inside the rayon pool the caller runs in**. osteon never
//! builds a thread pool and never touches faer's global parallelism setting: a program that
//! wants `k` worker threads builds a rayon pool of `k` threads (or sizes the global one) and
//! calls osteon inside it.

use faer::Par;
use rayon::prelude::*;

/// Entries per chunk of the deterministic reductions.
const REDUCTION_CHUNK: usize = 16_384;

/// The threads a solver splits its work into.
///
/// `threads == 0` means "all threads of the rayon pool the caller runs in"; `1` runs
/// sequentially; `k > 1` splits the work into `k` parts on the caller's pool.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ThreadContext {
    threads: usize,
}

impl ThreadContext {
    pub(crate) fn new(threads: usize) -> Self {
        Self { threads }
    }

    /// Runs `f(par, threads)`; `par` is the faer parallelism and `threads` the number of
    /// parts to split work into.
    pub(crate) fn run<R: Send>(&mut self, f: impl FnOnce(Par, usize) -> R + Send) -> R {
        let t = match self.threads {
            0 => rayon::current_num_threads().max(1),
            t => t,
        };
        f(if t > 1 { Par::rayon(t) } else { Par::Seq }, t)
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
        let par = ctx.run(|_, t| dot(&a, &b, t));
        assert_eq!(par.to_bits(), dot(&a, &b, 1).to_bits());
        assert!(norm(&a, 1) > 0.0);
        let mut seq = ThreadContext::new(1);
        assert_eq!(seq.run(|_, t| t), 1);
        let mut ambient = ThreadContext::new(0);
        assert!(ambient.run(|_, t| t) >= 1);
    }
}
