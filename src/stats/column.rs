//! Per-outcome accumulators the batch driver feeds one run at a time, in run order, and the
//! summaries they finish into. Memory per column stays bounded however many runs there are; they
//! do no formatting and know nothing of which outcome they hold.

use std::io;
use std::sync::Arc;

use serde::Serialize;

use super::histogram::Histogram;
use super::moments::{Moments, t_half_width95};
use super::proportion::{Z_95, wilson_interval};
use super::quantile::quantile_type7;
use super::spill::{SpillStore, Spilled};

/// A buffer for [`NumericColumn::with_spill`] that suits a column on its own: 65,536 values,
/// 512 KiB.
pub const DEFAULT_BUFFER_VALUES: usize = 65_536;

/// Summary of one numeric outcome over a batch: one row of summary.csv, plus the histogram that
/// summary.json adds.
///
/// Statistics are over the runs that had a value (`present`); each is `None` where it is
/// undefined: all of them when `present` is 0, and `sd` and the interval when `present` is 1.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NumericSummary {
    /// Runs in the batch, with or without a value.
    pub n: u64,
    /// Runs that had a value (e.g. the convoy arrived, so it has an arrival day).
    pub present: u64,
    /// Mean of the values, summed in run order.
    pub mean: Option<f64>,
    /// Sample standard deviation (divisor present − 1).
    pub sd: Option<f64>,
    /// Lower end of the 95% t-interval of the mean.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% t-interval of the mean.
    pub ci95_high: Option<f64>,
    /// 5th percentile (Hyndman–Fan type 7, as R and NumPy by default).
    pub p05: Option<f64>,
    /// 25th percentile (type 7).
    pub p25: Option<f64>,
    /// Median (type 7).
    pub p50: Option<f64>,
    /// 75th percentile (type 7).
    pub p75: Option<f64>,
    /// 95th percentile (type 7).
    pub p95: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// Counts of the values in bins; empty when `present` is 0.
    pub histogram: Histogram,
}

impl NumericSummary {
    /// Summarises `values_in_run_order`, the values of the runs that had one, out of `n` runs.
    /// A NaN counts as no value, as in [`NumericColumn::push`].
    ///
    /// The mean and sd are summed in the order given, then the values are sorted for the
    /// quantiles, so the same runs always give the same bits.
    #[must_use]
    pub fn from_values(n: u64, values_in_run_order: Vec<f64>) -> NumericSummary {
        let mut values = values_in_run_order;
        values.retain(|v| !v.is_nan());
        let moments = Moments::of(&values);
        let interval = moments.and_then(|m| m.ci95());
        // Values equal under total_cmp have the same bits, so the unstable sort is deterministic.
        let mut sorted = values;
        sorted.sort_unstable_by(f64::total_cmp);
        let min = sorted.first().copied();
        let max = sorted.last().copied();
        let quantile = |p| min.map(|_| quantile_type7(&sorted, p));
        NumericSummary {
            n,
            present: sorted.len() as u64,
            // Rounding could leave the mean an ulp outside the data; a reader would call that a bug.
            mean: moments
                .zip(min.zip(max))
                .map(|(m, (min, max))| m.mean.clamp(min, max)),
            sd: moments.and_then(|m| m.sd),
            ci95_low: interval.map(|(low, _)| low),
            ci95_high: interval.map(|(_, high)| high),
            p05: quantile(0.05),
            p25: quantile(0.25),
            p50: quantile(0.5),
            p75: quantile(0.75),
            p95: quantile(0.95),
            min,
            max,
            histogram: Histogram::from_sorted(&sorted),
        }
    }

    /// Half-width of the 95% t-interval of the mean, t(0.975, present − 1)·sd/√present, for a
    /// target precision such as `--precision`; `None` with fewer than two values. It has the same
    /// bits as the half-width the interval was built from.
    #[must_use]
    pub fn half_width(&self) -> Option<f64> {
        self.sd.map(|sd| t_half_width95(sd, self.present))
    }
}

/// Collects one numeric outcome, one value (or none) per run, in run order.
///
/// Up to a buffer of values stays in memory; each time the buffer fills it is appended to
/// scratch space from the caller's [`SpillStore`] (the command line's are anonymous temporary
/// files), so a column costs at most `buffer_values × 8` bytes while the batch runs, whatever the
/// number of runs. [`finish`](Self::finish) then reads the present values back — 8 bytes per
/// value, 8 MB for a million runs — so finish columns one at a time to keep the peak low.
#[derive(Debug)]
pub struct NumericColumn {
    runs: u64,
    present: u64,
    buffer: Vec<f64>,
    buffer_values: usize,
    store: Option<Arc<dyn SpillStore>>,
    spill: Option<Spilled>,
    spill_error: Option<io::Error>,
}

impl Default for NumericColumn {
    fn default() -> Self {
        NumericColumn::new()
    }
}

impl NumericColumn {
    /// A column that keeps every value in memory: 8 bytes a value, with nowhere to spill.
    #[must_use]
    pub fn new() -> NumericColumn {
        NumericColumn {
            runs: 0,
            present: 0,
            buffer: Vec::new(),
            buffer_values: usize::MAX,
            store: None,
            spill: None,
            spill_error: None,
        }
    }

    /// A column that keeps at most `buffer_values` values in memory (at least 1) and spills the
    /// rest to scratch space from `store`, which is only asked once the buffer first fills.
    #[must_use]
    pub fn with_spill(buffer_values: usize, store: Arc<dyn SpillStore>) -> NumericColumn {
        NumericColumn {
            buffer_values: buffer_values.max(1),
            store: Some(store),
            ..NumericColumn::new()
        }
    }

    /// Records the next run's value: `None` when the run had none (the event did not happen).
    ///
    /// A NaN counts as no value, so one bad run cannot turn the whole column's mean into NaN.
    /// If spilling fails, the error is kept and returned by [`finish`](Self::finish); the
    /// rest of the runs are still counted but their values are dropped.
    pub fn push(&mut self, value: Option<f64>) {
        self.runs += 1;
        let Some(value) = value.filter(|v| !v.is_nan()) else {
            return;
        };
        self.present += 1;
        if self.spill_error.is_some() {
            return;
        }
        if self.buffer.len() == self.buffer.capacity() {
            // Grow by doubling, as Vec would, but never past the limit, so the limit really bounds
            // the memory and small batches do not pay for a full buffer.
            let len = self.buffer.len();
            self.buffer
                .reserve_exact(len.max(64).min(self.buffer_values - len));
        }
        self.buffer.push(value);
        if self.buffer.len() >= self.buffer_values
            && let Err(error) = self.spill_buffer()
        {
            self.spill_error = Some(error);
            self.buffer = Vec::new();
        }
    }

    /// Appends the buffer to the scratch space, asking the store for it the first time.
    fn spill_buffer(&mut self) -> io::Result<()> {
        let mut spill = match (self.spill.take(), &self.store) {
            (Some(spill), _) => spill,
            (None, Some(store)) => Spilled::create(store.as_ref())?,
            // Without a store the buffer has no limit, so it never fills.
            (None, None) => return Ok(()),
        };
        spill.write(&self.buffer)?;
        self.buffer.clear();
        self.spill = Some(spill);
        Ok(())
    }

    /// Reads back every value in run order and summarises them.
    ///
    /// The result is bit-for-bit the same whether or not the column spilled, and whatever the
    /// buffer size.
    ///
    /// # Errors
    /// When the scratch space could not be made, written or read back (e.g. the spill directory
    /// is missing or the disk is full).
    pub fn finish(self) -> io::Result<NumericSummary> {
        let NumericColumn {
            runs,
            present,
            buffer,
            spill,
            spill_error,
            ..
        } = self;
        if let Some(error) = spill_error {
            return Err(error);
        }
        let values = match spill {
            None => buffer,
            Some(spill) => {
                let mut values = Vec::with_capacity(present as usize);
                spill.read_into(&mut values)?;
                values.extend_from_slice(&buffer);
                values
            }
        };
        debug_assert_eq!(values.len() as u64, present);
        Ok(NumericSummary::from_values(runs, values))
    }
}

/// Share of runs in one category of a categorical outcome: one row of summary.csv.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategorySummary {
    /// The category's name, as the scenario spells it.
    pub category: String,
    /// Runs in the batch, including runs where the outcome had no category.
    pub n: u64,
    /// Runs that ended in this category.
    pub count: u64,
    /// `count / n`; NaN when `n` is 0.
    pub proportion: f64,
    /// Lower end of the 95% Wilson score interval of the proportion.
    pub ci95_low: f64,
    /// Upper end of the 95% Wilson score interval of the proportion.
    pub ci95_high: f64,
}

impl CategorySummary {
    /// The larger distance from the proportion to either end of its Wilson interval (which is
    /// not symmetric: at a count of 0 it is the whole upper end), for a target precision such as
    /// `--precision`; `None` when there were no runs.
    #[must_use]
    pub fn half_width(&self) -> Option<f64> {
        (self.n > 0)
            .then(|| (self.proportion - self.ci95_low).max(self.ci95_high - self.proportion))
    }
}

/// Counts one categorical outcome (e.g. the convoy's final status), one category per run.
///
/// Memory is one counter per category, whatever the number of runs.
#[derive(Clone, Debug)]
pub struct CategoricalColumn {
    categories: Vec<String>,
    counts: Vec<u64>,
    runs: u64,
}

impl CategoricalColumn {
    /// A column over `categories`, in the order the summary should list them.
    pub fn new(categories: Vec<String>) -> CategoricalColumn {
        let counts = vec![0; categories.len()];
        CategoricalColumn {
            categories,
            counts,
            runs: 0,
        }
    }

    /// Records the next run: the index of its category in the list given to
    /// [`new`](Self::new), or `None` when the run had none. A run without a category still
    /// counts in `n`, so every proportion is a share of all runs.
    ///
    /// # Panics
    /// If the index is not below the number of categories, which is a bug in the caller.
    pub fn push(&mut self, category: Option<usize>) {
        self.runs += 1;
        if let Some(index) = category {
            let count = self.counts.get_mut(index).unwrap_or_else(|| {
                panic!(
                    "category index {index} is out of range: this column has {} categories",
                    self.categories.len()
                )
            });
            *count += 1;
        }
    }

    /// One summary per category, in the order given to [`new`](Self::new), each with its 95%
    /// Wilson score interval (z = [`Z_95`]).
    #[must_use]
    pub fn finish(self) -> Vec<CategorySummary> {
        let n = self.runs;
        self.categories
            .into_iter()
            .zip(self.counts)
            .map(|(category, count)| {
                let (ci95_low, ci95_high) = wilson_interval(count, n, Z_95);
                let proportion = if n == 0 {
                    f64::NAN
                } else {
                    count as f64 / n as f64
                };
                CategorySummary {
                    category,
                    n,
                    count,
                    proportion,
                    ci95_low,
                    ci95_high,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::spill::{InMemory, Scratch};
    use super::*;

    /// Run-order values with gaps: 12 runs, 10 with a value.
    const RUNS: [Option<f64>; 12] = [
        Some(3.0),
        Some(1.0),
        None,
        Some(4.0),
        Some(1.0),
        Some(5.0),
        Some(9.0),
        Some(2.0),
        Some(6.0),
        None,
        Some(5.0),
        Some(3.5),
    ];

    fn summarise(runs: &[Option<f64>], column: NumericColumn) -> NumericSummary {
        let mut column = column;
        for &value in runs {
            column.push(value);
        }
        column.finish().unwrap()
    }

    /// Deterministic pseudo-random runs, about one in five without a value.
    fn many_runs(count: usize) -> Vec<Option<f64>> {
        let mut state = 0x5eed_u64;
        (0..count)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let uniform = (state >> 11) as f64 / (1u64 << 53) as f64;
                (!state.is_multiple_of(5)).then_some(uniform * 120.0 - 3.7)
            })
            .collect()
    }

    #[test]
    fn summary_of_known_data() {
        // Values 3, 1, 4, 1, 5, 9, 2, 6, 5, 3.5. Python 3.11 statistics: mean 3.95,
        // stdev 2.4545875417267156; scipy 1.17 stats.t.interval(0.95, 9, loc=3.95,
        // scale=stdev/√10) = (2.194093850716237, 5.705906149283763); NumPy 2.4 np.quantile(…,
        // [.05, .25, .5, .75, .95]) = 1, 2.25, 3.75, 5, 7.65; np.histogram(…, bins='fd') =
        // edges [1, 3, 5, 7, 9], counts [3, 3, 3, 1].
        let s = summarise(&RUNS, NumericColumn::new());
        assert_eq!((s.n, s.present), (12, 10));
        let close = |actual: Option<f64>, expected: f64| (actual.unwrap() - expected).abs() < 1e-12;
        assert!(close(s.mean, 3.95), "{s:?}");
        assert!(close(s.sd, 2.454_587_541_726_715_6), "{s:?}");
        assert!(close(s.ci95_low, 2.194_093_850_716_237), "{s:?}");
        assert!(close(s.ci95_high, 5.705_906_149_283_763), "{s:?}");
        for (actual, expected) in [
            (s.p05, 1.0),
            (s.p25, 2.25),
            (s.p50, 3.75),
            (s.p75, 5.0),
            (s.p95, 7.65),
        ] {
            assert!(close(actual, expected), "{s:?}");
        }
        assert_eq!((s.min, s.max), (Some(1.0), Some(9.0)));
        assert_eq!(s.histogram.edges, [1.0, 3.0, 5.0, 7.0, 9.0]);
        assert_eq!(s.histogram.counts, [3, 3, 3, 1]);
    }

    #[test]
    fn spilled_and_in_memory_columns_agree_bit_for_bit() {
        let runs = many_runs(10_007);
        let in_memory = summarise(&runs, NumericColumn::new());
        for buffer_values in [1, 7, 1000, 10_007] {
            let spilled = summarise(
                &runs,
                NumericColumn::with_spill(buffer_values, Arc::new(InMemory)),
            );
            // JSON prints each f64 in full (shortest round-trip form), so equal text is equal bits.
            assert_eq!(
                serde_json::to_string(&spilled).unwrap(),
                serde_json::to_string(&in_memory).unwrap(),
                "buffer of {buffer_values}"
            );
            assert_eq!(spilled, in_memory);
        }
        assert_eq!(
            in_memory.histogram.counts.iter().sum::<u64>(),
            in_memory.present
        );
    }

    #[test]
    fn memory_stays_within_the_buffer() {
        let mut column = NumericColumn::with_spill(100, Arc::new(InMemory));
        for value in many_runs(5_000) {
            column.push(value);
            assert!(
                column.buffer.capacity() <= 100,
                "capacity {}",
                column.buffer.capacity()
            );
        }
        assert!(column.spill.is_some());
        let summary = column.finish().unwrap();
        assert_eq!(summary.n, 5_000);
    }

    /// A store that cannot make scratch space, as a missing directory cannot.
    #[derive(Debug)]
    struct Nowhere;

    impl SpillStore for Nowhere {
        fn scratch(&self) -> io::Result<Box<dyn Scratch>> {
            Err(io::ErrorKind::NotFound.into())
        }
    }

    #[test]
    fn a_failed_spill_is_reported_by_finish() {
        let mut column = NumericColumn::with_spill(4, Arc::new(Nowhere));
        for value in many_runs(100) {
            column.push(value);
        }
        let error = column.finish().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn a_column_without_values_has_only_counts() {
        let s = summarise(&[None, None, None], NumericColumn::new());
        let expected = NumericSummary {
            n: 3,
            present: 0,
            mean: None,
            sd: None,
            ci95_low: None,
            ci95_high: None,
            p05: None,
            p25: None,
            p50: None,
            p75: None,
            p95: None,
            min: None,
            max: None,
            histogram: Histogram::default(),
        };
        assert_eq!(s, expected);
    }

    #[test]
    fn one_value_has_no_spread_or_interval() {
        let s = summarise(&[None, Some(17.25)], NumericColumn::new());
        assert_eq!(
            (s.n, s.present, s.mean, s.sd, s.ci95_low, s.ci95_high),
            (2, 1, Some(17.25), None, None, None)
        );
        assert_eq!(
            (s.p05, s.p50, s.p95, s.min, s.max),
            (
                Some(17.25),
                Some(17.25),
                Some(17.25),
                Some(17.25),
                Some(17.25)
            )
        );
        assert_eq!(s.histogram.counts, [1]);
    }

    #[test]
    fn nan_counts_as_no_value() {
        let with_nan = summarise(
            &[Some(1.0), Some(f64::NAN), Some(2.0)],
            NumericColumn::new(),
        );
        let without = summarise(&[Some(1.0), None, Some(2.0)], NumericColumn::new());
        assert_eq!(with_nan, without);
        assert_eq!(with_nan.mean, Some(1.5));
    }

    #[test]
    fn integer_outcomes_get_unit_bins() {
        // Vehicles lost per run: 0, 2, 2, 1, 0, 0, 3 → counted by hand 3, 1, 2, 1.
        let runs = [0.0, 2.0, 2.0, 1.0, 0.0, 0.0, 3.0].map(Some);
        let s = summarise(&runs, NumericColumn::new());
        assert_eq!(s.histogram.edges, [-0.5, 0.5, 1.5, 2.5, 3.5]);
        assert_eq!(s.histogram.counts, [3, 1, 2, 1]);
    }

    #[test]
    fn categories_get_shares_of_all_runs_with_wilson_intervals() {
        // 100 runs: 71 arrived, 20 turned back, 0 destroyed, 9 with no status.
        // statsmodels 0.15 proportion_confint(k, 100, method='wilson'):
        //   71 → (0.6146110882442887, 0.7898516425087773), 0 → (0.0, 0.03699349820698569).
        let mut column = CategoricalColumn::new(vec![
            "arrived".into(),
            "turned_back".into(),
            "destroyed".into(),
        ]);
        for run in 0..100 {
            column.push(match run {
                0..71 => Some(0),
                71..91 => Some(1),
                _ => None,
            });
        }
        let rows = column.finish();
        let names: Vec<&str> = rows.iter().map(|r| r.category.as_str()).collect();
        assert_eq!(names, ["arrived", "turned_back", "destroyed"]);
        assert!(rows.iter().all(|r| r.n == 100));
        assert_eq!(
            rows.iter().map(|r| r.count).collect::<Vec<_>>(),
            [71, 20, 0]
        );
        assert_eq!(rows[0].proportion, 0.71);
        assert!((rows[0].ci95_low - 0.614_611_088_244_288_7).abs() < 1e-12);
        assert!((rows[0].ci95_high - 0.789_851_642_508_777_3).abs() < 1e-12);
        assert_eq!((rows[2].proportion, rows[2].ci95_low), (0.0, 0.0));
        assert!((rows[2].ci95_high - 0.036_993_498_206_985_69).abs() < 1e-12);
    }

    #[test]
    fn half_widths_for_a_target_precision() {
        // The t-interval of `summary_of_known_data`, (2.194093850716237, 5.705906149283763):
        // half its length is 1.755906149283763.
        let s = summarise(&RUNS, NumericColumn::new());
        let half_width = s.half_width().unwrap();
        assert!(
            (half_width - 1.755_906_149_283_763).abs() < 1e-12,
            "{half_width}"
        );
        assert_eq!(s.ci95_high, Some(s.mean.unwrap() + half_width));
        let one = summarise(&[None, Some(17.25)], NumericColumn::new());
        assert_eq!(one.half_width(), None);

        // 71 of 100 and 0 of 100 with the Wilson bounds of the test above: the interval leans
        // towards 0.5, so the half-width is the longer side (0.71 − 0.61461…; 0.03699… − 0).
        let mut column = CategoricalColumn::new(vec!["arrived".into(), "destroyed".into()]);
        for run in 0..100 {
            column.push((run < 71).then_some(0));
        }
        let rows = column.finish();
        let arrived = rows[0].half_width().unwrap();
        assert!(
            (arrived - (0.71 - 0.614_611_088_244_288_7)).abs() < 1e-12,
            "{arrived}"
        );
        let destroyed = rows[1].half_width().unwrap();
        assert!(
            (destroyed - 0.036_993_498_206_985_69).abs() < 1e-12,
            "{destroyed}"
        );
        let no_runs = CategoricalColumn::new(vec!["a".into()]).finish();
        assert_eq!(no_runs[0].half_width(), None);
    }

    #[test]
    fn categories_without_runs() {
        let rows = CategoricalColumn::new(vec!["a".into()]).finish();
        assert_eq!(
            (
                rows[0].n,
                rows[0].count,
                rows[0].ci95_low,
                rows[0].ci95_high
            ),
            (0, 0, 0.0, 1.0)
        );
        assert!(rows[0].proportion.is_nan());
    }

    #[test]
    #[should_panic(expected = "category index 2 is out of range")]
    fn an_unknown_category_is_a_bug() {
        CategoricalColumn::new(vec!["a".into(), "b".into()]).push(Some(2));
    }
}
