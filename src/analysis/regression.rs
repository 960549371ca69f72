//! Standardized regression coefficients (SRC): the outcome and every input scaled to mean 0 and
//! standard deviation 1, then fitted by least squares, so that coefficients compare across
//! inputs of different units. Pure maths over columns; it knows nothing of files or outcomes.

use nalgebra::{DMatrix, DVector};

use super::AnalysisError;

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

/// Mean and sample standard deviation (n − 1) of `values`.
pub(crate) fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let ss = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>();
    (mean, (ss / (n - 1.0).max(1.0)).sqrt())
}

/// `values` scaled to mean 0 and standard deviation 1; `None` when they do not vary.
pub(crate) fn standardized(values: &[f64]) -> Option<Vec<f64>> {
    let (mean, sd) = mean_sd(values);
    (sd > 0.0 && sd.is_finite()).then(|| values.iter().map(|v| (v - mean) / sd).collect())
}

/// Fits `outcome` on `inputs` (one column per input, each as long as `outcome`), all
/// standardized first.
///
/// # Errors
/// When the outcome or an input does not vary, or there are fewer rows than inputs + 2.
pub fn standardized_regression(
    inputs: &[Vec<f64>],
    outcome: &[f64],
) -> Result<Regression, AnalysisError> {
    let n = outcome.len();
    super::check_shape(inputs, n)?;
    let y = standardized(outcome).ok_or(AnalysisError::ConstantOutcome)?;
    let mut x = DMatrix::<f64>::zeros(n, inputs.len());
    for (j, column) in inputs.iter().enumerate() {
        let z = standardized(column).ok_or(AnalysisError::ConstantInput { index: j })?;
        x.set_column(j, &DVector::from_vec(z));
    }
    let y = DVector::from_vec(y);
    // SVD rather than the normal equations: it stays accurate when inputs are nearly collinear.
    let beta = x
        .clone()
        .svd(true, true)
        .solve(&y, 1e-12)
        .map_err(|e| AnalysisError::Singular(e.to_string()))?;
    let residual = &y - &x * &beta;
    let total = y.norm_squared();
    Ok(Regression {
        coefficients: beta.iter().copied().collect(),
        r_squared: (1.0 - residual.norm_squared() / total).clamp(0.0, 1.0),
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

    #[test]
    fn an_input_that_does_not_vary_is_refused_by_its_index() {
        let x = vec![vec![1.0, 2.0, 3.0, 4.0, 5.0], vec![5.0; 5]];
        let error = standardized_regression(&x, &[1.0, 3.0, 2.0, 4.0, 6.0]).unwrap_err();
        assert_eq!(error, AnalysisError::ConstantInput { index: 1 });
    }
}
