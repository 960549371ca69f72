//! A recorded batch: each replication made ready on its worker (its outcome, and the row a
//! journal keeps), then, in run order on the calling thread, written to the caller's
//! [`Journal`] and folded into the statistics; failed runs listed apart. The journal is a trait:
//! the batch layer never writes files itself (`output::BatchFiles` is the journal on disk).

use std::ops::Range;
use std::sync::Arc;

use super::drive::Driven;
use super::replicate::{BatchOptions, RunResult, run_replications};
use super::{BatchError, SummaryBuilder};
use crate::scenario::Scenario;
use crate::sim::Outcome;

/// One replication, made ready on its worker for the journal and the statistics.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordedRun<Row> {
    /// The run produced an outcome.
    Done {
        /// Its values as the statistics take them (as `runs.csv` holds them, for `run`).
        outcome: Outcome,
        /// Its row, when the batch keeps a journal.
        row: Option<Row>,
    },
    /// The run failed: the simulation panicked, or its outcome does not fit the columns.
    Failed {
        /// Why, for the journal and the error message.
        message: String,
        /// Its row (outcomes empty, the drawn numbers filled), when the batch keeps a journal.
        row: Option<Row>,
    },
}

/// Where a batch's finished runs go, in run order, as they finish: its journal, which is what
/// `--resume` continues from. Written on the calling thread, so it needs no locking.
pub trait Journal {
    /// A run's row as the journal keeps it, made on the worker that computed the run.
    type Row;
    /// Why a row could not be kept.
    type Error;

    /// Keeps the row of run `run`, which has an outcome.
    ///
    /// # Errors
    /// When the row cannot be kept (e.g. the disk is full).
    fn write_run(&mut self, run: u64, row: &Self::Row) -> Result<(), Self::Error>;

    /// Keeps the row of run `run`, which failed with `message`.
    ///
    /// # Errors
    /// When the row or the failure cannot be kept.
    fn write_failure(
        &mut self,
        run: u64,
        row: &Self::Row,
        message: &str,
    ) -> Result<(), Self::Error>;
}

/// The calling thread's side of a recorded batch: the journal (when there is one), the
/// statistics, and the first failure, fed one run at a time in run order.
pub struct Recording<'a, J> {
    journal: Option<&'a mut J>,
    summary: &'a mut SummaryBuilder,
    first_failure: Option<String>,
}

impl<'a, J: Journal> Recording<'a, J> {
    /// Records into `journal` (none when the batch keeps no files) and `summary`.
    pub fn new(journal: Option<&'a mut J>, summary: &'a mut SummaryBuilder) -> Recording<'a, J> {
        Recording {
            journal,
            summary,
            first_failure: None,
        }
    }

    /// Takes the next run, `run`, as its worker recorded it: a done run's row goes to the
    /// journal and its outcome to the statistics; a failed run's row and message go to the
    /// journal, and the run is counted as failed.
    ///
    /// # Errors
    /// When the worker could not record the run, the journal cannot keep it, or its outcome
    /// does not fit the statistics: each stops the batch.
    pub fn hand_over<E>(
        &mut self,
        run: u64,
        recorded: Result<RecordedRun<J::Row>, String>,
    ) -> Result<(), E>
    where
        E: From<BatchError> + From<J::Error>,
    {
        let recorded = recorded.map_err(|message| BatchError::Unrecorded { run, message })?;
        match recorded {
            RecordedRun::Done { outcome, row } => {
                if let Some(journal) = self.journal.as_deref_mut() {
                    journal.write_run(run, &journal_row(run, row)?)?;
                }
                self.summary
                    .push(&outcome)
                    .map_err(BatchError::Unsummarised)?;
            }
            RecordedRun::Failed { message, row } => {
                if let Some(journal) = self.journal.as_deref_mut() {
                    journal.write_failure(run, &journal_row(run, row)?, &message)?;
                }
                self.first_failure
                    .get_or_insert_with(|| format!("run {run}: {message}"));
                self.summary.fail(run);
            }
        }
        Ok(())
    }

    /// The first run that failed in this recording, as "run N: why".
    pub fn first_failure(&self) -> Option<&str> {
        self.first_failure.as_deref()
    }
}

/// The row a worker made for the journal; it makes one for every run when there is a journal.
fn journal_row<Row>(run: u64, row: Option<Row>) -> Result<Row, BatchError> {
    row.ok_or(BatchError::MissingRow { run })
}

/// Runs and records the replications `runs` of `scenario` in the batch seeded `seed`: the
/// batch loop of `sandtable run`. The workers do the per-run work (`record`: the outcome as
/// the statistics take it and, when there is a journal, its row); this thread takes the runs
/// in order and hands each to `recording`. Stops early, with every run so far recorded, when
/// `options.stop` is raised; a batch that resumes passes the runs that are left.
///
/// # Errors
/// When the journal cannot be written, the threads cannot start, or a run cannot be recorded
/// (a bug).
pub fn record_batch<J, F, E>(
    scenario: &Arc<Scenario>,
    seed: u64,
    runs: Range<u64>,
    options: &BatchOptions<'_>,
    record: F,
    recording: &mut Recording<'_, J>,
    progress: &mut dyn FnMut(u64),
) -> Result<Driven, E>
where
    J: Journal,
    J::Row: Send,
    F: Fn(u64, RunResult) -> Result<RecordedRun<J::Row>, String> + Sync,
    E: From<BatchError> + From<J::Error>,
{
    run_replications(
        scenario,
        seed,
        runs,
        options,
        record,
        |run, recorded| recording.hand_over(run, recorded),
        progress,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Column, ColumnKind, OutcomeSchema, Value};

    /// A journal in memory: what was kept, in order.
    #[derive(Debug, Default)]
    struct Kept(Vec<(u64, String, Option<String>)>);

    impl Journal for Kept {
        type Row = String;
        type Error = BatchError;

        fn write_run(&mut self, run: u64, row: &String) -> Result<(), BatchError> {
            self.0.push((run, row.clone(), None));
            Ok(())
        }

        fn write_failure(
            &mut self,
            run: u64,
            row: &String,
            message: &str,
        ) -> Result<(), BatchError> {
            self.0.push((run, row.clone(), Some(message.to_string())));
            Ok(())
        }
    }

    fn summary() -> SummaryBuilder {
        SummaryBuilder::new(
            &OutcomeSchema {
                columns: vec![Column {
                    name: "ied_strikes".into(),
                    kind: ColumnKind::Count,
                }],
            },
            None,
        )
    }

    fn done(strikes: f64, row: Option<&str>) -> Result<RecordedRun<String>, String> {
        Ok(RecordedRun::Done {
            outcome: Outcome {
                values: vec![Value::Number(strikes)],
            },
            row: row.map(str::to_string),
        })
    }

    #[test]
    fn runs_go_to_the_journal_and_the_statistics_failures_apart() {
        let (mut journal, mut builder) = (Kept::default(), summary());
        let mut recording = Recording::new(Some(&mut journal), &mut builder);
        recording
            .hand_over::<BatchError>(0, done(2.0, Some("r0")))
            .unwrap();
        let failed = Ok(RecordedRun::Failed {
            message: "boom".into(),
            row: Some("r1".into()),
        });
        recording.hand_over::<BatchError>(1, failed).unwrap();
        recording
            .hand_over::<BatchError>(2, done(4.0, Some("r2")))
            .unwrap();
        assert_eq!(recording.first_failure(), Some("run 1: boom"));
        assert_eq!(
            journal.0,
            [
                (0, "r0".into(), None),
                (1, "r1".into(), Some("boom".into())),
                (2, "r2".into(), None)
            ]
        );
        let summary = builder.finish().unwrap();
        assert_eq!((summary.runs, summary.failed_runs), (2, vec![1]));
    }

    #[test]
    fn what_cannot_be_recorded_stops_the_batch() {
        let (mut journal, mut builder) = (Kept::default(), summary());
        let mut recording = Recording::new(Some(&mut journal), &mut builder);
        let check = |result: Result<(), BatchError>, message: &str| {
            assert_eq!(result.unwrap_err().to_string(), message);
        };
        check(
            recording.hand_over(4, Err("no row".into())),
            "run 4: no row",
        );
        check(
            recording.hand_over(5, done(1.0, None)),
            "run 5 reached the journal without its row",
        );
        let misfit = Ok(RecordedRun::Done {
            outcome: Outcome { values: Vec::new() },
            row: Some("r6".into()),
        });
        assert!(recording.hand_over::<BatchError>(6, misfit).is_err());
        // Without a journal, no row is needed.
        let mut builder = summary();
        let mut recording = Recording::<Kept>::new(None, &mut builder);
        recording
            .hand_over::<BatchError>(0, done(1.0, None))
            .unwrap();
    }
}
