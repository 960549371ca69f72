//! Nearly orthogonal Latin hypercubes (NOLH) of Cioppa & Lucas (2007): the published 17-, 33-,
//! 65-, 129- and 257-point designs for up to 7, 11, 16, 22 and 29 factors, embedded as tables
//! (see `nolh/tables.rs` for their source), of which a k-factor design takes the first k columns.
//!
//! Nothing is generated here: every size is the published table, checked by the tests below.

mod tables;

use super::{Design, DesignError};

/// The published designs as (points, most factors), smallest first.
pub const NOLH_SIZES: [(usize, usize); 5] = [(17, 7), (33, 11), (65, 16), (129, 22), (257, 29)];

/// The smallest NOLH that holds `factors` factors: its first `factors` columns.
///
/// Level ℓ of an n-point design (ℓ = 1..=n) becomes (ℓ−1)/(n−1), so every column holds the n
/// evenly spaced values 0, 1/(n−1), …, 1 once each, and the middle point is 0.5 in every factor.
/// Above 29 factors there is no published design: use a Latin hypercube instead.
///
/// ```
/// use sandtable::design::nolh::nolh;
///
/// let design = nolh(9).unwrap();
/// assert_eq!((design.points(), design.factors()), (33, 9));
/// assert!(design.diagnostics().max_abs_correlation <= 0.03);
/// assert!(nolh(30).is_err());
/// ```
pub fn nolh(factors: usize) -> Result<Design, DesignError> {
    if factors == 0 {
        return Err(DesignError::NoFactors);
    }
    match NOLH_SIZES.iter().find(|&&(_, most)| factors <= most) {
        Some(&(points, _)) => nolh_with_points(points, factors),
        None => {
            let (points, most) = NOLH_SIZES[NOLH_SIZES.len() - 1];
            Err(DesignError::TooManyFactors {
                construction: "a nearly orthogonal Latin hypercube (Cioppa & Lucas 2007)",
                requested: factors,
                max_factors: most,
                largest: format!("the {points}-point NOLH"),
            })
        }
    }
}

/// The first `factors` columns of the `points`-point NOLH, for a sweep that wants more points
/// than the smallest design that fits (a finer grid on each factor).
///
/// ```
/// use sandtable::design::nolh::nolh_with_points;
///
/// assert_eq!(nolh_with_points(65, 3).unwrap().points(), 65);
/// assert!(nolh_with_points(33, 12).is_err()); // 33 points hold at most 11 factors
/// ```
pub fn nolh_with_points(points: usize, factors: usize) -> Result<Design, DesignError> {
    if factors == 0 {
        return Err(DesignError::NoFactors);
    }
    let (levels, most) = table(points).ok_or(DesignError::NoSuchNolh { points })?;
    if factors > most {
        return Err(DesignError::NolhTooSmall {
            points,
            requested: factors,
            max_factors: most,
        });
    }
    let top = (points - 1) as f64;
    let values = levels
        .chunks_exact(most)
        .flat_map(|row| {
            row[..factors]
                .iter()
                .map(|&level| f64::from(level - 1) / top)
        })
        .collect();
    let name = format!("NOLH {points}×{factors} (Cioppa & Lucas 2007)");
    Ok(Design::from_values(name, factors, values))
}

/// The table of the `points`-point design, row-major, and its number of columns.
fn table(points: usize) -> Option<(&'static [u16], usize)> {
    match points {
        17 => Some((&tables::NOLH_17, 7)),
        33 => Some((&tables::NOLH_33, 11)),
        65 => Some((&tables::NOLH_65, 16)),
        129 => Some((&tables::NOLH_129, 22)),
        257 => Some((&tables::NOLH_257, 29)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_a_permutation_of_the_levels() {
        for (points, most) in NOLH_SIZES {
            let design = nolh_with_points(points, most).unwrap();
            assert_eq!((design.points(), design.factors()), (points, most));
            for j in 0..most {
                let mut levels: Vec<usize> = design
                    .column(j)
                    .iter()
                    .map(|v| (v * (points - 1) as f64).round() as usize)
                    .collect();
                levels.sort_unstable();
                assert_eq!(
                    levels,
                    (0..points).collect::<Vec<_>>(),
                    "{points} points, column {j}"
                );
            }
        }
    }

    #[test]
    fn each_design_folds_over_about_its_centre_point() {
        // Cioppa & Lucas build the second half of each design as the mirror image of the first:
        // point m + 1 + i is point i reflected through the centre, and point m (the middle) is
        // the centre itself. A single mistyped level in the tables would break this.
        for (points, most) in NOLH_SIZES {
            let design = nolh_with_points(points, most).unwrap();
            let m = (points - 1) / 2;
            assert!(
                design.point(m).iter().all(|&v| v == 0.5),
                "{points}: centre row"
            );
            for i in 0..m {
                let (low, high) = (design.point(i), design.point(m + 1 + i));
                for (a, b) in low.iter().zip(high) {
                    assert!(
                        (a + b - 1.0).abs() < 1e-12,
                        "{points}: rows {i} and {}",
                        m + 1 + i
                    );
                }
            }
        }
    }

    /// The largest condition number of any design's first k columns, k = 1..=most, as measured
    /// on the tables: 1.000, 1.123, 1.103, 1.039 and 1.023 for 17 to 257 points.
    const MAX_CONDITION_NUMBER: f64 = 1.13;

    #[test]
    fn every_prefix_of_every_design_is_nearly_orthogonal() {
        // Cioppa & Lucas (2007): max |pairwise correlation| <= 0.03 and a condition number
        // close to 1, for any number of factors up to the design's limit.
        for (points, most) in NOLH_SIZES {
            for factors in 1..=most {
                let d = nolh_with_points(points, factors).unwrap().diagnostics();
                assert!(d.max_abs_correlation <= 0.03, "{points}×{factors}: {d}");
                let condition = d.condition_number;
                assert!(condition > 1.0 - 1e-9, "{points}×{factors}: {d}");
                assert!(condition <= MAX_CONDITION_NUMBER, "{points}×{factors}: {d}");
                assert!(
                    d.min_distance.is_some_and(|m| m > 0.0),
                    "{points}×{factors}: {d}"
                );
            }
        }
    }

    #[test]
    fn nolh_picks_the_smallest_design_that_fits() {
        let check = |factors: usize, points: usize| {
            let design = nolh(factors).unwrap();
            assert_eq!((design.points(), design.factors()), (points, factors));
        };
        for (factors, points) in [
            (1, 17),
            (7, 17),
            (8, 33),
            (11, 33),
            (12, 65),
            (16, 65),
            (17, 129),
            (22, 129),
            (23, 257),
            (29, 257),
        ] {
            check(factors, points);
        }
        assert_eq!(nolh(3).unwrap().name(), "NOLH 17×3 (Cioppa & Lucas 2007)");
    }

    #[test]
    fn requests_beyond_the_tables_are_refused_with_what_would_do() {
        let too_many = nolh(30).unwrap_err().to_string();
        assert!(
            too_many.contains("at most 29 factors (in its largest design, the 257-point NOLH)")
        );
        assert_eq!(nolh(0).unwrap_err(), DesignError::NoFactors);
        assert_eq!(
            nolh_with_points(33, 12).unwrap_err(),
            DesignError::NolhTooSmall {
                points: 33,
                requested: 12,
                max_factors: 11
            }
        );
        let no_such = nolh_with_points(20, 3).unwrap_err().to_string();
        assert!(
            no_such.contains("the sizes are 17, 33, 65, 129 and 257 points"),
            "{no_such}"
        );
    }
}
