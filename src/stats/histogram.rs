//! Histograms of one outcome for summary.json: bin edges chosen from the data, counts per bin.
//! It bins values that are already sorted and does not sort, store or read them itself.

use serde::Serialize;

use super::quantile::quantile_type7;

/// The most bins a histogram gets, so summary.json stays small and a chart stays readable.
pub const MAX_BINS: usize = 50;

/// Counts of values in consecutive bins.
///
/// Bin `i` holds the values `x` with `edges[i] <= x < edges[i + 1]`, except that the last bin also
/// holds its right edge (NumPy's convention), so `edges.len() == counts.len() + 1` and the counts
/// sum to the number of values. Both are empty when there were no values.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Histogram {
    /// Bin boundaries, ascending; one more than there are bins.
    pub edges: Vec<f64>,
    /// How many values fell in each bin.
    pub counts: Vec<u64>,
}

impl Histogram {
    /// Bins `sorted` (ascending, finite) with edges chosen from the data:
    ///
    /// - integers spanning at most [`MAX_BINS`] values (counts of strikes, vehicles lost): one unit
    ///   bin per integer, edges at k − ½, so each bar is one possible value;
    /// - otherwise the Freedman–Diaconis bin count ⌈range / (2·IQR/∛n)⌉ (IQR by type 7 quantiles),
    ///   or Sturges' ⌈log₂ n⌉ + 1 when the IQR is 0 (most runs share one value), capped at
    ///   [`MAX_BINS`];
    /// - wider-ranging integers get a whole number of values per bin, edges again at k − ½, so no
    ///   bin holds more possible values than another;
    /// - other data get equal bins from the minimum to the maximum (as `numpy.histogram`), or the
    ///   single bin [v − ½, v + ½] when every value is v.
    ///
    /// Empty input, or input with an infinite value (no finite bins can hold it), gives the empty
    /// histogram.
    ///
    /// ```
    /// let h = sandtable::stats::Histogram::from_sorted(&[0.0, 1.0, 1.0, 3.0]);
    /// assert_eq!(h.edges, [-0.5, 0.5, 1.5, 2.5, 3.5]);
    /// assert_eq!(h.counts, [1, 2, 0, 1]);
    /// ```
    #[must_use]
    pub fn from_sorted(sorted: &[f64]) -> Histogram {
        let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
            return Histogram::default();
        };
        if !(min.is_finite() && max.is_finite()) {
            return Histogram::default();
        }
        debug_assert!(
            sorted.is_sorted_by(|a, b| a.total_cmp(b).is_le()),
            "Histogram::from_sorted needs sorted input"
        );
        let edges = if sorted.iter().all(|x| x.fract() == 0.0) {
            integer_edges(sorted, min, max)
        } else if min == max {
            vec![min - 0.5, max + 0.5]
        } else {
            equal_edges(min, max, bin_count(sorted, min, max))
        };
        let counts = count_between(sorted, &edges);
        Histogram { edges, counts }
    }
}

/// Edges at k − ½ for integer data: one value per bin when the span is small, else the whole
/// number of values per bin that gives at most the Freedman–Diaconis (or Sturges) bin count.
fn integer_edges(sorted: &[f64], min: f64, max: f64) -> Vec<f64> {
    let values_spanned = max - min + 1.0;
    let values_per_bin = if values_spanned <= MAX_BINS as f64 {
        1.0
    } else {
        (values_spanned / bin_count(sorted, min, max) as f64).ceil()
    };
    let bins = (values_spanned / values_per_bin).ceil() as usize;
    (0..=bins)
        .map(|i| min - 0.5 + i as f64 * values_per_bin)
        .collect()
}

/// `bins` equal bins from `min` to `max`, computed as `numpy.linspace` does (start + i·step, last
/// edge exactly `max`) so the edges match what a NumPy user would get.
fn equal_edges(min: f64, max: f64, bins: usize) -> Vec<f64> {
    let step = (max - min) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| min + i as f64 * step).collect();
    edges[bins] = max;
    edges
}

/// Freedman–Diaconis bin count, or Sturges' when the IQR is 0; between 1 and [`MAX_BINS`].
/// Needs at least two distinct values.
fn bin_count(sorted: &[f64], min: f64, max: f64) -> usize {
    let n = sorted.len();
    let iqr = quantile_type7(sorted, 0.75) - quantile_type7(sorted, 0.25);
    if iqr > 0.0 {
        // FD asks for ⌈range·∛n / (2·IQR)⌉ bins, the smallest k with (2·k·IQR/range)³ ≥ n. Testing
        // that in plain arithmetic avoids libm's cube root, whose last bit varies between
        // platforms, and the ratio IQR/range ≤ 1 keeps the cube far from overflow.
        let iqr_per_range = iqr / (max - min);
        (1..=MAX_BINS)
            .find(|&k| {
                let scaled = 2.0 * k as f64 * iqr_per_range;
                scaled * scaled * scaled >= n as f64
            })
            .unwrap_or(MAX_BINS)
    } else {
        // Sturges: ⌈log₂ n⌉ + 1, exactly, from the bit length of n − 1 (n ≥ 2 here).
        let ceil_log2 = (usize::BITS - (n - 1).leading_zeros()) as usize;
        (ceil_log2 + 1).min(MAX_BINS)
    }
}

/// Counts of sorted values per bin, by binary search for each interior edge; the first edge is
/// at or below the minimum and the last at or above the maximum, so every value is counted once.
fn count_between(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    let mut counts = Vec::with_capacity(edges.len() - 1);
    let mut start = 0;
    for &upper in &edges[1..edges.len() - 1] {
        let end = sorted.partition_point(|&x| x < upper);
        counts.push((end - start) as u64);
        start = end;
    }
    counts.push((sorted.len() - start) as u64);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut values: Vec<f64>) -> Vec<f64> {
        values.sort_by(f64::total_cmp);
        values
    }

    fn assert_edges(actual: &[f64], expected: &[f64]) {
        assert_eq!(
            actual.len(),
            expected.len(),
            "edges {actual:?} vs {expected:?}"
        );
        for (a, e) in actual.iter().zip(expected) {
            assert!((a - e).abs() <= 1e-12, "edges {actual:?} vs {expected:?}");
        }
    }

    #[test]
    fn no_values_no_bins() {
        assert_eq!(
            Histogram::from_sorted(&[]),
            Histogram {
                edges: vec![],
                counts: vec![]
            }
        );
    }

    #[test]
    fn small_integer_range_gets_unit_bins() {
        // Counted by hand: 0 once, 1 twice, 2 three times, 3 and 4 never, 5 once.
        let h = Histogram::from_sorted(&[0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 5.0]);
        assert_eq!(h.edges, [-0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
        assert_eq!(h.counts, [1, 2, 3, 0, 0, 1]);
    }

    #[test]
    fn fifty_integers_still_get_unit_bins() {
        let values: Vec<f64> = (100..150).map(f64::from).collect();
        let h = Histogram::from_sorted(&values);
        assert_eq!(h.counts, vec![1; 50]);
        assert_eq!((h.edges[0], h.edges[50]), (99.5, 149.5));
    }

    #[test]
    fn wide_integer_range_gets_whole_values_per_bin() {
        // 0..=200 once each: IQR = 150 − 50 = 100, so FD asks for ⌈200·∛201 / 200⌉ = ⌈5.86⌉ = 6
        // bins; 201 values in 6 bins is ⌈33.5⌉ = 34 values per bin, 6 bins of 34, 34, …, 31.
        let values: Vec<f64> = (0..=200).map(f64::from).collect();
        let h = Histogram::from_sorted(&values);
        let expected_edges: Vec<f64> = (0..=6).map(|i| -0.5 + 34.0 * f64::from(i)).collect();
        assert_eq!(h.edges, expected_edges);
        assert_eq!(h.counts, [34, 34, 34, 34, 34, 31]);
    }

    #[test]
    fn freedman_diaconis_matches_numpy() {
        // NumPy 2.4: np.histogram(x, bins='fd') for x = [i*i/7 + 0.25 for i in range(40)]:
        //   4 bins, edges = [0.25, 54.57142857142857, 108.89285714285714, 163.21428571428572,
        //   217.53571428571428], counts = [20, 8, 6, 6].
        let values: Vec<f64> = (0..40).map(|i| f64::from(i * i) / 7.0 + 0.25).collect();
        let h = Histogram::from_sorted(&values);
        assert_edges(
            &h.edges,
            &[
                0.25,
                54.571_428_571_428_57,
                108.892_857_142_857_14,
                163.214_285_714_285_72,
                217.535_714_285_714_28,
            ],
        );
        assert_eq!(h.counts, [20, 8, 6, 6]);
    }

    #[test]
    fn sturges_when_the_iqr_is_zero() {
        // Nine runs at 0.5 and two outliers: IQR = 0, so Sturges gives ⌈log₂ 11⌉ + 1 = 5 bins.
        // NumPy 2.4: np.histogram(x, bins='sturges') → edges linspace(0.5, 2.5, 6),
        //   counts = [9, 0, 1, 0, 1].
        let mut values = vec![0.5; 9];
        values.extend([1.5, 2.5]);
        let h = Histogram::from_sorted(&sorted(values));
        assert_edges(&h.edges, &[0.5, 0.9, 1.3, 1.7, 2.1, 2.5]);
        assert_eq!(h.counts, [9, 0, 1, 0, 1]);
    }

    #[test]
    fn bin_count_is_capped() {
        // A million evenly spread values would get ⌈∛10⁶ / 1⌉ = 100 FD bins; the cap keeps 50.
        let values: Vec<f64> = (0..1_000_000)
            .map(|i| f64::from(i) * 0.001 + 0.0005)
            .collect();
        let h = Histogram::from_sorted(&values);
        assert_eq!(h.counts.len(), MAX_BINS);
        assert_eq!(h.counts.iter().sum::<u64>(), 1_000_000);
    }

    #[test]
    fn one_repeated_value_gets_one_bin() {
        // NumPy 2.4: np.histogram([2.25]*4) uses the range (2.25 − 0.5, 2.25 + 0.5).
        let h = Histogram::from_sorted(&[2.25; 4]);
        assert_eq!(h.edges, [1.75, 2.75]);
        assert_eq!(h.counts, [4]);
    }

    #[test]
    fn a_value_on_an_edge_goes_to_the_bin_on_its_right() {
        // FD gives 2 bins on [0.5, 3.5]; 2.0 sits on the middle edge and counts in the second
        // bin, and the maximum stays in the last. NumPy 2.4: np.histogram([0.5, 2, 3.5, 3.5],
        // bins='fd') = counts [1, 3], edges [0.5, 2, 3.5].
        let h = Histogram::from_sorted(&[0.5, 2.0, 3.5, 3.5]);
        assert_eq!(h.edges, [0.5, 2.0, 3.5]);
        assert_eq!(h.counts, [1, 3]);
    }

    #[test]
    fn counts_always_sum_to_the_number_of_values() {
        let mut state = 12_345_u64;
        for n in [1, 2, 3, 10, 99, 1000] {
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    // A small linear congruential generator: deterministic, any spread will do.
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    (state >> 11) as f64 / (1u64 << 53) as f64 * 40.0 - 7.0
                })
                .collect();
            let h = Histogram::from_sorted(&sorted(values));
            assert_eq!(h.counts.iter().sum::<u64>(), n, "n = {n}");
            assert_eq!(h.edges.len(), h.counts.len() + 1);
            assert!(h.counts.len() <= MAX_BINS);
        }
    }

    #[test]
    fn infinite_values_get_no_histogram() {
        assert_eq!(
            Histogram::from_sorted(&[1.0, f64::INFINITY]),
            Histogram::default()
        );
    }
}
