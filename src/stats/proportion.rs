//! Confidence intervals for a proportion (the share of runs in a category).
//! Pure arithmetic on counts; it knows nothing of columns, files or output formats.

/// The standard normal 0.975 quantile, for two-sided 95% intervals.
/// scipy 1.17: `stats.norm.ppf(0.975)` = 1.959963984540054.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for `successes` out of `n` trials at normal quantile `z`
/// (use [`Z_95`] for 95%). Returns `(low, high)` within [0, 1].
///
/// Chosen over the textbook Wald interval because it stays inside [0, 1] and keeps its coverage
/// for proportions near 0 or 1 (rare events such as a convoy being destroyed). The bounds are
/// exactly 0 when `successes` is 0 and exactly 1 when `successes == n`.
///
/// With `n == 0` nothing is known, so the interval is the whole range `(0.0, 1.0)`.
/// `successes` above `n` is a caller bug and is treated as `n`.
///
/// ```
/// let (low, high) = sandtable::stats::wilson_interval(71, 100, sandtable::stats::Z_95);
/// assert!((low - 0.61461).abs() < 1e-5 && (high - 0.78985).abs() < 1e-5);
/// ```
#[must_use]
pub fn wilson_interval(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let successes = successes.min(n);
    let n_f64 = n as f64;
    let k = successes as f64;
    let z_sq = z * z;
    // The closed form (2k + z² ∓ z·√(z² + 4k(n−k)/n)) / (2(n + z²)), which equals the usual
    // (p̂ + z²/2n ∓ z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n) but avoids forming p̂.
    let centre = 2.0 * k + z_sq;
    let half_width = z * (z_sq + 4.0 * k * (n_f64 - k) / n_f64).sqrt();
    let denominator = 2.0 * (n_f64 + z_sq);
    // At 0 or n successes the bound is 0 or 1 in exact arithmetic; rounding would leave ±1e-17.
    let low = if successes == 0 {
        0.0
    } else {
        ((centre - half_width) / denominator).max(0.0)
    };
    let high = if successes == n {
        1.0
    } else {
        ((centre + half_width) / denominator).min(1.0)
    };
    (low, high)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_interval(actual: (f64, f64), expected: (f64, f64), tolerance: f64, what: &str) {
        assert!(
            (actual.0 - expected.0).abs() <= tolerance
                && (actual.1 - expected.1).abs() <= tolerance,
            "{what}: got {actual:?}, expected {expected:?} (tolerance {tolerance:e})"
        );
    }

    #[test]
    fn matches_statsmodels() {
        // statsmodels 0.15 `proportion_confint(k, n, alpha=0.05, method='wilson')`, which uses
        // z = norm.ppf(0.975), i.e. Z_95.
        let cases = [
            (71, 100, (0.614_611_088_244_288_7, 0.789_851_642_508_777_3)),
            (5, 10, (0.236_593_090_512_563_94, 0.763_406_909_487_436_1)),
            (0, 20, (0.0, 0.161_125_158_052_819_4)),
            (29, 29, (0.883_030_201_500_259_2, 1.0)),
            (0, 1, (0.0, 0.793_450_685_622_762_7)),
            (1, 1, (0.206_549_314_377_237_4, 1.0)),
            (
                500_000,
                1_000_000,
                (0.499_020_019_890_004_8, 0.500_979_980_109_995_2),
            ),
        ];
        for (k, n, expected) in cases {
            assert_interval(
                wilson_interval(k, n, Z_95),
                expected,
                1e-12,
                &format!("{k} of {n}"),
            );
        }
    }

    #[test]
    fn matches_newcombe_1998_table() {
        // Newcombe, R. G. (1998), "Two-sided confidence intervals for the single proportion:
        // comparison of seven methods", Statistics in Medicine 17, 857–872, Table I, method 3
        // (score interval without continuity correction), printed to 4 decimals.
        let cases = [
            (81, 263, (0.2553, 0.3662)),
            (15, 148, (0.0624, 0.1605)),
            (0, 20, (0.0, 0.1611)),
            (1, 29, (0.0061, 0.1718)),
        ];
        for (k, n, expected) in cases {
            assert_interval(
                wilson_interval(k, n, 1.96),
                expected,
                5e-5,
                &format!("{k} of {n}"),
            );
        }
    }

    #[test]
    fn seventy_one_of_a_hundred_by_hand() {
        // z = 1.96, z² = 3.8416, p̂ = 0.71, n = 100:
        // centre = (0.71 + 3.8416/200) / (1 + 3.8416/100) = 0.729208 / 1.038416 = 0.702231…
        // half   = (1.96 / 1.038416) · √(0.71·0.29/100 + 3.8416/40000)
        //        = 1.887490… · √0.00215504 = 1.887490… · 0.0464224… = 0.0876218…
        // so (0.702231 − 0.087622, 0.702231 + 0.087622) = (0.614609, 0.789853).
        assert_interval(
            wilson_interval(71, 100, 1.96),
            (0.614_609, 0.789_853),
            1e-6,
            "71 of 100",
        );
    }

    #[test]
    fn extremes_are_exact() {
        let (low, high) = wilson_interval(0, 50, Z_95);
        assert_eq!(low, 0.0);
        // With k = 0 the upper bound reduces to z² / (n + z²).
        let z_sq = Z_95 * Z_95;
        assert!((high - z_sq / (50.0 + z_sq)).abs() < 1e-15);
        let (low, high) = wilson_interval(50, 50, Z_95);
        assert_eq!(high, 1.0);
        assert!((low - 50.0 / (50.0 + z_sq)).abs() < 1e-15);
    }

    #[test]
    fn no_trials_gives_the_whole_range() {
        assert_eq!(wilson_interval(0, 0, Z_95), (0.0, 1.0));
    }

    #[test]
    fn complementary_counts_mirror() {
        for (k, n) in [(3, 17), (1, 2), (999, 1000)] {
            let (low, high) = wilson_interval(k, n, Z_95);
            let (mirror_low, mirror_high) = wilson_interval(n - k, n, Z_95);
            assert!((low - (1.0 - mirror_high)).abs() < 1e-15, "{k} of {n}");
            assert!((high - (1.0 - mirror_low)).abs() < 1e-15, "{k} of {n}");
        }
    }
}
