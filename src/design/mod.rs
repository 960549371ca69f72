//! Experiment designs for `sandtable sweep`: each construction is a pure function returning a
//! [`Design`], a points × factors matrix in [0, 1], which reports its own [`Diagnostics`]. No I/O
//! and no random generator of its own: a random design draws from the stream its caller passes.
//!
//! The constructions: [`factorial`] (full and two-level fractional), [`lhs`] (random Latin
//! hypercubes, optionally maximin-improved), [`nolh`] (the published nearly orthogonal Latin
//! hypercubes of Cioppa & Lucas 2007) and [`crossed`] (decision points × noise points).
//! [`scale()`] maps a value in [0, 1] onto a factor's range or levels.

pub mod crossed;
mod error;
pub mod factorial;
pub mod lhs;
mod measure;
pub mod nolh;
mod scale;

use std::fmt;

pub use error::DesignError;
pub use scale::{Factor, Setting, scale};

/// The most points any design may have. Ten million is beyond any sweep the engine could run,
/// so a larger request is a mistake (a crossed or factorial design multiplied out too far), and
/// refusing it early beats exhausting memory.
pub const MAX_POINTS: usize = 10_000_000;

/// A design: `points()` rows of `factors()` values, each in [0, 1], and the name of the
/// construction that made it.
///
/// Values are stored row-major; a row is one design point, to be mapped onto the factors'
/// ranges with [`scale()`].
///
/// ```
/// use sandtable::design::Design;
///
/// let design = Design::new("by hand", vec![vec![0.0, 1.0], vec![1.0, 0.0]]).unwrap();
/// assert_eq!((design.points(), design.factors()), (2, 2));
/// assert_eq!(design.point(1), &[1.0, 0.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    name: String,
    factors: usize,
    values: Vec<f64>,
}

impl Design {
    /// A design from rows given by hand: at least one row, every row the same non-zero length,
    /// every value in [0, 1].
    pub fn new(name: impl Into<String>, rows: Vec<Vec<f64>>) -> Result<Design, DesignError> {
        let factors = rows.first().ok_or(DesignError::NoPoints)?.len();
        if factors == 0 {
            return Err(DesignError::NoFactors);
        }
        if rows.len() > MAX_POINTS {
            let points = rows.len() as u128;
            return Err(DesignError::TooManyPoints {
                points,
                max: MAX_POINTS,
            });
        }
        let mut values = Vec::with_capacity(rows.len() * factors);
        for (row, point) in rows.into_iter().enumerate() {
            if point.len() != factors {
                let found = point.len();
                return Err(DesignError::RaggedRow {
                    row,
                    found,
                    expected: factors,
                });
            }
            if let Some((factor, &value)) = point
                .iter()
                .enumerate()
                .find(|(_, v)| !(0.0..=1.0).contains(*v))
            {
                return Err(DesignError::OutOfUnitInterval { row, factor, value });
            }
            values.extend(point);
        }
        Ok(Design {
            name: name.into(),
            factors,
            values,
        })
    }

    /// A design from values the constructions in this module have already checked: row-major,
    /// `factors` to a row, in [0, 1].
    fn from_values(name: String, factors: usize, values: Vec<f64>) -> Design {
        debug_assert!(factors > 0 && !values.is_empty() && values.len().is_multiple_of(factors));
        debug_assert!(values.iter().all(|v| (0.0..=1.0).contains(v)));
        Design {
            name,
            factors,
            values,
        }
    }

    /// The construction that made the design, e.g. `NOLH 33×11 (Cioppa & Lucas 2007)`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many design points (rows) there are.
    pub fn points(&self) -> usize {
        self.values.len() / self.factors
    }

    /// How many factors (columns) each point sets.
    pub fn factors(&self) -> usize {
        self.factors
    }

    /// Design point `index` (from 0): one value in [0, 1] per factor. Panics past the last point.
    pub fn point(&self, index: usize) -> &[f64] {
        &self.values[index * self.factors..(index + 1) * self.factors]
    }

    /// The design points in order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[f64]> {
        self.values.chunks_exact(self.factors)
    }

    /// Factor `factor`'s value at every point, in point order. Panics past the last factor.
    pub fn column(&self, factor: usize) -> Vec<f64> {
        assert!(
            factor < self.factors,
            "factor {factor} of a {}-factor design",
            self.factors
        );
        self.rows().map(|row| row[factor]).collect()
    }

    /// The design as one `Vec` per point.
    pub fn to_rows(&self) -> Vec<Vec<f64>> {
        self.rows().map(<[f64]>::to_vec).collect()
    }

    /// How good the design is as an experiment: see [`Diagnostics`].
    ///
    /// Costs O(factors² · points) for the correlations and up to O(points² · factors) for the
    /// minimum distance: milliseconds for any NOLH, about 2 s for a crossed design of 16,705
    /// points in 45 factors, and four times as long for every doubling of the points.
    pub fn diagnostics(&self) -> Diagnostics {
        let correlations = measure::correlation_matrix(self);
        Diagnostics {
            points: self.points(),
            factors: self.factors,
            max_abs_correlation: measure::max_abs_off_diagonal(&correlations),
            condition_number: measure::condition_number(correlations),
            min_distance: measure::min_distance(self),
        }
    }
}

/// The figures that say how good a design is, printed with every sweep and stored beside it.
///
/// Correlations are Pearson's between columns; a column that never varies is counted as
/// uncorrelated with every other (it has no variance to share). The condition number is that of
/// the correlation matrix, i.e. of XᵀX for the design X with every column centred and scaled to
/// unit length, the measure Cioppa & Lucas (2007, §2) use: 1 for an orthogonal design, growing as
/// columns become collinear, infinite when one is a combination of the others. (For a Latin
/// design every column has the same spread, so scaling the columns to [-1, 1] instead gives the
/// same number.)
///
/// ```
/// use sandtable::design::Design;
///
/// // The 2² factorial: the corners of the unit square.
/// let square = vec![vec![0.0, 0.0], vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 1.0]];
/// let diagnostics = Design::new("2²", square).unwrap().diagnostics();
/// assert_eq!(diagnostics.max_abs_correlation, 0.0);
/// assert_eq!(diagnostics.min_distance, Some(1.0));
/// println!("{diagnostics}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Diagnostics {
    /// How many design points there are.
    pub points: usize,
    /// How many factors each point sets.
    pub factors: usize,
    /// The largest |correlation| between two columns; 0 for a design of one factor.
    pub max_abs_correlation: f64,
    /// λmax / λmin of the correlation matrix; 1 for one factor, infinite if it is singular
    /// (written as `null` in JSON).
    pub condition_number: f64,
    /// The smallest Euclidean distance between two design points in [0, 1]^factors; `None` for
    /// a design of one point, 0 if two points coincide.
    pub min_distance: Option<f64>,
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} points × {} factors: max |correlation| {:.4}, condition number {:.4}, ",
            self.points, self.factors, self.max_abs_correlation, self.condition_number
        )?;
        match self.min_distance {
            Some(distance) => write!(f, "min distance {distance:.4}"),
            None => write!(f, "min distance none (one point)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_checks_shape_and_range() {
        let check = |rows: Vec<Vec<f64>>, expected: DesignError| {
            assert_eq!(Design::new("t", rows).unwrap_err(), expected);
        };
        check(vec![], DesignError::NoPoints);
        check(vec![vec![]], DesignError::NoFactors);
        check(
            vec![vec![0.0, 1.0], vec![0.5]],
            DesignError::RaggedRow {
                row: 1,
                found: 1,
                expected: 2,
            },
        );
        check(
            vec![vec![0.0, 1.5]],
            DesignError::OutOfUnitInterval {
                row: 0,
                factor: 1,
                value: 1.5,
            },
        );
        let nan = Design::new("t", vec![vec![f64::NAN]]).unwrap_err();
        assert!(matches!(
            nan,
            DesignError::OutOfUnitInterval {
                row: 0,
                factor: 0,
                ..
            }
        ));
    }

    #[test]
    fn accessors_read_rows_and_columns() {
        let rows = vec![vec![0.0, 0.25], vec![0.5, 0.75], vec![1.0, 0.0]];
        let design = Design::new("hand", rows.clone()).unwrap();
        assert_eq!(design.name(), "hand");
        assert_eq!(design.to_rows(), rows);
        assert_eq!(design.column(1), vec![0.25, 0.75, 0.0]);
        assert_eq!(design.rows().len(), 3);
    }

    #[test]
    fn diagnostics_of_small_designs_by_hand() {
        // Two orthogonal ±1 columns (a 2² factorial): correlation 0, condition number 1, and
        // neighbouring corners of the unit square 1 apart.
        let square = vec![
            vec![0.0, 0.0],
            vec![1.0, 0.0],
            vec![0.0, 1.0],
            vec![1.0, 1.0],
        ];
        let d = Design::new("2^2", square).unwrap().diagnostics();
        assert_eq!((d.points, d.factors), (4, 2));
        assert_eq!(d.max_abs_correlation, 0.0);
        assert!((d.condition_number - 1.0).abs() < 1e-12);
        assert_eq!(d.min_distance, Some(1.0));

        // A repeated column: correlation 1 and a singular correlation matrix.
        let twins = vec![vec![0.0, 0.0], vec![0.5, 0.5], vec![1.0, 1.0]];
        let d = Design::new("twins", twins).unwrap().diagnostics();
        assert!((d.max_abs_correlation - 1.0).abs() < 1e-12);
        assert!(d.condition_number.is_infinite());

        // One point, one factor: nothing to correlate, no pair to measure.
        let d = Design::new("one", vec![vec![0.5]]).unwrap().diagnostics();
        assert_eq!(
            (d.max_abs_correlation, d.condition_number, d.min_distance),
            (0.0, 1.0, None)
        );
    }

    #[test]
    fn diagnostics_print_on_one_line() {
        let design = Design::new("2", vec![vec![0.0, 1.0], vec![1.0, 0.0]]).unwrap();
        assert_eq!(
            design.diagnostics().to_string(),
            "2 points × 2 factors: max |correlation| 1.0000, condition number inf, \
             min distance 1.4142"
        );
    }
}
