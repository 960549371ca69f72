//! Which drawn inputs move an outcome: partial rank correlations (`prcc`), standardized
//! regression coefficients (`regression`) and, for a yes/no outcome, PRIM boxes (`prim`), over
//! the rows of a batch. Pure computation on values in memory: reading runs.csv and writing the
//! results are `output`'s, printing is `cli`'s.

pub mod prcc;
pub mod prim;
pub mod regression;

use std::str::FromStr;

pub use prcc::{Prcc, prcc};
pub use prim::{Bound, Prim, PrimBox, prim};
pub use regression::{Regression, standardized_regression};

use crate::sim::{ColumnKind, Outcome, OutcomeSchema, Value};

/// Why the drivers of an outcome cannot be computed; all are about the data or the request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// The outcome takes one value in every run used.
    #[error("the outcome has the same value in every run; choose an outcome that varies")]
    ConstantOutcome,
    /// An input does not vary (fixed inputs are skipped before the analysis).
    #[error("input {index} has the same value in every run")]
    ConstantInput {
        /// Its index among the inputs given.
        index: usize,
    },
    /// Too few rows for the number of inputs.
    #[error(
        "{rows} runs for the inputs that vary: at least {needed} are needed (inputs + 3); run a larger batch"
    )]
    TooFewRows {
        /// Rows with a value of the outcome.
        rows: usize,
        /// The least that will do.
        needed: usize,
    },
    /// The least-squares problem has no stable solution.
    #[error("the inputs cannot be separated: {0}")]
    Singular(String),
    /// No batch input varies.
    #[error("no drawn input varies in this batch: every uncertain number was fixed")]
    NoInputs,
    /// `--outcome` names no outcome column.
    #[error("'{name}' is not an outcome of this batch; valid outcomes: {valid}")]
    UnknownOutcome {
        /// The name given.
        name: String,
        /// The outcome columns, comma-separated.
        valid: String,
    },
    /// A category column needs a category to become a yes/no outcome.
    #[error("{name} is a category; choose one: {}", .categories.iter().map(|c| format!("{name}={c}")).collect::<Vec<_>>().join(", "))]
    NeedsCategory {
        /// The column.
        name: String,
        /// Its categories.
        categories: Vec<String>,
    },
    /// The category is not one of the column's, or the column has none.
    #[error("{name} has no category '{category}'; valid: {valid}")]
    UnknownCategory {
        /// The column.
        name: String,
        /// The category given.
        category: String,
        /// What would be valid.
        valid: String,
    },
}

/// The outcome to explain: a column, and for a category column the category that counts as
/// "yes" (`kidal_column_status=arrived`), or with `!=` every other category
/// (`kidal_column_status!=arrived`: the column does not arrive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeChoice {
    /// The `runs.csv` column.
    pub name: String,
    /// The category, for a category column.
    pub category: Option<String>,
    /// Whether "yes" is every category but `category` (written `NAME!=CATEGORY`).
    pub negated: bool,
}

impl FromStr for OutcomeChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (name, category, negated) = match (s.split_once("!="), s.split_once('=')) {
            (Some((name, category)), _) => (name, Some(category.trim().to_string()), true),
            (None, Some((name, category))) => (name, Some(category.trim().to_string()), false),
            (None, None) => (s, None, false),
        };
        if name.trim().is_empty() || category.as_ref().is_some_and(String::is_empty) {
            return Err(format!(
                "'{s}' is not NAME, NAME=CATEGORY or NAME!=CATEGORY, e.g. \
                 kidal_column_status!=arrived"
            ));
        }
        Ok(OutcomeChoice {
            name: name.trim().to_string(),
            category,
            negated,
        })
    }
}

impl std::fmt::Display for OutcomeChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.category {
            Some(c) if self.negated => write!(f, "{}!={c}", self.name),
            Some(c) => write!(f, "{}={c}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// The default outcome: whether the scenario's first convoy arrived.
pub fn default_outcome(schema: &OutcomeSchema) -> Option<OutcomeChoice> {
    schema
        .columns
        .iter()
        .find(|c| c.name.ends_with("_status") && matches!(c.kind, ColumnKind::Category { .. }))
        .map(|c| OutcomeChoice {
            name: c.name.clone(),
            category: Some("arrived".to_string()),
            negated: false,
        })
}

/// One input's influence on the outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// The `runs.csv` column of the drawn input.
    pub input: String,
    /// Its partial rank correlation with the outcome.
    pub prcc: Prcc,
    /// Its standardized regression coefficient.
    pub src: f64,
}

/// What moves one outcome of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Drivers {
    /// The outcome, as given (`kidal_column_status=arrived`).
    pub outcome: OutcomeChoice,
    /// Runs used: those with a value of the outcome.
    pub runs_used: usize,
    /// Runs left out: failed runs, and runs where the outcome is empty (the event did not
    /// happen).
    pub runs_skipped: usize,
    /// Drawn inputs left out because they had one value in every run used.
    pub fixed_inputs: Vec<String>,
    /// The inputs that vary, most influential first (by |PRCC|).
    pub drivers: Vec<Driver>,
    /// The share of the outcome's variance the linear fit (SRC) explains.
    pub r_squared: f64,
    /// The names of the inputs analysed, in column order: what [`Bound::input`] indexes.
    pub inputs: Vec<String>,
    /// For a yes/no outcome, the PRIM boxes, over the inputs whose PRCC interval excludes 0
    /// (at most [`PRIM_MAX_INPUTS`], the most influential).
    pub prim: Option<Prim>,
}

/// The outcome's value in each row (1/0 for a category), or `None` where it is empty.
fn outcome_values(
    schema: &OutcomeSchema,
    rows: &[Outcome],
    choice: &OutcomeChoice,
) -> Result<(usize, Vec<Option<f64>>), AnalysisError> {
    let outcomes = || {
        schema
            .columns
            .iter()
            .filter(|c| c.kind != ColumnKind::Parameter)
    };
    let unknown = || AnalysisError::UnknownOutcome {
        name: choice.name.clone(),
        valid: outcomes()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let index = schema
        .columns
        .iter()
        .position(|c| c.name == choice.name)
        .ok_or_else(unknown)?;
    let column = &schema.columns[index];
    let yes = match (&column.kind, &choice.category) {
        (ColumnKind::Parameter, _) => return Err(unknown()),
        (ColumnKind::Category { categories }, None) => {
            let categories = categories.clone();
            return Err(AnalysisError::NeedsCategory {
                name: choice.name.clone(),
                categories,
            });
        }
        (ColumnKind::Category { categories }, Some(c)) => {
            Some(categories.iter().position(|k| k == c).ok_or_else(|| {
                AnalysisError::UnknownCategory {
                    name: choice.name.clone(),
                    category: c.clone(),
                    valid: categories.join(", "),
                }
            })?)
        }
        (_, Some(c)) => {
            return Err(AnalysisError::UnknownCategory {
                name: choice.name.clone(),
                category: c.clone(),
                valid: format!(
                    "none: {} is a number, give it without =CATEGORY",
                    choice.name
                ),
            });
        }
        (_, None) => None,
    };
    let values = rows
        .iter()
        .map(|row| match (row.values.get(index), yes) {
            (Some(Value::Category(i)), Some(y)) => Some(if (*i == y) != choice.negated {
                1.0
            } else {
                0.0
            }),
            (Some(Value::Number(v)), None) if v.is_finite() => Some(*v),
            _ => None,
        })
        .collect();
    Ok((index, values))
}

/// Ranks the drawn inputs (the schema's parameter columns) of `rows` by their influence on
/// `choice`. Rows where the outcome is empty are left out, then inputs that do not vary.
///
/// # Errors
/// An unknown outcome or category (listing the valid ones), no varying input, fewer runs than
/// inputs + 3, an outcome that does not vary, or collinear inputs.
pub fn drivers(
    schema: &OutcomeSchema,
    rows: &[Outcome],
    choice: &OutcomeChoice,
) -> Result<Drivers, AnalysisError> {
    let (_, values) = outcome_values(schema, rows, choice)?;
    let used: Vec<usize> = (0..rows.len()).filter(|&r| values[r].is_some()).collect();
    let y: Vec<f64> = used.iter().filter_map(|&r| values[r]).collect();
    let (mut inputs, mut columns, mut fixed_inputs) = (Vec::new(), Vec::new(), Vec::new());
    for (j, column) in schema.columns.iter().enumerate() {
        if column.kind != ColumnKind::Parameter {
            continue;
        }
        let x: Vec<f64> = used
            .iter()
            .map(|&r| match rows[r].values.get(j) {
                Some(Value::Number(v)) => *v,
                _ => f64::NAN,
            })
            .collect();
        let varies = x.iter().any(|v| *v != x[0]);
        if varies && x.iter().all(|v| v.is_finite()) {
            inputs.push(column.name.clone());
            columns.push(x);
        } else {
            fixed_inputs.push(column.name.clone());
        }
    }
    if columns.is_empty() {
        return Err(AnalysisError::NoInputs);
    }
    check_shape(&columns, y.len())?;
    let partial = prcc(&columns, &y)?;
    let fit = standardized_regression(&columns, &y)?;
    let prim = match choice.category {
        Some(_) => Some(prim_on_drivers(&columns, &partial, &y)?),
        None => None,
    };
    let mut ranked: Vec<Driver> = (0..inputs.len())
        .map(|j| Driver {
            input: inputs[j].clone(),
            prcc: partial[j],
            src: fit.coefficients[j],
        })
        .collect();
    ranked.sort_by(|a, b| b.prcc.value.abs().total_cmp(&a.prcc.value.abs()));
    Ok(Drivers {
        outcome: choice.clone(),
        runs_used: y.len(),
        runs_skipped: rows.len() - y.len(),
        fixed_inputs,
        drivers: ranked,
        r_squared: fit.r_squared,
        inputs,
        prim,
    })
}

/// Inputs PRIM may bound: at most this many, the most influential by |PRCC|.
pub const PRIM_MAX_INPUTS: usize = 8;

/// PRIM over the inputs whose PRCC interval excludes 0, at most [`PRIM_MAX_INPUTS`] of them
/// (all inputs when none is clearly influential), with bounds indexed among all `columns`.
/// Peeling over a hundred inputs on a few hundred runs fits the noise: each peel of a noise
/// input can raise the density by chance, and the box ends up with dozens of bounds.
fn prim_on_drivers(
    columns: &[Vec<f64>],
    partial: &[Prcc],
    y: &[f64],
) -> Result<Prim, AnalysisError> {
    let mut chosen: Vec<usize> = (0..columns.len())
        .filter(|&j| partial[j].ci95_low > 0.0 || partial[j].ci95_high < 0.0)
        .collect();
    if chosen.is_empty() {
        chosen = (0..columns.len()).collect();
    }
    chosen.sort_by(|&a, &b| partial[b].value.abs().total_cmp(&partial[a].value.abs()));
    chosen.truncate(PRIM_MAX_INPUTS);
    chosen.sort_unstable();
    let subset: Vec<Vec<f64>> = chosen.iter().map(|&j| columns[j].clone()).collect();
    let cases: Vec<bool> = y.iter().map(|&v| v == 1.0).collect();
    let mut found = prim(&subset, &cases)?;
    for b in &mut found.trajectory {
        for bound in &mut b.bounds {
            bound.input = chosen[bound.input];
        }
    }
    Ok(found)
}

/// Checks every input column has `rows` values and there are at least inputs + 3 rows, the
/// least for which the PRCC interval is defined.
pub(crate) fn check_shape(inputs: &[Vec<f64>], rows: usize) -> Result<(), AnalysisError> {
    if inputs.iter().any(|c| c.len() != rows) {
        return Err(AnalysisError::Singular(
            "columns of unequal length".to_string(),
        ));
    }
    let needed = inputs.len() + 3;
    if rows < needed {
        return Err(AnalysisError::TooFewRows { rows, needed });
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `k` columns of `n` values uniform on [0, 1), from a splitmix64 sequence seeded by `seed`
    /// (test data only: the simulation's draws all come from `streams`).
    pub(crate) fn uniform_columns(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as f64 / 2f64.powi(64)
        };
        (0..k).map(|_| (0..n).map(|_| next()).collect()).collect()
    }

    #[test]
    fn outcome_choices_read_as_name_and_category() {
        let c: OutcomeChoice = "kidal_column_status=arrived".parse().unwrap();
        assert_eq!(
            (c.name.as_str(), c.category.as_deref()),
            ("kidal_column_status", Some("arrived"))
        );
        assert_eq!(c.to_string(), "kidal_column_status=arrived");
        let not: OutcomeChoice = "kidal_column_status!=arrived".parse().unwrap();
        assert!(not.negated && not.category.as_deref() == Some("arrived"));
        assert_eq!(not.to_string(), "kidal_column_status!=arrived");
        assert!("=x".parse::<OutcomeChoice>().is_err() && "a=".parse::<OutcomeChoice>().is_err());
    }
}
