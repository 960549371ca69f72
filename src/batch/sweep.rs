//! A sweep through the one driver: row g of an experiment is design point g / R, replicate
//! g % R (R replicates a point), simulated as run `replicate` of the experiment's seed with the
//! point's settings; rows are handed over in row order, so each point's summary is finished
//! before the next begins and memory stays flat in the number of rows.

use std::io;
use std::sync::Arc;

use super::replicate::{BatchOptions, replicate_given};
use super::summary::{BatchSummary, SummaryBuilder};
use crate::design::Setting;
use crate::experiment::Experiment;
use crate::sim::{Column, ColumnKind, Outcome, OutcomeSchema, Value};
use crate::stats::SpillStore;

/// The columns of a sweep's rows after the key columns: the factors, the outcomes of a plain
/// run's `runs.csv`, then the drawn numbers that are not factors.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepColumns {
    /// Every column, in `runs.csv` order.
    pub all: OutcomeSchema,
    /// The outcome columns alone (what the per-point statistics summarise).
    pub outcomes: OutcomeSchema,
    /// How many factor columns come first.
    pub factors: usize,
}

impl SweepColumns {
    /// The columns of `experiment`'s rows. A real or integer factor is a number column; a
    /// categorical one has its levels as categories.
    pub fn of(experiment: &Experiment) -> SweepColumns {
        let factors = experiment.factors.iter().map(|f| Column {
            name: f.column.clone(),
            kind: if f.levels.is_empty() {
                ColumnKind::Parameter
            } else {
                ColumnKind::Category {
                    categories: f.levels.clone(),
                }
            },
        });
        let base = OutcomeSchema::for_scenario(&experiment.base);
        let outcomes: Vec<Column> = base
            .columns
            .iter()
            .filter(|c| c.kind != ColumnKind::Parameter)
            .cloned()
            .collect();
        let remaining = experiment.remaining.iter().map(|path| Column {
            name: path.replace('.', "_"),
            kind: ColumnKind::Parameter,
        });
        SweepColumns {
            all: OutcomeSchema {
                columns: factors
                    .chain(outcomes.iter().cloned())
                    .chain(remaining)
                    .collect(),
            },
            factors: experiment.factors.len(),
            outcomes: OutcomeSchema { columns: outcomes },
        }
    }

    /// The outcome part of a row of [`all`](Self::all)'s columns.
    pub fn outcome_part(&self, row: &Outcome) -> Outcome {
        let outcomes = self.factors..self.factors + self.outcomes.columns.len();
        Outcome {
            values: row.values.get(outcomes).unwrap_or_default().to_vec(),
        }
    }
}

/// One row of a sweep, as its worker made it.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRun {
    /// Its values in [`SweepColumns::all`]'s columns: the outcomes empty when it failed.
    pub row: Outcome,
    /// Why it failed: the simulation panicked.
    pub failure: Option<String>,
}

/// The job of a sweep for [`drive`](super::drive): row `row` of `experiment` on the calling
/// worker (its engine, its caught panics), as [`run_replications`](super::run_replications)'s
/// job is a run of a scenario. The caller drives the rows it has left (all of them, a shard's,
/// or what is left when a sweep resumes) and records each on the worker.
pub fn sweep_job<'a>(
    experiment: &'a Experiment,
    options: &'a BatchOptions<'a>,
) -> impl Fn(u64) -> SweepRun + Sync + 'a {
    let columns = SweepColumns::of(experiment);
    move |row| sweep_row(experiment, &columns, row, options)
}

/// Row `row` of `experiment`: the point's settings, the replication's outcomes, the remaining
/// drawn numbers.
fn sweep_row(
    experiment: &Experiment,
    columns: &SweepColumns,
    row: u64,
    options: &BatchOptions<'_>,
) -> SweepRun {
    let (point, replicate) = experiment.point_and_replicate(row);
    let prepared = experiment.prepare(point, replicate);
    let mut values: Vec<Value> = (0..columns.factors)
        .map(|f| match experiment.setting(point, f) {
            Setting::Real(x) => Value::Number(x),
            Setting::Integer(i) => Value::Number(i as f64),
            Setting::Category(k) => Value::Category(k),
        })
        .collect();
    let outcomes = columns.outcomes.columns.len();
    let replication = replicate_given(
        prepared.scenario,
        prepared.draws,
        (experiment.seed, replicate),
        row,
        options,
    );
    let failure = match replication {
        Ok(replication) => {
            values.extend(replication.outcome.values.into_iter().take(outcomes));
            None
        }
        Err(message) => {
            values.extend(std::iter::repeat_n(Value::Empty, outcomes));
            Some(message)
        }
    };
    values.extend(
        prepared
            .remaining
            .iter()
            .map(|v| v.map_or(Value::Empty, Value::Number)),
    );
    SweepRun {
        row: Outcome { values },
        failure,
    }
}

/// The statistics of one design point at a time, fed the rows in row order: a point's summary
/// is handed back as soon as the first row of the next point arrives (or the sweep ends), so
/// only one point's values are ever held.
pub struct PointSummaries {
    outcomes: OutcomeSchema,
    replicates: u64,
    spill: Option<Arc<dyn SpillStore>>,
    current: Option<(u64, SummaryBuilder)>,
}

impl PointSummaries {
    /// Summaries of `outcomes` for points of `replicates` rows, spilling long columns to
    /// `spill` (a point of millions of replicates would not fit in memory otherwise).
    pub fn new(
        outcomes: &OutcomeSchema,
        replicates: u64,
        spill: Option<Arc<dyn SpillStore>>,
    ) -> PointSummaries {
        PointSummaries {
            outcomes: outcomes.clone(),
            replicates,
            spill,
            current: None,
        }
    }

    /// Takes row `row`'s outcomes (`None` for a failed row, left out of the statistics);
    /// returns the previous point's summary when `row` begins another point.
    ///
    /// # Errors
    /// When the outcome does not fit the columns, or the finished point's spilled values
    /// cannot be read back.
    pub fn push(
        &mut self,
        row: u64,
        outcome: Option<&Outcome>,
    ) -> Result<Option<(u64, BatchSummary)>, String> {
        let point = row / self.replicates;
        let finished = match &self.current {
            Some((current, _)) if *current == point => None,
            _ => self.finish()?,
        };
        let (_, builder) = self.current.get_or_insert_with(|| {
            (
                point,
                SummaryBuilder::new(&self.outcomes, self.spill.clone()),
            )
        });
        match outcome {
            Some(outcome) => builder.push(outcome)?,
            None => builder.fail(row),
        }
        Ok(finished)
    }

    /// The summary of the point under way, if any; the next row begins afresh.
    ///
    /// # Errors
    /// When its spilled values cannot be read back.
    pub fn finish(&mut self) -> Result<Option<(u64, BatchSummary)>, String> {
        let Some((point, builder)) = self.current.take() else {
            return Ok(None);
        };
        let summary = builder
            .finish()
            .map_err(|e: io::Error| format!("point {point}: {e}"))?;
        Ok(Some((point, summary)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strikes(n: f64) -> Outcome {
        Outcome {
            values: vec![Value::Number(n)],
        }
    }

    #[test]
    fn each_point_is_summarised_when_the_next_begins() {
        let schema = OutcomeSchema {
            columns: vec![Column {
                name: "ied_strikes".into(),
                kind: ColumnKind::Count,
            }],
        };
        let mut points = PointSummaries::new(&schema, 2, None);
        assert_eq!(points.push(0, Some(&strikes(1.0))).unwrap(), None);
        assert_eq!(points.push(1, Some(&strikes(3.0))).unwrap(), None);
        let (point, first) = points.push(2, None).unwrap().expect("point 0 is done");
        assert_eq!((point, first.runs), (0, 2));
        assert_eq!(first.numeric("ied_strikes").unwrap().mean, Some(2.0));
        points.push(3, Some(&strikes(5.0))).unwrap();
        let (point, second) = points.finish().unwrap().expect("point 1 is done");
        assert_eq!((point, second.runs, second.failed_runs), (1, 1, vec![2]));
        assert_eq!(points.finish().unwrap(), None);
    }
}
