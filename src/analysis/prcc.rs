//! Partial rank correlation coefficients (PRCC): each input's correlation with the outcome once
//! both are rank-transformed and the other inputs' linear effect on the ranks is removed, with a
//! 95 % interval. They measure monotone influence, linear or not. Pure maths over columns.

use rayon::prelude::*;

use super::AnalysisError;
use super::correlation::{Cell, correlation_matrix, rank_in_place};

/// The two-sided 95 % quantile of the standard normal distribution.
pub const Z_95: f64 = 1.959963984540054;

/// One input's partial rank correlation with the outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prcc {
    /// The coefficient, from −1 to 1.
    pub value: f64,
    /// The 95 % interval's lower end (Fisher z).
    pub ci95_low: f64,
    /// The 95 % interval's upper end.
    pub ci95_high: f64,
}

/// Ranks from 1, ties given the mean of the ranks they span (so a tied block weighs as one).
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut out = values.to_vec();
    rank_in_place(&mut out);
    out
}

/// The PRCC of each input (columns of `inputs`) with `outcome`. The columns are taken by value
/// and ranked in place, one per core, so that a million runs need no second copy of them.
///
/// The partial correlation of input i with the outcome, controlling for the other inputs, is the
/// correlation of the residuals of two regressions on those others; it equals
/// −P[i,y] / √(P[i,i] P[y,y]) where P is the inverse of the correlation matrix of all the ranked
/// columns, which costs one (k + 1)² inversion instead of two regressions per input (the tests
/// check the two agree). The interval is Fisher's: z = atanh(r) ± 1.96 / √(df − 1),
/// df = n − 2 − (k − 1) for k inputs, back through tanh.
///
/// # Errors
/// When the outcome or an input does not vary, there are fewer than k + 3 rows, or the ranked
/// inputs are collinear.
pub fn prcc<T: Cell>(mut inputs: Vec<Vec<T>>, outcome: &[f64]) -> Result<Vec<Prcc>, AnalysisError> {
    let n = outcome.len();
    let k = inputs.len();
    super::check_shape(&inputs, n)?;
    inputs.par_iter_mut().for_each(|c| rank_in_place(c));
    let correlation = correlation_matrix(&inputs, &ranks(outcome)).map_err(|j| {
        if j == k {
            AnalysisError::ConstantOutcome
        } else {
            AnalysisError::ConstantInput { index: j }
        }
    })?;
    drop(inputs);
    let precision = correlation
        .try_inverse()
        .filter(|p| (0..=k).all(|j| p[(j, j)] > 0.0 && p[(j, j)].is_finite()))
        .ok_or_else(|| AnalysisError::Singular("the ranked inputs are collinear".to_string()))?;
    let se = 1.0 / ((n - 2 - (k - 1)) as f64 - 1.0).sqrt();
    Ok((0..k)
        .map(|i| {
            let r = (-precision[(i, k)] / (precision[(i, i)] * precision[(k, k)]).sqrt())
                .clamp(-1.0, 1.0);
            let zr = r.clamp(-0.999_999_999, 0.999_999_999).atanh();
            Prcc {
                value: r,
                ci95_low: (zr - Z_95 * se).tanh(),
                ci95_high: (zr + Z_95 * se).tanh(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use nalgebra::DMatrix;

    use super::*;
    use crate::analysis::tests::uniform_columns;

    /// The definition: the correlation of the residuals of the ranked input and outcome, each
    /// regressed on the other ranked inputs.
    fn by_residuals(inputs: &[Vec<f64>], outcome: &[f64], i: usize) -> f64 {
        let n = outcome.len();
        let others: Vec<usize> = (0..inputs.len()).filter(|&j| j != i).collect();
        let mut x = DMatrix::<f64>::from_element(n, others.len() + 1, 1.0);
        for (c, &j) in others.iter().enumerate() {
            x.set_column(c + 1, &nalgebra::DVector::from_vec(ranks(&inputs[j])));
        }
        let residual = |v: Vec<f64>| {
            let v = nalgebra::DVector::from_vec(v);
            let beta = x.clone().svd(true, true).solve(&v, 1e-12).unwrap();
            &v - &x * beta
        };
        let (a, b) = (residual(ranks(&inputs[i])), residual(ranks(outcome)));
        a.dot(&b) / (a.norm() * b.norm())
    }

    #[test]
    fn ties_share_their_mean_rank() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn a_monotone_driver_is_near_one_and_noise_is_near_zero_within_its_interval() {
        let x = uniform_columns(400, 3, 7);
        let y: Vec<f64> = (0..400)
            .map(|i| (3.0 * x[0][i]).exp() + 0.05 * x[1][i])
            .collect();
        let p = prcc(x.clone(), &y).unwrap();
        assert!(p[0].value > 0.95, "{:?}", p[0]);
        assert!(
            p[1].ci95_low > 0.0,
            "a small true effect is still seen: {:?}",
            p[1]
        );
        assert!(
            p[2].ci95_low < 0.0 && 0.0 < p[2].ci95_high,
            "noise: {:?}",
            p[2]
        );
        for (i, q) in p.iter().enumerate() {
            assert!(
                (q.value - by_residuals(&x, &y, i)).abs() < 1e-9,
                "input {i}"
            );
            assert!(q.ci95_low <= q.value && q.value <= q.ci95_high);
        }
    }

    #[test]
    fn inputs_kept_as_f32_give_the_same_coefficients() {
        let x = uniform_columns(2000, 4, 3);
        let y: Vec<f64> = (0..2000).map(|i| x[0][i] - x[2][i].powi(3)).collect();
        let wide = prcc(x.clone(), &y).unwrap();
        let narrow: Vec<Vec<f32>> = x
            .iter()
            .map(|c| c.iter().map(|&v| v as f32).collect())
            .collect();
        for (a, b) in wide.iter().zip(prcc(narrow, &y).unwrap()) {
            assert!((a.value - b.value).abs() < 1e-6, "{a:?} {b:?}");
        }
    }

    #[test]
    fn too_few_rows_are_refused_with_the_number_needed() {
        let x = uniform_columns(4, 2, 1);
        let error = prcc(x, &[1.0, 2.0, 3.0, 4.0]).unwrap_err();
        assert_eq!(error, AnalysisError::TooFewRows { rows: 4, needed: 5 });
    }
}
