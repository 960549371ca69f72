//! Which inputs move an outcome: partial rank correlations (`prcc`), standardized regression
//! coefficients (`regression`) and, for a yes/no outcome, PRIM boxes (`prim`, `paste`), over
//! the runs of a batch or a sweep held by column (`inputs`). Pure computation on values in
//! memory: reading runs.csv and writing the results are `output`'s, printing is `cli`'s.

mod boxes;
pub mod correlation;
pub mod inputs;
mod outcome;
pub mod paste;
pub mod prcc;
pub mod prim;
pub mod regression;

pub use correlation::Cell;
pub use inputs::{EncodedInput, InputColumn, InputNotes, RunsTable, SkippedInput};
pub use outcome::{OutcomeChoice, OutcomeRule, default_outcome};
pub use prcc::{Prcc, prcc};
pub use prim::{Bound, Prim, PrimBox, prim};
pub use regression::{Regression, standardized_regression};

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
    /// No input varies.
    #[error(
        "no input varies in these runs: every uncertain number was fixed and no design factor \
         changes; give ranges to the numbers (or factors to the sweep) whose influence you want"
    )]
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

/// One input's influence on the outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// The `runs.csv` column of the input.
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
    /// Inputs dropped (constant), coded 0/1 (two-level categories) or set aside.
    pub notes: InputNotes,
    /// The inputs analysed, most influential first (by |PRCC|).
    pub drivers: Vec<Driver>,
    /// The share of the outcome's variance the linear fit (SRC) explains.
    pub r_squared: f64,
    /// The names of the inputs analysed, in column order: what [`Bound::input`] indexes.
    pub inputs: Vec<String>,
    /// For a yes/no outcome, the inputs PRIM may bound (indices into `inputs`, in column
    /// order): those whose PRCC interval excludes 0, at most [`PRIM_MAX_INPUTS`] of the most
    /// influential (all of them, up to that many, when none is clearly influential).
    pub prim_inputs: Vec<usize>,
    /// For a yes/no outcome, the PRIM boxes over `prim_inputs` ([`prim_on_drivers`]).
    pub prim: Option<Prim>,
}

/// Ranks the inputs of `table` by their influence on its outcome, `choice`. Inputs that do not
/// vary are dropped, two-level categories coded 0/1 (see [`inputs::prepare_inputs`]). The
/// columns are consumed: SRC reads them, then PRCC ranks them in place. PRIM, which needs the
/// inputs' exact values, is the caller's next step ([`prim_on_drivers`]) on `prim_inputs`.
///
/// # Errors
/// No varying input, fewer runs than inputs + 3, an outcome that does not vary, or collinear
/// inputs.
pub fn drivers<T: Cell + PartialEq>(
    choice: &OutcomeChoice,
    table: RunsTable<T>,
) -> Result<Drivers, AnalysisError> {
    let RunsTable {
        outcome,
        inputs,
        runs_skipped,
    } = table;
    let (names, columns, notes) = inputs::prepare_inputs(inputs);
    if columns.is_empty() {
        return Err(AnalysisError::NoInputs);
    }
    check_shape(&columns, outcome.len())?;
    let fit = standardized_regression(&columns, &outcome)?;
    let partial = prcc(columns, &outcome)?;
    let prim_inputs = match choice.category {
        Some(_) => prim_candidates(&partial),
        None => Vec::new(),
    };
    let mut ranked: Vec<Driver> = (0..names.len())
        .map(|j| Driver {
            input: names[j].clone(),
            prcc: partial[j],
            src: fit.coefficients[j],
        })
        .collect();
    ranked.sort_by(|a, b| b.prcc.value.abs().total_cmp(&a.prcc.value.abs()));
    Ok(Drivers {
        outcome: choice.clone(),
        runs_used: outcome.len(),
        runs_skipped,
        notes,
        drivers: ranked,
        r_squared: fit.r_squared,
        inputs: names,
        prim_inputs,
        prim: None,
    })
}

/// Inputs PRIM may bound: at most this many, the most influential by |PRCC|.
pub const PRIM_MAX_INPUTS: usize = 8;

/// The inputs whose PRCC interval excludes 0, at most [`PRIM_MAX_INPUTS`] of them (all inputs
/// when none is clearly influential), in column order. Peeling over a hundred inputs on a few
/// hundred runs fits the noise: each peel of a noise input can raise the density by chance, and
/// the box ends up with dozens of bounds.
fn prim_candidates(partial: &[Prcc]) -> Vec<usize> {
    let mut chosen: Vec<usize> = (0..partial.len())
        .filter(|&j| partial[j].ci95_low > 0.0 || partial[j].ci95_high < 0.0)
        .collect();
    if chosen.is_empty() {
        chosen = (0..partial.len()).collect();
    }
    chosen.sort_by(|&a, &b| partial[b].value.abs().total_cmp(&partial[a].value.abs()));
    chosen.truncate(PRIM_MAX_INPUTS);
    chosen.sort_unstable();
    chosen
}

/// PRIM over `drivers.prim_inputs`, given their columns in that order at full precision and the
/// yes/no outcome (1 for yes) of the same runs, with bounds indexed among `drivers.inputs`.
///
/// # Errors
/// When the outcome is always or never yes, or the columns do not match.
pub fn prim_on_drivers(
    drivers: &Drivers,
    columns: &[Vec<f64>],
    outcome: &[f64],
) -> Result<Prim, AnalysisError> {
    if columns.len() != drivers.prim_inputs.len() {
        return Err(AnalysisError::Singular(
            "PRIM's columns are not its inputs".to_string(),
        ));
    }
    let cases: Vec<bool> = outcome.iter().map(|&v| v == 1.0).collect();
    let mut found = prim(columns, &cases)?;
    let boxes = found.trajectory.iter_mut().chain([&mut found.pasted]);
    for bound in boxes.flat_map(|b| b.bounds.iter_mut()) {
        bound.input = drivers.prim_inputs[bound.input];
    }
    Ok(found)
}

/// Checks every input column has `rows` values and there are at least inputs + 3 rows, the
/// least for which the PRCC interval is defined.
pub(crate) fn check_shape<T>(inputs: &[Vec<T>], rows: usize) -> Result<(), AnalysisError> {
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
    fn prim_bounds_name_the_planted_input_among_all_inputs() {
        // Input 5 of 12 decides; noise inputs come before and after it.
        let x = uniform_columns(1500, 12, 4);
        let outcome: Vec<f64> = x[5].iter().map(|&v| f64::from(u8::from(v < 0.3))).collect();
        let table = RunsTable {
            outcome: outcome.clone(),
            inputs: x
                .iter()
                .enumerate()
                .map(|(j, c)| InputColumn {
                    name: format!("x{j}"),
                    values: c.iter().map(|&v| v as f32).collect(),
                    levels: None,
                })
                .collect(),
            runs_skipped: 0,
        };
        let choice: OutcomeChoice = "status=failed".parse().unwrap();
        let mut found = drivers(&choice, table).unwrap();
        assert_eq!(found.drivers[0].input, "x5");
        assert!(found.drivers[0].prcc.value < -0.7);
        assert!(found.prim_inputs.contains(&5) && found.prim_inputs.len() <= PRIM_MAX_INPUTS);
        let columns: Vec<Vec<f64>> = found.prim_inputs.iter().map(|&j| x[j].clone()).collect();
        found.prim = Some(prim_on_drivers(&found, &columns, &outcome).unwrap());
        let chosen = found.prim.as_ref().unwrap().chosen_box();
        let bound = chosen.bounds.iter().find(|b| found.inputs[b.input] == "x5");
        let high = bound.and_then(|b| b.high).expect("x5 bounded above");
        assert!((high - 0.3).abs() < 0.01, "{chosen:?}");
    }
}
