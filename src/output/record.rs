//! A replication made ready for the output on the worker thread that computed it (the batch's
//! record step): its outcome as `runs.csv` holds it (what the statistics take) and, when the
//! batch writes files, its finished `runs.csv` row. The thread that receives the runs in order then only appends bytes and feeds
//! the statistics: formatting and reading back every field there cost a tenth of a replication,
//! and that thread competes with the workers for the cores.

use super::runs::{RowFormat, RunsRow, canonical_outcome};
use crate::batch::{self, RecordedRun, RunResult};
use crate::scenario::Scenario;
use crate::sim::{Outcome, OutcomeSchema};

/// Turns each replication of a batch into a [`RecordedRun`] with its `runs.csv` row; shared by
/// the worker threads.
#[derive(Debug)]
pub struct RunRecorder<'a> {
    scenario: &'a Scenario,
    schema: &'a OutcomeSchema,
    seed: u64,
    /// Present when the batch writes `runs.csv`.
    rows: Option<RowFormat>,
}

impl<'a> RunRecorder<'a> {
    /// A recorder for the replications of `scenario` (whose columns are `schema`) in the batch
    /// seeded `seed`; `with_rows` when the batch writes `runs.csv`.
    pub fn new(
        scenario: &'a Scenario,
        schema: &'a OutcomeSchema,
        seed: u64,
        with_rows: bool,
    ) -> RunRecorder<'a> {
        RunRecorder {
            scenario,
            schema,
            seed,
            rows: with_rows.then(|| RowFormat::new(schema)),
        }
    }

    /// Records replication `run`: its outcome as [`canonical_outcome`] reads it back from its
    /// row. An outcome that does not fit the scenario's columns becomes a failed run, with the
    /// drawn numbers in its row, as a panic does.
    ///
    /// # Errors
    /// When a row cannot be formatted (it has not one value per column): a bug, which stops the
    /// batch.
    pub fn record(&self, run: u64, result: RunResult) -> Result<RecordedRun<RunsRow>, String> {
        match result {
            Ok(replication) => match canonical_outcome(&replication.outcome, self.schema) {
                Ok(outcome) => Ok(RecordedRun::Done {
                    row: self.row(run, &outcome)?,
                    outcome,
                }),
                Err(message) => {
                    let drawn = batch::failed_row(self.scenario, self.schema, self.seed, run);
                    Ok(RecordedRun::Failed {
                        message: format!(
                            "its outcome does not fit the scenario's columns: {message}"
                        ),
                        row: self.row(run, &drawn)?,
                    })
                }
            },
            Err(failure) => Ok(RecordedRun::Failed {
                row: self.row(run, &failure.outcome)?,
                message: failure.message,
            }),
        }
    }

    fn row(&self, run: u64, outcome: &Outcome) -> Result<Option<RunsRow>, String> {
        self.rows
            .as_ref()
            .map(|format| format.row(run, self.seed, outcome))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::batch::RunFailure;
    use crate::sim::{Value, simulate};

    fn default_scenario() -> Arc<Scenario> {
        Arc::new(crate::scenario::load_default(&[]).unwrap())
    }

    #[test]
    fn a_run_is_recorded_as_the_sink_used_to_record_it() {
        let scenario = default_scenario();
        let schema = OutcomeSchema::for_scenario(&scenario);
        let replication = simulate(&scenario, 7, 3, false);
        let canonical = canonical_outcome(&replication.outcome, &schema).unwrap();
        let row = RowFormat::new(&schema).row(3, 7, &canonical).unwrap();
        let with_rows = RunRecorder::new(&scenario, &schema, 7, true);
        assert_eq!(
            with_rows.record(3, Ok(replication.clone())),
            Ok(RecordedRun::Done {
                outcome: canonical.clone(),
                row: Some(row),
            })
        );
        let without = RunRecorder::new(&scenario, &schema, 7, false);
        assert_eq!(
            without.record(3, Ok(replication)),
            Ok(RecordedRun::Done {
                outcome: canonical,
                row: None,
            })
        );
    }

    #[test]
    fn failures_keep_their_message_and_the_drawn_numbers() {
        let scenario = default_scenario();
        let schema = OutcomeSchema::for_scenario(&scenario);
        let recorder = RunRecorder::new(&scenario, &schema, 7, true);
        let drawn = batch::failed_row(&scenario, &schema, 7, 5);
        let drawn_row = RowFormat::new(&schema).row(5, 7, &drawn).unwrap();
        assert!(drawn.values.iter().any(|v| matches!(v, Value::Number(_))));

        let panicked = RunFailure {
            message: "boom".into(),
            outcome: drawn.clone(),
        };
        assert_eq!(
            recorder.record(5, Err(panicked)),
            Ok(RecordedRun::Failed {
                message: "boom".into(),
                row: Some(drawn_row.clone()),
            })
        );

        let mut misfit = simulate(&scenario, 7, 5, false);
        misfit.outcome.values.pop();
        match recorder.record(5, Ok(misfit)) {
            Ok(RecordedRun::Failed { message, row }) => {
                assert!(message.starts_with("its outcome does not fit"), "{message}");
                assert_eq!(row, Some(drawn_row));
            }
            other => panic!("expected a failed run, got {other:?}"),
        }
    }

    #[test]
    fn a_row_that_cannot_be_formatted_stops_the_batch() {
        let scenario = default_scenario();
        let schema = OutcomeSchema::for_scenario(&scenario);
        let recorder = RunRecorder::new(&scenario, &schema, 7, true);
        let short = RunFailure {
            message: "boom".into(),
            outcome: Outcome { values: Vec::new() },
        };
        assert!(recorder.record(5, Err(short)).is_err());
    }
}
