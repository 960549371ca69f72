//! Mapping a design value in [0, 1] onto what a factor can be set to: a real range, an integer
//! range or a list of categories. Knows nothing of scenarios; the sweep names the factors.

use super::DesignError;

/// What a factor can be set to.
#[derive(Debug, Clone, PartialEq)]
pub enum Factor {
    /// Any real number from `low` to `high`.
    Real {
        /// The value at 0.
        low: f64,
        /// The value at 1.
        high: f64,
    },
    /// An integer from `low` to `high`, both included.
    Integer {
        /// The smallest value.
        low: i64,
        /// The largest value.
        high: i64,
    },
    /// One of `levels` categories, numbered from 0 in the order the caller lists them.
    Categorical {
        /// How many categories there are.
        levels: usize,
    },
}

/// A factor's setting at one design point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Setting {
    /// The value of a [`Factor::Real`].
    Real(f64),
    /// The value of a [`Factor::Integer`].
    Integer(i64),
    /// The index, from 0, of a [`Factor::Categorical`]'s category.
    Category(usize),
}

/// The setting of `factor` at design value `value01` in [0, 1].
///
/// A real factor is interpolated linearly, exactly `low` at 0 and exactly `high` at 1. Integers
/// and categories split [0, 1] into equal bins, one per value (the last bin closed at 1), so
/// every value gets an equal share of a Latin hypercube column, and the levels of a factorial
/// (0, 1/(L−1), …, 1) land on L distinct values spread from the first to the last.
///
/// ```
/// use sandtable::design::{Factor, Setting, scale};
///
/// let speed = Factor::Real { low: 20.0, high: 60.0 };
/// assert_eq!(scale(0.5, &speed).unwrap(), Setting::Real(40.0));
/// let escorts = Factor::Integer { low: 1, high: 4 };
/// assert_eq!(scale(0.3, &escorts).unwrap(), Setting::Integer(2));
/// assert_eq!(scale(1.0, &escorts).unwrap(), Setting::Integer(4));
/// let route = Factor::Categorical { levels: 3 };
/// assert_eq!(scale(0.5, &route).unwrap(), Setting::Category(1));
/// ```
pub fn scale(value01: f64, factor: &Factor) -> Result<Setting, DesignError> {
    if !(0.0..=1.0).contains(&value01) {
        return Err(DesignError::ValueOutOfRange { value: value01 });
    }
    match *factor {
        Factor::Real { low, high } => {
            if !(low.is_finite() && high.is_finite() && low <= high) {
                let why = format!("a real range needs finite low <= high; got {low}..{high}");
                return Err(DesignError::InvalidFactor(why));
            }
            // (1 − v)·low + v·high is exact at both ends, where low + v·(high − low) can miss
            // `high` by a rounding step.
            let value = (1.0 - value01) * low + value01 * high;
            Ok(Setting::Real(value.clamp(low, high)))
        }
        Factor::Integer { low, high } => {
            if low > high {
                let why = format!("an integer range needs low <= high; got {low}..={high}");
                return Err(DesignError::InvalidFactor(why));
            }
            let count = i128::from(high) - i128::from(low) + 1;
            let offset = bin(value01, count);
            // low + offset lies in low..=high because offset < count.
            Ok(Setting::Integer((i128::from(low) + offset) as i64))
        }
        Factor::Categorical { levels } => {
            if levels == 0 {
                let why = "a categorical factor needs at least 1 level; got 0".to_string();
                return Err(DesignError::InvalidFactor(why));
            }
            Ok(Setting::Category(bin(value01, levels as i128) as usize))
        }
    }
}

/// Which of `count` equal bins of [0, 1] holds `value01`, the last bin including 1.
fn bin(value01: f64, count: i128) -> i128 {
    // The float product is exact enough for any count a sweep would use; past 2^53 values the
    // bins are rounded, but the result still lies in 0..count.
    ((value01 * count as f64).floor() as i128).clamp(0, count - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_at_chosen_values() {
        let real = |low, high| Factor::Real { low, high };
        let integer = |low, high| Factor::Integer { low, high };
        let categorical = |levels| Factor::Categorical { levels };
        let (min, max) = (i64::MIN, i64::MAX);
        let cases = [
            (0.0, real(0.1, 0.3), Setting::Real(0.1)),
            (1.0, real(0.1, 0.3), Setting::Real(0.3)),
            (0.25, real(-4.0, 4.0), Setting::Real(-2.0)),
            (0.7, real(5.0, 5.0), Setting::Real(5.0)),
            (0.0, integer(-2, 2), Setting::Integer(-2)),
            (0.2, integer(-2, 2), Setting::Integer(-1)),
            (0.5, integer(-2, 2), Setting::Integer(0)),
            (1.0, integer(-2, 2), Setting::Integer(2)),
            (0.5, integer(min, max), Setting::Integer(0)),
            (1.0, integer(min, max), Setting::Integer(max)),
            (0.999, categorical(1), Setting::Category(0)),
            (0.0, categorical(4), Setting::Category(0)),
            (0.26, categorical(4), Setting::Category(1)),
            (1.0, categorical(4), Setting::Category(3)),
        ];
        for (value, factor, expected) in cases {
            assert_eq!(
                scale(value, &factor).unwrap(),
                expected,
                "{value} on {factor:?}"
            );
        }
    }

    #[test]
    fn factorial_levels_land_on_distinct_values_in_order() {
        // An L-level factorial column, 0, 1/(L−1), …, 1, mapped onto L categories, hits each
        // category once, in order.
        for levels in 2..=12 {
            let mapped: Vec<Setting> = (0..levels)
                .map(|i| i as f64 / (levels - 1) as f64)
                .map(|v| scale(v, &Factor::Categorical { levels }).unwrap())
                .collect();
            let expected: Vec<Setting> = (0..levels).map(Setting::Category).collect();
            assert_eq!(mapped, expected, "{levels} levels");
        }
    }

    #[test]
    fn a_latin_column_gives_every_integer_an_equal_share() {
        // 12 stratum midpoints onto 4 integers: 3 each.
        let mut counts = [0; 4];
        for i in 0..12 {
            let v = (i as f64 + 0.5) / 12.0;
            let Setting::Integer(x) = scale(v, &Factor::Integer { low: 1, high: 4 }).unwrap()
            else {
                panic!("an integer factor gave a non-integer setting");
            };
            counts[(x - 1) as usize] += 1;
        }
        assert_eq!(counts, [3, 3, 3, 3]);
    }

    #[test]
    fn invalid_values_and_factors_are_refused() {
        let real = Factor::Real {
            low: 0.0,
            high: 1.0,
        };
        for value in [-0.1, 1.1, f64::NAN] {
            assert!(matches!(
                scale(value, &real),
                Err(DesignError::ValueOutOfRange { .. })
            ));
        }
        for factor in [
            Factor::Real {
                low: 2.0,
                high: 1.0,
            },
            Factor::Real {
                low: 0.0,
                high: f64::INFINITY,
            },
            Factor::Integer { low: 3, high: 2 },
            Factor::Categorical { levels: 0 },
        ] {
            let error = scale(0.5, &factor).unwrap_err();
            assert!(
                matches!(error, DesignError::InvalidFactor(_)),
                "{factor:?}: {error}"
            );
        }
    }
}
