//! Random Latin hypercubes (McKay, Beckman & Conover 1979): every factor's range cut into as many
//! equal strata as there are points, exactly one point in each; and a maximin improvement by
//! swaps. Randomness only from the caller's stream, so a design is a function of that stream.

use rand::RngExt;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::measure::distance_squared;
use super::{Design, DesignError, MAX_POINTS};

/// Where in its stratum a point is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// At the stratum's middle, (s + ½)/n: no draws beyond the permutations, and the design's
    /// columns are all the same set of values.
    Midpoint,
    /// Uniformly within the stratum, (s + u)/n with u in [0, 1): an unbiased sample of the
    /// hypercube, as McKay et al. define it.
    Jittered,
}

/// A random Latin hypercube of `points` points in `factors` factors.
///
/// Draws, in this order, for each factor: one shuffle of the strata 0..points (so point i is in
/// stratum πⱼ(i)), then, if jittered, one uniform per point in point order. The same stream state
/// therefore always gives the same design.
///
/// ```
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use sandtable::design::lhs::{Placement, latin_hypercube};
///
/// let mut rng = ChaCha8Rng::seed_from_u64(7);
/// let design = latin_hypercube(10, 3, Placement::Midpoint, &mut rng).unwrap();
/// let mut strata: Vec<usize> = design.column(0).iter().map(|v| (v * 10.0) as usize).collect();
/// strata.sort();
/// assert_eq!(strata, (0..10).collect::<Vec<_>>());
/// ```
pub fn latin_hypercube(
    points: usize,
    factors: usize,
    placement: Placement,
    rng: &mut ChaCha8Rng,
) -> Result<Design, DesignError> {
    if points == 0 {
        return Err(DesignError::NoPoints);
    }
    if factors == 0 {
        return Err(DesignError::NoFactors);
    }
    if points > MAX_POINTS {
        return Err(DesignError::TooManyPoints {
            points: points as u128,
            max: MAX_POINTS,
        });
    }
    let n = points as f64;
    let mut values = vec![0.0; points * factors];
    let mut strata: Vec<usize> = (0..points).collect();
    for j in 0..factors {
        strata.shuffle(rng);
        for (i, &stratum) in strata.iter().enumerate() {
            let offset = match placement {
                Placement::Midpoint => 0.5,
                Placement::Jittered => rng.random::<f64>(),
            };
            // (s + u)/n < 1 for u < 1, but rounding could reach 1.0 exactly; that is still in
            // the last stratum's closed end.
            values[i * factors + j] = ((stratum as f64 + offset) / n).min(1.0);
        }
    }
    let kind = match placement {
        Placement::Midpoint => "midpoints",
        Placement::Jittered => "jittered",
    };
    let name = format!("Latin hypercube {points}×{factors} ({kind})");
    Ok(Design::from_values(name, factors, values))
}

/// Half the exponent p of the Morris–Mitchell criterion φₚ = (Σ d⁻ᵖ)^(1/p) that the swaps
/// minimise: p = 20 is large enough that φₚ ranks designs almost as the minimum distance does,
/// yet every close pair still counts, so a swap that moves a pair apart without changing the
/// single closest pair is still progress (Morris & Mitchell 1995, J. Stat. Plann. Inference 43).
const PHI_HALF_EXPONENT: u32 = 10;

/// `design` improved towards maximin by `swaps` random swaps within columns (Morris & Mitchell
/// 1995): each swap exchanges one factor's values between two points and is kept only if it
/// lowers φ₂₀ and leaves no pair closer than the design's minimum distance at the start.
///
/// A swap keeps every column's set of values, so a Latin hypercube stays Latin; the minimum
/// distance never falls. Each trial draws the factor, then the two points, from `rng`, and costs
/// O(points · factors). A few hundred swaps per point are typical. Designs of one factor or one
/// point come back unchanged (a swap cannot move them).
pub fn improve_maximin(design: &Design, swaps: usize, rng: &mut ChaCha8Rng) -> Design {
    let (n, k) = (design.points(), design.factors());
    let mut rows = design.to_rows();
    let floor = (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .map(|(a, b)| distance_squared(&rows[a], &rows[b]))
        .fold(f64::INFINITY, f64::min);
    // Coincident points give no scale to measure closeness against; leave such a design alone.
    if n < 2 || k < 2 || floor == 0.0 {
        return design.clone();
    }
    for _ in 0..swaps {
        let j = rng.random_range(0..k);
        let a = rng.random_range(0..n);
        let b = rng.random_range(0..n - 1);
        let b = if b >= a { b + 1 } else { b };
        let before = closeness(&rows, a, b, floor).expect("every pair is at least the floor apart");
        swap_values(&mut rows, a, b, j);
        if !closeness(&rows, a, b, floor).is_some_and(|after| after < before) {
            swap_values(&mut rows, a, b, j);
        }
    }
    let values = rows.into_iter().flatten().collect();
    let name = format!("{} + maximin ({swaps} swaps)", design.name());
    Design::from_values(name, k, values)
}

fn swap_values(rows: &mut [Vec<f64>], a: usize, b: usize, factor: usize) {
    let held = rows[a][factor];
    rows[a][factor] = rows[b][factor];
    rows[b][factor] = held;
}

/// The part of Σ (floor/d²)^(p/2) that points `a` and `b` contribute (their pairs with every
/// other point), or `None` if one of those pairs is closer than the floor. The pair (a, b) itself
/// is left out: a swap within one column negates one coordinate of their difference, which keeps
/// their distance. Dividing by the floor keeps every term at most 1, so no power overflows.
fn closeness(rows: &[Vec<f64>], a: usize, b: usize, floor: f64) -> Option<f64> {
    let mut sum = 0.0;
    for (i, row) in rows.iter().enumerate() {
        if i == a || i == b {
            continue;
        }
        for end in [a, b] {
            let d2 = distance_squared(&rows[end], row);
            if d2 < floor {
                return None;
            }
            sum += power(floor / d2, PHI_HALF_EXPONENT);
        }
    }
    Some(sum)
}

/// x^n by repeated squaring: exact IEEE multiplications, unlike `powi`, whose rounding may
/// differ between platforms.
fn power(x: f64, n: u32) -> f64 {
    let (mut result, mut base, mut n) = (1.0, x, n);
    while n > 0 {
        if n & 1 == 1 {
            result *= base;
        }
        base *= base;
        n >>= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    /// Asserts the Latin property: in every factor, each of the n strata [s/n, (s+1)/n) holds
    /// exactly one point (1.0 counting in the last).
    fn assert_latin(design: &Design) {
        let n = design.points();
        for j in 0..design.factors() {
            let mut strata: Vec<usize> = design
                .column(j)
                .iter()
                .map(|&v| ((v * n as f64).floor() as usize).min(n - 1))
                .collect();
            strata.sort_unstable();
            assert_eq!(
                strata,
                (0..n).collect::<Vec<_>>(),
                "{}: factor {j}",
                design.name()
            );
        }
    }

    #[test]
    fn exactly_one_point_per_stratum_in_every_factor() {
        for (seed, points, factors) in [(1, 1, 1), (2, 2, 5), (3, 10, 3), (4, 37, 8), (5, 200, 12)]
        {
            for placement in [Placement::Midpoint, Placement::Jittered] {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let design = latin_hypercube(points, factors, placement, &mut rng).unwrap();
                assert_eq!((design.points(), design.factors()), (points, factors));
                assert_latin(&design);
            }
        }
    }

    #[test]
    fn midpoints_sit_at_the_middle_of_their_strata() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let design = latin_hypercube(8, 4, Placement::Midpoint, &mut rng).unwrap();
        for v in design.rows().flatten() {
            let s = (v * 8.0).floor();
            assert_eq!(*v, (s + 0.5) / 8.0);
        }
    }

    #[test]
    fn the_same_stream_gives_the_same_design() {
        let make = |seed: u64, placement| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let design = latin_hypercube(25, 6, placement, &mut rng).unwrap();
            improve_maximin(&design, 500, &mut rng)
        };
        for placement in [Placement::Midpoint, Placement::Jittered] {
            assert_eq!(make(11, placement), make(11, placement));
            assert_ne!(make(11, placement), make(12, placement));
        }
    }

    #[test]
    fn maximin_keeps_the_design_latin_and_never_shrinks_the_minimum_distance() {
        for (seed, points, factors) in [(1, 5, 2), (2, 20, 3), (3, 33, 11), (4, 64, 5), (5, 100, 2)]
        {
            for placement in [Placement::Midpoint, Placement::Jittered] {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let start = latin_hypercube(points, factors, placement, &mut rng).unwrap();
                let improved = improve_maximin(&start, 100 * points, &mut rng);
                assert_latin(&improved);
                let (before, after) = (start.diagnostics(), improved.diagnostics());
                assert!(
                    after.min_distance >= before.min_distance,
                    "{}: {before} -> {after}",
                    start.name()
                );
            }
        }
    }

    #[test]
    fn maximin_spreads_a_random_design_apart() {
        // A regression figure, not a law: on this stream, 2,000 swaps widen the closest pair
        // of a 20-point, 3-factor design from 0.187 to 0.367.
        let mut rng = ChaCha8Rng::seed_from_u64(2024);
        let start = latin_hypercube(20, 3, Placement::Midpoint, &mut rng).unwrap();
        let improved = improve_maximin(&start, 2_000, &mut rng);
        let (before, after) = (start.diagnostics(), improved.diagnostics());
        assert!(
            after.min_distance.unwrap() > 1.9 * before.min_distance.unwrap(),
            "{before} -> {after}"
        );
    }

    #[test]
    fn empty_requests_are_refused_and_unswappable_designs_kept() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let refuse = |points, factors, rng: &mut ChaCha8Rng| {
            latin_hypercube(points, factors, Placement::Jittered, rng).unwrap_err()
        };
        assert_eq!(refuse(0, 3, &mut rng), DesignError::NoPoints);
        assert_eq!(refuse(3, 0, &mut rng), DesignError::NoFactors);
        let line = latin_hypercube(6, 1, Placement::Midpoint, &mut rng).unwrap();
        assert_eq!(improve_maximin(&line, 100, &mut rng), line);
        assert_eq!(
            power(1.5, 10),
            1.5f64 * 1.5 * 1.5 * 1.5 * 1.5 * 1.5 * 1.5 * 1.5 * 1.5 * 1.5
        );
    }
}
