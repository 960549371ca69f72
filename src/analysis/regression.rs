//! Standardized regression coefficients (SRC): the outcome and every input scaled to mean 0 and
//! standard deviation 1, then fitted by least squares, so that coefficients compare across
//! inputs of different units. Pure maths over columns; it knows nothing of files or outcomes.

use nalgebra::DVector;

use super::AnalysisError;
use super::correlation::{Cell, correlation_matrix};

/// A least-squares fit of the standardized outcome on the standardized inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    /// One coefficient per input, in the order given: the outcome's change, in its standard
    /// deviations, for one standard deviation of that input with the others held.
    pub coefficients: Vec<f64>,
    /// The share of the outcome's variance the linear fit explains (0 to 1). Low R² says the
    /// coefficients describe little of what happens, and the ranks (PRCC) are the better guide.
    pub r_squared: f64,
}

/// Fits `outcome` on `inputs` (one column per input, each as long as `outcome`), all
/// standardized first.
///
/// With every column standardized, the least-squares coefficients solve R β = r, where R is the
/// inputs' correlation matrix and r their correlations with the outcome, and R² = β·r. So the
/// rows are read once, into a (k + 1)² matrix, and the solve is of size k whatever the number
/// of runs. The solve is by SVD, which stays accurate when inputs are nearly collinear.
///
/// # Errors
/// When the outcome or an input does not vary, or there are fewer rows than inputs + 3.
pub fn standardized_regression<T: Cell>(
    inputs: &[Vec<T>],
    outcome: &[f64],
) -> Result<Regression, AnalysisError> {
    let n = outcome.len();
    let k = inputs.len();
    super::check_shape(inputs, n)?;
    let correlation = correlation_matrix(inputs, outcome).map_err(|j| {
        if j == k {
            AnalysisError::ConstantOutcome
        } else {
            AnalysisError::ConstantInput { index: j }
        }
    })?;
    let between = correlation.view((0, 0), (k, k)).into_owned();
    let with_outcome = DVector::from_iterator(k, (0..k).map(|j| correlation[(j, k)]));
    let beta = between
        .svd(true, true)
        .solve(&with_outcome, 1e-12)
        .map_err(|e| AnalysisError::Singular(e.to_string()))?;
    Ok(Regression {
        r_squared: beta.dot(&with_outcome).clamp(0.0, 1.0),
        coefficients: beta.iter().copied().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::uniform_columns;

    #[test]
    fn a_linear_outcome_gives_its_signs_its_ordering_and_r_squared_near_one() {
        let x = uniform_columns(500, 3, 1);
        let noise = &uniform_columns(500, 1, 2)[0];
        let y: Vec<f64> = (0..500)
            .map(|i| 2.0 * x[0][i] - x[1][i] + 0.01 * noise[i])
            .collect();
        let fit = standardized_regression(&x, &y).unwrap();
        let [a, b, c] = fit.coefficients[..] else {
            panic!("three coefficients");
        };
        assert!(a > 0.8 && b < -0.35 && c.abs() < 0.02, "{fit:?}");
        assert!(a > b.abs(), "x1 moves y twice as much as x2: {fit:?}");
        assert!(fit.r_squared > 0.999, "{fit:?}");
    }

    /// The fit by SVD of the whole standardized data matrix, as the definition reads.
    fn by_data_matrix(inputs: &[Vec<f64>], outcome: &[f64]) -> (Vec<f64>, f64) {
        let z = |v: &[f64]| {
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            nalgebra::DVector::from_iterator(v.len(), v.iter().map(|x| (x - mean) / sd))
        };
        let mut x = nalgebra::DMatrix::<f64>::zeros(outcome.len(), inputs.len());
        for (j, c) in inputs.iter().enumerate() {
            x.set_column(j, &z(c));
        }
        let y = z(outcome);
        let beta = x.clone().svd(true, true).solve(&y, 1e-12).unwrap();
        let r2 = 1.0 - (&y - &x * &beta).norm_squared() / y.norm_squared();
        (beta.iter().copied().collect(), r2)
    }

    #[test]
    fn the_correlation_solve_equals_the_fit_on_the_data_matrix() {
        let x = uniform_columns(700, 5, 9);
        let y: Vec<f64> = (0..700)
            .map(|i| x[0][i] * x[1][i] + (2.0 * x[2][i]).exp() - x[3][i])
            .collect();
        let fit = standardized_regression(&x, &y).unwrap();
        let (beta, r2) = by_data_matrix(&x, &y);
        for (a, b) in fit.coefficients.iter().zip(&beta) {
            assert!((a - b).abs() < 1e-9, "{a} {b}");
        }
        assert!((fit.r_squared - r2).abs() < 1e-9);
    }

    #[test]
    fn an_input_that_does_not_vary_is_refused_by_its_index() {
        let x = vec![vec![1.0, 2.0, 3.0, 4.0, 5.0], vec![5.0; 5]];
        let error = standardized_regression(&x, &[1.0, 3.0, 2.0, 4.0, 6.0]).unwrap_err();
        assert_eq!(error, AnalysisError::ConstantInput { index: 1 });
    }
}
