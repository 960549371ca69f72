//! From an experiment file's `[design]` to a [`Design`] over its factors: the construction of
//! `crate::design` it names, sized for the factors, with a refusal placed at `[design]` when the
//! construction cannot hold them.

use super::file::{DesignKind, DesignSpec, Placement, Source};
use crate::design::{self, Design, DesignError};
use crate::scenario::ScenarioError;
use crate::streams;

/// What a design needs to know of a factor beyond its place: how many settings it takes in a
/// factorial design (a categorical factor's levels, else its `steps`).
pub(super) struct DesignFactor {
    pub steps: usize,
}

/// Where a random design draws from: the experiment's seed and a purpose of its own (so the
/// design never shares a stream with a replication).
pub(super) struct DesignSeed<'a> {
    pub seed: u64,
    pub purpose: &'a str,
}

/// The design `spec` over `factors` (for a crossed design, `decision` and then `noise`).
///
/// # Errors
/// When the construction cannot hold the factors, or the spec is missing a size or has one
/// that does not apply to its kind: at the `[design]` table (or its key at fault).
pub(super) fn build(
    source: &Source<'_>,
    spec: &toml::Spanned<DesignSpec>,
    factors: &[DesignFactor],
    crossed: Option<(&[DesignFactor], &[DesignFactor])>,
    seed: u64,
) -> Result<Design, ScenarioError> {
    let at = |e: DesignError| source.error(&spec.span(), design_message(&e));
    let inner = spec.get_ref();
    if inner.kind.get_ref() != &DesignKind::Crossed {
        refuse_parts(source, inner)?;
        let seed = DesignSeed {
            seed,
            purpose: "design/lhs",
        };
        return single(inner, factors, &seed).map_err(at);
    }
    let (Some(decision), Some(noise), Some((d_factors, n_factors))) =
        (&inner.decision, &inner.noise, crossed)
    else {
        return Err(source.error(
            &spec.span(),
            "a crossed design needs `decision = { kind = … }` and `noise = { kind = … }`, and \
             every factor a `role = \"decision\"` or `role = \"noise\"`",
        ));
    };
    let part = |part: &toml::Spanned<Box<DesignSpec>>, factors: &[DesignFactor], purpose| {
        let spec = part.get_ref();
        if spec.kind.get_ref() == &DesignKind::Crossed {
            return Err(source.error(&part.span(), "a crossed design cannot hold another"));
        }
        refuse_parts(source, spec)?;
        let seed = DesignSeed { seed, purpose };
        single(spec, factors, &seed).map_err(|e| source.error(&part.span(), format!("design: {e}")))
    };
    let decision = part(decision, d_factors, "design/decision/lhs")?;
    let noise = part(noise, n_factors, "design/noise/lhs")?;
    design::crossed::crossed(&decision, &noise).map_err(at)
}

/// Why a design cannot be built, said in the experiment file's terms.
fn design_message(e: &DesignError) -> String {
    match e {
        DesignError::NolhTooSmall {
            points,
            requested,
            max_factors,
        } => format!(
            "design: the {points}-point NOLH holds at most {max_factors} factors; got \
             {requested} (leave out `points` for the smallest NOLH that holds them)"
        ),
        other => format!("design: {other}"),
    }
}

/// Refuses `decision`/`noise` outside a crossed design, and a Latin hypercube without its size.
fn refuse_parts(source: &Source<'_>, spec: &DesignSpec) -> Result<(), ScenarioError> {
    if spec.kind.get_ref() == &DesignKind::Lhs && spec.points.is_none() {
        return Err(source.error(
            &spec.kind.span(),
            "a Latin hypercube needs its size: points = N (e.g. 10 times the factors)",
        ));
    }
    match spec.decision.as_ref().or(spec.noise.as_ref()) {
        Some(part) => Err(source.error(
            &part.span(),
            "`decision` and `noise` belong to a design of kind = \"crossed\"",
        )),
        None => Ok(()),
    }
}

/// A design that is not crossed, over `factors`.
fn single(
    spec: &DesignSpec,
    factors: &[DesignFactor],
    seed: &DesignSeed<'_>,
) -> Result<Design, DesignError> {
    let k = factors.len();
    match spec.kind.get_ref() {
        DesignKind::Nolh => match &spec.points {
            Some(points) => design::nolh::nolh_with_points(*points.get_ref(), k),
            None => design::nolh::nolh(k),
        },
        DesignKind::Lhs => {
            let points = spec.points.as_ref().map_or(0, |p| *p.get_ref());
            let placement = match spec.placement.unwrap_or(Placement::Midpoint) {
                Placement::Midpoint => design::lhs::Placement::Midpoint,
                Placement::Jittered => design::lhs::Placement::Jittered,
            };
            let mut rng = streams::stream(seed.seed, 0, seed.purpose);
            let lhs = design::lhs::latin_hypercube(points, k, placement, &mut rng)?;
            Ok(match spec.maximin_swaps.unwrap_or(0) {
                0 => lhs,
                swaps => design::lhs::improve_maximin(&lhs, swaps, &mut rng),
            })
        }
        DesignKind::FullFactorial => {
            let levels: Vec<usize> = factors.iter().map(|f| f.steps).collect();
            design::factorial::full_factorial(&levels)
        }
        DesignKind::FractionalFactorial => {
            let fraction = spec.fraction.as_ref().map_or(0, |f| *f.get_ref());
            design::factorial::fractional_factorial(k, fraction)
        }
        // `build` handles crossed designs and refuses one inside another.
        DesignKind::Crossed => Err(DesignError::InvalidFactor(
            "a crossed design cannot be a part of another".into(),
        )),
    }
}
