//! Small statistics shared by the result summaries: the weighted quantile behind the p95
//! micromotion of [`crate::contact::Micromotion`] and the volume-weighted p99
//! stresses and strains of the biomechanics metrics.

/// Weighted quantile `q` ∈ [0, 1] of `(value, weight)` pairs: the smallest value whose
/// cumulative weight (values ascending) reaches `q` × the total weight; the largest value
/// when rounding leaves the sum short, and 0 for no pairs. Values and the result share
/// their unit (MPa, µε, µm); weights are volumes (mm³) or areas (mm²), any positive measure.
///
/// Sorts `values` ascending by value in place (NaN last, [`f64::total_cmp`]).
pub fn weighted_quantile(values: &mut [(f64, f64)], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = values.iter().map(|v| v.1).sum();
    let mut acc = 0.0;
    for &(v, w) in values.iter() {
        acc += w;
        if acc >= q * total {
            return v;
        }
    }
    values[values.len() - 1].0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_quantiles() {
        let mut v = vec![(3.0, 1.0), (1.0, 1.0), (2.0, 1.0), (10.0, 0.001)];
        assert_eq!(weighted_quantile(&mut v, 0.5), 2.0);
        assert_eq!(weighted_quantile(&mut v, 0.99), 3.0);
        assert_eq!(weighted_quantile(&mut v, 1.0), 10.0);
        assert_eq!(weighted_quantile(&mut [], 0.5), 0.0);
        // weights count: 1 + 3 of 4 units below 60 µm → p95 at the heavy value
        let mut w = vec![(60.0, 3.0), (10.0, 1.0)];
        assert_eq!(weighted_quantile(&mut w, 0.95), 60.0);
        assert_eq!(weighted_quantile(&mut w, 0.25), 10.0);
    }
}
