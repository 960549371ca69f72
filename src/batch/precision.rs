//! Adaptive replication: `--precision OUTCOME[.CATEGORY]=HALF_WIDTH` targets, checked against a
//! scenario's outcome columns, and the fixed blocks of runs a batch grows by until every target's
//! 95 % half-width is met. Blocks end at fixed run indices, so where a batch stops depends on the
//! seed and the targets only, never on the number of threads.

use std::fmt;
use std::str::FromStr;

use crate::sim::{ColumnKind, OutcomeSchema};

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
}
