//! Folds a batch's outcomes, in run order, into one summary per outcome column: numeric columns
//! into moments, quantiles and histograms, categorical ones into shares. It decides which
//! statistic each column gets; the numbers themselves come from `stats`, the text from `output`.

use std::io;
use std::sync::Arc;

use crate::sim::{Column, ColumnKind, Outcome, OutcomeSchema, Value};
use crate::stats::{CategoricalColumn, CategorySummary, NumericColumn, NumericSummary, SpillStore};

/// Values each numeric column keeps in memory before spilling to disk: 8,192 values, 64 KiB.
/// A scenario has a column per uncertain number (about a hundred for the default), so the
/// stats crate's default of 65,536 would hold 60 MB in buffers alone on a long batch.
pub const SPILL_BUFFER_VALUES: usize = 8192;

/// The statistics of one outcome column.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "a batch holds one per outcome column, a few dozen; boxing would save nothing"
)]
pub enum OutcomeStats {
    /// A count, a day or a drawn parameter.
    Numeric(NumericSummary),
    /// A categorical outcome: one share per category, in the schema's order.
    Categories(Vec<CategorySummary>),
}

/// One outcome column and its statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeSummary {
    /// The column, as in `runs.csv`.
    pub column: Column,
    /// Its statistics over the batch.
    pub stats: OutcomeStats,
}

/// Every outcome column of a batch, summarised, in `runs.csv` column order.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchSummary {
    /// Runs summarised: the runs that produced an outcome.
    pub runs: u64,
    /// Runs that failed (a panic in the simulation), in run order. They are left out of every
    /// statistic, so each outcome's `n` is `runs`.
    pub failed_runs: Vec<u64>,
    /// One per outcome column.
    pub outcomes: Vec<OutcomeSummary>,
}

impl BatchSummary {
    /// Runs recorded, failed or not: the rows of `runs.csv`.
    pub fn completed_runs(&self) -> u64 {
        self.runs + self.failed_runs.len() as u64
    }

    /// The summary of the column named `name`.
    pub fn get(&self, name: &str) -> Option<&OutcomeSummary> {
        self.outcomes.iter().find(|o| o.column.name == name)
    }

    /// The numeric summary of the column named `name`, if it is numeric.
    pub fn numeric(&self, name: &str) -> Option<&NumericSummary> {
        match &self.get(name)?.stats {
            OutcomeStats::Numeric(s) => Some(s),
            OutcomeStats::Categories(_) => None,
        }
    }

    /// The category shares of the column named `name`, if it is categorical.
    pub fn categories(&self, name: &str) -> Option<&[CategorySummary]> {
        match &self.get(name)?.stats {
            OutcomeStats::Categories(c) => Some(c),
            OutcomeStats::Numeric(_) => None,
        }
    }
}

enum Accumulator {
    Numeric(NumericColumn),
    Categorical {
        categories: usize,
        column: CategoricalColumn,
    },
}

/// Collects a batch's outcomes one run at a time, in run order.
///
/// Memory stays bounded whatever the number of runs when the caller gives a [`SpillStore`]:
/// numeric columns keep a buffer each and spill the rest to it (see [`NumericColumn`]).
pub struct SummaryBuilder {
    schema: OutcomeSchema,
    columns: Vec<Accumulator>,
    runs: u64,
    failed_runs: Vec<u64>,
}

impl SummaryBuilder {
    /// A builder for outcomes of `schema`, spilling long numeric columns to `spill` (keeping
    /// every value in memory when `None`, for small batches and tests).
    pub fn new(schema: &OutcomeSchema, spill: Option<Arc<dyn SpillStore>>) -> SummaryBuilder {
        let columns = schema
            .columns
            .iter()
            .map(|c| match &c.kind {
                ColumnKind::Category { categories } => Accumulator::Categorical {
                    categories: categories.len(),
                    column: CategoricalColumn::new(categories.clone()),
                },
                ColumnKind::Count | ColumnKind::Day | ColumnKind::Parameter => {
                    Accumulator::Numeric(match &spill {
                        Some(store) => {
                            NumericColumn::with_spill(SPILL_BUFFER_VALUES, Arc::clone(store))
                        }
                        None => NumericColumn::new(),
                    })
                }
            })
            .collect();
        SummaryBuilder {
            schema: schema.clone(),
            columns,
            runs: 0,
            failed_runs: Vec::new(),
        }
    }

    /// Records the next run's outcome.
    ///
    /// # Errors
    /// When the outcome does not fit the schema (a bug in the simulation): a value of the wrong
    /// kind, a category out of range, or the wrong number of values.
    pub fn push(&mut self, outcome: &Outcome) -> Result<(), String> {
        if outcome.values.len() != self.columns.len() {
            return Err(format!(
                "an outcome has {} values but the schema has {} columns",
                outcome.values.len(),
                self.columns.len()
            ));
        }
        // Check the whole record before recording any of it, so the columns stay aligned.
        for ((accumulator, value), column) in self
            .columns
            .iter()
            .zip(&outcome.values)
            .zip(&self.schema.columns)
        {
            let fits = match (accumulator, value) {
                (_, Value::Empty) => true,
                (Accumulator::Numeric(_), Value::Number(_)) => true,
                (Accumulator::Categorical { categories, .. }, Value::Category(i)) => i < categories,
                _ => false,
            };
            if !fits {
                return Err(format!(
                    "outcome column {} got the value {value:?}, which it cannot hold",
                    column.name
                ));
            }
        }
        for (accumulator, value) in self.columns.iter_mut().zip(&outcome.values) {
            match (accumulator, *value) {
                (Accumulator::Numeric(column), value) => column.push(value.number()),
                (Accumulator::Categorical { column, .. }, Value::Category(i)) => {
                    column.push(Some(i))
                }
                (Accumulator::Categorical { column, .. }, _) => column.push(None),
            }
        }
        self.runs += 1;
        Ok(())
    }

    /// Records that run `run` failed: it counts in no statistic, only in the list of failures.
    pub fn fail(&mut self, run: u64) {
        self.failed_runs.push(run);
    }

    /// Runs recorded so far with an outcome (failed runs not included).
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Runs recorded so far, failed or not.
    pub fn completed_runs(&self) -> u64 {
        self.runs + self.failed_runs.len() as u64
    }

    /// Summarises every column, one at a time so that only one column's values are in memory.
    ///
    /// # Errors
    /// When a column could not spill or be read back.
    pub fn finish(self) -> io::Result<BatchSummary> {
        let mut outcomes = Vec::with_capacity(self.columns.len());
        for (accumulator, column) in self.columns.into_iter().zip(self.schema.columns) {
            let stats = match accumulator {
                Accumulator::Numeric(c) => OutcomeStats::Numeric(c.finish()?),
                Accumulator::Categorical { column, .. } => {
                    OutcomeStats::Categories(column.finish())
                }
            };
            outcomes.push(OutcomeSummary { column, stats });
        }
        Ok(BatchSummary {
            runs: self.runs,
            failed_runs: self.failed_runs,
            outcomes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> OutcomeSchema {
        OutcomeSchema {
            columns: vec![
                Column {
                    name: "c_status".into(),
                    kind: ColumnKind::Category {
                        categories: vec!["arrived".into(), "halted".into()],
                    },
                },
                Column {
                    name: "c_arrival_day".into(),
                    kind: ColumnKind::Day,
                },
            ],
        }
    }

    #[test]
    fn numeric_and_categorical_columns() {
        let mut b = SummaryBuilder::new(&schema(), None);
        for (status, day) in [(0, Some(3.0)), (1, None), (0, Some(5.0)), (0, Some(4.0))] {
            let day = day.map_or(Value::Empty, Value::Number);
            b.push(&Outcome {
                values: vec![Value::Category(status), day],
            })
            .unwrap();
        }
        b.fail(4);
        let s = b.finish().unwrap();
        assert_eq!(
            (s.runs, s.failed_runs.clone(), s.completed_runs()),
            (4, vec![4], 5)
        );
        let cats = s.categories("c_status").unwrap();
        assert_eq!((cats[0].count, cats[1].count), (3, 1));
        let day = s.numeric("c_arrival_day").unwrap();
        assert_eq!((day.n, day.present, day.p50), (4, 3, Some(4.0)));
    }

    #[test]
    fn misfits_are_errors_not_panics() {
        let mut b = SummaryBuilder::new(&schema(), None);
        for values in [
            vec![Value::Category(2), Value::Empty],
            vec![Value::Number(1.0), Value::Empty],
            vec![Value::Category(0), Value::Category(0)],
            vec![Value::Category(0)],
        ] {
            assert!(b.push(&Outcome { values }).is_err());
        }
        assert_eq!(b.runs(), 0);
    }
}
