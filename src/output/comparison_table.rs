//! The comparison a `compare` shows on the terminal: a header naming the base, the alternatives,
//! the seed and the runs, then per outcome each scenario's mean (a share as a percentage) and its
//! paired difference from the base with its 95 % interval and variance ratio. Rendered into a
//! String; the command prints it.

use std::fmt::Write as _;

use super::comparison::{ComparisonFile, ComparisonRow, PrecisionReport};
use super::labels::outcome_label;
use crate::scenario::Scenario;

/// The terminal comparison of `file`, whose base is `base`. Each outcome is titled in plain
/// words with its column name after it (what `comparison.csv` and `--precision` call it).
/// Categories no scenario ever ended in are left out of the table (they are in
/// `comparison.csv`), and so said.
pub fn render_comparison_table(file: &ComparisonFile, base: &Scenario) -> String {
    let mut out = String::new();
    heading(&mut out, file);
    let width = file
        .scenarios
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let mut never = 0;
    for group in file
        .rows
        .chunk_by(|a, b| (&a.outcome, &a.category) == (&b.outcome, &b.category))
    {
        let share = group[0].category.is_some();
        if share && group.iter().all(|r| r.mean.is_none_or(|m| m == 0.0)) {
            never += 1;
            continue;
        }
        outcome_section(&mut out, base, group, width);
    }
    out.push('\n');
    if never > 0 {
        let _ = writeln!(
            out,
            "{never} categories that no scenario ever ended in are left out (they are in comparison.csv)."
        );
    }
    if !file.not_shared.is_empty() {
        let _ = writeln!(
            out,
            "Left out, not an outcome of every scenario: {}",
            file.not_shared.join(", ")
        );
    }
    if let Some(precision) = &file.precision {
        out.push_str(&render_precision(precision));
    }
    out
}

/// Base, alternatives, seed, runs; failed runs; how to read the columns.
fn heading(out: &mut String, file: &ComparisonFile) {
    let name = |s: &super::comparison::ComparedScenario| match &s.alt {
        Some(_) => format!("{} (base with {})", s.name, s.overrides.join(", ")),
        None => format!("{} ({})", s.name, s.origin),
    };
    let _ = writeln!(
        out,
        "Comparison · seed {} · {} runs each",
        file.seed, file.runs
    );
    let _ = writeln!(out, "  base:         {}", name(&file.scenarios[0]));
    let others: Vec<String> = file.scenarios[1..].iter().map(name).collect();
    let _ = writeln!(out, "  alternatives: {}", others.join("; "));
    for s in file.scenarios.iter().filter(|s| !s.failed_runs.is_empty()) {
        let _ = writeln!(
            out,
            "  {}: {} runs FAILED (an internal error) and are left out of its figures",
            s.name,
            s.failed_runs.len()
        );
    }
    out.push_str(
        "Run i of every scenario draws from the same random streams, so each difference is the \
         mean of\nper-run differences (scenario − base), with its 95 % interval. var ratio = \
         var(differences) /\n(var base + var scenario): below 1, the pairing made the interval \
         narrower than independent runs would.\n",
    );
}

/// One outcome (or category): the base's line, then each alternative's.
fn outcome_section(out: &mut String, base: &Scenario, group: &[ComparisonRow], width: usize) {
    let first = &group[0];
    let share = first.category.is_some();
    let label = outcome_label(base, &first.outcome, first.category.as_deref());
    let title = match &first.category {
        Some(c) => format!("{label} (share of runs) · {}.{c}", first.outcome),
        None if label == first.outcome => label,
        None => format!("{label} · {}", first.outcome),
    };
    let _ = writeln!(out, "\n{title}");
    let _ = writeln!(
        out,
        "  {:<width$}  {:>9}  {:>10}  {:<22}  var ratio",
        "scenario", "mean", "diff", "95% interval"
    );
    for r in group {
        let mean = value(r.mean, share);
        if r.diff.is_none() && r.ci95_low.is_none() {
            let _ = writeln!(out, "  {:<width$}  {mean:>9}", r.scenario);
            continue;
        }
        let interval = match (r.ci95_low, r.ci95_high) {
            (Some(low), Some(high)) => format!("[{}, {}]", bare(low, share), bare(high, share)),
            _ => "—".to_string(),
        };
        let ratio = r.var_ratio.map_or("—".to_string(), |v| format!("{v:.2}"));
        let diff = r.diff.map_or("—".to_string(), |d| signed(d, share));
        let _ = writeln!(
            out,
            "  {:<width$}  {mean:>9}  {diff:>10}  {interval:<22}  {ratio}",
            r.scenario
        );
    }
}

/// A mean: a share as a percentage, else a number to two decimals.
fn value(v: Option<f64>, share: bool) -> String {
    match v {
        None => "—".to_string(),
        Some(v) if share => format!("{:.1}%", v * 100.0),
        Some(v) => format!("{v:.2}"),
    }
}

/// A difference with its sign: percentage points for a share.
fn signed(v: f64, share: bool) -> String {
    if share {
        format!("{:+.1} pts", v * 100.0)
    } else {
        format!("{v:+.2}")
    }
}

/// An interval's end with its sign: percentage points (unit left to the difference) for a share.
/// An end that rounds to zero is `0.0`, not `-0.0`.
fn bare(v: f64, share: bool) -> String {
    let text = if share {
        format!("{:+.1}", v * 100.0)
    } else {
        format!("{v:+.2}")
    };
    if text
        .trim_start_matches(['+', '-'])
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        text.trim_start_matches(['+', '-']).to_string()
    } else {
        text
    }
}

/// The adaptive batch's outcome: runs used, and each target's half-width reached.
pub fn render_precision(report: &PrecisionReport) -> String {
    let mut out = String::new();
    let how = if report.met {
        "every target met"
    } else {
        "not every target met"
    };
    let _ = writeln!(
        out,
        "\nPrecision: {} runs used ({how}; checked every block, at most {}):",
        report.runs_used, report.max_runs
    );
    for t in &report.targets {
        let achieved = t
            .achieved
            .map_or("undefined".to_string(), |h| format!("{h:.4}"));
        let _ = writeln!(
            out,
            "  {}: 95% half-width {achieved} (target {})",
            t.target, t.half_width
        );
    }
    out
}
