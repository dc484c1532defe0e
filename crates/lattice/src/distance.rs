//! Exact squared Euclidean distance transform on a periodic voxel grid (Felzenszwalb &
//! Huttenlocher 2012, Theory of Computing 8:415: the lower envelope of parabolas, one axis
//! at a time), used for the pore size. O(n³) where the brute-force search was
//! O(void · solid).

/// Squared distance (voxel units²) from every voxel centre to the nearest voxel centre
/// where `seed` is true, periodic in all three axes; `u64::MAX` everywhere when there is no
/// seed. Index i + n·(j + n·k).
pub(crate) fn periodic_squared_distance(n: usize, seed: &[bool]) -> Vec<u64> {
    const FAR: f64 = 1e30;
    let mut d: Vec<f64> = seed.iter().map(|&s| if s { 0.0 } else { FAR }).collect();
    if !seed.iter().any(|&s| s) {
        return vec![u64::MAX; seed.len()];
    }
    let mut line = vec![0.0; n];
    let mut out = vec![0.0; n];
    let mut scratch = Scratch::new(3 * n);
    let strides = [1, n, n * n];
    for stride in strides {
        for start in 0..n * n * n {
            // lines along the axis start at index 0 of that axis
            if (start / stride) % n != 0 {
                continue;
            }
            for (m, l) in line.iter_mut().enumerate() {
                *l = d[start + m * stride];
            }
            scratch.transform_periodic(&line, &mut out);
            for (m, o) in out.iter().enumerate() {
                d[start + m * stride] = *o;
            }
        }
    }
    d.into_iter()
        .map(|x| if x >= FAR { u64::MAX } else { x.round() as u64 })
        .collect()
}

/// Work arrays of the one-dimensional transform.
struct Scratch {
    f: Vec<f64>,
    v: Vec<usize>,
    z: Vec<f64>,
}

impl Scratch {
    fn new(len: usize) -> Self {
        Self {
            f: vec![0.0; len],
            v: vec![0; len],
            z: vec![0.0; len + 1],
        }
    }

    /// min_q (p − q)² + f(q) over the periodic line `f` (length n), into `out`: the line is
    /// tiled three times and the middle copy kept (a nearest seed is never more than one
    /// period away once every line has been through the first pass with a seed, and
    /// `FAR` values stay far).
    fn transform_periodic(&mut self, f: &[f64], out: &mut [f64]) {
        let n = f.len();
        let len = 3 * n;
        for (i, x) in self.f.iter_mut().enumerate().take(len) {
            *x = f[i % n];
        }
        let (f, v, z) = (&self.f, &mut self.v, &mut self.z);
        let mut k = 0usize;
        v[0] = 0;
        z[0] = f64::NEG_INFINITY;
        z[1] = f64::INFINITY;
        for q in 1..len {
            loop {
                let p = v[k];
                let s =
                    ((f[q] + (q * q) as f64) - (f[p] + (p * p) as f64)) / (2.0 * (q - p) as f64);
                if s <= z[k] && k > 0 {
                    k -= 1;
                } else {
                    k += 1;
                    v[k] = q;
                    z[k] = s;
                    z[k + 1] = f64::INFINITY;
                    break;
                }
            }
        }
        let mut k = 0usize;
        for q in 0..len {
            while z[k + 1] < q as f64 {
                k += 1;
            }
            if (n..2 * n).contains(&q) {
                let p = v[k];
                let dq = q as f64 - p as f64;
                out[q - n] = dq * dq + f[p];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::periodic_squared_distance;

    /// Against the brute-force minimum over all seeds with periodic wrap, on a pseudo-random
    /// mask of an odd-sized grid (so wrap-around ties are not symmetric).
    #[test]
    fn matches_brute_force_on_a_periodic_grid() {
        let n = 7;
        let mut state = 12345u64;
        let seed: Vec<bool> = (0..n * n * n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 33).is_multiple_of(11)
            })
            .collect();
        assert!(seed.iter().any(|&s| s));
        let fast = periodic_squared_distance(n, &seed);
        let at = |v: usize| [v % n, (v / n) % n, v / (n * n)];
        for (v, &d) in fast.iter().enumerate() {
            let p = at(v);
            let brute = (0..n * n * n)
                .filter(|&w| seed[w])
                .map(|w| {
                    let q = at(w);
                    (0..3)
                        .map(|a| {
                            let d = p[a].abs_diff(q[a]);
                            let d = d.min(n - d) as u64;
                            d * d
                        })
                        .sum::<u64>()
                })
                .min()
                .unwrap();
            assert_eq!(d, brute, "voxel {p:?}");
        }
    }
}
