//! `sandtable drivers`' files: reading a finished batch's `runs.csv` back (the rows as values of
//! the scenario's columns), and writing `drivers.csv` (tidy, one row per input) and
//! `drivers.json` (with the PRIM trajectory and box), plus the table the command prints.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};

use super::atomic::AtomicFile;
use super::manifest::RESOLVED_SCENARIO;
use super::runs::{KEY_COLUMNS, parse_field, runs_header};
use super::{OutputError, io_error, number_field};
use crate::analysis::{Drivers, Prim, PrimBox, prim};
use crate::sim::{Outcome, OutcomeSchema};

/// The header of `drivers.csv`.
pub const DRIVERS_HEADER: [&str; 6] = [
    "outcome",
    "input",
    "prcc",
    "prcc_ci95_low",
    "prcc_ci95_high",
    "src",
];

/// Inputs the printed table shows; the files have them all.
const TABLE_ROWS: usize = 20;

/// The scenario a finished batch in `dir` ran, as `run --out` wrote it
/// (`scenario.resolved.toml`, overrides applied): what says which `runs.csv` columns are drawn
/// inputs.
///
/// # Errors
/// [`OutputError::NotABatch`] when `dir` is not a folder holding `runs.csv` and that file.
pub fn batch_scenario_path(dir: &Path) -> Result<PathBuf, OutputError> {
    let not_a_batch = |message: &str| OutputError::NotABatch {
        dir: dir.display().to_string(),
        message: message.to_string(),
    };
    if !dir.is_dir() {
        return Err(not_a_batch("no such folder"));
    }
    if !dir.join("runs.csv").is_file() {
        return Err(not_a_batch("it holds no runs.csv"));
    }
    let resolved = dir.join(RESOLVED_SCENARIO);
    if !resolved.is_file() {
        return Err(not_a_batch("it holds no scenario.resolved.toml"));
    }
    Ok(resolved)
}

/// Every row of `dir/runs.csv`, its fields read back as values of `schema`'s columns (a failed
/// run's outcomes are empty, its drawn inputs filled).
///
/// # Errors
/// When the file cannot be read, its header is not `schema`'s, or a field is not a value of
/// its column.
pub fn read_runs(dir: &Path, schema: &OutcomeSchema) -> Result<Vec<Outcome>, OutputError> {
    let path = dir.join("runs.csv");
    let file = File::open(&path).map_err(|e| io_error(&path, e))?;
    let bad = |message: String| OutputError::NotABatch {
        dir: dir.display().to_string(),
        message: format!("runs.csv {message}"),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(BufReader::new(file));
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        _ => return Err(bad("is empty or unreadable".to_string())),
    };
    if header.iter().ne(runs_header(schema)) {
        let why = "has other columns than its scenario.resolved.toml's outcomes";
        return Err(bad(why.to_string()));
    }
    let mut rows = Vec::new();
    for (line, record) in records.enumerate() {
        let record = record.map_err(|e| bad(format!("line {}: {e}", line + 2)))?;
        let values = record
            .iter()
            .skip(KEY_COLUMNS.len())
            .zip(&schema.columns)
            .map(|(field, column)| parse_field(field, &column.kind))
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| bad(format!("line {}: {e}", line + 2)))?;
        rows.push(Outcome { values });
    }
    Ok(rows)
}

/// `drivers.csv`: one row per input, most influential first.
///
/// # Errors
/// When the writer fails.
pub fn write_drivers_csv<W: Write>(writer: W, drivers: &Drivers) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(DRIVERS_HEADER)?;
    let outcome = drivers.outcome.to_string();
    for d in &drivers.drivers {
        csv.write_record([
            outcome.clone(),
            d.input.clone(),
            number_field(Some(d.prcc.value)),
            number_field(Some(d.prcc.ci95_low)),
            number_field(Some(d.prcc.ci95_high)),
            number_field(Some(d.src)),
        ])?;
    }
    csv.flush()
}

/// A PRIM box as JSON: its measures and its bounds by input name.
fn box_json(b: &PrimBox, inputs: &[String]) -> serde_json::Value {
    let bounds: Vec<_> = b
        .bounds
        .iter()
        .map(|bound| {
            serde_json::json!({
                "input": inputs[bound.input],
                "min": bound.low,
                "max": bound.high,
            })
        })
        .collect();
    serde_json::json!({
        "coverage": b.coverage,
        "density": b.density,
        "support": b.support,
        "bounds": bounds,
    })
}

/// `drivers.json`: the table of `drivers.csv`, the R², and for a yes/no outcome the PRIM
/// trajectory and the chosen box.
pub fn drivers_json(drivers: &Drivers) -> serde_json::Value {
    let rows: Vec<_> = drivers
        .drivers
        .iter()
        .map(|d| {
            serde_json::json!({
                "input": d.input,
                "prcc": d.prcc.value,
                "prcc_ci95_low": d.prcc.ci95_low,
                "prcc_ci95_high": d.prcc.ci95_high,
                "src": d.src,
            })
        })
        .collect();
    let prim = drivers.prim.as_ref().map(|p: &Prim| {
        serde_json::json!({
            "peel_alpha": prim::PEEL_ALPHA,
            "min_support_beta": prim::MIN_SUPPORT_BETA,
            "min_coverage": prim::MIN_COVERAGE,
            "chosen": p.chosen,
            "box": box_json(p.chosen_box(), &drivers.inputs),
            "trajectory": p.trajectory.iter().map(|b| box_json(b, &drivers.inputs)).collect::<Vec<_>>(),
        })
    });
    serde_json::json!({
        "outcome": drivers.outcome.to_string(),
        "runs_used": drivers.runs_used,
        "runs_skipped": drivers.runs_skipped,
        "fixed_inputs": drivers.fixed_inputs,
        "src_r_squared": drivers.r_squared,
        "drivers": rows,
        "prim": prim,
    })
}

/// Writes `csv_path` and the `.json` beside it (same name), each whole or not at all.
///
/// # Errors
/// When a file cannot be written (a missing folder, a full disk).
pub fn write_drivers(csv_path: &Path, drivers: &Drivers) -> Result<Vec<PathBuf>, OutputError> {
    let json_path = csv_path.with_extension("json");
    let open = |path: &Path| AtomicFile::create(path).map_err(|e| io_error(path, e));
    let mut csv = open(csv_path)?;
    write_drivers_csv(&mut csv, drivers).map_err(|e| io_error(csv_path, e))?;
    let mut json = open(&json_path)?;
    serde_json::to_writer_pretty(&mut json, &drivers_json(drivers))
        .map_err(io::Error::from)
        .and_then(|()| json.write_all(b"\n"))
        .map_err(|e| io_error(&json_path, e))?;
    let mut written = Vec::new();
    for file in [csv, json] {
        let path = file.target().to_path_buf();
        file.commit().map_err(|e| io_error(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// A box's bounds in words: `a ≥ 0.061 and b ≤ 3`.
pub fn box_rule(b: &PrimBox, inputs: &[String]) -> String {
    let mut parts = Vec::new();
    for bound in &b.bounds {
        let name = &inputs[bound.input];
        match (bound.low, bound.high) {
            (Some(l), Some(h)) => parts.push(format!("{} ≤ {name} ≤ {}", short(l), short(h))),
            (Some(l), None) => parts.push(format!("{name} ≥ {}", short(l))),
            (None, Some(h)) => parts.push(format!("{name} ≤ {}", short(h))),
            (None, None) => {}
        }
    }
    if parts.is_empty() {
        "every run (no input narrows it)".to_string()
    } else {
        parts.join(" and ")
    }
}

/// Four significant digits: enough to read a threshold, and the files hold every digit.
fn short(v: f64) -> String {
    format!("{}", format!("{v:.4e}").parse::<f64>().unwrap_or(v))
}

fn percent(v: f64) -> String {
    format!("{:.0} %", 100.0 * v)
}

/// The table `sandtable drivers` prints.
pub fn render_drivers(d: &Drivers) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "What moves {}: {} runs used ({} without a value left out), {} drawn inputs ranked by |PRCC|{}",
        d.outcome,
        d.runs_used,
        d.runs_skipped,
        d.drivers.len(),
        if d.fixed_inputs.is_empty() {
            String::new()
        } else {
            format!(" ({} fixed inputs skipped)", d.fixed_inputs.len())
        }
    );
    let width = d
        .drivers
        .iter()
        .map(|x| x.input.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        t,
        "{:>4}  {:<width$}  {:>7}  {:>17}  {:>7}",
        "rank", "input", "PRCC", "95 % CI", "SRC"
    );
    for (i, x) in d.drivers.iter().take(TABLE_ROWS).enumerate() {
        let ci = format!("[{:+.3}, {:+.3}]", x.prcc.ci95_low, x.prcc.ci95_high);
        let _ = writeln!(
            t,
            "{:>4}  {:<width$}  {:>+7.3}  {ci:>17}  {:>+7.3}",
            i + 1,
            x.input,
            x.prcc.value,
            x.src
        );
    }
    if d.drivers.len() > TABLE_ROWS {
        let _ = writeln!(
            t,
            "      … {} more (all of them with --out)",
            d.drivers.len() - TABLE_ROWS
        );
    }
    let _ = writeln!(
        t,
        "Linear fit of the standardized outcome (SRC): R² = {:.3}; {}",
        d.r_squared,
        if d.r_squared < 0.5 {
            "the outcome is far from linear in the inputs: trust the ranks (PRCC) over the SRCs"
        } else {
            "the SRCs describe most of the variation"
        }
    );
    if let Some(p) = &d.prim {
        render_prim(&mut t, d, p);
    }
    t
}

fn render_prim(t: &mut String, d: &Drivers, p: &Prim) {
    let base = &p.trajectory[0];
    let chosen = p.chosen_box();
    let _ = writeln!(
        t,
        "PRIM, where {} happens (base rate {}): {} → {} of those runs, density {}, {} of all runs",
        d.outcome,
        percent(base.density),
        box_rule(chosen, &d.inputs),
        percent(chosen.coverage),
        percent(chosen.density),
        percent(chosen.support)
    );
    let _ = writeln!(
        t,
        "  (peeling the ≤ {} strongest inputs with a PRCC interval clear of 0: the densest of {} \
         boxes still covering ≥ {}; the trajectory is in drivers.json)",
        crate::analysis::PRIM_MAX_INPUTS,
        p.trajectory.len(),
        percent(prim::MIN_COVERAGE)
    );
    let _ = writeln!(
        t,
        "  {:>4}  {:>8}  {:>7}  {:>7}",
        "box", "coverage", "density", "support"
    );
    let step = (p.trajectory.len() / 8).max(1);
    for (i, b) in p.trajectory.iter().enumerate() {
        if i % step == 0 || i == p.chosen || i + 1 == p.trajectory.len() {
            let mark = if i == p.chosen { "  ← chosen" } else { "" };
            let _ = writeln!(
                t,
                "  {i:>4}  {:>8}  {:>7}  {:>7}{mark}",
                percent(b.coverage),
                percent(b.density),
                percent(b.support)
            );
        }
    }
}
