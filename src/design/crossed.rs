//! Crossed designs: every decision point run against every noise point, so that a decision's
//! results are averaged over the same spread of conditions it cannot control.

use super::{Design, DesignError, MAX_POINTS};

/// The outer product of a decision design and a noise design: `decision.points()` ×
/// `noise.points()` points of `decision.factors()` + `noise.factors()` factors.
///
/// Point d · `noise.points()` + e (from 0) is decision point d with noise point e: the decision
/// factors come first in each row, then the noise factors, and all the noise points of one
/// decision point are consecutive.
///
/// ```
/// use sandtable::design::crossed::crossed;
/// use sandtable::design::factorial::full_factorial;
/// use sandtable::design::nolh::nolh;
///
/// let decisions = full_factorial(&[2, 3]).unwrap();
/// let noise = nolh(4).unwrap();
/// let design = crossed(&decisions, &noise).unwrap();
/// assert_eq!((design.points(), design.factors()), (6 * 17, 2 + 4));
/// assert_eq!(&design.point(17 + 2)[..2], decisions.point(1));
/// assert_eq!(&design.point(17 + 2)[2..], noise.point(2));
/// ```
pub fn crossed(decision: &Design, noise: &Design) -> Result<Design, DesignError> {
    let (d_points, e_points) = (decision.points(), noise.points());
    let points = d_points.checked_mul(e_points).filter(|&p| p <= MAX_POINTS);
    let Some(points) = points else {
        let points = d_points as u128 * e_points as u128;
        return Err(DesignError::TooManyPoints {
            points,
            max: MAX_POINTS,
        });
    };
    let factors = decision.factors() + noise.factors();
    let mut values = Vec::with_capacity(points * factors);
    for d in decision.rows() {
        for e in noise.rows() {
            values.extend_from_slice(d);
            values.extend_from_slice(e);
        }
    }
    let name = format!("crossed ({}) × ({})", decision.name(), noise.name());
    Ok(Design::from_values(name, factors, values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::factorial::full_factorial;
    use crate::design::nolh::nolh;

    #[test]
    fn every_decision_point_meets_every_noise_point_once_in_the_documented_order() {
        let decision = full_factorial(&[3, 2]).unwrap();
        let noise = nolh(5).unwrap();
        let design = crossed(&decision, &noise).unwrap();
        assert_eq!((design.points(), design.factors()), (6 * 17, 7));
        for d in 0..decision.points() {
            for e in 0..noise.points() {
                let row = design.point(d * noise.points() + e);
                assert_eq!(&row[..2], decision.point(d));
                assert_eq!(&row[2..], noise.point(e));
            }
        }
        assert_eq!(
            design.name(),
            "crossed (full factorial 3×2) × (NOLH 17×5 (Cioppa & Lucas 2007))"
        );
    }

    #[test]
    fn crossing_keeps_the_parts_properties() {
        // The closest pair of a crossed design is the closer of the parts' closest pairs (two
        // points differing in one part only), and crossing adds no correlation: within the
        // crossed design every decision column is uncorrelated with every noise column.
        let decision = nolh(3).unwrap();
        let noise = full_factorial(&[2, 2]).unwrap();
        let (a, b) = (decision.diagnostics(), noise.diagnostics());
        let c = crossed(&decision, &noise).unwrap().diagnostics();
        let closest = a.min_distance.unwrap().min(b.min_distance.unwrap());
        assert_eq!(c.min_distance, Some(closest));
        assert!(
            (c.max_abs_correlation - a.max_abs_correlation.max(b.max_abs_correlation)).abs()
                < 1e-12
        );
    }

    #[test]
    fn a_product_too_large_is_refused() {
        let big = full_factorial(&[4000]).unwrap();
        let error = crossed(&big, &big).unwrap_err();
        assert_eq!(
            error,
            DesignError::TooManyPoints {
                points: 16_000_000,
                max: MAX_POINTS
            }
        );
    }
}
