//! `summary.csv` and `summary.json`: the batch's statistics per outcome, and per category of a
//! categorical outcome. Only formatting: the numbers come finished in a [`BatchSummary`], and
//! nothing here depends on the clock or the thread count, so the bytes are reproducible.

use std::io::{self, Write};

use serde::Serialize;

use super::manifest::{BatchStatus, ShardInfo};
use super::number_field;
use crate::batch::{BatchSummary, OutcomeStats, Plan};
use crate::scenario::Scenario;
use crate::sim::ColumnKind;
use crate::stats::{Histogram, NumericSummary, Z_95, wilson_interval};

/// The columns of `summary.csv`.
pub const SUMMARY_HEADER: [&str; 15] = [
    "outcome",
    "category",
    "n",
    "present",
    "mean",
    "sd",
    "ci95_low",
    "ci95_high",
    "p05",
    "p25",
    "p50",
    "p75",
    "p95",
    "min",
    "max",
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
pub fn write_summary_csv<W: Write>(writer: W, summary: &BatchSummary) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(SUMMARY_HEADER)?;
    for outcome in &summary.outcomes {
        let name = outcome.column.name.as_str();
        match &outcome.stats {
            OutcomeStats::Numeric(s) => {
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
                        number_field(Some(c.proportion)),
                        String::new(),
                        number_field(Some(c.ci95_low)),
                        number_field(Some(c.ci95_high)),
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
            number_field(Some(failed as f64 / n as f64)),
            String::new(),
            number_field(Some(low)),
            number_field(Some(high)),
        ];
        row.extend(std::iter::repeat_n(String::new(), 7));
        csv.write_record(&row)?;
    }
    csv.flush()?;
    Ok(())
}

/// `outcome` of the summary.csv row that counts failed runs (only there when some failed).
pub const FAILED_OUTCOME: &str = "run_status";
/// `category` of that row.
pub const FAILED_CATEGORY: &str = "failed";

/// The scenario by name and hash only: its path may differ between machines, the bytes may not.
#[derive(Serialize)]
struct ScenarioJson<'a> {
    name: &'a str,
    sha256: String,
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    format: &'static str,
    scenario: ScenarioJson<'a>,
    seed: u64,
    runs: u64,
    shard: ShardInfo,
    status: BatchStatus,
    completed_runs: u64,
    failed_runs: &'a [u64],
    outcomes: Vec<OutcomeJson<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum OutcomeJson<'a> {
    Numeric {
        outcome: &'a str,
        kind: &'static str,
        #[serde(flatten)]
        stats: NumericJson<'a>,
    },
    Categorical {
        outcome: &'a str,
        kind: &'static str,
        n: u64,
        categories: Vec<CategoryJson<'a>>,
    },
}

/// The numeric statistics under the names summary.csv uses.
#[derive(Serialize)]
struct NumericJson<'a> {
    n: u64,
    present: u64,
    mean: Option<f64>,
    sd: Option<f64>,
    ci95_low: Option<f64>,
    ci95_high: Option<f64>,
    p05: Option<f64>,
    p25: Option<f64>,
    p50: Option<f64>,
    p75: Option<f64>,
    p95: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    histogram: &'a Histogram,
}

impl<'a> From<&'a NumericSummary> for NumericJson<'a> {
    fn from(s: &'a NumericSummary) -> Self {
        NumericJson {
            n: s.n,
            present: s.present,
            mean: s.mean,
            sd: s.sd,
            ci95_low: s.ci95_low,
            ci95_high: s.ci95_high,
            p05: s.p05,
            p25: s.p25,
            p50: s.p50,
            p75: s.p75,
            p95: s.p95,
            min: s.min,
            max: s.max,
            histogram: &s.histogram,
        }
    }
}

#[derive(Serialize)]
struct CategoryJson<'a> {
    category: &'a str,
    present: u64,
    mean: Option<f64>,
    ci95_low: f64,
    ci95_high: f64,
}

fn kind_name(kind: &ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Count => "count",
        ColumnKind::Day => "day",
        ColumnKind::Category { .. } => "category",
        ColumnKind::Parameter => "parameter",
    }
}

/// Writes `summary.json`: what summary.csv holds plus a histogram per numeric outcome, and the
/// scenario, seed and shard it summarises, whether the batch is complete, the runs recorded and
/// those that failed (pretty-printed, for programs). Nothing in it depends on the clock, the
/// thread count, or whether the batch was interrupted and resumed on the way.
///
/// # Errors
/// When the writer fails.
pub fn write_summary_json<W: Write>(
    mut writer: W,
    scenario: &Scenario,
    plan: &Plan,
    status: BatchStatus,
    summary: &BatchSummary,
) -> io::Result<()> {
    let outcomes = summary
        .outcomes
        .iter()
        .map(|o| {
            let outcome = o.column.name.as_str();
            let kind = kind_name(&o.column.kind);
            match &o.stats {
                OutcomeStats::Numeric(s) => OutcomeJson::Numeric {
                    outcome,
                    kind,
                    stats: s.into(),
                },
                OutcomeStats::Categories(categories) => OutcomeJson::Categorical {
                    outcome,
                    kind,
                    n: summary.runs,
                    categories: categories
                        .iter()
                        .map(|c| CategoryJson {
                            category: &c.category,
                            present: c.count,
                            mean: (!c.proportion.is_nan()).then_some(c.proportion),
                            ci95_low: c.ci95_low,
                            ci95_high: c.ci95_high,
                        })
                        .collect(),
                },
            }
        })
        .collect();
    let json = SummaryJson {
        format: "sandtable-summary-1",
        scenario: ScenarioJson {
            name: &scenario.name,
            sha256: scenario.sha256(),
        },
        seed: plan.seed,
        runs: plan.runs,
        shard: ShardInfo::of(plan),
        status,
        completed_runs: summary.completed_runs(),
        failed_runs: &summary.failed_runs,
        outcomes,
    };
    serde_json::to_writer_pretty(&mut writer, &json)?;
    writer.write_all(b"\n")?;
    writer.flush()
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
    fn failed_runs_get_a_row_of_their_own() {
        let mut bytes = Vec::new();
        write_summary_csv(&mut bytes, &summary_failing(&[5])).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let last = text.lines().last().unwrap();
        // One of the five recorded runs failed: a share of 0.2, with its Wilson interval.
        let (low, high) = crate::stats::wilson_interval(1, 5, crate::stats::Z_95);
        assert_eq!(
            last,
            format!("run_status,failed,5,1,0.2,,{low},{high},,,,,,,")
        );
        // The outcomes are over the four runs that have one.
        assert!(text.contains("\nc_status,arrived,4,3,0.75,"), "{text}");
    }
}
