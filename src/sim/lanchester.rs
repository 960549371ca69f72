//! Lanchester attrition for one round of fire, with no ECS: the maths shared by the combat
//! system and the validation tests. Square law for aimed fire, linear law for area fire.

use rand::Rng;
use rand_distr::{Binomial, Distribution, Hypergeometric};

use crate::scenario::FireKind;

/// One group of shooters on the other side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Shooters {
    /// How many.
    pub count: f64,
    /// Casualties per shooter-hour (aimed), or per shooter per target per hour (area),
    /// modifiers included.
    pub kill_rate_per_hour: f64,
    /// Aimed or area fire.
    pub fire: FireKind,
}

/// The chance that one member of a side of `targets` becomes a casualty within `round_hours`,
/// under fire from `shooters`, with the side's casualties divided by `protection`.
///
/// Aimed fire spreads a total of Σ k·N casualties per hour over the targets (square law:
/// dB/dt = −k·R); area fire gives each target a hazard k·N per hour (linear law:
/// dB/dt = −k·R·B). The hazard is held constant through the round and turned into a
/// probability, p = 1 − exp(−h·Δt), so a round never takes more than everyone.
pub(crate) fn casualty_probability(
    targets: f64,
    shooters: &[Shooters],
    round_hours: f64,
    protection: f64,
) -> f64 {
    if targets <= 0.0 {
        return 0.0;
    }
    let hazard_per_hour: f64 = shooters
        .iter()
        .map(|s| match s.fire {
            FireKind::Aimed => s.kill_rate_per_hour * s.count / targets,
            FireKind::Area => s.kill_rate_per_hour * s.count,
        })
        .sum::<f64>()
        / protection.max(f64::MIN_POSITIVE);
    -libm::expm1(-hazard_per_hour * round_hours)
}

/// Casualties among `troops` with per-member probability `p`: binomial when sampling, the
/// expectation `troops·p` in mean-field mode.
pub(crate) fn casualties<R: Rng + ?Sized>(troops: f64, p: f64, rng: Option<&mut R>) -> f64 {
    match rng {
        None => troops * p,
        Some(rng) => binomial(troops, p, rng),
    }
}

/// A binomial draw on a whole number of trials (fractions are rounded).
pub(crate) fn binomial<R: Rng + ?Sized>(n: f64, p: f64, rng: &mut R) -> f64 {
    let n = n.round().max(0.0) as u64;
    if n == 0 || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return n as f64;
    }
    Binomial::new(n, p)
        .map(|d| d.sample(rng) as f64)
        .unwrap_or(0.0)
}

/// Splits `total` casualties over groups in proportion to their sizes: drawn without
/// replacement when sampling (sequential hypergeometric draws, so whole numbers that add up
/// exactly and never exceed a group), proportions in mean-field mode.
pub(crate) fn split_by_size<R: Rng + ?Sized>(
    total: f64,
    sizes: &[f64],
    mut rng: Option<&mut R>,
) -> Vec<f64> {
    let mut pool: f64 = sizes.iter().sum();
    let mut left = total.min(pool);
    let mut out = Vec::with_capacity(sizes.len());
    for &size in sizes {
        let take = match rng.as_deref_mut() {
            Some(r) => hypergeometric(pool, size, left, r),
            None if pool > 0.0 => left * size / pool,
            None => 0.0,
        };
        out.push(take);
        left -= take;
        pool -= size;
    }
    out
}

/// How many of `draws` taken from a `population` fall among its `marked` members.
fn hypergeometric<R: Rng + ?Sized>(population: f64, marked: f64, draws: f64, rng: &mut R) -> f64 {
    let (n, k, d) = (
        population.round() as u64,
        marked.round() as u64,
        draws.round() as u64,
    );
    if d == 0 || k == 0 {
        return 0.0;
    }
    if d >= n || k >= n {
        return d.min(k) as f64;
    }
    Hypergeometric::new(n, k, d)
        .map(|h| h.sample(rng) as f64)
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aimed(count: f64, k: f64) -> Shooters {
        Shooters {
            count,
            kill_rate_per_hour: k,
            fire: FireKind::Aimed,
        }
    }

    #[test]
    fn square_law_round_takes_expected_share() {
        // 100 shooters at 0.01/h on 50 targets for 1 h: hazard 0.02 per target-hour.
        let p = casualty_probability(50.0, &[aimed(100.0, 0.01)], 1.0, 1.0);
        assert!((p - (1.0 - (-0.02f64).exp())).abs() < 1e-15);
    }

    #[test]
    fn fortification_divides_the_hazard() {
        let open = casualty_probability(50.0, &[aimed(100.0, 0.05)], 1.0, 1.0);
        let dug_in = casualty_probability(50.0, &[aimed(100.0, 0.05)], 1.0, 2.0);
        assert!((dug_in - (1.0 - (-0.05f64).exp())).abs() < 1e-15);
        assert!(dug_in < open);
    }

    #[test]
    fn linear_law_hazard_does_not_depend_on_target_count() {
        let area = Shooters {
            count: 10.0,
            kill_rate_per_hour: 0.001,
            fire: FireKind::Area,
        };
        let a = casualty_probability(10.0, &[area], 1.0, 1.0);
        let b = casualty_probability(1000.0, &[area], 1.0, 1.0);
        assert_eq!(a, b);
    }

    #[test]
    fn split_adds_up_exactly_when_sampling() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for total in [0.0, 1.0, 17.0, 150.0] {
            let parts = split_by_size(total, &[100.0, 40.0, 10.0], Some(&mut rng));
            assert_eq!(parts.iter().sum::<f64>(), total);
            assert!(parts.iter().all(|p| p.fract() == 0.0));
        }
    }

    #[test]
    fn split_is_proportional_in_mean_field() {
        let parts = split_by_size::<rand_chacha::ChaCha8Rng>(30.0, &[200.0, 100.0], None);
        assert!((parts[0] - 20.0).abs() < 1e-12 && (parts[1] - 10.0).abs() < 1e-12);
    }
}
