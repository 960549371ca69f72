//! What `sandtable sweep` shows at the end: the design and its diagnostics, and a short table of
//! the first points' headline outcomes (the rest are in `points.csv`), so a sweep of thousands
//! of points does not print thousands of lines.

use std::fmt::Write as _;
use std::path::Path;

use crate::batch::{BatchSummary, OutcomeStats};
use crate::experiment::Experiment;

/// Points shown in the table; the others are in `points.csv`.
pub const TABLE_POINTS: usize = 20;

/// Numeric outcomes shown beside the first categorical outcome's first category.
const NUMERIC_HEADLINES: usize = 2;

/// The first points' headline figures, collected as the points finish.
#[derive(Debug, Clone, Default)]
pub struct SweepTable {
    header: Vec<String>,
    lines: Vec<Vec<String>>,
    points: u64,
}

impl SweepTable {
    /// Takes `point`'s summary: its line is kept while there are fewer than [`TABLE_POINTS`].
    pub fn add(&mut self, point: u64, summary: &BatchSummary) {
        self.points += 1;
        if self.lines.len() >= TABLE_POINTS {
            return;
        }
        let mut header = vec!["point".to_string(), "runs".to_string()];
        let mut line = vec![point.to_string(), summary.runs.to_string()];
        if let Some((name, c)) = summary.outcomes.iter().find_map(|o| match &o.stats {
            OutcomeStats::Categories(c) => c.first().map(|c| (&o.column.name, c)),
            OutcomeStats::Numeric(_) => None,
        }) {
            header.push(format!("{name}={}", c.category));
            line.push(format!("{:.3}", c.proportion));
        }
        let numeric = summary.outcomes.iter().filter_map(|o| match &o.stats {
            OutcomeStats::Numeric(s) => Some((&o.column.name, s.mean)),
            OutcomeStats::Categories(_) => None,
        });
        for (name, mean) in numeric.take(NUMERIC_HEADLINES) {
            header.push(format!("mean {name}"));
            line.push(mean.map_or("–".to_string(), |m| format!("{m:.2}")));
        }
        self.header = header;
        self.lines.push(line);
    }

    /// The table, with where the rest of the points are (the design and its diagnostics are
    /// [`describe_design`]'s, printed before the sweep runs).
    pub fn render(&self, dir: &Path) -> String {
        let mut text = String::new();
        if self.lines.is_empty() {
            return text;
        }
        let widths: Vec<usize> = (0..self.header.len())
            .map(|i| {
                let cells = self.lines.iter().map(|l| l[i].chars().count());
                cells
                    .chain([self.header[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let row = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:>w$}"))
                .collect();
            padded.join("  ")
        };
        let _ = writeln!(text, "\n{}", row(&self.header));
        for line in &self.lines {
            let _ = writeln!(text, "{}", row(line));
        }
        let shown = self.lines.len() as u64;
        let points = dir.join("points.csv").display().to_string();
        if self.points > shown {
            let _ = writeln!(
                text,
                "… {} more points; every point and outcome is in {points}, the settings in design.csv",
                self.points - shown
            );
        } else {
            let _ = writeln!(
                text,
                "every outcome is in {points}, the settings in design.csv"
            );
        }
        text
    }
}

/// The design and its diagnostics, as the sweep prints them before it runs and at the end.
pub fn describe_design(experiment: &Experiment) -> String {
    let factors: Vec<&str> = experiment.factors.iter().map(|f| f.path.as_str()).collect();
    format!(
        "Sweep of {}: {} × {} replicates = {} runs, seed {}\nfactors: {}\ndiagnostics: {}\n",
        experiment.file.display(),
        experiment.design.name(),
        experiment.replicates,
        experiment.rows(),
        experiment.seed,
        factors.join(", "),
        experiment.diagnostics
    )
}
