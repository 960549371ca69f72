//! `summary.csv` and `summary.json`: the batch's statistics per outcome, and per category of a
//! categorical outcome. Only formatting: the numbers come finished in a [`BatchSummary`], and
//! nothing here depends on the clock or the thread count, so the bytes are reproducible.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::column_doc::{ColumnDoc, column, header};
use super::manifest::{BatchStatus, ShardInfo};
use super::{number_field, statistic};
use crate::batch::{BatchSummary, OutcomeStats, OutcomeSummary, Plan};
use crate::scenario::Scenario;
use crate::sim::ColumnKind;
use crate::stats::{NumericSummary, Z_95, wilson_interval};

/// The columns of `summary.csv`, as the data dictionary describes them.
pub(crate) const SUMMARY_COLUMNS: [ColumnDoc; 15] = [
    column(
        "outcome",
        "text",
        "",
        "An outcome column of `runs.csv` (or a drawn parameter's), or `run_status` for the row counting failed runs.",
        "",
    ),
    column(
        "category",
        "text",
        "",
        "For a categorical outcome (`<convoy>_status`, `<site>_owner_end`), the category this row is about; `failed` on the `run_status` row.",
        "a numeric outcome",
    ),
    column(
        "n",
        "integer",
        "runs",
        "Runs summarised (failed runs are left out).",
        "",
    ),
    column(
        "present",
        "integer",
        "runs",
        "Runs that had a value (a day only where the event happened), or that were in this category.",
        "",
    ),
    column(
        "mean",
        "number",
        "the outcome's",
        "Mean over the runs that had a value; for a category, its share of the `n` runs (0–1).",
        "no run had a value",
    ),
    column(
        "sd",
        "number",
        "the outcome's",
        "Sample standard deviation (divisor present − 1).",
        "a category; fewer than two values",
    ),
    column(
        "ci95_low",
        "number",
        "the outcome's",
        "Lower end of the 95% interval of the mean: Student t for numbers, clipped at 0 for counts and days; Wilson score for a category's share (within 0–1).",
        "fewer than two values",
    ),
    column(
        "ci95_high",
        "number",
        "the outcome's",
        "Upper end of that interval.",
        "fewer than two values",
    ),
    column(
        "p05",
        "number",
        "the outcome's",
        "5th percentile of the values (type 7, as R and NumPy by default).",
        "a category; no value",
    ),
    column(
        "p25",
        "number",
        "the outcome's",
        "25th percentile.",
        "a category; no value",
    ),
    column(
        "p50",
        "number",
        "the outcome's",
        "Median.",
        "a category; no value",
    ),
    column(
        "p75",
        "number",
        "the outcome's",
        "75th percentile.",
        "a category; no value",
    ),
    column(
        "p95",
        "number",
        "the outcome's",
        "95th percentile.",
        "a category; no value",
    ),
    column(
        "min",
        "number",
        "the outcome's",
        "Smallest value.",
        "a category; no value",
    ),
    column(
        "max",
        "number",
        "the outcome's",
        "Largest value.",
        "a category; no value",
    ),
];

/// Writes `summary.csv`: one row per numeric outcome (`category` empty) and one per category of
/// a categorical outcome, where `present` is the runs in that category, `mean` their share of
/// all runs, the interval Wilson's, and `sd` and the quantiles empty. Undefined values are empty
/// fields; numbers are the shortest text that reads back to the same float.
///
/// When runs failed, a last row `run_status,failed` says how many: `n` is every run recorded,
/// `present` the failed ones, `mean` their share with its Wilson interval. (Which runs failed
/// is in `failures.csv`, `summary.json` and `manifest.json`.)
///
/// # Errors
/// When the writer fails.
pub(crate) fn write_summary_csv<W: Write>(writer: W, summary: &BatchSummary) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(header(&SUMMARY_COLUMNS))?;
    for outcome in &summary.outcomes {
        let name = outcome.column.name.as_str();
        match &outcome.stats {
            OutcomeStats::Numeric(s) => {
                let s = &published(&outcome.column.kind, s);
                let mut row = vec![
                    name.to_string(),
                    String::new(),
                    s.n.to_string(),
                    s.present.to_string(),
                ];
                row.extend(
                    [
                        s.mean,
                        s.sd,
                        s.ci95_low,
                        s.ci95_high,
                        s.p05,
                        s.p25,
                        s.p50,
                        s.p75,
                        s.p95,
                        s.min,
                        s.max,
                    ]
                    .map(number_field),
                );
                csv.write_record(&row)?;
            }
            OutcomeStats::Categories(categories) => {
                for c in categories {
                    let mut row = vec![
                        name.to_string(),
                        c.category.clone(),
                        c.n.to_string(),
                        c.count.to_string(),
                        number_field(Some(statistic(c.proportion))),
                        String::new(),
                        number_field(Some(share_bound(c.ci95_low))),
                        number_field(Some(share_bound(c.ci95_high))),
                    ];
                    row.extend(std::iter::repeat_n(String::new(), 7));
                    csv.write_record(&row)?;
                }
            }
        }
    }
    if !summary.failed_runs.is_empty() {
        let (n, failed) = (summary.completed_runs(), summary.failed_runs.len() as u64);
        let (low, high) = wilson_interval(failed, n, Z_95);
        let mut row = vec![
            FAILED_OUTCOME.to_string(),
            FAILED_CATEGORY.to_string(),
            n.to_string(),
            failed.to_string(),
            number_field(Some(statistic(failed as f64 / n as f64))),
            String::new(),
            number_field(Some(share_bound(low))),
            number_field(Some(share_bound(high))),
        ];
        row.extend(std::iter::repeat_n(String::new(), 7));
        csv.write_record(&row)?;
    }
    csv.flush()?;
    Ok(())
}

/// A numeric outcome's statistics as both summary files publish them: the derived statistics
/// (mean, sd, interval, quantiles, histogram edges) rounded to 12 significant digits, so that
/// arithmetic's last bits do not show, and the interval of the mean of a count or a day clipped
/// at 0, below which no run can fall (a t-interval knows nothing of that). Min and max are
/// values of runs and stay as they are.
pub(crate) fn published(kind: &ColumnKind, s: &NumericSummary) -> NumericSummary {
    let derived = |v: Option<f64>| v.map(statistic);
    let floor = match kind {
        ColumnKind::Count | ColumnKind::Day => 0.0,
        ColumnKind::Category { .. } | ColumnKind::Parameter => f64::NEG_INFINITY,
    };
    NumericSummary {
        mean: derived(s.mean),
        sd: derived(s.sd),
        ci95_low: derived(s.ci95_low).map(|v| v.max(floor)),
        ci95_high: derived(s.ci95_high).map(|v| v.max(floor)),
        p05: derived(s.p05),
        p25: derived(s.p25),
        p50: derived(s.p50),
        p75: derived(s.p75),
        p95: derived(s.p95),
        histogram: crate::stats::Histogram {
            edges: s.histogram.edges.iter().copied().map(statistic).collect(),
            counts: s.histogram.counts.clone(),
        },
        ..s.clone()
    }
}

/// An end of a share's interval as published: rounded like every statistic, and within 0–1.
fn share_bound(v: f64) -> f64 {
    statistic(v).clamp(0.0, 1.0)
}

/// `outcome` of the summary.csv row that counts failed runs (only there when some failed).
const FAILED_OUTCOME: &str = "run_status";
/// `category` of that row.
const FAILED_CATEGORY: &str = "failed";

/// The format `summary.json` names itself with.
const SUMMARY_FORMAT: &str = "sandtable-summary-1";

/// `summary.json`, as written and as read back (by `report` and `merge`): what summary.csv holds
/// plus a histogram per numeric outcome, and the scenario, seed and shard it summarises, whether
/// the batch is complete, the runs recorded and those that failed. Nothing in it depends on the
/// clock, the thread count, or whether the batch was interrupted and resumed on the way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryFile {
    /// `sandtable-summary-1`.
    pub format: String,
    /// The scenario summarised.
    pub scenario: SummaryScenario,
    /// The batch seed.
    pub seed: u64,
    /// Runs in the whole batch (all shards).
    pub runs: u64,
    /// The block of runs summarised.
    pub shard: ShardInfo,
    /// Whether the summary is over every run of the shard.
    pub status: BatchStatus,
    /// Runs recorded, failed or not.
    pub completed_runs: u64,
    /// Runs that failed, in run order; left out of every statistic.
    pub failed_runs: Vec<u64>,
    /// One entry per outcome column, in `runs.csv` order.
    pub outcomes: Vec<OutcomeEntry>,
}

/// The scenario by name and hash only: its path may differ between machines, the bytes may not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryScenario {
    /// Its short name.
    pub name: String,
    /// Hex SHA-256 of the resolved scenario.
    pub sha256: String,
}

/// One outcome of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[expect(
    clippy::large_enum_variant,
    reason = "a summary holds one per outcome column, a few dozen; boxing would save nothing"
)]
pub enum OutcomeEntry {
    /// A count, a day or a drawn parameter (`kind` says which).
    Numeric {
        /// The column, as in `runs.csv`.
        outcome: String,
        /// `count`, `day` or `parameter`.
        kind: String,
        /// Its statistics.
        #[serde(flatten)]
        stats: NumericEntry,
    },
    /// A categorical outcome.
    Categorical {
        /// The column, as in `runs.csv`.
        outcome: String,
        /// `category`.
        kind: String,
        /// Runs summarised.
        n: u64,
        /// One share per category, in the scenario's order.
        categories: Vec<CategoryEntry>,
    },
}

/// The numeric statistics under the names summary.csv uses, and the histogram. An undefined
/// statistic is null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericEntry {
    /// Runs summarised.
    pub n: u64,
    /// Runs that had a value.
    pub present: u64,
    /// Mean of the values.
    pub mean: Option<f64>,
    /// Sample standard deviation.
    pub sd: Option<f64>,
    /// Lower end of the 95% t-interval of the mean.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% t-interval of the mean.
    pub ci95_high: Option<f64>,
    /// 5th percentile (type 7).
    pub p05: Option<f64>,
    /// 25th percentile.
    pub p25: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 75th percentile.
    pub p75: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// Counts in bins.
    pub histogram: HistogramEntry,
}

/// A histogram: `edges` one longer than `counts`; both empty when no run had a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramEntry {
    /// Bin boundaries, ascending.
    pub edges: Vec<f64>,
    /// Values in each bin.
    pub counts: Vec<u64>,
}

/// The share of one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryEntry {
    /// The category's name.
    pub category: String,
    /// Runs in it.
    pub present: u64,
    /// Their share of the runs summarised; null when there were none.
    pub mean: Option<f64>,
    /// Lower end of the Wilson 95% interval.
    pub ci95_low: f64,
    /// Upper end of the Wilson 95% interval.
    pub ci95_high: f64,
}

/// A statistic as `summary.json` holds it: NaN (undefined) as null, which is also what JSON
/// makes of it, so that the file reads back to the value written.
fn defined(value: Option<f64>) -> Option<f64> {
    value.filter(|v| !v.is_nan())
}

impl From<&NumericSummary> for NumericEntry {
    fn from(s: &NumericSummary) -> Self {
        NumericEntry {
            n: s.n,
            present: s.present,
            mean: defined(s.mean),
            sd: defined(s.sd),
            ci95_low: defined(s.ci95_low),
            ci95_high: defined(s.ci95_high),
            p05: defined(s.p05),
            p25: defined(s.p25),
            p50: defined(s.p50),
            p75: defined(s.p75),
            p95: defined(s.p95),
            min: defined(s.min),
            max: defined(s.max),
            histogram: HistogramEntry {
                edges: s.histogram.edges.clone(),
                counts: s.histogram.counts.clone(),
            },
        }
    }
}

fn kind_name(kind: &ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Count => "count",
        ColumnKind::Day => "day",
        ColumnKind::Category { .. } => "category",
        ColumnKind::Parameter => "parameter",
    }
}

impl OutcomeEntry {
    /// The entry of one outcome of a batch whose summary is over `runs` runs.
    fn of(outcome: &OutcomeSummary, runs: u64) -> OutcomeEntry {
        let name = outcome.column.name.clone();
        let kind = kind_name(&outcome.column.kind).to_string();
        match &outcome.stats {
            OutcomeStats::Numeric(s) => OutcomeEntry::Numeric {
                outcome: name,
                kind,
                stats: (&published(&outcome.column.kind, s)).into(),
            },
            OutcomeStats::Categories(categories) => OutcomeEntry::Categorical {
                outcome: name,
                kind,
                n: runs,
                categories: categories
                    .iter()
                    .map(|c| CategoryEntry {
                        category: c.category.clone(),
                        present: c.count,
                        mean: defined(Some(statistic(c.proportion))),
                        ci95_low: share_bound(c.ci95_low),
                        ci95_high: share_bound(c.ci95_high),
                    })
                    .collect(),
            },
        }
    }
}

impl SummaryFile {
    /// The summary file of the batch `plan` ran on `scenario`, in the state `status`.
    pub fn of(
        scenario: &Scenario,
        plan: &Plan,
        status: BatchStatus,
        summary: &BatchSummary,
    ) -> SummaryFile {
        SummaryFile {
            format: SUMMARY_FORMAT.to_string(),
            scenario: SummaryScenario {
                name: scenario.name.clone(),
                sha256: scenario.sha256(),
            },
            seed: plan.seed,
            runs: plan.runs,
            shard: ShardInfo::of(plan),
            status,
            completed_runs: summary.completed_runs(),
            failed_runs: summary.failed_runs.clone(),
            outcomes: summary
                .outcomes
                .iter()
                .map(|o| OutcomeEntry::of(o, summary.runs))
                .collect(),
        }
    }

    /// Writes the file, pretty-printed, for programs.
    ///
    /// # Errors
    /// When the writer fails.
    pub fn write<W: Write>(&self, mut writer: W) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut writer, self)?;
        writer.write_all(b"\n")?;
        writer.flush()
    }
}

/// Writes `summary.json` ([`SummaryFile`]) for the batch `plan` ran on `scenario`.
///
/// # Errors
/// When the writer fails.
pub(crate) fn write_summary_json<W: Write>(
    writer: W,
    scenario: &Scenario,
    plan: &Plan,
    status: BatchStatus,
    summary: &BatchSummary,
) -> io::Result<()> {
    SummaryFile::of(scenario, plan, status, summary).write(writer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::SummaryBuilder;
    use crate::sim::{Column, Outcome, OutcomeSchema, Value};

    fn summary() -> BatchSummary {
        summary_failing(&[])
    }

    fn summary_failing(failed: &[u64]) -> BatchSummary {
        let schema = OutcomeSchema {
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
        };
        let mut b = SummaryBuilder::new(&schema, None);
        for (status, day) in [(0, Some(3.0)), (1, None), (0, Some(5.0)), (0, Some(4.0))] {
            b.push(&Outcome {
                values: vec![
                    Value::Category(status),
                    day.map_or(Value::Empty, Value::Number),
                ],
            })
            .unwrap();
        }
        for run in failed {
            b.fail(*run);
        }
        b.finish().unwrap()
    }

    #[test]
    fn summary_csv_bytes() {
        let mut bytes = Vec::new();
        write_summary_csv(&mut bytes, &summary()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "outcome,category,n,present,mean,sd,ci95_low,ci95_high,p05,p25,p50,p75,p95,min,max"
        );
        // 3 of 4 arrived: share 0.75 with its Wilson interval; no sd or quantiles for a share.
        let (low, high) = crate::stats::wilson_interval(3, 4, crate::stats::Z_95);
        let (low, high) = (share_bound(low), share_bound(high));
        assert_eq!(
            lines[1],
            format!("c_status,arrived,4,3,0.75,,{low},{high},,,,,,,")
        );
        assert!(
            lines[2].starts_with("c_status,halted,4,1,0.25,,"),
            "{}",
            lines[2]
        );
        // Days 3, 4, 5 present in 3 of 4 runs: mean 4, sd 1; type 7 quantiles.
        assert!(
            lines[3].starts_with("c_arrival_day,,4,3,4,1,"),
            "{}",
            lines[3]
        );
        assert!(lines[3].ends_with(",3.1,3.5,4,4.5,4.9,3,5"), "{}", lines[3]);
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn an_interval_of_a_count_stays_at_or_above_zero_and_carries_no_float_noise() {
        let schema = OutcomeSchema {
            columns: vec![Column {
                name: "ied_strikes".into(),
                kind: ColumnKind::Count,
            }],
        };
        let mut b = SummaryBuilder::new(&schema, None);
        // Mostly zeros and one large count: the t-interval of the mean reaches below zero.
        for v in [0.0, 0.0, 0.0, 0.0, 9.0] {
            b.push(&Outcome {
                values: vec![Value::Number(v)],
            })
            .unwrap();
        }
        let summary = b.finish().unwrap();
        let OutcomeStats::Numeric(raw) = &summary.outcomes[0].stats else {
            panic!("a count is numeric")
        };
        assert!(
            raw.ci95_low.unwrap() < 0.0,
            "the case needs a negative bound"
        );
        let mut bytes = Vec::new();
        write_summary_csv(&mut bytes, &summary).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
        assert_eq!(
            row[..6],
            ["ied_strikes", "", "5", "5", "1.8", "4.0249223595"]
        );
        assert_eq!(row[6], "0", "ci95_low of a count: {text}");
        assert!(row[7].parse::<f64>().unwrap() > 1.8);
    }

    #[test]
    fn failed_runs_get_a_row_of_their_own() {
        let mut bytes = Vec::new();
        write_summary_csv(&mut bytes, &summary_failing(&[5])).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let last = text.lines().last().unwrap();
        // One of the five recorded runs failed: a share of 0.2, with its Wilson interval.
        let (low, high) = crate::stats::wilson_interval(1, 5, crate::stats::Z_95);
        let (low, high) = (share_bound(low), share_bound(high));
        assert_eq!(
            last,
            format!("run_status,failed,5,1,0.2,,{low},{high},,,,,,,")
        );
        // The outcomes are over the four runs that have one.
        assert!(text.contains("\nc_status,arrived,4,3,0.75,"), "{text}");
    }

    #[test]
    fn summary_json_reads_back_as_it_was_written() {
        let scenario = crate::scenario::load_default(&[]).unwrap();
        let plan = Plan {
            seed: 7,
            runs: 12,
            shard: crate::batch::Shard::new(2, 3).unwrap(),
            threads: 2,
        };
        for summary in [summary(), summary_failing(&[5, 6])] {
            let file = SummaryFile::of(&scenario, &plan, BatchStatus::Partial, &summary);
            let mut bytes = Vec::new();
            file.write(&mut bytes).unwrap();
            let read: SummaryFile = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(read, file);
            // Numeric and categorical outcomes each read back as what they are.
            assert!(matches!(read.outcomes[0], OutcomeEntry::Categorical { .. }));
            assert!(matches!(read.outcomes[1], OutcomeEntry::Numeric { .. }));
        }
    }

    #[test]
    fn a_real_batchs_summary_json_reads_back_to_the_same_numbers() {
        let scenario = std::sync::Arc::new(crate::scenario::load_default(&[]).unwrap());
        let schema = crate::sim::OutcomeSchema::for_scenario(&scenario);
        let mut builder = SummaryBuilder::new(&schema, None);
        for run in 0..60 {
            let outcome = crate::sim::simulate(&scenario, 11, run, false).outcome;
            let outcome = super::super::runs::canonical_outcome(&outcome, &schema).unwrap();
            builder.push(&outcome).unwrap();
        }
        let plan = Plan {
            seed: 11,
            runs: 60,
            shard: crate::batch::Shard::WHOLE,
            threads: 1,
        };
        let summary = builder.finish().unwrap();
        let file = SummaryFile::of(&scenario, &plan, BatchStatus::Complete, &summary);
        let mut bytes = Vec::new();
        file.write(&mut bytes).unwrap();
        let read: SummaryFile = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(read, file);
        // Written again, it is the same bytes.
        let mut again = Vec::new();
        read.write(&mut again).unwrap();
        assert_eq!(again, bytes);
    }

    #[test]
    fn a_summary_without_runs_reads_back_too() {
        let scenario = crate::scenario::load_default(&[]).unwrap();
        let schema = crate::sim::OutcomeSchema::for_scenario(&scenario);
        let mut builder = SummaryBuilder::new(&schema, None);
        builder.fail(0);
        let plan = Plan {
            seed: 1,
            runs: 1,
            shard: crate::batch::Shard::WHOLE,
            threads: 1,
        };
        let file = SummaryFile::of(
            &scenario,
            &plan,
            BatchStatus::Complete,
            &builder.finish().unwrap(),
        );
        let mut bytes = Vec::new();
        file.write(&mut bytes).unwrap();
        assert_eq!(serde_json::from_slice::<SummaryFile>(&bytes).unwrap(), file);
    }
}
