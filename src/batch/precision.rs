//! Adaptive replication: `--precision OUTCOME[.CATEGORY]=HALF_WIDTH` targets, checked against a
//! scenario's outcome columns, and the fixed blocks of runs a batch grows by until every target's
//! 95 % half-width is met. Blocks end at fixed run indices, so where a batch stops depends on the
//! seed and the targets only, never on the number of threads.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use super::Driven;
use crate::sim::{ColumnKind, Outcome, OutcomeSchema, Value};
use crate::stats::{Moments, Z_95, wilson_interval};

/// `--max-runs` when it is not given: a hundred thousand runs, 500 blocks, a few minutes of the
/// default scenario on two cores. Enough for a share to ±0.005 or a count to a small fraction of
/// its spread; a target that needs more is better reached by asking for a looser one.
pub const DEFAULT_MAX_RUNS: u64 = 100_000;

/// Runs per block: the batch looks at its half-widths only after runs `BLOCK_RUNS`,
/// `2·BLOCK_RUNS`, … are all done. Small enough that a target is not overshot by much (a block
/// of the default scenario takes well under a second on two cores), large enough that a
/// half-width from a few dozen runs cannot end a batch by luck.
pub const BLOCK_RUNS: u64 = 200;

/// Why a `--precision` or `--max-runs` value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrecisionError {
    /// Not of the form OUTCOME[.CATEGORY]=HALF_WIDTH.
    #[error(
        "--precision {0:?}: expected OUTCOME[.CATEGORY]=HALF_WIDTH, e.g. \
         kidal_column_status.arrived=0.02 or fama_killed=5"
    )]
    Form(String),
    /// The half-width is not a positive, finite number.
    #[error("--precision {text:?}: the half-width must be a positive number, not {value:?}")]
    HalfWidth {
        /// The whole value as given.
        text: String,
        /// The half-width part.
        value: String,
    },
    /// No outcome of that name.
    #[error("--precision {text:?}: no outcome {outcome:?}; the outcomes are: {valid}")]
    UnknownOutcome {
        /// The whole value as given.
        text: String,
        /// The name given.
        outcome: String,
        /// Every outcome name, comma-separated.
        valid: String,
    },
    /// A categorical outcome needs a category, and only one it has.
    #[error("--precision {text:?}: {outcome} is categorical; name one of its categories: {valid}")]
    Category {
        /// The whole value as given.
        text: String,
        /// The outcome.
        outcome: String,
        /// Its categories, as OUTCOME.CATEGORY.
        valid: String,
    },
    /// A numeric outcome has no categories.
    #[error(
        "--precision {text:?}: {outcome} is a number and has no categories; write {outcome}=HALF_WIDTH"
    )]
    NotCategorical {
        /// The whole value as given.
        text: String,
        /// The outcome.
        outcome: String,
    },
    /// `--max-runs` would not hold one block.
    #[error("--max-runs {0} is below one block of {BLOCK_RUNS} runs; give at least {BLOCK_RUNS}")]
    MaxRuns(u64),
}

/// One `--precision` value as the user wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct PrecisionTarget {
    /// The outcome column, e.g. `kidal_column_status`.
    pub outcome: String,
    /// The category of a categorical outcome, e.g. `arrived`.
    pub category: Option<String>,
    /// The 95 % half-width wanted, in the outcome's unit (a share for a category).
    pub half_width: f64,
    /// As written, for messages and the manifest.
    pub text: String,
}

impl FromStr for PrecisionTarget {
    type Err = PrecisionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let form = || PrecisionError::Form(text.to_string());
        let (name, value) = text.split_once('=').ok_or_else(form)?;
        let (outcome, category) = match name.trim().split_once('.') {
            Some((o, c)) => (o.trim(), Some(c.trim().to_string())),
            None => (name.trim(), None),
        };
        if outcome.is_empty() || category.as_deref() == Some("") {
            return Err(form());
        }
        let half_width = value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|h| h.is_finite() && *h > 0.0)
            .ok_or_else(|| PrecisionError::HalfWidth {
                text: text.to_string(),
                value: value.trim().to_string(),
            })?;
        Ok(PrecisionTarget {
            outcome: outcome.to_string(),
            category,
            half_width,
            text: text.to_string(),
        })
    }
}

impl fmt::Display for PrecisionTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A target bound to a column of an outcome schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Index of the column in the schema.
    pub column: usize,
    /// Index of the category, for a categorical column.
    pub category: Option<usize>,
    /// The 95 % half-width wanted.
    pub half_width: f64,
    /// `OUTCOME` or `OUTCOME.CATEGORY`, for reports.
    pub label: String,
}

impl PrecisionTarget {
    /// Finds the target's column (and category) in `schema`; parameter columns are inputs, not
    /// outcomes, and are not offered.
    ///
    /// # Errors
    /// An unknown outcome (listing the outcomes), a categorical outcome without one of its
    /// categories (listing them), or a category on a numeric outcome.
    pub fn bind(&self, schema: &OutcomeSchema) -> Result<Target, PrecisionError> {
        let outcomes = || {
            schema
                .columns
                .iter()
                .filter(|c| c.kind != ColumnKind::Parameter)
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let column = schema
            .columns
            .iter()
            .position(|c| c.name == self.outcome && c.kind != ColumnKind::Parameter)
            .ok_or_else(|| PrecisionError::UnknownOutcome {
                text: self.text.clone(),
                outcome: self.outcome.clone(),
                valid: outcomes(),
            })?;
        let category = match (&schema.columns[column].kind, &self.category) {
            (ColumnKind::Category { categories }, wanted) => {
                let found = wanted
                    .as_ref()
                    .and_then(|w| categories.iter().position(|c| c == w));
                Some(found.ok_or_else(|| {
                    PrecisionError::Category {
                        text: self.text.clone(),
                        outcome: self.outcome.clone(),
                        valid: categories
                            .iter()
                            .map(|c| format!("{}.{c}", self.outcome))
                            .collect::<Vec<_>>()
                            .join(", "),
                    }
                })?)
            }
            (_, Some(_)) => {
                return Err(PrecisionError::NotCategorical {
                    text: self.text.clone(),
                    outcome: self.outcome.clone(),
                });
            }
            (_, None) => None,
        };
        Ok(Target {
            column,
            category,
            half_width: self.half_width,
            label: match &self.category {
                Some(c) => format!("{}.{c}", self.outcome),
                None => self.outcome.clone(),
            },
        })
    }
}

/// The run counts at which an adaptive batch looks at its half-widths: every block end up to
/// `max_runs`, and `max_runs` itself.
///
/// # Errors
/// `max_runs` below one block.
pub fn checkpoints(max_runs: u64) -> Result<impl Iterator<Item = u64>, PrecisionError> {
    if max_runs < BLOCK_RUNS {
        return Err(PrecisionError::MaxRuns(max_runs));
    }
    let blocks = max_runs.div_ceil(BLOCK_RUNS);
    Ok((1..=blocks).map(move |b| (b * BLOCK_RUNS).min(max_runs)))
}

/// An adaptive batch's plan: its targets bound to the schema, and the run counts at which they
/// are checked ([`checkpoints`]).
pub type TargetsAndCheckpoints = (Vec<Target>, Vec<u64>);

/// The half-widths a `run` batch's targets have reached, kept run by run in run order: the present
/// values of each numeric target (8 bytes a run) and the count of each category target. At a
/// checkpoint they give the same bits as `summary.csv`'s interval of the same runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPrecision {
    targets: Vec<Target>,
    values: Vec<Vec<f64>>,
    counts: Vec<u64>,
    runs: u64,
}

impl RunPrecision {
    /// Nothing recorded yet, for `targets` bound to the batch's schema.
    pub fn new(targets: Vec<Target>) -> RunPrecision {
        RunPrecision {
            values: vec![Vec::new(); targets.len()],
            counts: vec![0; targets.len()],
            runs: 0,
            targets,
        }
    }

    /// The targets, in the order they were given.
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// Records the next run that has an outcome (failed runs count in no statistic, so they are
    /// not pushed, as in the summary).
    pub fn push(&mut self, outcome: &Outcome) {
        self.runs += 1;
        for (k, t) in self.targets.iter().enumerate() {
            match (outcome.values.get(t.column), t.category) {
                (Some(Value::Category(i)), Some(c)) if *i == c => self.counts[k] += 1,
                // A NaN is no value, as the summary's column treats it.
                (Some(Value::Number(x)), None) if !x.is_nan() => self.values[k].push(*x),
                _ => {}
            }
        }
    }

    /// Each target's 95 % half-width over the runs so far: the mean's t-interval (as
    /// `NumericSummary::half_width`) or the larger side of the share's Wilson interval (as
    /// `CategorySummary::half_width`); `None` while it is undefined.
    pub fn half_widths(&self) -> Vec<Option<f64>> {
        self.targets
            .iter()
            .enumerate()
            .map(|(k, t)| match t.category {
                None => Moments::of(&self.values[k]).and_then(|m| m.half_width()),
                Some(_) if self.runs == 0 => None,
                Some(_) => {
                    let (low, high) = wilson_interval(self.counts[k], self.runs, Z_95);
                    let p = self.counts[k] as f64 / self.runs as f64;
                    Some((p - low).max(high - p))
                }
            })
            .collect()
    }
}

/// The half-widths at one checkpoint of an adaptive batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// Runs recorded (failed ones included): the checkpoint's run count.
    pub runs: u64,
    /// Each target's half-width there, in the targets' order.
    pub half_widths: Vec<Option<f64>>,
}

/// How an adaptive batch went: where the driver got to, and every checkpoint it looked at.
#[derive(Debug, Clone, PartialEq)]
pub struct Adaptive {
    /// The driver's last word: the run it got to, and whether it was interrupted.
    pub driven: Driven,
    /// The checkpoints looked at, in order (on a resumed batch, those since it resumed).
    pub checkpoints: Vec<Checkpoint>,
    /// Every target was met at the last checkpoint.
    pub met: bool,
}

/// Whether every half-width is defined and at most its target.
pub fn all_met(half_widths: &[Option<f64>], targets: &[f64]) -> bool {
    half_widths
        .iter()
        .zip(targets)
        .all(|(h, t)| h.is_some_and(|h| h <= *t))
}

/// Drives an adaptive batch from `first_run` one block at a time (`drive_block` runs a range of
/// runs through the batch driver and records them), and at each of `checkpoints` not below
/// `first_run` asks `half_widths` for the targets' half-widths, stopping at the first where
/// every one is at most its target (`targets`), or after the last checkpoint. A checkpoint is
/// looked at only when every run below it is recorded, so where the batch stops depends on the
/// runs' values alone, never on the threads. A batch resumed exactly at a checkpoint looks at
/// it first: it may have been met just before the interruption.
///
/// # Errors
/// `drive_block`'s first error.
pub fn drive_to_precision<E>(
    first_run: u64,
    checkpoints: impl IntoIterator<Item = u64>,
    targets: &[f64],
    mut drive_block: impl FnMut(Range<u64>) -> Result<Driven, E>,
    mut half_widths: impl FnMut() -> Vec<Option<f64>>,
) -> Result<Adaptive, E> {
    let mut adaptive = Adaptive {
        driven: Driven {
            next_run: first_run,
            interrupted: false,
        },
        checkpoints: Vec::new(),
        met: false,
    };
    for end in checkpoints.into_iter().filter(|&c| c >= first_run) {
        let start = adaptive.driven.next_run;
        if start < end {
            adaptive.driven = drive_block(start..end)?;
            if adaptive.driven.interrupted {
                return Ok(adaptive);
            }
        }
        let widths = half_widths();
        adaptive.met = all_met(&widths, targets);
        adaptive.checkpoints.push(Checkpoint {
            runs: end,
            half_widths: widths,
        });
        if adaptive.met {
            break;
        }
    }
    Ok(adaptive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Column;

    fn schema() -> OutcomeSchema {
        let column = |name: &str, kind: ColumnKind| Column {
            name: name.to_string(),
            kind,
        };
        OutcomeSchema {
            columns: vec![
                column(
                    "kidal_column_status",
                    ColumnKind::Category {
                        categories: vec!["arrived".into(), "halted".into()],
                    },
                ),
                column("fama_killed", ColumnKind::Count),
                column("faction_csp_kill_rate_per_hour", ColumnKind::Parameter),
            ],
        }
    }

    fn bind(text: &str) -> Result<Target, PrecisionError> {
        text.parse::<PrecisionTarget>()?.bind(&schema())
    }

    #[test]
    fn targets_bind_to_their_column_and_category() {
        let t = bind("kidal_column_status.halted=0.02").unwrap();
        assert_eq!((t.column, t.category, t.half_width), (0, Some(1), 0.02));
        assert_eq!(t.label, "kidal_column_status.halted");
        let t = bind(" fama_killed = 5 ").unwrap();
        assert_eq!((t.column, t.category, t.half_width), (1, None, 5.0));
    }

    #[test]
    fn bad_targets_say_what_would_be_valid() {
        let cases: &[(&str, &str)] = &[
            ("fama_killed", "expected OUTCOME[.CATEGORY]=HALF_WIDTH"),
            ("=3", "expected OUTCOME[.CATEGORY]=HALF_WIDTH"),
            ("kidal_column_status.=0.1", "expected OUTCOME"),
            ("fama_killed=0", "must be a positive number"),
            ("fama_killed=-1", "must be a positive number"),
            ("fama_killed=inf", "must be a positive number"),
            ("fama_killed=NaN", "must be a positive number"),
            ("fama_killed=two", "must be a positive number"),
            (
                "fama_kiled=2",
                "the outcomes are: kidal_column_status, fama_killed",
            ),
            ("faction_csp_kill_rate_per_hour=0.1", "no outcome"),
            (
                "kidal_column_status=0.1",
                "kidal_column_status.arrived, kidal_column_status.halted",
            ),
            ("kidal_column_status.won=0.1", "name one of its categories"),
            ("fama_killed.arrived=1", "has no categories"),
        ];
        for (text, expected) in cases {
            let message = bind(text).unwrap_err().to_string();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }

    #[test]
    fn checkpoints_are_block_ends_and_the_maximum() {
        let at: Vec<u64> = checkpoints(650).unwrap().collect();
        assert_eq!(at, [200, 400, 600, 650]);
        let at: Vec<u64> = checkpoints(400).unwrap().collect();
        assert_eq!(at, [200, 400]);
        assert_eq!(checkpoints(199).err(), Some(PrecisionError::MaxRuns(199)));
    }

    #[test]
    fn an_adaptive_batch_stops_at_the_first_checkpoint_that_meets_every_target() {
        let mut blocks = Vec::new();
        let runs = std::cell::Cell::new(0_u64);
        let adaptive = drive_to_precision::<()>(
            0,
            [200, 400, 600, 650],
            &[1.0, 2.0],
            |range| {
                blocks.push(range.clone());
                runs.set(range.end);
                Ok(Driven {
                    next_run: range.end,
                    interrupted: false,
                })
            },
            // The first target is met from 400 runs on, the second from 600.
            || {
                let h = 1000.0 / runs.get() as f64;
                vec![Some(h / 2.5), Some(h)]
            },
        )
        .unwrap();
        assert_eq!(blocks, [0..200, 200..400, 400..600]);
        assert!(adaptive.met);
        let at: Vec<u64> = adaptive.checkpoints.iter().map(|c| c.runs).collect();
        assert_eq!(at, [200, 400, 600]);
        assert_eq!(adaptive.driven.next_run, 600);
    }

    #[test]
    fn a_resumed_adaptive_batch_finishes_its_block_and_a_target_never_met_runs_to_the_maximum() {
        let mut blocks = Vec::new();
        let adaptive = drive_to_precision::<()>(
            250,
            [200, 400, 450],
            &[0.1],
            |range| {
                blocks.push(range.clone());
                Ok(Driven {
                    next_run: range.end,
                    interrupted: false,
                })
            },
            || vec![None],
        )
        .unwrap();
        assert_eq!(blocks, [250..400, 400..450]);
        assert!(!adaptive.met);
        assert_eq!(adaptive.driven.next_run, 450);
    }

    #[test]
    fn run_half_widths_are_the_summarys() {
        let targets = vec![
            bind("kidal_column_status.arrived=0.1").unwrap(),
            bind("fama_killed=1").unwrap(),
        ];
        let mut p = RunPrecision::new(targets);
        assert_eq!(p.half_widths(), [None, None]);
        let values = [(0, 3.0), (1, 5.0), (0, 4.0), (0, 10.0)];
        for (status, killed) in values {
            p.push(&Outcome {
                values: vec![
                    Value::Category(status),
                    Value::Number(killed),
                    Value::Number(0.1),
                ],
            });
        }
        let killed = summary_half_width(&[3.0, 5.0, 4.0, 10.0]);
        let mut share =
            crate::stats::CategoricalColumn::new(vec!["arrived".into(), "halted".into()]);
        for (status, _) in values {
            share.push(Some(status));
        }
        let arrived = share.finish()[0].half_width();
        assert_eq!(p.half_widths(), [arrived, killed]);
    }

    fn summary_half_width(values: &[f64]) -> Option<f64> {
        crate::stats::NumericSummary::from_values(values.len() as u64, values.to_vec()).half_width()
    }
}
