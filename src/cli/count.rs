//! Numbers of runs as people write them: `1000`, `1_000_000`, `100k`, `2.5M`, `1e6`. Parsed
//! exactly (no floating point), so a value is accepted only when it is a whole number of runs
//! from 1 to [`MAX_RUNS`](super::MAX_RUNS).

use super::MAX_RUNS;

/// What `--runs` and `--max-runs` accept, for their help and their error messages.
pub(crate) const RUNS_FORMS: &str = "a whole number from 1 to 100000000, written as 1000, \
                                     1_000, 10k, 2.5M or 1e6 (k = thousand, M = million, either \
                                     case)";

/// The most digits a written number may have: far beyond any count of runs, and small enough
/// that the arithmetic below cannot overflow.
const MAX_DIGITS: usize = 30;

/// Parses a number of runs: decimal digits with `_` between them, an optional fraction, an
/// optional exponent (`e6`, `E+6`) and an optional suffix (`k`/`K` thousand, `m`/`M`
/// million), the whole a whole number from 1 to [`MAX_RUNS`].
///
/// # Errors
/// A message saying what is wrong (not a number, not whole, zero, negative, too many) and
/// what is accepted.
pub(crate) fn parse_runs(text: &str) -> Result<u64, String> {
    let value = parse_count(text)?;
    match value {
        0 => Err("a batch needs at least 1 run".to_string()),
        v if v > u128::from(MAX_RUNS) => Err(format!(
            "at most {MAX_RUNS} runs in one batch; split a larger one across machines with \
             --shard K/N"
        )),
        // At most MAX_RUNS, so it fits.
        v => Ok(u64::try_from(v).unwrap_or(MAX_RUNS)),
    }
}

/// The exact value `text` denotes, when it is a whole number; errors for anything else.
fn parse_count(text: &str) -> Result<u128, String> {
    let not_a_number = || format!("not a number of runs; give {RUNS_FORMS}");
    if text.starts_with('-') {
        return Err("a number of runs cannot be negative".to_string());
    }
    let (body, suffix_zeros) = match text.char_indices().last() {
        Some((i, 'k' | 'K')) => (&text[..i], 3),
        Some((i, 'm' | 'M')) => (&text[..i], 6),
        _ => (text, 0),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (
            &body[..i],
            parse_exponent(&body[i + 1..]).ok_or_else(not_a_number)?,
        ),
        None => (body, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let whole = digits(whole).ok_or_else(not_a_number)?;
    let fraction = if fraction.is_empty() && mantissa.contains('.') {
        return Err(not_a_number());
    } else if fraction.is_empty() {
        String::new()
    } else {
        digits(fraction).ok_or_else(not_a_number)?
    };
    let all = format!("{whole}{fraction}");
    let all = all.trim_start_matches('0');
    if all.len() > MAX_DIGITS {
        return Err(format!("too many runs; at most {MAX_RUNS}"));
    }
    let significand: u128 = if all.is_empty() {
        0
    } else {
        all.parse().map_err(|_| not_a_number())?
    };
    // The value is significand × 10^scale.
    let scale = exponent + suffix_zeros - fraction.len() as i64;
    scaled(significand, scale).ok_or_else(|| {
        if scale < 0 {
            format!("'{text}' is not a whole number of runs")
        } else {
            format!("too many runs; at most {MAX_RUNS}")
        }
    })
}

/// `digits` with its `_` separators removed, when it is one or more ASCII digits with single
/// `_` only between two of them.
fn digits(text: &str) -> Option<String> {
    let well_placed = !text.starts_with('_') && !text.ends_with('_') && !text.contains("__");
    let only_digits = text.chars().all(|c| c.is_ascii_digit() || c == '_');
    (!text.is_empty() && well_placed && only_digits).then(|| text.replace('_', ""))
}

/// The exponent after `e`: an optional sign and at most three digits.
fn parse_exponent(text: &str) -> Option<i64> {
    let (sign, magnitude) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let well_formed =
        (1..=3).contains(&magnitude.len()) && magnitude.chars().all(|c| c.is_ascii_digit());
    well_formed
        .then(|| magnitude.parse::<i64>().ok())
        .flatten()
        .map(|m| sign * m)
}

/// `significand × 10^scale` when it is a whole number that fits; `None` otherwise.
fn scaled(significand: u128, scale: i64) -> Option<u128> {
    if significand == 0 {
        return Some(0);
    }
    let power = |n: i64| u32::try_from(n).ok().and_then(|n| 10u128.checked_pow(n));
    if scale >= 0 {
        significand.checked_mul(power(scale)?)
    } else {
        let divisor = power(-scale)?;
        significand
            .is_multiple_of(divisor)
            .then_some(significand / divisor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_ways_people_write_counts() {
        for (text, runs) in [
            ("1", 1),
            ("1000", 1000),
            ("1_000_000", 1_000_000),
            ("100k", 100_000),
            ("100K", 100_000),
            ("2.5k", 2500),
            ("1M", 1_000_000),
            ("1m", 1_000_000),
            ("1.25M", 1_250_000),
            ("1e6", 1_000_000),
            ("1E6", 1_000_000),
            ("1e+6", 1_000_000),
            ("2.5e3", 2500),
            ("1000e-3", 1),
            ("0010", 10),
            ("1e8", 100_000_000),
            ("100000000", 100_000_000),
        ] {
            assert_eq!(parse_runs(text), Ok(runs), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_whole_positive_count_in_range() {
        for (text, says) in [
            ("0", "at least 1 run"),
            ("0k", "at least 1 run"),
            ("0e5", "at least 1 run"),
            ("-5", "cannot be negative"),
            ("-1e6", "cannot be negative"),
            ("1.5", "not a whole number"),
            ("1e-1", "not a whole number"),
            ("1.0001k", "not a whole number"),
            ("100000001", "at most 100000000"),
            ("1e9", "at most 100000000"),
            ("1e999", "too many runs"),
            ("99999999999999999999999999999999999", "too many runs"),
            ("", "not a number"),
            ("many", "not a number"),
            ("1_", "not a number"),
            ("_1", "not a number"),
            ("1__000", "not a number"),
            ("1,000", "not a number"),
            ("1.", "not a number"),
            (".5k", "not a number"),
            ("1e", "not a number"),
            ("1e1234", "not a number"),
            ("1kk", "not a number"),
            ("1G", "not a number"),
            (" 10", "not a number"),
            ("+10", "not a number"),
            ("0x10", "not a number"),
        ] {
            let error = parse_runs(text).expect_err(text);
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
