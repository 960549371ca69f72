//! Scenario discovery by PRIM, the patient rule induction method (Friedman & Fisher 1999): a box
//! of input ranges peeled a little at a time towards where a binary outcome is most frequent,
//! and the trajectory of boxes it passes through. Pure maths over columns.

use super::AnalysisError;

/// The share of the box's points each peel removes.
pub const PEEL_ALPHA: f64 = 0.05;
/// Peeling stops before the box would hold fewer than this share of all points.
pub const MIN_SUPPORT_BETA: f64 = 0.05;
/// The chosen box is the densest of those that still cover at least this share of the cases.
pub const MIN_COVERAGE: f64 = 0.5;

/// One input's range in a box: the box holds the points with `low <= x <= high`; `None` is
/// unbounded on that side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The input, as its index among the columns given to [`prim`].
    pub input: usize,
    /// The smallest value kept, if that side was peeled.
    pub low: Option<f64>,
    /// The largest value kept, if that side was peeled.
    pub high: Option<f64>,
}

/// A box of the peeling trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    /// The share of all cases (outcome true) that fall in the box.
    pub coverage: f64,
    /// The share of the box's points that are cases.
    pub density: f64,
    /// The share of all points in the box.
    pub support: f64,
    /// The inputs the box restricts, in input order; the others are unbounded.
    pub bounds: Vec<Bound>,
}

/// A PRIM run: every box from the whole input space down, and the one chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Prim {
    /// The boxes in peeling order; the first is everything (coverage 1, density the base rate).
    pub trajectory: Vec<PrimBox>,
    /// Index in `trajectory` of the chosen box: the highest density among boxes with coverage
    /// at least [`MIN_COVERAGE`], the higher coverage on a tie (the first box always qualifies).
    pub chosen: usize,
}

impl Prim {
    /// The chosen box.
    pub fn chosen_box(&self) -> &PrimBox {
        &self.trajectory[self.chosen]
    }
}

/// One candidate peel: which input, from which end, the value kept up to, the points kept.
struct Peel {
    input: usize,
    from_top: bool,
    threshold: f64,
    kept: Vec<usize>,
}

/// The box being peeled: per input its kept range, and the points inside.
struct Peeling<'a> {
    inputs: &'a [Vec<f64>],
    outcome: &'a [bool],
    low: Vec<Option<f64>>,
    high: Vec<Option<f64>>,
    inside: Vec<usize>,
}

impl Peeling<'_> {
    fn cases(&self, points: &[usize]) -> usize {
        points.iter().filter(|&&i| self.outcome[i]).count()
    }

    /// The best single peel: the one whose
    /// remaining box has the highest share of cases. A peel that removes nothing (ties at the
    /// edge) or everything is not a candidate.
    fn best_peel(&self) -> Option<Peel> {
        let m = self.inside.len();
        let cut = ((PEEL_ALPHA * m as f64).floor() as usize).max(1);
        let mut best: Option<(f64, Peel)> = None;
        for (j, column) in self.inputs.iter().enumerate() {
            let mut values: Vec<f64> = self.inside.iter().map(|&i| column[i]).collect();
            values.sort_by(f64::total_cmp);
            for top in [false, true] {
                let threshold = if top {
                    values[m - 1 - cut]
                } else {
                    values[cut]
                };
                let kept: Vec<usize> = self
                    .inside
                    .iter()
                    .copied()
                    .filter(|&i| {
                        if top {
                            column[i] <= threshold
                        } else {
                            column[i] >= threshold
                        }
                    })
                    .collect();
                if kept.is_empty() || kept.len() == m {
                    continue;
                }
                let density = self.cases(&kept) as f64 / kept.len() as f64;
                if best.as_ref().is_none_or(|(d, _)| density > *d) {
                    best = Some((
                        density,
                        Peel {
                            input: j,
                            from_top: top,
                            threshold,
                            kept,
                        },
                    ));
                }
            }
        }
        best.map(|(_, peel)| peel)
    }

    fn snapshot(&self, n: usize, total_cases: usize) -> PrimBox {
        let cases = self.cases(&self.inside);
        PrimBox {
            coverage: cases as f64 / total_cases as f64,
            density: cases as f64 / self.inside.len() as f64,
            support: self.inside.len() as f64 / n as f64,
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
/// [`MIN_SUPPORT_BETA`] of all points.
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
    let mut box_ = Peeling {
        inputs,
        outcome,
        low: vec![None; inputs.len()],
        high: vec![None; inputs.len()],
        inside: (0..n).collect(),
    };
    let min_points = (MIN_SUPPORT_BETA * n as f64).ceil() as usize;
    let mut trajectory = vec![box_.snapshot(n, total_cases)];
    while let Some(peel) = box_.best_peel() {
        if peel.kept.len() < min_points.max(1) {
            break;
        }
        let side = if peel.from_top {
            &mut box_.high
        } else {
            &mut box_.low
        };
        side[peel.input] = Some(peel.threshold);
        box_.inside = peel.kept;
        trajectory.push(box_.snapshot(n, total_cases));
    }
    let chosen = (0..trajectory.len())
        .filter(|&b| trajectory[b].coverage >= MIN_COVERAGE)
        .max_by(|&a, &b| {
            let (x, y) = (&trajectory[a], &trajectory[b]);
            // On equal density the earlier box (higher coverage) wins: max_by keeps the last
            // maximum, so compare coverage too.
            x.density
                .total_cmp(&y.density)
                .then(x.coverage.total_cmp(&y.coverage))
        })
        .unwrap_or(0);
    Ok(Prim { trajectory, chosen })
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
}
