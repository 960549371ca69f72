//! Paired comparisons of two scenarios run on common random numbers: run i of BASE and run i of
//! OTHER share their dice, so their difference is measured pair by pair. Streaming accumulators
//! (one pass, memory flat in the number of runs) that never format, write or name outcomes.

use super::moments::t_half_width95;
use super::proportion::{Z_95, wilson_interval};

/// Running count, mean and sum of squared deviations (Welford 1962), from + − × ÷ only.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Running {
    n: u64,
    mean: f64,
    squares: f64,
}

impl Running {
    fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.squares += delta * (x - self.mean);
    }

    /// Chan, Golub & LeVeque (1979): the pooled mean and squares of two disjoint blocks.
    fn merge(&mut self, later: &Running) {
        if later.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *later;
            return;
        }
        let n = self.n + later.n;
        let (n_a, n_b) = (self.n as f64, later.n as f64);
        let delta = later.mean - self.mean;
        self.mean += delta * n_b / n as f64;
        self.squares += later.squares + delta * delta * n_a * n_b / n as f64;
        self.n = n;
    }
}

/// Paired moments of one numeric outcome: each scenario's mean and the mean, sd and 95 %
/// t-interval of the paired differences OTHER − BASE, plus the variance ratio that says how much
/// common random numbers saved.
///
/// A pair counts only when both runs have a value; a pair with a value missing (or NaN) on either
/// side is skipped and counted in [`skipped`](Self::skipped), so the means here are over complete
/// pairs and may differ from each scenario's own summary.
///
/// Push pairs in run order for the same bits every time. [`merge`](Self::merge) pools a later
/// block of runs: merging the same blocks in run order always gives the same bits, which agree
/// with one straight pass to rounding, not bit for bit.
///
/// ```
/// let mut m = sandtable::stats::PairedMoments::default();
/// for (base, other) in [(1.0, 2.0), (2.0, 2.5), (3.0, 4.5)] {
///     m.push(Some(base), Some(other));
/// }
/// m.push(Some(4.0), None); // the OTHER run had no value: skipped
/// assert_eq!((m.n(), m.skipped()), (3, 1));
/// assert_eq!(m.mean_difference(), Some(1.0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PairedMoments {
    base: Running,
    other: Running,
    difference: Running,
    skipped: u64,
}

impl PairedMoments {
    /// Records run i of both scenarios; `None` or NaN on either side skips the pair.
    pub fn push(&mut self, base: Option<f64>, other: Option<f64>) {
        match (base.filter(|x| !x.is_nan()), other.filter(|x| !x.is_nan())) {
            (Some(base), Some(other)) => {
                self.base.push(base);
                self.other.push(other);
                self.difference.push(other - base);
            }
            _ => self.skipped += 1,
        }
    }

    /// Adds a block of runs that came after the ones already pushed.
    pub fn merge(&mut self, later: &PairedMoments) {
        self.base.merge(&later.base);
        self.other.merge(&later.other);
        self.difference.merge(&later.difference);
        self.skipped += later.skipped;
    }

    /// Complete pairs.
    #[must_use]
    pub fn n(&self) -> u64 {
        self.difference.n
    }

    /// Pairs skipped because either run had no value.
    #[must_use]
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// BASE's mean over the complete pairs; `None` before the first.
    #[must_use]
    pub fn mean_base(&self) -> Option<f64> {
        (self.n() > 0).then_some(self.base.mean)
    }

    /// OTHER's mean over the complete pairs; `None` before the first.
    #[must_use]
    pub fn mean_other(&self) -> Option<f64> {
        (self.n() > 0).then_some(self.other.mean)
    }

    /// Mean of the paired differences OTHER − BASE; `None` before the first pair.
    #[must_use]
    pub fn mean_difference(&self) -> Option<f64> {
        (self.n() > 0).then_some(self.difference.mean)
    }

    /// Sample standard deviation of the differences (divisor n − 1); `None` below two pairs.
    #[must_use]
    pub fn sd_difference(&self) -> Option<f64> {
        let n = self.n();
        (n > 1).then(|| (self.difference.squares / (n - 1) as f64).sqrt())
    }

    /// Half-width of the 95 % paired-t interval, t(0.975, n − 1)·sd/√n; `None` below two pairs.
    #[must_use]
    pub fn half_width(&self) -> Option<f64> {
        self.sd_difference().map(|sd| t_half_width95(sd, self.n()))
    }

    /// The 95 % paired-t interval of the mean difference, as `(low, high)`; `None` below two
    /// pairs. The same interval as R's `t.test(other, base, paired = TRUE)`.
    #[must_use]
    pub fn ci95(&self) -> Option<(f64, f64)> {
        let (mean, half_width) = (self.mean_difference()?, self.half_width()?);
        Some((mean - half_width, mean + half_width))
    }

    /// var(OTHER − BASE) / (var(BASE) + var(OTHER)): 1 when the pairs are independent, near 0
    /// when common random numbers make them move together. It is the factor by which pairing
    /// shrinks the variance of the estimated difference, so runs needed scale with it too.
    /// `None` below two pairs or when both scenarios' values are constant (0/0).
    #[must_use]
    pub fn var_ratio(&self) -> Option<f64> {
        let spread = self.base.squares + self.other.squares;
        (self.n() > 1 && spread > 0.0).then(|| self.difference.squares / spread)
    }
}

/// Paired counts of one yes/no outcome (e.g. "the column arrived"): the 2×2 table of run i of
/// BASE against run i of OTHER, with the difference of proportions OTHER − BASE and its interval.
///
/// Counts merge exactly, so any split of the runs gives the same bits.
///
/// ```
/// let mut p = sandtable::stats::PairedProportion::default();
/// p.push(Some(true), Some(true));
/// p.push(Some(true), Some(false));
/// p.push(None, Some(true)); // a failed BASE run: skipped
/// assert_eq!((p.both, p.base_only, p.skipped), (1, 1, 1));
/// assert_eq!(p.difference(), Some(-0.5));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairedProportion {
    /// Pairs where both runs had the outcome (Newcombe's e).
    pub both: u64,
    /// Pairs where only the BASE run had it (Newcombe's g when OTHER is his first sample).
    pub base_only: u64,
    /// Pairs where only the OTHER run had it (Newcombe's f).
    pub other_only: u64,
    /// Pairs where neither had it (Newcombe's h).
    pub neither: u64,
    /// Pairs skipped because either run had no value.
    pub skipped: u64,
}

impl PairedProportion {
    /// Records run i of both scenarios; `None` on either side skips the pair.
    pub fn push(&mut self, base: Option<bool>, other: Option<bool>) {
        match (base, other) {
            (Some(true), Some(true)) => self.both += 1,
            (Some(true), Some(false)) => self.base_only += 1,
            (Some(false), Some(true)) => self.other_only += 1,
            (Some(false), Some(false)) => self.neither += 1,
            _ => self.skipped += 1,
        }
    }

    /// Adds the counts of another block of runs (exact, in any order).
    pub fn merge(&mut self, later: &PairedProportion) {
        self.both += later.both;
        self.base_only += later.base_only;
        self.other_only += later.other_only;
        self.neither += later.neither;
        self.skipped += later.skipped;
    }

    /// Complete pairs.
    #[must_use]
    pub fn n(&self) -> u64 {
        self.both + self.base_only + self.other_only + self.neither
    }

    /// BASE's proportion over the complete pairs; `None` before the first.
    #[must_use]
    pub fn p_base(&self) -> Option<f64> {
        self.share(self.both + self.base_only)
    }

    /// OTHER's proportion over the complete pairs; `None` before the first.
    #[must_use]
    pub fn p_other(&self) -> Option<f64> {
        self.share(self.both + self.other_only)
    }

    /// OTHER − BASE, computed as (other_only − base_only)/n; `None` before the first pair.
    #[must_use]
    pub fn difference(&self) -> Option<f64> {
        self.share(self.other_only)
            .zip(self.share(self.base_only))
            .map(|(other, base)| other - base)
    }

    /// Newcombe's hybrid score interval (method 10) for OTHER − BASE at 95 %, as `(low, high)`;
    /// see [`newcombe_paired_interval`]. `(-1, 1)` before the first pair.
    #[must_use]
    pub fn ci95(&self) -> (f64, f64) {
        newcombe_paired_interval(
            self.both,
            self.base_only,
            self.other_only,
            self.neither,
            Z_95,
        )
    }

    /// The larger distance from [`difference`](Self::difference) to either end of
    /// [`ci95`](Self::ci95) (the interval is not symmetric); `None` before the first pair.
    #[must_use]
    pub fn half_width(&self) -> Option<f64> {
        let difference = self.difference()?;
        let (low, high) = self.ci95();
        Some((difference - low).max(high - difference))
    }

    /// var(OTHER − BASE) / (var(BASE) + var(OTHER)) on the 0/1 values, as
    /// [`PairedMoments::var_ratio`] would compute it, but exactly from the counts:
    /// (n(b + c) − (c − b)²) / (k₁(n − k₁) + k₂(n − k₂)) with k the two margins.
    /// `None` when neither proportion varies (both 0 or 1, or fewer than two pairs).
    #[must_use]
    pub fn var_ratio(&self) -> Option<f64> {
        let (n, b, c) = (
            i128::from(self.n()),
            i128::from(self.base_only),
            i128::from(self.other_only),
        );
        self.ratio_to_marginal_spread(n * (b + c) - (c - b) * (c - b))
    }

    /// The smallest [`var_ratio`](Self::var_ratio) the two marginal proportions allow: pairs
    /// agreeing as often as possible, P(both) = min(p₁, p₂), leave var(d) = |Δ|(1 − |Δ|) with
    /// Δ = p₂ − p₁ (the Fréchet upper bound on the covariance of two Bernoullis). The measured
    /// ratio is never below it; it is 0 when the two proportions are equal.
    #[must_use]
    pub fn var_ratio_limit(&self) -> Option<f64> {
        let n = i128::from(self.n());
        let gap = i128::from(self.other_only.abs_diff(self.base_only));
        self.ratio_to_marginal_spread(gap * (n - gap))
    }

    /// `scaled_var_d` / (k₁(n − k₁) + k₂(n − k₂)), both scaled by n², or `None` for 0/0.
    fn ratio_to_marginal_spread(&self, scaled_var_d: i128) -> Option<f64> {
        let n = i128::from(self.n());
        let (k_base, k_other) = (
            i128::from(self.both + self.base_only),
            i128::from(self.both + self.other_only),
        );
        let spread = k_base * (n - k_base) + k_other * (n - k_other);
        (spread > 0).then(|| scaled_var_d as f64 / spread as f64)
    }

    fn share(&self, count: u64) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| count as f64 / n as f64)
    }
}

/// Newcombe's hybrid score interval for the difference of paired proportions OTHER − BASE =
/// (other_only − base_only)/n at normal quantile `z` (use [`Z_95`] for 95 %), as `(low, high)`.
///
/// Method 10 of R. G. Newcombe (1998), "Improved confidence intervals for the difference between
/// binomial proportions based on paired data", Statistics in Medicine 17:2635–2650, with OTHER as
/// his first sample: take the Wilson interval of each margin (no continuity correction) and
/// combine the distances from each estimate to its limits, square-and-add, corrected for the
/// correlation φ of the pairs:
/// low = θ − √(dl₁² − 2φ·dl₁·du₂ + du₂²), high = θ + √(du₁² − 2φ·du₁·dl₂ + dl₂²),
/// where dl and du are the distances below and above each margin's estimate. φ is
/// C/√(product of the four marginal totals), with C = ad − bc − n/2 when ad − bc > n/2, 0 when
/// 0 ≤ ad − bc ≤ n/2, and ad − bc when it is negative (a continuity correction that only ever
/// shrinks a positive φ); φ is 0 when any marginal total is 0. The result is clipped to [−1, 1].
///
/// Chosen because it stays inside [−1, 1], needs no iteration, and keeps near-nominal coverage
/// for proportions near 0 or 1 (Newcombe's evaluation; Fagerland, Lydersen & Laake 2014). With no
/// pairs it is the whole range `(-1, 1)`.
///
/// ```
/// // Fagerland, Lydersen & Laake (2017), ch. 8: 59 both, 6 + 16 discordant, 80 neither.
/// use sandtable::stats::{Z_95, newcombe_paired_interval};
/// let (low, high) = newcombe_paired_interval(59, 16, 6, 80, Z_95);
/// assert!((low - -0.1186).abs() < 5e-5 && (high - -0.0046).abs() < 5e-5);
/// ```
#[must_use]
pub fn newcombe_paired_interval(
    both: u64,
    base_only: u64,
    other_only: u64,
    neither: u64,
    z: f64,
) -> (f64, f64) {
    let n = both + base_only + other_only + neither;
    if n == 0 {
        return (-1.0, 1.0);
    }
    let n_f64 = n as f64;
    let (k_base, k_other) = (both + base_only, both + other_only);
    let (p_base, p_other) = (k_base as f64 / n_f64, k_other as f64 / n_f64);
    let theta = (other_only as f64 - base_only as f64) / n_f64;
    let (low_base, high_base) = wilson_interval(k_base, n, z);
    let (low_other, high_other) = wilson_interval(k_other, n, z);
    let phi = corrected_phi(both, base_only, other_only, neither);
    // √(x² − 2φxy + y²) is real for |φ| ≤ 1; the max only guards against rounding below 0.
    let combine = |x: f64, y: f64| (x * x - 2.0 * phi * x * y + y * y).max(0.0).sqrt();
    let below = combine(p_other - low_other, high_base - p_base);
    let above = combine(high_other - p_other, p_base - low_base);
    ((theta - below).max(-1.0), (theta + above).min(1.0))
}

/// Newcombe's (1998) continuity-corrected φ for method 10; see [`newcombe_paired_interval`].
fn corrected_phi(both: u64, base_only: u64, other_only: u64, neither: u64) -> f64 {
    let n = i128::from(both + base_only + other_only + neither);
    let margins = [
        both + base_only,
        other_only + neither,
        both + other_only,
        base_only + neither,
    ];
    if margins.contains(&0) {
        return 0.0;
    }
    // ad − bc exactly in integers; twice it against n avoids the half in n/2.
    let cross =
        i128::from(both) * i128::from(neither) - i128::from(base_only) * i128::from(other_only);
    let numerator = if 2 * cross > n {
        (2 * cross - n) as f64 / 2.0
    } else if cross >= 0 {
        0.0
    } else {
        cross as f64
    };
    let product: f64 = margins.iter().map(|&m| m as f64).product();
    numerator / product.sqrt()
}

#[cfg(test)]
mod tests {
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Exp1, StandardNormal};

    use super::*;

    fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{what}: got {actual}, expected {expected} (tolerance {tolerance:e})"
        );
    }

    fn paired_moments(pairs: &[(Option<f64>, Option<f64>)]) -> PairedMoments {
        let mut moments = PairedMoments::default();
        for &(base, other) in pairs {
            moments.push(base, other);
        }
        moments
    }

    fn table(both: u64, base_only: u64, other_only: u64, neither: u64) -> PairedProportion {
        PairedProportion {
            both,
            base_only,
            other_only,
            neither,
            skipped: 0,
        }
    }

    /// Student's (1908) sleep data as R ships it (`datasets::sleep`): extra hours of sleep of the
    /// same ten patients under two drugs.
    const SLEEP_DRUG_1: [f64; 10] = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const SLEEP_DRUG_2: [f64; 10] = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

    #[test]
    fn paired_t_matches_r_on_the_sleep_data() {
        // R 4.x `with(sleep, t.test(extra[group == 2], extra[group == 1], paired = TRUE))`:
        // mean of the differences 1.58, 95 percent confidence interval 0.7001142 2.4598858
        // (the help page's example prints the mirror image for group 1 − group 2). scipy 1.17
        // `stats.ttest_rel(d2, d1).confidence_interval()` = (0.7001142367230175,
        // 2.459885763276983); NumPy 2.4: sd of the differences 1.2299954832798732, means 0.75 and
        // 2.33, var(d)/(var1 + var2) with ddof=1 = 0.20984495885090776.
        let pairs: Vec<_> = SLEEP_DRUG_1
            .iter()
            .zip(SLEEP_DRUG_2)
            .map(|(&base, other)| (Some(base), Some(other)))
            .collect();
        let m = paired_moments(&pairs);
        assert_eq!((m.n(), m.skipped()), (10, 0));
        assert_close(m.mean_base().unwrap(), 0.75, 1e-14, "mean base");
        assert_close(m.mean_other().unwrap(), 2.33, 1e-14, "mean other");
        assert_close(m.mean_difference().unwrap(), 1.58, 1e-14, "mean difference");
        assert_close(
            m.sd_difference().unwrap(),
            1.229_995_483_279_873_2,
            1e-14,
            "sd",
        );
        let (low, high) = m.ci95().unwrap();
        assert_close(low, 0.700_114_236_723_017_5, 1e-9, "ci low");
        assert_close(high, 2.459_885_763_276_983, 1e-9, "ci high");
        assert_close(
            m.half_width().unwrap(),
            (high - low) / 2.0,
            1e-15,
            "half-width",
        );
        assert_close(
            m.var_ratio().unwrap(),
            0.209_844_958_850_907_76,
            1e-14,
            "var ratio",
        );
    }

    #[test]
    fn missing_values_skip_the_pair_and_are_counted() {
        let m = paired_moments(&[
            (Some(1.0), Some(2.0)),
            (None, Some(5.0)),
            (Some(3.0), None),
            (Some(f64::NAN), Some(1.0)),
            (Some(2.0), Some(4.0)),
        ]);
        assert_eq!((m.n(), m.skipped()), (2, 3));
        assert_eq!(m.mean_difference(), Some(1.5));
        assert_eq!((m.mean_base(), m.mean_other()), (Some(1.5), Some(3.0)));

        let mut p = PairedProportion::default();
        for (base, other) in [
            (Some(true), None),
            (None, Some(false)),
            (Some(false), Some(true)),
        ] {
            p.push(base, other);
        }
        assert_eq!(
            p,
            PairedProportion {
                other_only: 1,
                skipped: 2,
                ..table(0, 0, 0, 0)
            }
        );
    }

    #[test]
    fn too_few_pairs_give_no_spread_interval_or_ratio() {
        let empty = PairedMoments::default();
        assert_eq!(
            (empty.mean_difference(), empty.ci95(), empty.var_ratio()),
            (None, None, None)
        );
        let one = paired_moments(&[(Some(1.0), Some(3.0))]);
        assert_eq!(one.mean_difference(), Some(2.0));
        assert_eq!(
            (one.sd_difference(), one.half_width(), one.var_ratio()),
            (None, None, None)
        );
        // Both scenarios constant: the difference is known exactly and the ratio is 0/0.
        let constant = paired_moments(&[(Some(1.0), Some(3.0)), (Some(1.0), Some(3.0))]);
        assert_eq!(
            (constant.ci95(), constant.var_ratio()),
            (Some((2.0, 2.0)), None)
        );

        let none = PairedProportion::default();
        assert_eq!(
            (none.difference(), none.half_width(), none.var_ratio()),
            (None, None, None)
        );
        assert_eq!(none.ci95(), (-1.0, 1.0));
        // Every run had the outcome in both scenarios: neither proportion varies.
        assert_eq!(table(30, 0, 0, 0).var_ratio(), None);
    }

    #[test]
    fn newcombe_matches_his_1998_table_of_method_10() {
        // Newcombe (1998), Statistics in Medicine 17:2635–2650, Table III, method 10, 95 % limits
        // for (f − g)/n from cells (e, f, g, h), printed to 4 decimals with z = 1.96. We could not
        // consult the paper itself: these rows are as transcribed from it in two independent
        // public test suites that agree row for row. An independent Python computation of the
        // published formula (plain floats, no shared code) reproduces every row within 1e-4; the
        // furthest is (1, 97, 1, 1), whose lower limit computes as 0.87367 against 0.8736 printed.
        // Without the paper's correction of φ, 11 of the 18 rows would fail, e.g. (27, 0, 0, 27)
        // would collapse to (0, 0).
        let rows = [
            ((36, 12, 2, 0), (0.0569, 0.3404)),
            ((20, 12, 2, 16), (0.0562, 0.3292)),
            ((18, 12, 2, 18), (0.0562, 0.3290)),
            ((36, 14, 0, 0), (0.1528, 0.4167)),
            ((35, 14, 0, 1), (0.1461, 0.4175)),
            ((18, 14, 0, 18), (0.1441, 0.3963)),
            ((2, 97, 1, 0), (0.8721, 0.9854)),
            ((1, 97, 1, 1), (0.8736, 0.9850)),
            ((0, 29, 1, 0), (0.6666, 0.9882)),
            ((2, 98, 0, 0), (0.9178, 0.9945)),
            ((1, 98, 0, 1), (0.9171, 0.9916)),
            ((0, 30, 0, 0), (0.8395, 1.0)),
            ((54, 0, 0, 0), (-0.0664, 0.0664)),
            ((53, 0, 0, 1), (-0.0729, 0.0729)),
            ((30, 0, 0, 24), (-0.0358, 0.0358)),
            ((29, 0, 0, 25), (-0.0354, 0.0354)),
            ((28, 0, 0, 26), (-0.0352, 0.0352)),
            ((27, 0, 0, 27), (-0.0351, 0.0351)),
        ];
        for ((e, f, g, h), (low, high)) in rows {
            // His first sample is our OTHER: f = other_only, g = base_only.
            let (actual_low, actual_high) = newcombe_paired_interval(e, g, f, h, 1.96);
            let what = format!("(e, f, g, h) = ({e}, {f}, {g}, {h})");
            assert_close(actual_low, low, 1e-4, &what);
            assert_close(actual_high, high, 1e-4, &what);
        }
    }

    #[test]
    fn newcombe_matches_fagerland_lydersen_laake() {
        // Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables, ch. 8,
        // "Newcombe square-and-add" interval; their R package contingencytables checks it in
        // tests/testthat/test-ch8.R: Cavo et al. (2012), n = [[59, 6], [16, 80]], estimate
        // −0.0621, 95 % CI −0.1186 to −0.0046 (first sample = the row margin, z = qnorm(0.975)).
        let (low, high) = newcombe_paired_interval(59, 16, 6, 80, Z_95);
        assert_close(low, -0.1186, 5e-5, "Cavo low");
        assert_close(high, -0.0046, 5e-5, "Cavo high");
        // Bentur et al. (2009), (a, b, c, d) = (1, 1, 7, 12): ad − bc = 5 ≤ n/2, so φ is 0.
        // Independent Python computation of the formula with z = 1.959963984540054:
        // (−0.506920226686141, −0.02555912416485978) for b − c; we ask for c − b.
        let (low, high) = newcombe_paired_interval(1, 1, 7, 12, Z_95);
        assert_close(low, 0.025_559_124_164_859_78, 1e-12, "Bentur low");
        assert_close(high, 0.506_920_226_686_141, 1e-12, "Bentur high");
    }

    #[test]
    fn phi_carries_the_papers_continuity_correction() {
        let cases = [
            // (a, b, c, d), expected φ: negative ad − bc is left alone.
            (
                (36, 2, 12, 0),
                -24.0 / (48.0_f64 * 2.0 * 38.0 * 12.0).sqrt(),
            ),
            // ad − bc = 296 > n/2 = 25: the numerator loses n/2.
            (
                (20, 2, 12, 16),
                271.0 / (32.0_f64 * 18.0 * 22.0 * 28.0).sqrt(),
            ),
            // 0 ≤ ad − bc = 1 ≤ n/2 = 1: zero, not the uncorrected 1.
            ((1, 0, 0, 1), 0.0),
            // A marginal total of 0: zero.
            ((0, 3, 0, 0), 0.0),
            ((54, 0, 0, 0), 0.0),
        ];
        for ((a, b, c, d), expected) in cases {
            assert_close(
                corrected_phi(a, b, c, d),
                expected,
                1e-15,
                &format!("{a} {b} {c} {d}"),
            );
        }
    }

    #[test]
    fn swapping_the_scenarios_mirrors_the_interval() {
        for (a, b, c, d) in [(2, 3, 1, 4), (59, 16, 6, 80), (0, 0, 5, 0), (10, 0, 0, 10)] {
            let (low, high) = newcombe_paired_interval(a, b, c, d, Z_95);
            let (mirror_low, mirror_high) = newcombe_paired_interval(a, c, b, d, Z_95);
            // Equal to rounding: the two Wilson intervals mirror to about 1e-16, not bit for bit.
            assert_close(low, -mirror_high, 1e-15, &format!("{a} {b} {c} {d} low"));
            assert_close(high, -mirror_low, 1e-15, &format!("{a} {b} {c} {d} high"));
            let difference = table(a, b, c, d).difference().unwrap();
            assert!(low <= difference && difference <= high, "{a} {b} {c} {d}");
        }
    }

    #[test]
    fn proportions_and_half_width_read_off_the_table() {
        // Cavo et al. with OTHER as the row margin: p_base = 75/161, p_other = 65/161.
        let p = table(59, 16, 6, 80);
        assert_eq!(p.n(), 161);
        assert_eq!(
            (p.p_base(), p.p_other()),
            (Some(75.0 / 161.0), Some(65.0 / 161.0))
        );
        assert_eq!(p.difference(), Some(6.0 / 161.0 - 16.0 / 161.0));
        let (low, high) = p.ci95();
        let difference = p.difference().unwrap();
        assert_eq!(
            p.half_width(),
            Some((difference - low).max(high - difference))
        );
        // The interval is asymmetric, so the half-width exceeds half its length.
        assert!(p.half_width().unwrap() > (high - low) / 2.0);
    }

    #[test]
    fn var_ratio_of_counts_equals_that_of_the_zero_one_values() {
        for (a, b, c, d) in [
            (59, 16, 6, 80),
            (1, 1, 7, 12),
            (20, 2, 12, 16),
            (0, 9, 0, 3),
        ] {
            let counts = table(a, b, c, d);
            let mut values = PairedMoments::default();
            for (count, base, other) in [(a, 1.0, 1.0), (b, 1.0, 0.0), (c, 0.0, 1.0), (d, 0.0, 0.0)]
            {
                for _ in 0..count {
                    values.push(Some(base), Some(other));
                }
            }
            let what = format!("{a} {b} {c} {d}");
            assert_close(
                counts.var_ratio().unwrap(),
                values.var_ratio().unwrap(),
                1e-13,
                &what,
            );
        }
    }

    #[test]
    fn var_ratio_limit_is_what_perfect_agreement_would_give() {
        // p_base = 0.6, p_other = 0.5 out of 100: at best 50 pairs both, 10 base only, 40 neither,
        // so var(d) = 0.1·0.9 = 0.09 against 0.24 + 0.25: 0.09/0.49.
        let limit = table(50, 10, 0, 40).var_ratio_limit().unwrap();
        assert_close(limit, 0.09 / 0.49, 1e-15, "limit");
        // That table attains it; any table with the same margins is at or above it.
        assert_close(
            table(50, 10, 0, 40).var_ratio().unwrap(),
            limit,
            1e-15,
            "attained",
        );
        for both in 10..=50 {
            let p = table(both, 60 - both, 50 - both, both - 10);
            assert_eq!(p.var_ratio_limit(), Some(limit), "both = {both}");
            assert!(p.var_ratio().unwrap() >= limit, "both = {both}");
        }
        // Equal proportions could in principle agree on every run.
        assert_eq!(table(3, 2, 2, 3).var_ratio_limit(), Some(0.0));
    }

    #[test]
    fn merging_blocks_in_run_order_matches_one_pass() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let values: Vec<(f64, f64)> = (0..1000)
            .map(|_| {
                let shared = 1e6 + 100.0 * rng.random::<f64>();
                (shared, shared + rng.random::<f64>())
            })
            .collect();
        let mut whole = PairedMoments::default();
        let mut blocks = PairedMoments::default();
        for chunk in values.chunks(97) {
            let mut block = PairedMoments::default();
            for &(base, other) in chunk {
                block.push(Some(base), Some(other));
                whole.push(Some(base), Some(other));
            }
            blocks.merge(&block);
        }
        assert_eq!(blocks.n(), whole.n());
        for (merged, straight, what) in [
            (
                blocks.mean_difference(),
                whole.mean_difference(),
                "mean difference",
            ),
            (blocks.sd_difference(), whole.sd_difference(), "sd"),
            (blocks.var_ratio(), whole.var_ratio(), "var ratio"),
            (blocks.mean_base(), whole.mean_base(), "mean base"),
        ] {
            let (merged, straight) = (merged.unwrap(), straight.unwrap());
            assert_close(merged, straight, 1e-12 * straight.abs(), what);
        }

        let mut counts = table(1, 2, 3, 4);
        counts.merge(&PairedProportion {
            skipped: 1,
            ..table(10, 20, 30, 40)
        });
        assert_eq!(
            counts,
            PairedProportion {
                skipped: 1,
                ..table(11, 22, 33, 44)
            }
        );
    }

    const BATCHES: u32 = 1000;
    const PAIRS: u32 = 200;

    #[test]
    fn newcombe_interval_covers_the_true_difference() {
        // p_base = 0.6, p_other = 0.5, true difference −0.1. Half the pairs share one uniform
        // (common random numbers), half draw independently: P(both) = 0.5·0.5 + 0.5·0.3 = 0.4,
        // so var(d) = 0.3 − 0.01 = 0.29 against 0.24 + 0.25, a ratio of 0.29/0.49 ≈ 0.592.
        let mut rng = ChaCha8Rng::seed_from_u64(2023);
        let (mut covered, mut ratios) = (0, 0.0);
        for _ in 0..BATCHES {
            let mut p = PairedProportion::default();
            for _ in 0..PAIRS {
                let u_base: f64 = rng.random();
                let u_other = if rng.random_bool(0.5) {
                    u_base
                } else {
                    rng.random()
                };
                p.push(Some(u_base < 0.6), Some(u_other < 0.5));
            }
            let (low, high) = p.ci95();
            covered += u32::from(low <= -0.1 && -0.1 <= high);
            ratios += p.var_ratio().unwrap();
        }
        let coverage = f64::from(covered) / f64::from(BATCHES);
        assert!(coverage >= 0.93, "coverage {coverage}");
        assert_close(
            ratios / f64::from(BATCHES),
            0.29 / 0.49,
            0.01,
            "mean var ratio",
        );
    }

    #[test]
    fn paired_t_interval_covers_the_true_difference() {
        // base = 20 + 4Z + E₁, other = 20.5 + 4Z + Z′/2 + E₂ with Z, Z′ standard normal and E
        // exponential(1) (skewed noise): true difference 0.5, var(d) = 0.25 + 2 = 2.25 against
        // 17 + 17.25, a ratio of 2.25/34.25 ≈ 0.0657.
        let mut rng = ChaCha8Rng::seed_from_u64(2023);
        let (mut covered, mut ratios) = (0, 0.0);
        for _ in 0..BATCHES {
            let mut m = PairedMoments::default();
            for _ in 0..PAIRS {
                let shared: f64 = StandardNormal.sample(&mut rng);
                let own: f64 = StandardNormal.sample(&mut rng);
                let (e_base, e_other): (f64, f64) = (Exp1.sample(&mut rng), Exp1.sample(&mut rng));
                m.push(
                    Some(20.0 + 4.0 * shared + e_base),
                    Some(20.5 + 4.0 * shared + 0.5 * own + e_other),
                );
            }
            let (low, high) = m.ci95().unwrap();
            covered += u32::from(low <= 0.5 && 0.5 <= high);
            ratios += m.var_ratio().unwrap();
        }
        let coverage = f64::from(covered) / f64::from(BATCHES);
        assert!(coverage >= 0.93, "coverage {coverage}");
        assert_close(
            ratios / f64::from(BATCHES),
            2.25 / 34.25,
            0.003,
            "mean var ratio",
        );
    }
}
