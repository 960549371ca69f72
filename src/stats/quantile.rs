//! Sample quantiles of sorted data, by the one definition every reader's tools share.
//! It does not sort: callers sort once and ask for many quantiles.

/// Hyndman–Fan type 7 quantile of `sorted` (ascending) at probability `p` in [0, 1]: the default
/// of R's `quantile` and NumPy's `quantile` (`method='linear'`), so readers can check our
/// summaries with their own tools.
///
/// With n values, h = (n − 1)·p; the result is `sorted[⌊h⌋]` plus the fraction h − ⌊h⌋ of the
/// way to the next value. p = 0 gives the minimum and p = 1 the maximum.
/// Returns NaN for an empty slice or a `p` outside [0, 1].
///
/// ```
/// assert_eq!(sandtable::stats::quantile_type7(&[1.0, 2.0, 3.0, 4.0, 10.0], 0.25), 2.0);
/// ```
#[must_use]
pub fn quantile_type7(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    debug_assert!(
        sorted.is_sorted_by(|a, b| a.total_cmp(b).is_le()),
        "quantile_type7 needs sorted input"
    );
    let h = (sorted.len() - 1) as f64 * p;
    let below = h.floor();
    let index = below as usize;
    let fraction = h - below;
    let low = sorted[index];
    match sorted.get(index + 1) {
        // A zero fraction returns the order statistic itself, so a quantile that falls on a data
        // value reproduces it bit for bit (and never forms ∞ − ∞).
        Some(&high) if fraction > 0.0 => low + fraction * (high - low),
        _ => low,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sorted: &[f64], p: f64, expected: f64) {
        let actual = quantile_type7(sorted, p);
        assert!(
            (actual - expected).abs() <= 1e-12,
            "p {p} of {sorted:?}: got {actual}, expected {expected}"
        );
    }

    #[test]
    fn five_values_with_an_outlier() {
        // R 4.x: quantile(c(1, 2, 3, 4, 10), c(0, .05, .25, .5, .75, .95, 1), type = 7)
        //   = 1, 1.2, 2, 3, 4, 8.8, 10;
        // NumPy 2.4: np.quantile([1, 2, 3, 4, 10], [...]) gives the same (8.799999999999999);
        // Python: statistics.quantiles([1, 2, 3, 4, 10], n=4, method='inclusive') = [2, 3, 4].
        let data = [1.0, 2.0, 3.0, 4.0, 10.0];
        for (p, expected) in [
            (0.0, 1.0),
            (0.05, 1.2),
            (0.25, 2.0),
            (0.5, 3.0),
            (0.75, 4.0),
            (0.95, 8.8),
            (1.0, 10.0),
        ] {
            check(&data, p, expected);
        }
    }

    #[test]
    fn deciles_of_one_to_ten() {
        // Python: statistics.quantiles(range(1, 11), n=10, method='inclusive')
        //   = [1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1].
        let data: Vec<f64> = (1..=10).map(f64::from).collect();
        let expected = [1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1];
        for (i, expected) in expected.into_iter().enumerate() {
            check(&data, (i + 1) as f64 / 10.0, expected);
        }
    }

    #[test]
    fn unevenly_spaced_values_with_ties() {
        // NumPy 2.4: np.quantile(sorted([0.3, -1.2, 4.5, 2.2, 2.2, 7.9, 0.0, 3.3]),
        //   [0.05, 0.25, 0.5, 0.75, 0.95, 0.333]) = -0.78, 0.225, 2.2, 3.6, 6.71, 0.9289.
        let data = [-1.2, 0.0, 0.3, 2.2, 2.2, 3.3, 4.5, 7.9];
        for (p, expected) in [
            (0.05, -0.78),
            (0.25, 0.225),
            (0.5, 2.2),
            (0.75, 3.6),
            (0.95, 6.71),
            (0.333, 0.9289),
        ] {
            check(&data, p, expected);
        }
    }

    #[test]
    fn a_single_value_is_every_quantile() {
        for p in [0.0, 0.05, 0.5, 0.95, 1.0] {
            assert_eq!(quantile_type7(&[42.5], p), 42.5);
        }
    }

    #[test]
    fn order_statistics_are_reproduced_exactly() {
        let data = [0.1, 0.2, 0.7];
        assert_eq!(quantile_type7(&data, 0.5), 0.2);
        assert_eq!(quantile_type7(&data, 1.0), 0.7);
    }

    #[test]
    fn undefined_cases_are_nan() {
        assert!(quantile_type7(&[], 0.5).is_nan());
        assert!(quantile_type7(&[1.0], -0.1).is_nan());
        assert!(quantile_type7(&[1.0], 1.1).is_nan());
        assert!(quantile_type7(&[1.0], f64::NAN).is_nan());
    }
}
