//! Quantiles of Student's t distribution, for the t-interval of a mean.
//! Built from +, −, ×, ÷ and √ only (no platform libm), so a summary has the same bits on every
//! machine; it must not grow into a general distributions library.

use std::f64::consts::{FRAC_2_PI, FRAC_PI_2};

/// Newton steps allowed before giving up; from t = 0 the 0.975 quantile needs about eight.
const MAX_NEWTON_STEPS: usize = 200;

/// The `p` quantile of Student's t distribution with `df` degrees of freedom: the `t` with
/// P(T ≤ t) = p.
///
/// df 2 uses its closed form. Other df solve the exact finite series for the t distribution
/// function (Abramowitz & Stegun 1964, §26.7, the odd- and even-df forms) by Newton's method; for
/// df 1 (the Cauchy) the series is just (2/π)·atan t, and the result matches the closed form
/// cot(π·(1 − p)) to about 1e-14. Rounding in the series grows with df: checked against scipy for
/// df 1 to 999,999, the error is below 1e-9 for p from 0.6 to 0.9999 and below 1e-7 even for a
/// tail of 1e-6. The series has df/2 terms, so df near a million costs about 10 ms.
///
/// Returns NaN when `df` is 0 or `p` is outside [0, 1]; ±infinity at p = 0 and p = 1.
///
/// ```
/// let t = sandtable::stats::t_quantile(0.975, 9);
/// assert!((t - 2.262_157_162_798_205).abs() < 1e-9);
/// ```
#[must_use]
pub fn t_quantile(p: f64, df: u64) -> f64 {
    if df == 0 || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    // Work with the smaller tail probability: for p ≥ 0.5, 1 − p is exact (Sterbenz), and for
    // p < 0.5 the tail is p itself, so no precision is lost in the far tail.
    if p < 0.5 {
        -upper_tail_quantile(p, df)
    } else {
        upper_tail_quantile(1.0 - p, df)
    }
}

/// The `t ≥ 0` with P(T > t) = `tail`, for `tail` in [0, 0.5].
fn upper_tail_quantile(tail: f64, df: u64) -> f64 {
    if tail == 0.0 {
        return f64::INFINITY;
    }
    if tail == 0.5 {
        return 0.0;
    }
    if df == 2 {
        // F(t) = 1/2 + t / (2·√(2 + t²)) inverts to t = (2p − 1) / √(2p(1 − p)).
        let p = 1.0 - tail;
        return (1.0 - 2.0 * tail) / (2.0 * p * tail).sqrt();
    }
    // Solve A(t) = P(|T| ≤ t) = 1 − 2·tail. A is increasing and concave on t ≥ 0 (its derivative,
    // twice the density, falls), so Newton's method started at 0 climbs monotonically to the root
    // without ever overshooting it; no bracketing is needed.
    let target = 1.0 - 2.0 * tail;
    let density_scale = density_scale(df);
    let mut t = 0.0_f64;
    for _ in 0..MAX_NEWTON_STEPS {
        let step = (target - central_probability(t, df)) / central_derivative(t, df, density_scale);
        if !step.is_finite() {
            break;
        }
        t += step;
        // In exact arithmetic every step is positive and, once small, squares the error. So a
        // step under 1e-12·t leaves an error far below what rounding allows, and a negative step
        // means rounding noise in A(t) (about df·1e-17 for large df) has taken over: stop either
        // way, rather than chase noise for MAX_NEWTON_STEPS costly evaluations.
        if step <= 1e-12 * t {
            break;
        }
    }
    t
}

/// A(t) = P(|T| ≤ t) for t ≥ 0, by the finite series of Abramowitz & Stegun §26.7 written in
/// θ = atan(t/√df): sin θ = t/√(df + t²) and cos²θ = df/(df + t²).
fn central_probability(t: f64, df: u64) -> f64 {
    let df_f64 = df as f64;
    let radius_sq = df_f64 + t * t;
    let cos_sq = df_f64 / radius_sq;
    let sin = t / radius_sq.sqrt();
    if df.is_multiple_of(2) {
        // Even df: A = sin θ · Σ_{k=0}^{df/2−1} a_k cos^{2k} θ, a_0 = 1, a_k = a_{k−1}(2k−1)/(2k).
        let mut term = 1.0;
        let mut sum = 1.0;
        for k in 1..df / 2 {
            term *= cos_sq * (2 * k - 1) as f64 / (2 * k) as f64;
            sum += term;
        }
        sin * sum
    } else {
        // Odd df: A = (2/π)[θ + sin θ cos θ · Σ_{k=0}^{(df−3)/2} b_k cos^{2k} θ],
        // b_0 = 1, b_k = b_{k−1}(2k)/(2k+1); the sum is empty for df = 1 (the Cauchy).
        let theta = atan_portable(t / df_f64.sqrt());
        let mut sum = 0.0;
        if df >= 3 {
            let mut term = 1.0;
            sum = 1.0;
            for k in 1..=(df - 3) / 2 {
                term *= cos_sq * (2 * k) as f64 / (2 * k + 1) as f64;
                sum += term;
            }
        }
        FRAC_2_PI * (theta + sin * cos_sq.sqrt() * sum)
    }
}

/// dA/dt = 2·density = (c_df/√df)·(cos²θ)^((df+1)/2), where `density_scale` is c_df.
fn central_derivative(t: f64, df: u64, density_scale: f64) -> f64 {
    let df_f64 = df as f64;
    let cos_sq = df_f64 / (df_f64 + t * t);
    // (cos²θ)^((df+1)/2) with an integer power and at most one square root, avoiding libm's powf.
    let power = if df.is_multiple_of(2) {
        pow_u64(cos_sq, df / 2) * cos_sq.sqrt()
    } else {
        pow_u64(cos_sq, df.div_ceil(2))
    };
    density_scale / df_f64.sqrt() * power
}

/// c_df = 2·Γ((df+1)/2) / (√π·Γ(df/2)), from c_1 = 2/π, c_2 = 1 and c_{df+2} = c_df·(df+1)/df,
/// so no gamma function is needed.
fn density_scale(df: u64) -> f64 {
    let (mut scale, first) = if df.is_multiple_of(2) {
        (1.0, 2)
    } else {
        (FRAC_2_PI, 1)
    };
    let mut m = first;
    while m < df {
        scale *= (m + 1) as f64 / m as f64;
        m += 2;
    }
    scale
}

/// `base` to a non-negative integer power by repeated squaring, the same bits on every machine.
fn pow_u64(base: f64, mut exponent: u64) -> f64 {
    let mut result = 1.0;
    let mut square = base;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result *= square;
        }
        square *= square;
        exponent >>= 1;
    }
    result
}

/// Arctangent of `x ≥ 0` from +, −, ×, ÷ and √ only, because std's `atan` calls the platform's
/// libm, whose last bits differ between systems, and summaries must match byte for byte.
fn atan_portable(x: f64) -> f64 {
    if x > 1.0 {
        // atan(x) = π/2 − atan(1/x) brings the argument into [0, 1].
        return FRAC_PI_2 - atan_portable(1.0 / x);
    }
    // atan(x) = 2·atan(x / (1 + √(1 + x²))), applied twice, brings it under tan(π/16) ≈ 0.199.
    let mut y = x;
    for _ in 0..2 {
        y /= 1.0 + (1.0 + y * y).sqrt();
    }
    // Taylor series y·Σ (−y²)^k/(2k+1): with y² < 0.04, twelve terms leave an error near 1e-19.
    let y_sq = y * y;
    let mut series = 1.0 / 23.0;
    for k in (0..11).rev() {
        series = 1.0 / (2 * k + 1) as f64 - y_sq * series;
    }
    4.0 * y * series
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
    fn quantile_975_matches_references() {
        // Reference values: mpmath 1.3 at 40 digits, root of 1 − I_{ν/(ν+t²)}(ν/2, 1/2)/2 = 0.975
        // (`mp.findroot` on `mp.betainc`), agreeing with scipy 1.17 `stats.t.ppf(0.975, df)` to
        // 1e-14. The df-1 value also equals cot(π·0.025).
        let cases = [
            (1, 12.706_204_736_174_705),
            (2, 4.302_652_729_749_464),
            (3, 3.182_446_305_283_71),
            (5, 2.570_581_835_636_316),
            (9, 2.262_157_162_798_206),
            (30, 2.042_272_456_301_238),
            (1000, 1.962_339_080_826_408),
            (999_999, 1.959_966_356_816_479),
        ];
        for (df, expected) in cases {
            assert_close(t_quantile(0.975, df), expected, 1e-9, &format!("df {df}"));
        }
    }

    #[test]
    fn other_probabilities_match_references() {
        // mpmath 1.3 at 40 digits (as above); scipy 1.17 `stats.t.ppf` agrees to 1e-14.
        let cases = [
            (0.95, 3, 2.353_363_434_801_824),
            (0.995, 7, 3.499_483_297_350_494),
            (0.9, 10, 1.372_183_641_110_336),
            (0.999, 4, 7.173_182_219_782_308),
            (0.6, 6, 0.264_834_532_933_573_5),
        ];
        for (p, df, expected) in cases {
            assert_close(
                t_quantile(p, df),
                expected,
                1e-9,
                &format!("p {p}, df {df}"),
            );
        }
    }

    #[test]
    fn lower_tail_is_the_mirror_image() {
        // scipy 1.17: stats.t.ppf(0.025, 9) = -2.2621571627982053.
        assert_close(
            t_quantile(0.025, 9),
            -2.262_157_162_798_205,
            1e-9,
            "p 0.025, df 9",
        );
        // 0.125 and 0.875 are exact complements in binary (0.1 and 0.9 are not).
        for df in [1, 2, 3, 8, 41] {
            assert_eq!(t_quantile(0.125, df), -t_quantile(0.875, df), "df {df}");
        }
    }

    #[test]
    fn edges_of_the_domain() {
        assert_eq!(t_quantile(0.5, 7), 0.0);
        assert_eq!(t_quantile(1.0, 7), f64::INFINITY);
        assert_eq!(t_quantile(0.0, 7), f64::NEG_INFINITY);
        assert!(t_quantile(0.975, 0).is_nan());
        assert!(t_quantile(1.5, 3).is_nan());
        assert!(t_quantile(f64::NAN, 3).is_nan());
    }

    #[test]
    fn distribution_function_matches_references() {
        // A(t) = 2F(t) − 1; F from mpmath 1.3 at 40 digits via the regularised incomplete beta,
        // agreeing with scipy 1.17 `stats.t.cdf(t, df)` to 1e-15.
        let cases = [
            (1.0, 3, 0.804_498_890_522_114_7),
            (2.5, 4, 0.966_616_727_594_005_9),
            (0.7, 1, 0.694_400_112_214_214_8),
            (3.0, 11, 0.993_960_080_264_039_3),
        ];
        for (t, df, cdf) in cases {
            let expected_central = 2.0 * cdf - 1.0;
            assert_close(
                central_probability(t, df),
                expected_central,
                1e-14,
                &format!("t {t}, df {df}"),
            );
        }
    }

    #[test]
    fn portable_arctangent_agrees_with_libm() {
        for x in [
            0.0_f64, 1e-9, 0.1, 0.199, 0.5, 0.999_999, 1.0, 1.000_001, 2.0, 12.7, 1e6, 1e300,
        ] {
            let expected = x.atan();
            assert_close(
                atan_portable(x),
                expected,
                4.0 * f64::EPSILON * expected.max(1e-300),
                &format!("atan({x})"),
            );
        }
    }
}
