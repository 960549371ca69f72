//! Scenario discovery by PRIM, the patient rule induction method (Friedman & Fisher 1999): a box
//! of input ranges peeled a little at a time towards where a binary outcome is most frequent,
//! and the trajectory of boxes it passes through. Pure maths over columns.

use rayon::prelude::*;

use super::AnalysisError;
pub use super::boxes::{Bound, PrimBox};

/// The share of the box's points each peel removes.
pub const PEEL_ALPHA: f64 = 0.05;
/// Peeling stops before the box would hold fewer than this share of all points.
pub const MIN_SUPPORT_BETA: f64 = 0.05;
/// The chosen box is among those that still cover at least this share of the cases.
pub const MIN_COVERAGE: f64 = 0.5;
/// Boxes whose density is within this much (or one standard error, if more) of the densest
/// are as good as it; the one covering the most cases is chosen.
pub const DENSITY_TOLERANCE: f64 = 0.01;

/// A PRIM run: every box from the whole input space down, the one chosen, and that box pasted.
#[derive(Debug, Clone, PartialEq)]
pub struct Prim {
    /// The boxes in peeling order; the first is everything (coverage 1, density the base rate).
    pub trajectory: Vec<PrimBox>,
    /// Index in `trajectory` of the box chosen for pasting: among boxes covering at least
    /// [`MIN_COVERAGE`] of the cases, the one covering most within [`DENSITY_TOLERANCE`] (or a
    /// standard error) of the densest.
    pub chosen: usize,
    /// The chosen box after pasting ([`super::paste`]): widened back where that does not
    /// lower its density; the box the command reports.
    pub pasted: PrimBox,
}

impl Prim {
    /// The box reported: the chosen box of the trajectory, pasted.
    pub fn chosen_box(&self) -> &PrimBox {
        &self.pasted
    }

    /// The chosen box as peeling left it, before pasting.
    pub fn peeled_box(&self) -> &PrimBox {
        &self.trajectory[self.chosen]
    }
}

/// One candidate peel: which input, from which end, the value kept up to, and what it keeps.
#[derive(Debug, Clone, Copy)]
struct Peel {
    input: usize,
    from_top: bool,
    threshold: f64,
    kept: usize,
    density: f64,
}

/// The box being peeled: per input its kept range, and the points inside.
struct Peeling<'a> {
    inputs: &'a [Vec<f64>],
    outcome: &'a [bool],
    low: Vec<Option<f64>>,
    high: Vec<Option<f64>>,
    inside: Vec<u32>,
}

impl<'a> Peeling<'a> {
    /// The box of every point.
    fn new(inputs: &'a [Vec<f64>], outcome: &'a [bool]) -> Peeling<'a> {
        Peeling {
            inputs,
            outcome,
            low: vec![None; inputs.len()],
            high: vec![None; inputs.len()],
            inside: (0..outcome.len() as u32).collect(),
        }
    }

    /// The best single peel: the one whose remaining box has the highest share of cases, the
    /// first in input order (low end before high) on a tie. A peel that removes nothing (ties
    /// at the edge) or everything is not a candidate. Each input's two peels are found by
    /// selection (no sort) on its own core.
    fn best_peel(&self) -> Option<Peel> {
        let m = self.inside.len();
        let cut = ((PEEL_ALPHA * m as f64).floor() as usize).max(1);
        if cut >= m {
            return None;
        }
        let candidates: Vec<[Option<Peel>; 2]> = (0..self.inputs.len())
            .into_par_iter()
            .map(|j| self.peels_of(j, cut))
            .collect();
        let mut best: Option<Peel> = None;
        for peel in candidates.into_iter().flatten().flatten() {
            if best.is_none_or(|b| peel.density > b.density) {
                best = Some(peel);
            }
        }
        best
    }

    /// Input `j`'s two peels of `cut` points: from the low end (keeping values at or above the
    /// `cut`-th smallest) and from the high end.
    fn peels_of(&self, j: usize, cut: usize) -> [Option<Peel>; 2] {
        let column = &self.inputs[j];
        let m = self.inside.len();
        let mut values: Vec<f64> = self.inside.iter().map(|&i| column[i as usize]).collect();
        let low = *values.select_nth_unstable_by(cut, f64::total_cmp).1;
        let high = *values.select_nth_unstable_by(m - 1 - cut, f64::total_cmp).1;
        let (mut kept, mut cases) = ([0usize; 2], [0usize; 2]);
        for &i in &self.inside {
            let (v, case) = (column[i as usize], usize::from(self.outcome[i as usize]));
            if v >= low {
                kept[0] += 1;
                cases[0] += case;
            }
            if v <= high {
                kept[1] += 1;
                cases[1] += case;
            }
        }
        let peel = |side: usize, threshold: f64| {
            (kept[side] > 0 && kept[side] < m).then(|| Peel {
                input: j,
                from_top: side == 1,
                threshold,
                kept: kept[side],
                density: cases[side] as f64 / kept[side] as f64,
            })
        };
        [peel(0, low), peel(1, high)]
    }

    /// Applies `peel`: narrows the bound and keeps the points inside.
    fn apply(&mut self, peel: Peel) {
        let column = &self.inputs[peel.input];
        if peel.from_top {
            self.high[peel.input] = Some(peel.threshold);
            self.inside
                .retain(|&i| column[i as usize] <= peel.threshold);
        } else {
            self.low[peel.input] = Some(peel.threshold);
            self.inside
                .retain(|&i| column[i as usize] >= peel.threshold);
        }
    }

    /// The box as reported: its measures and the inputs it bounds.
    fn snapshot(&self) -> PrimBox {
        let total_cases = self.outcome.iter().filter(|&&c| c).count();
        let cases = self
            .inside
            .iter()
            .filter(|&&i| self.outcome[i as usize])
            .count();
        PrimBox {
            coverage: cases as f64 / total_cases as f64,
            density: cases as f64 / self.inside.len() as f64,
            support: self.inside.len() as f64 / self.outcome.len() as f64,
            bounds: (0..self.inputs.len())
                .filter(|&j| self.low[j].is_some() || self.high[j].is_some())
                .map(|j| Bound {
                    input: j,
                    low: self.low[j],
                    high: self.high[j],
                })
                .collect(),
        }
    }
}

/// Peels the box of `inputs` (one column per input) towards the points where `outcome` is true,
/// removing [`PEEL_ALPHA`] of the box's points at a time from the low or high end of one input
/// (whichever leaves the highest share of cases), until the next peel would leave fewer than
/// [`MIN_SUPPORT_BETA`] of all points; then pastes the chosen box.
///
/// # Errors
/// When the outcome is always or never true (there is nothing to discover), or the columns do
/// not all have the outcome's length.
pub fn prim(inputs: &[Vec<f64>], outcome: &[bool]) -> Result<Prim, AnalysisError> {
    let n = outcome.len();
    if inputs.iter().any(|c| c.len() != n) {
        return Err(AnalysisError::Singular(
            "columns of unequal length".to_string(),
        ));
    }
    let total_cases = outcome.iter().filter(|&&c| c).count();
    if total_cases == 0 || total_cases == n {
        return Err(AnalysisError::ConstantOutcome);
    }
    let mut box_ = Peeling::new(inputs, outcome);
    let min_points = ((MIN_SUPPORT_BETA * n as f64).ceil() as usize).max(1);
    let mut trajectory = vec![box_.snapshot()];
    while let Some(peel) = box_.best_peel() {
        if peel.kept < min_points {
            break;
        }
        box_.apply(peel);
        trajectory.push(box_.snapshot());
    }
    let chosen = choose_box(&trajectory, n);
    let pasted = super::paste::paste(inputs, outcome, &trajectory[chosen]);
    Ok(Prim {
        trajectory,
        chosen,
        pasted,
    })
}

/// The box to report from a peeling `trajectory` over `n` points: among boxes covering at
/// least [`MIN_COVERAGE`] of the cases, the first (the one covering the most) whose density is
/// within [`DENSITY_TOLERANCE`] or one standard error, whichever is larger, of the densest's.
/// Peeling always takes the peel that raises the density most, so once the density stops
/// rising for real, later boxes still creep up by chance as they shed cases: taking the plain
/// densest picks a box bounded by noise inputs and covering little. This is the one-standard-
/// error rule of tree pruning (Breiman et al. 1984) with a floor, since the creep is a selection
/// effect the standard error does not see.
fn choose_box(trajectory: &[PrimBox], n: usize) -> usize {
    let covering = || (0..trajectory.len()).filter(|&b| trajectory[b].coverage >= MIN_COVERAGE);
    let Some(densest) = covering().max_by(|&a, &b| {
        trajectory[a]
            .density
            .total_cmp(&trajectory[b].density)
            .then(b.cmp(&a))
    }) else {
        return 0;
    };
    let best = &trajectory[densest];
    let points = (best.support * n as f64).max(1.0);
    let standard_error = (best.density * (1.0 - best.density) / points).sqrt();
    let floor = best.density - DENSITY_TOLERANCE.max(standard_error);
    covering()
        .find(|&b| trajectory[b].density >= floor)
        .unwrap_or(densest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::uniform_columns;

    #[test]
    fn a_planted_threshold_is_found_as_the_boxs_lower_bound() {
        let x = uniform_columns(1000, 4, 11);
        let y: Vec<bool> = x[0].iter().map(|&v| v > 0.7).collect();
        let result = prim(&x, &y).unwrap();
        let chosen = result.chosen_box();
        let bound = chosen
            .bounds
            .iter()
            .find(|b| b.input == 0)
            .expect("x1 bounded");
        let low = bound.low.expect("x1 peeled from below");
        assert!((low - 0.7).abs() < 0.05, "lower bound {low}");
        assert!(
            chosen.density > 0.95 && chosen.coverage >= 0.5,
            "{chosen:?}"
        );
        let first = &result.trajectory[0];
        assert_eq!((first.coverage, first.support), (1.0, 1.0));
        assert!(result.trajectory.last().unwrap().support >= MIN_SUPPORT_BETA);
        for pair in result.trajectory.windows(2) {
            assert!(
                pair[1].support < pair[0].support,
                "each peel removes points"
            );
        }
    }

    #[test]
    fn an_outcome_that_never_happens_has_nothing_to_discover() {
        let x = uniform_columns(50, 2, 3);
        assert_eq!(prim(&x, &[false; 50]), Err(AnalysisError::ConstantOutcome));
    }

    #[test]
    fn a_density_that_creeps_up_by_chance_does_not_pull_the_choice_down_the_trajectory() {
        let at = |coverage: f64, density: f64| PrimBox {
            coverage,
            density,
            support: coverage * 0.4 / density,
            bounds: Vec::new(),
        };
        // Density reaches 0.95 at the fourth box, then creeps up as noise peels shed cases.
        let trajectory = [
            at(1.0, 0.40),
            at(0.97, 0.60),
            at(0.94, 0.85),
            at(0.92, 0.950),
            at(0.80, 0.951),
            at(0.60, 0.952),
            at(0.45, 0.990),
        ];
        assert_eq!(choose_box(&trajectory, 1_000_000), 3);
        // Few points: the standard error widens the tolerance.
        let small = [at(1.0, 0.5), at(0.9, 0.80), at(0.7, 0.84), at(0.6, 0.88)];
        assert_eq!(choose_box(&small, 40), 1);
        assert_eq!(choose_box(&small, 1_000_000), 3);
    }
}
