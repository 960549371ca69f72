//! PRIM's pasting (Friedman & Fisher 1999): after peeling, the chosen box's faces are moved
//! back out a little at a time wherever that does not lower the share of cases inside. Peeling is
//! greedy, one face at a time, and may have cut too deep on an input it peeled early; pasting
//! undoes what the later peels made unnecessary. Pure maths over columns.

use super::boxes::{Bound, PrimBox};

/// The share of the box's points one paste adds (smaller steps than peeling's, as in the
/// original method: pasting refines).
pub const PASTE_ALPHA: f64 = 0.01;

/// One side of one input's range.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Face {
    input: usize,
    top: bool,
}

/// The box of `start` widened, face after face, while some widening keeps or raises its
/// density (more cases covered at the same density is a better box): each step adds the
/// [`PASTE_ALPHA`] share of the box's points nearest one face among those outside it through
/// that face alone, choosing the face that gives the highest density (the first face on a
/// tie). Each step adds points, so it ends. A bound that keeps out no point the others keep
/// in is dropped.
pub fn paste(inputs: &[Vec<f64>], outcome: &[bool], start: &PrimBox) -> PrimBox {
    let k = inputs.len();
    let (mut low, mut high) = (vec![None; k], vec![None; k]);
    for b in &start.bounds {
        low[b.input] = b.low;
        high[b.input] = b.high;
    }
    loop {
        let census = Census::take(inputs, outcome, &low, &high);
        if let Some(face) = census.redundant_face(&low, &high) {
            // Every point it keeps out another bound keeps out too: it says nothing.
            let side = if face.top { &mut high } else { &mut low };
            side[face.input] = None;
            continue;
        }
        let Some((face, threshold)) = census.best_paste(inputs, outcome) else {
            return census.measured(outcome, &low, &high);
        };
        let side = if face.top { &mut high } else { &mut low };
        side[face.input] = Some(threshold);
    }
}

/// Where every point lies with respect to a box.
struct Census {
    /// Points inside.
    inside: usize,
    /// Cases inside.
    cases: usize,
    /// Per face (2 × input + top), the points outside the box through that face alone.
    outside_by_face: Vec<Vec<u32>>,
}

impl Census {
    fn take(
        inputs: &[Vec<f64>],
        outcome: &[bool],
        low: &[Option<f64>],
        high: &[Option<f64>],
    ) -> Census {
        let bounded: Vec<usize> = (0..inputs.len())
            .filter(|&j| low[j].is_some() || high[j].is_some())
            .collect();
        let mut census = Census {
            inside: 0,
            cases: 0,
            outside_by_face: vec![Vec::new(); 2 * inputs.len()],
        };
        for (r, &case) in outcome.iter().enumerate() {
            let (mut violations, mut face) = (0, 0);
            for &j in &bounded {
                let v = inputs[j][r];
                if low[j].is_some_and(|l| v < l) {
                    (violations, face) = (violations + 1, 2 * j);
                } else if high[j].is_some_and(|h| v > h) {
                    (violations, face) = (violations + 1, 2 * j + 1);
                }
                if violations > 1 {
                    break;
                }
            }
            match violations {
                0 => {
                    census.inside += 1;
                    census.cases += usize::from(case);
                }
                1 => census.outside_by_face[face].push(r as u32),
                _ => {}
            }
        }
        census
    }

    /// A bound that keeps out no point on its own, the first in input order.
    fn redundant_face(&self, low: &[Option<f64>], high: &[Option<f64>]) -> Option<Face> {
        (0..low.len())
            .flat_map(|input| [(input, false), (input, true)])
            .find(|&(j, top)| {
                let bounded = if top {
                    high[j].is_some()
                } else {
                    low[j].is_some()
                };
                bounded && self.outside_by_face[2 * j + usize::from(top)].is_empty()
            })
            .map(|(input, top)| Face { input, top })
    }

    /// The face to widen and its new bound, if a widening keeps or raises the density.
    fn best_paste(&self, inputs: &[Vec<f64>], outcome: &[bool]) -> Option<(Face, f64)> {
        let density = self.cases as f64 / self.inside as f64;
        let add = ((PASTE_ALPHA * self.inside as f64).floor() as usize).max(1);
        let mut best: Option<(f64, Face, f64)> = None;
        for (f, rows) in self.outside_by_face.iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let face = Face {
                input: f / 2,
                top: f % 2 == 1,
            };
            let column = &inputs[face.input];
            let mut values: Vec<f64> = rows.iter().map(|&r| column[r as usize]).collect();
            let nth = add.min(values.len()) - 1;
            // The points nearest the face first: above a high face, the smallest values.
            let threshold = if face.top {
                *values.select_nth_unstable_by(nth, f64::total_cmp).1
            } else {
                *values.select_nth_unstable_by(nth, |a, b| b.total_cmp(a)).1
            };
            let (mut added, mut added_cases) = (0usize, 0usize);
            for &r in rows {
                let v = column[r as usize];
                if (face.top && v <= threshold) || (!face.top && v >= threshold) {
                    added += 1;
                    added_cases += usize::from(outcome[r as usize]);
                }
            }
            let widened = (self.cases + added_cases) as f64 / (self.inside + added) as f64;
            if widened >= density && best.is_none_or(|(d, ..)| widened > d) {
                best = Some((widened, face, threshold));
            }
        }
        best.map(|(_, face, threshold)| (face, threshold))
    }

    /// The box's measures and bounds.
    fn measured(&self, outcome: &[bool], low: &[Option<f64>], high: &[Option<f64>]) -> PrimBox {
        let total_cases = outcome.iter().filter(|&&c| c).count();
        PrimBox {
            coverage: self.cases as f64 / total_cases as f64,
            density: self.cases as f64 / self.inside as f64,
            support: self.inside as f64 / outcome.len() as f64,
            bounds: (0..low.len())
                .filter(|&j| low[j].is_some() || high[j].is_some())
                .map(|j| Bound {
                    input: j,
                    low: low[j],
                    high: high[j],
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::uniform_columns;

    #[test]
    fn a_face_peeled_too_deep_is_pasted_back_to_the_threshold() {
        let x = uniform_columns(4000, 2, 21);
        let y: Vec<bool> = x[0].iter().map(|&v| v > 0.6).collect();
        // A box cut at 0.8 where the cases start at 0.6, and a needless bound on x2.
        let start = PrimBox {
            coverage: 0.0,
            density: 0.0,
            support: 0.0,
            bounds: vec![
                Bound {
                    input: 0,
                    low: Some(0.8),
                    high: None,
                },
                Bound {
                    input: 1,
                    low: None,
                    high: Some(0.5),
                },
            ],
        };
        let pasted = paste(&x, &y, &start);
        let low = pasted.bounds[0].low.unwrap();
        assert!((low - 0.6).abs() < 0.01, "{pasted:?}");
        assert_eq!(pasted.density, 1.0, "no point below the threshold comes in");
        assert!(
            pasted.bounds.iter().all(|b| b.input != 1),
            "the bound on x2 cuts out cases only, so it goes: {pasted:?}"
        );
        assert!(pasted.coverage > 0.98, "{pasted:?}");
    }
}
