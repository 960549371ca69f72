//! What `sandtable sweep` shows at the end: the design and its diagnostics, and a short table of
//! the first points' headline outcomes (the rest are in `points.csv`), so a sweep of thousands
//! of points does not print thousands of lines.

use std::fmt::Write as _;
use std::path::Path;

use super::input_labels::label_of_path;
use super::labels::outcome_label;
use super::sweep::setting_text;
use crate::batch::{BatchSummary, OutcomeStats};
use crate::experiment::Experiment;

/// Points shown in the table; the others are in `points.csv`.
pub const TABLE_POINTS: usize = 20;

/// Numeric outcomes shown beside the first categorical outcome's first category.
const NUMERIC_HEADLINES: usize = 2;

/// The widest line the table prints; factors that would go past it are left to design.csv.
const TABLE_WIDTH: usize = 120;

/// Headings are wrapped to lines of this many characters.
const HEADING_WIDTH: usize = 14;

/// The first points' settings and headline figures, collected as the points finish.
#[derive(Debug, Clone, Default)]
pub struct SweepTable {
    /// The factors' headings in words, in design order.
    factors: Vec<String>,
    /// The headline outcomes' headings in words.
    outcomes: Vec<String>,
    /// Per point shown: its number, its factors' settings, its runs and its headline figures.
    lines: Vec<Line>,
    points: u64,
}

#[derive(Debug, Clone)]
struct Line {
    point: String,
    settings: Vec<String>,
    runs: String,
    figures: Vec<String>,
}

impl SweepTable {
    /// Takes `point`'s summary: its line is kept while there are fewer than [`TABLE_POINTS`].
    pub fn add(&mut self, experiment: &Experiment, point: u64, summary: &BatchSummary) {
        self.points += 1;
        if self.lines.len() >= TABLE_POINTS {
            return;
        }
        let base = &experiment.base;
        let mut outcomes = Vec::new();
        let mut figures = Vec::new();
        if let Some((name, c)) = summary.outcomes.iter().find_map(|o| match &o.stats {
            OutcomeStats::Categories(c) => c.first().map(|c| (&o.column.name, c)),
            OutcomeStats::Numeric(_) => None,
        }) {
            outcomes.push(format!(
                "share {}",
                outcome_label(base, name, Some(&c.category))
            ));
            figures.push(format!("{:.3}", c.proportion));
        }
        let numeric = summary.outcomes.iter().filter_map(|o| match &o.stats {
            OutcomeStats::Numeric(s) => Some((&o.column.name, s.mean)),
            OutcomeStats::Categories(_) => None,
        });
        for (name, mean) in numeric.take(NUMERIC_HEADLINES) {
            outcomes.push(format!("mean {}", outcome_label(base, name, None)));
            figures.push(mean.map_or("–".to_string(), |m| format!("{m:.2}")));
        }
        self.outcomes = outcomes;
        self.factors = experiment
            .factors
            .iter()
            .map(|f| {
                let label = label_of_path(base, &f.path);
                match label.unit {
                    Some(unit) => format!("{} ({unit})", label.name),
                    None => label.name,
                }
            })
            .collect();
        let settings = (0..experiment.factors.len())
            .map(|f| short_setting(&setting_text(experiment, point, f)))
            .collect();
        self.lines.push(Line {
            point: point.to_string(),
            settings,
            runs: summary.runs.to_string(),
            figures,
        });
    }

    /// The table, with where the rest of the points are (the design and its diagnostics are
    /// [`describe_design`]'s, printed before the sweep runs): the point, as many factors'
    /// settings as fit in [`TABLE_WIDTH`], the runs and the headline outcomes, headings in
    /// words, wrapped over a few lines.
    pub fn render(&self, dir: &Path) -> String {
        let mut text = String::new();
        if self.lines.is_empty() {
            return text;
        }
        let mut columns = vec![self.column("point", |l| l.point.clone())];
        for (i, name) in self.outcomes.iter().enumerate() {
            columns.push(self.column(name, |l| l.figures[i].clone()));
        }
        columns.insert(1, self.column("runs", |l| l.runs.clone()));
        let mut shown_factors = 0;
        for (f, name) in self.factors.iter().enumerate() {
            let column = self.column(name, |l| l.settings[f].clone());
            if width(&columns) + 2 + column.width > TABLE_WIDTH {
                break;
            }
            columns.insert(1 + f, column);
            shown_factors += 1;
        }
        let _ = writeln!(text);
        let heading_lines = columns.iter().map(|c| c.heading.len()).max().unwrap_or(0);
        for k in 0..heading_lines {
            // Headings end on the same line, just above the first row.
            let cells: Vec<String> = columns
                .iter()
                .map(|c| {
                    let line = (k + c.heading.len()).checked_sub(heading_lines);
                    let part = line.map_or("", |i| c.heading[i].as_str());
                    format!("{part:>w$}", w = c.width)
                })
                .collect();
            let _ = writeln!(text, "{}", cells.join("  ").trim_end());
        }
        for i in 0..self.lines.len() {
            let cells: Vec<String> = columns
                .iter()
                .map(|c| format!("{:>w$}", c.cells[i], w = c.width))
                .collect();
            let _ = writeln!(text, "{}", cells.join("  "));
        }
        let hidden = self.factors.len() - shown_factors;
        if hidden > 0 {
            let _ = writeln!(
                text,
                "{hidden} more factors' settings do not fit here: they are in design.csv"
            );
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

    /// A column of the table: its heading in words, wrapped to [`HEADING_WIDTH`], and each
    /// line's cell.
    fn column(&self, full: &str, cell: impl Fn(&Line) -> String) -> Column {
        let heading = wrapped(full, HEADING_WIDTH);
        let cells: Vec<String> = self.lines.iter().map(cell).collect();
        let width = cells
            .iter()
            .chain(&heading)
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0);
        Column {
            heading,
            cells,
            width,
        }
    }
}

struct Column {
    /// The heading's lines, top first.
    heading: Vec<String>,
    cells: Vec<String>,
    width: usize,
}

/// The width of `columns` side by side, two spaces apart.
fn width(columns: &[Column]) -> usize {
    columns
        .iter()
        .map(|c| c.width + 2)
        .sum::<usize>()
        .saturating_sub(2)
}

/// `text` in lines of at most `width` characters, broken between words (a longer word keeps
/// a line of its own).
fn wrapped(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// A setting as the table shows it: a number to four significant digits (design.csv has
/// every digit), a level as it is.
fn short_setting(field: &str) -> String {
    match field.parse::<f64>() {
        Ok(v) if v.is_finite() => {
            format!("{}", format!("{v:.3e}").parse::<f64>().unwrap_or(v))
        }
        _ => field.to_string(),
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
