//! Mean, sample standard deviation and the t-interval of the mean, in the order values arrive.
//! It never reorders or splits the sum, because the same runs must give the same bits however
//! the batch was parallelised.

use super::student_t::t_quantile;

/// Mean and sample standard deviation of a non-empty sequence of values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    /// How many values.
    pub n: u64,
    /// The arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); `None` for a single value, where it is undefined.
    pub sd: Option<f64>,
}

impl Moments {
    /// Moments of `values_in_run_order`, or `None` when it is empty.
    ///
    /// Two passes, each a plain sum from first to last: the mean (refined by the mean of the
    /// residuals, as R's `mean` does), then the sum of squared deviations from it. Unlike the
    /// one-pass Σx² − n·x̄², this does not cancel catastrophically when the values sit far from 0.
    ///
    /// ```
    /// let m = sandtable::stats::Moments::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
    /// assert_eq!(m.mean, 5.0);
    /// assert!((m.sd.unwrap() - (32.0_f64 / 7.0).sqrt()).abs() < 1e-15);
    /// ```
    #[must_use]
    pub fn of(values_in_run_order: &[f64]) -> Option<Moments> {
        let values = values_in_run_order;
        if values.is_empty() {
            return None;
        }
        let n = values.len() as f64;
        let rough_mean = values.iter().sum::<f64>() / n;
        let correction = values.iter().map(|x| x - rough_mean).sum::<f64>() / n;
        let mean = rough_mean + correction;
        let sd = (values.len() > 1).then(|| {
            let squared_deviations: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
            (squared_deviations / (n - 1.0)).sqrt()
        });
        Some(Moments {
            n: values.len() as u64,
            mean,
            sd,
        })
    }

    /// The 95% t-interval of the mean, mean ± t(0.975, n − 1)·sd/√n, as `(low, high)`.
    ///
    /// `None` when n < 2: one value says nothing about spread, and an interval of zero width
    /// would claim a certainty the batch does not have.
    ///
    /// ```
    /// let m = sandtable::stats::Moments::of(&[1.0, 2.0, 3.0]).unwrap();
    /// let (low, high) = m.ci95().unwrap();
    /// assert!((low - -0.4841377).abs() < 1e-6 && (high - 4.4841377).abs() < 1e-6);
    /// ```
    #[must_use]
    pub fn ci95(&self) -> Option<(f64, f64)> {
        let half_width = self.half_width()?;
        Some((self.mean - half_width, self.mean + half_width))
    }

    /// Half-width of [`ci95`](Self::ci95), t(0.975, n − 1)·sd/√n, for a target precision such
    /// as `--precision`; `None` when n < 2.
    ///
    /// ```
    /// let m = sandtable::stats::Moments::of(&[1.0, 2.0, 3.0]).unwrap();
    /// assert!((m.half_width().unwrap() - 2.4841377).abs() < 1e-6);
    /// ```
    #[must_use]
    pub fn half_width(&self) -> Option<f64> {
        self.sd.map(|sd| t_half_width95(sd, self.n))
    }
}

/// Half-width of the 95% t-interval of a mean of `n ≥ 2` values with sample sd `sd`:
/// t(0.975, n − 1)·sd/√n. One expression shared by every t-interval, so a half-width reported
/// on its own has the same bits as the interval it belongs to.
pub(crate) fn t_half_width95(sd: f64, n: u64) -> f64 {
    t_quantile(0.975, n - 1) * sd / (n as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{what}: got {actual:e}, expected {expected:e} (tolerance {tolerance:e})"
        );
    }

    #[test]
    fn textbook_data() {
        // Python 3.11: statistics.mean([2, 4, 4, 4, 5, 5, 7, 9]) = 5,
        // statistics.stdev(...) = 2.138089935299395 (= √(32/7)).
        // scipy 1.17: stats.t.interval(0.95, 7, loc=5, scale=stdev/√8)
        //   = (3.21251208176379, 6.787487918236209).
        let m = Moments::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(m.n, 8);
        assert_eq!(m.mean, 5.0);
        assert_close(m.sd.unwrap(), 2.138_089_935_299_395, 1e-15, "sd");
        let (low, high) = m.ci95().unwrap();
        assert_close(low, 3.212_512_081_763_79, 1e-9, "ci low");
        assert_close(high, 6.787_487_918_236_209, 1e-9, "ci high");
    }

    #[test]
    fn interval_matches_r_t_test() {
        // R 4.x: t.test(c(1, 2, 3))$conf.int = -0.4841377 4.4841377
        // (2 ± 4.302653·1/√3; scipy's stats.t.interval agrees).
        let m = Moments::of(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(m.mean, 2.0);
        assert_eq!(m.sd, Some(1.0));
        let (low, high) = m.ci95().unwrap();
        assert_close(low, -0.484_137_7, 1e-7, "ci low");
        assert_close(high, 4.484_137_7, 1e-7, "ci high");
    }

    #[test]
    fn large_offset_does_not_cancel() {
        // The classic case that breaks Σx² − n·x̄² (Welford 1962; Knuth TAOCP vol. 2, §4.2.2):
        // 4, 7, 13, 16 shifted by 1e9 still have variance 30 and mean 1e9 + 10.
        let m = Moments::of(&[1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0]).unwrap();
        assert_eq!(m.mean, 1e9 + 10.0);
        assert_close(m.sd.unwrap(), 30.0_f64.sqrt(), 1e-12, "sd");
    }

    #[test]
    fn identical_values_have_zero_spread() {
        // 0.1 three times: the plain sum gives 0.30000000000000004 / 3 ≠ 0.1; the residual
        // correction brings the mean back to 0.1 exactly, so the sd is exactly 0.
        let m = Moments::of(&[0.1, 0.1, 0.1]).unwrap();
        assert_eq!(m.mean, 0.1);
        assert_eq!(m.sd, Some(0.0));
        assert_eq!(m.ci95(), Some((0.1, 0.1)));
    }

    #[test]
    fn one_value_has_no_spread_or_interval() {
        let m = Moments::of(&[3.5]).unwrap();
        assert_eq!((m.n, m.mean, m.sd), (1, 3.5, None));
        assert_eq!(m.ci95(), None);
    }

    #[test]
    fn no_values_have_no_moments() {
        assert_eq!(Moments::of(&[]), None);
    }
}
