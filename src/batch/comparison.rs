//! Folds the outcomes of several scenarios run on the same seed and run indices into paired
//! statistics: for every outcome the scenarios share, each scenario's mean and, for each scenario
//! after the first (the base), the paired difference from the base with its 95 % interval and the
//! variance ratio that shows what common random numbers bought. Numbers only; `output` writes them.

use std::ops::Range;
use std::sync::Arc;

use super::replicate::replicate;
use super::{BatchError, BatchOptions, Driven, Journal, RecordedRun, Recording, RunResult, drive};
use crate::scenario::Scenario;
use crate::sim::{ColumnKind, Outcome, OutcomeSchema, Value};
use crate::stats::{PairedMoments, PairedProportion};

/// One thing compared: a numeric outcome, or one category of a categorical outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    /// The outcome column, e.g. `kidal_column_status`.
    pub outcome: String,
    /// The category, for a categorical outcome, e.g. `arrived`.
    pub category: Option<String>,
    /// Where it is in each scenario's schema: (column, category index) per scenario.
    places: Vec<(usize, Option<usize>)>,
    /// Base against each other scenario, in scenario order (one fewer than the scenarios).
    pub pairs: Vec<Paired>,
}

/// Base against one other scenario, on one outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Paired {
    /// A count, a day: paired t.
    Number(PairedMoments),
    /// A category's share: Newcombe's paired interval.
    Share(PairedProportion),
}

/// The difference OTHER − BASE of one outcome between two scenarios.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// Runs where both had a value.
    pub pairs: u64,
    /// The base's mean over those runs.
    pub base_mean: Option<f64>,
    /// The other's mean over those runs.
    pub other_mean: Option<f64>,
    /// Mean paired difference, other − base.
    pub diff: Option<f64>,
    /// Its 95 % interval.
    pub ci95: Option<(f64, f64)>,
    /// var(paired differences) / (var(base) + var(other)): 1 for independent runs, lower the
    /// more common random numbers shared.
    pub var_ratio: Option<f64>,
    /// For a share: the lowest ratio the two shares allow (runs as positively coupled as
    /// possible). None for numbers.
    pub var_ratio_limit: Option<f64>,
}

impl Paired {
    /// The difference and its interval.
    pub fn difference(&self) -> Difference {
        match self {
            Paired::Number(m) => Difference {
                pairs: m.n(),
                base_mean: m.mean_base(),
                other_mean: m.mean_other(),
                diff: m.mean_difference(),
                ci95: m.ci95(),
                var_ratio: m.var_ratio(),
                var_ratio_limit: None,
            },
            Paired::Share(p) => Difference {
                pairs: p.n(),
                base_mean: p.p_base(),
                other_mean: p.p_other(),
                diff: p.difference(),
                ci95: (p.n() > 0).then(|| p.ci95()),
                var_ratio: p.var_ratio(),
                var_ratio_limit: p.var_ratio_limit(),
            },
        }
    }

    /// The 95 % half-width of the difference: what `--precision` checks.
    pub fn half_width(&self) -> Option<f64> {
        match self {
            Paired::Number(m) => m.half_width(),
            Paired::Share(p) => p.half_width(),
        }
    }
}

/// The paired statistics of a comparison, built run by run in run order.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonBuilder {
    /// What is compared, in the base's column order.
    pub compared: Vec<Compared>,
    /// Outcome columns of some scenario that not every scenario has: left out, and said so.
    pub not_shared: Vec<String>,
}

impl ComparisonBuilder {
    /// The outcomes every scenario has (by column name, and by category name within a
    /// categorical column), in the base's order. `schemas[0]` is the base.
    pub fn new(schemas: &[OutcomeSchema]) -> ComparisonBuilder {
        let mut compared = Vec::new();
        let mut not_shared = Vec::new();
        let others = schemas.len().saturating_sub(1);
        for c in &schemas[0].columns {
            if c.kind == ColumnKind::Parameter {
                continue;
            }
            let found: Option<Vec<usize>> = schemas
                .iter()
                .map(|s| {
                    s.columns
                        .iter()
                        .position(|o| o.name == c.name && same_kind(&o.kind, &c.kind))
                })
                .collect();
            let Some(columns) = found else {
                not_shared.push(c.name.clone());
                continue;
            };
            let ColumnKind::Category { categories } = &c.kind else {
                compared.push(Compared {
                    outcome: c.name.clone(),
                    category: None,
                    places: columns.iter().map(|&i| (i, None)).collect(),
                    pairs: vec![Paired::Number(PairedMoments::default()); others],
                });
                continue;
            };
            for label in categories {
                let places: Option<Vec<(usize, Option<usize>)>> = schemas
                    .iter()
                    .zip(&columns)
                    .map(|(s, &i)| category_index(&s.columns[i].kind, label).map(|j| (i, Some(j))))
                    .collect();
                match places {
                    Some(places) => compared.push(Compared {
                        outcome: c.name.clone(),
                        category: Some(label.clone()),
                        places,
                        pairs: vec![Paired::Share(PairedProportion::default()); others],
                    }),
                    None => not_shared.push(format!("{}.{label}", c.name)),
                }
            }
        }
        for s in &schemas[1..] {
            for c in &s.columns {
                let listed =
                    compared.iter().any(|x| x.outcome == c.name) || not_shared.contains(&c.name);
                if c.kind != ColumnKind::Parameter && !listed {
                    not_shared.push(c.name.clone());
                }
            }
        }
        ComparisonBuilder {
            compared,
            not_shared,
        }
    }

    /// Adds one run: each scenario's outcome for the same run index, base first; `None` for a
    /// scenario whose replication failed (that run is then skipped for it).
    pub fn push(&mut self, outcomes: &[Option<&Outcome>]) {
        for x in &mut self.compared {
            let (base_column, base_category) = x.places[0];
            let base = outcomes[0].map(|o| o.values[base_column]);
            for (k, pair) in x.pairs.iter_mut().enumerate() {
                let (column, category) = x.places[k + 1];
                let other = outcomes[k + 1].map(|o| o.values[column]);
                match pair {
                    Paired::Number(m) => m.push(base.and_then(number), other.and_then(number)),
                    Paired::Share(p) => p.push(
                        base.and_then(|v| is_category(v, base_category)),
                        other.and_then(|v| is_category(v, category)),
                    ),
                }
            }
        }
    }

    /// The largest half-width, over the other scenarios, of the difference at `outcome`
    /// (and `category`): None until every pair has one.
    pub fn half_width(&self, outcome: &str, category: Option<&str>) -> Option<f64> {
        let x = self
            .compared
            .iter()
            .find(|x| x.outcome == outcome && x.category.as_deref() == category)?;
        x.pairs
            .iter()
            .map(Paired::half_width)
            .try_fold(0.0_f64, |worst, h| h.map(|h| worst.max(h)))
    }
}

/// What a worker made of one run of every scenario: each scenario's recorded run, in order.
type RecordedRuns<Row> = Vec<Result<RecordedRun<Row>, String>>;

/// Runs and records the replications `runs` of every scenario of a comparison in the batch
/// seeded `seed`, in one pass of [`drive`]: the job for run `i` replicates every scenario for
/// run `i` on the worker (so run `i` of each draws from the same keyed streams) and passes each
/// through `record` (with the scenario's index); this thread then hands each scenario's run to
/// its recording, in run order, and the outcomes of all of them to `comparison` together.
///
/// `recorded_up_to[k]` is the first run not yet in scenario `k`'s journal: a resumed comparison
/// starts from the smallest, and the runs below a scenario's own go to the comparison only (its
/// journal and statistics have them already). Stops early, with every run so far recorded, when
/// `options.stop` is raised.
///
/// # Errors
/// When a journal cannot be written, the threads cannot start, or a run cannot be recorded.
#[expect(
    clippy::too_many_arguments,
    reason = "record_batch's arguments, one per scenario, and the comparison they feed"
)]
pub fn record_comparison<J, F, E>(
    scenarios: &[Arc<Scenario>],
    seed: u64,
    runs: Range<u64>,
    options: &BatchOptions<'_>,
    record: F,
    recordings: &mut [Recording<'_, J>],
    recorded_up_to: &[u64],
    comparison: &mut ComparisonBuilder,
    progress: &mut dyn FnMut(u64),
) -> Result<Driven, E>
where
    J: Journal,
    J::Row: Send,
    F: Fn(usize, u64, RunResult) -> Result<RecordedRun<J::Row>, String> + Sync,
    E: From<BatchError> + From<J::Error>,
{
    let job = |run: u64| -> RecordedRuns<J::Row> {
        scenarios
            .iter()
            .enumerate()
            .map(|(k, scenario)| record(k, run, replicate(scenario, seed, run, options)))
            .collect()
    };
    let sink = |run: u64, recorded: RecordedRuns<J::Row>| -> Result<(), E> {
        // The outcomes are kept for the comparison before the recordings take the runs.
        let outcomes: Vec<Option<Outcome>> = recorded
            .iter()
            .map(|r| match r {
                Ok(RecordedRun::Done { outcome, .. }) => Some(outcome.clone()),
                _ => None,
            })
            .collect();
        for ((k, r), recording) in recorded.into_iter().enumerate().zip(recordings.iter_mut()) {
            if run >= recorded_up_to[k] {
                recording.hand_over::<E>(run, r)?;
            }
        }
        let outcomes: Vec<Option<&Outcome>> = outcomes.iter().map(Option::as_ref).collect();
        comparison.push(&outcomes);
        Ok(())
    };
    drive(runs, options.threads, options.stop, job, sink, progress)
}

/// Two columns hold the same kind of value (categories may differ: they are matched by name).
fn same_kind(a: &ColumnKind, b: &ColumnKind) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn category_index(kind: &ColumnKind, label: &str) -> Option<usize> {
    match kind {
        ColumnKind::Category { categories } => categories.iter().position(|c| c == label),
        _ => None,
    }
}

fn number(v: Value) -> Option<f64> {
    match v {
        Value::Number(x) => Some(x),
        _ => None,
    }
}

fn is_category(v: Value, category: Option<usize>) -> Option<bool> {
    match (v, category) {
        (Value::Category(i), Some(c)) => Some(i == c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Column;

    fn schema(owners: &[&str], extra: Option<&str>) -> OutcomeSchema {
        let mut columns = vec![
            Column {
                name: "kidal_owner_end".into(),
                kind: ColumnKind::Category {
                    categories: owners.iter().map(|s| s.to_string()).collect(),
                },
            },
            Column {
                name: "fama_killed".into(),
                kind: ColumnKind::Count,
            },
        ];
        if let Some(name) = extra {
            columns.push(Column {
                name: name.into(),
                kind: ColumnKind::Count,
            });
        }
        columns.push(Column {
            name: "faction_fama_kill_rate_per_hour".into(),
            kind: ColumnKind::Parameter,
        });
        OutcomeSchema { columns }
    }

    fn outcome(owner: usize, killed: f64) -> Outcome {
        Outcome {
            values: vec![
                Value::Category(owner),
                Value::Number(killed),
                Value::Number(0.03),
            ],
        }
    }

    #[test]
    fn scenarios_are_compared_on_the_outcomes_and_categories_they_share() {
        let base = schema(&["fama", "csp", "none"], Some("wagner_killed"));
        let other = schema(&["fama", "csp", "jnim", "none"], None);
        let b = ComparisonBuilder::new(&[base, other]);
        let names: Vec<String> = b
            .compared
            .iter()
            .map(|x| match &x.category {
                Some(c) => format!("{}.{c}", x.outcome),
                None => x.outcome.clone(),
            })
            .collect();
        assert_eq!(
            names,
            [
                "kidal_owner_end.fama",
                "kidal_owner_end.csp",
                "kidal_owner_end.none",
                "fama_killed"
            ]
        );
        assert_eq!(b.not_shared, ["wagner_killed"]);
    }

    #[test]
    fn categories_are_matched_by_name_not_position() {
        let base = schema(&["fama", "csp", "none"], None);
        let other = schema(&["fama", "csp", "jnim", "none"], None);
        let mut b = ComparisonBuilder::new(&[base, other]);
        // "none" is category 2 in the base and 3 in the other: both runs ended with no owner.
        for _ in 0..10 {
            b.push(&[Some(&outcome(2, 5.0)), Some(&outcome(3, 7.0))]);
        }
        let none = &b.compared[2];
        assert_eq!(none.category.as_deref(), Some("none"));
        let d = none.pairs[0].difference();
        assert_eq!(
            (d.base_mean, d.other_mean, d.diff),
            (Some(1.0), Some(1.0), Some(0.0))
        );
        let killed = b.compared[3].pairs[0].difference();
        assert_eq!(killed.diff, Some(2.0));
        assert_eq!(killed.pairs, 10);
    }

    #[test]
    fn a_failed_run_is_left_out_of_its_pairs() {
        let s = schema(&["fama", "none"], None);
        let mut b = ComparisonBuilder::new(&[s.clone(), s]);
        b.push(&[Some(&outcome(0, 1.0)), None]);
        b.push(&[Some(&outcome(0, 1.0)), Some(&outcome(1, 4.0))]);
        b.push(&[Some(&outcome(1, 2.0)), Some(&outcome(1, 6.0))]);
        let killed = b.compared[2].pairs[0].difference();
        assert_eq!((killed.pairs, killed.diff), (2, Some(3.5)));
        assert!(b.half_width("fama_killed", None).is_some());
        assert_eq!(b.half_width("kidal_owner_end", Some("jnim")), None);
    }
}
