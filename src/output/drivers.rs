//! `sandtable drivers`' files: `drivers.csv` (tidy, one row per input) and `drivers.json`
//! (with the notes on inputs, the PRIM trajectory and the pasted box), plus the table the
//! command prints. Reading the folder back is `runs_table`'s.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::atomic::AtomicFile;
use super::input_labels::InputLabel;
use super::runs_table::FolderKind;
use super::{OutputError, io_error, number_field};
use crate::analysis::{Bound, Drivers, Prim, PrimBox, paste, prim};

/// The header of `drivers.csv`.
pub const DRIVERS_HEADER: [&str; 7] = [
    "outcome",
    "input",
    "prcc",
    "prcc_ci95_low",
    "prcc_ci95_high",
    "src",
    "label",
];

/// Inputs the printed table shows; the files have them all.
const TABLE_ROWS: usize = 20;

/// Inputs' names in the printed table are cut to this many characters; the files have them
/// whole, beside the column names.
const LABEL_WIDTH: usize = 56;

/// `drivers.csv`: one row per input, most influential first, with its label (`labels` are the
/// inputs', same order as `drivers.inputs`).
///
/// # Errors
/// When the writer fails.
pub fn write_drivers_csv<W: Write>(
    writer: W,
    drivers: &Drivers,
    labels: &[InputLabel],
) -> io::Result<()> {
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
            label_text(drivers, labels, &d.input),
        ])?;
    }
    csv.flush()
}

/// The label of input column `input` with its unit in brackets: `CMA/CSP kill rate (per
/// hour)`; the column name itself for one `drivers` did not label.
fn label_text(d: &Drivers, labels: &[InputLabel], input: &str) -> String {
    let Some(label) = d.inputs.iter().position(|i| i == input).map(|j| &labels[j]) else {
        return input.to_string();
    };
    match &label.unit {
        Some(unit) => format!("{} ({unit})", label.name),
        None => label.name.clone(),
    }
}

/// `text` cut to `width` characters, the last one `…` when it was longer.
fn clipped(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let kept: String = text.chars().take(width - 1).collect();
    format!("{kept}…")
}

/// A PRIM box as JSON: its measures and its bounds by input name, label and unit.
fn box_json(b: &PrimBox, d: &Drivers, labels: &[InputLabel]) -> serde_json::Value {
    let bounds: Vec<_> = b
        .bounds
        .iter()
        .map(|bound| {
            serde_json::json!({
                "input": d.inputs[bound.input],
                "label": labels[bound.input].name,
                "unit": labels[bound.input].unit,
                "min": bound.low,
                "max": bound.high,
                "reads": bound_rule(bound, d, labels),
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

/// `drivers.json`: the table of `drivers.csv`, the R², what became of each input, and for a
/// yes/no outcome the PRIM trajectory (coverage against density), the chosen box as peeling
/// left it and as pasting widened it (the box reported). `labels` are the inputs' (same order).
pub fn drivers_json(d: &Drivers, labels: &[InputLabel], kind: FolderKind) -> serde_json::Value {
    let rows: Vec<_> = d
        .drivers
        .iter()
        .map(|x| {
            serde_json::json!({
                "input": x.input,
                "label": label_text(d, labels, &x.input),
                "prcc": x.prcc.value,
                "prcc_ci95_low": x.prcc.ci95_low,
                "prcc_ci95_high": x.prcc.ci95_high,
                "src": x.src,
            })
        })
        .collect();
    let prim = d.prim.as_ref().map(|p: &Prim| {
        serde_json::json!({
            "peel_alpha": prim::PEEL_ALPHA,
            "paste_alpha": paste::PASTE_ALPHA,
            "min_support_beta": prim::MIN_SUPPORT_BETA,
            "min_coverage": prim::MIN_COVERAGE,
            "density_tolerance": prim::DENSITY_TOLERANCE,
            "inputs": d.prim_inputs.iter().map(|&j| &d.inputs[j]).collect::<Vec<_>>(),
            "chosen": p.chosen,
            "box": box_json(p.chosen_box(), d, labels),
            "reads": box_rule(p.chosen_box(), d, labels),
            "peeled_box": box_json(p.peeled_box(), d, labels),
            "trajectory": p.trajectory.iter().map(|b| box_json(b, d, labels)).collect::<Vec<_>>(),
        })
    });
    let encoded: Vec<_> = d
        .notes
        .encoded
        .iter()
        .map(|e| serde_json::json!({"input": e.input, "zero": e.zero, "one": e.one}))
        .collect();
    let skipped: Vec<_> = d
        .notes
        .skipped
        .iter()
        .map(|s| serde_json::json!({"input": s.input, "reason": s.reason}))
        .collect();
    serde_json::json!({
        "outcome": d.outcome.to_string(),
        "folder": match kind { FolderKind::Run => "run", FolderKind::Sweep => "sweep" },
        "runs_used": d.runs_used,
        "runs_skipped": d.runs_skipped,
        "fixed_inputs": d.notes.constant,
        "encoded_inputs": encoded,
        "skipped_inputs": skipped,
        "src_r_squared": d.r_squared,
        "drivers": rows,
        "prim": prim,
    })
}

/// Writes `csv_path` and the `.json` beside it (same name), each whole or not at all.
///
/// # Errors
/// When a file cannot be written (a missing folder, a full disk).
pub fn write_drivers(
    csv_path: &Path,
    drivers: &Drivers,
    labels: &[InputLabel],
    kind: FolderKind,
) -> Result<Vec<PathBuf>, OutputError> {
    let json_path = csv_path.with_extension("json");
    let open = |path: &Path| AtomicFile::create(path).map_err(|e| io_error(path, e));
    let mut csv = open(csv_path)?;
    write_drivers_csv(&mut csv, drivers, labels).map_err(|e| io_error(csv_path, e))?;
    let mut json = open(&json_path)?;
    serde_json::to_writer_pretty(&mut json, &drivers_json(drivers, labels, kind))
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

/// One bound in words: `Kidal fortification ≥ 1.6`, `FAMa kill rate ≤ 0.011 per hour`, and
/// for a two-level category its level (`drones_enabled = true`).
fn bound_rule(bound: &Bound, d: &Drivers, labels: &[InputLabel]) -> String {
    let label = &labels[bound.input];
    let name = &label.name;
    let encoded = d
        .notes
        .encoded
        .iter()
        .find(|e| e.input == d.inputs[bound.input]);
    if let Some(e) = encoded {
        return match (bound.low, bound.high) {
            (Some(l), _) if l > 0.0 => format!("{name} = {}", e.one),
            (_, Some(h)) if h < 1.0 => format!("{name} = {}", e.zero),
            _ => format!("{name} either"),
        };
    }
    let unit = label
        .unit
        .as_ref()
        .map_or(String::new(), |u| format!(" {u}"));
    match (bound.low, bound.high) {
        (Some(l), Some(h)) => format!("{} ≤ {name} ≤ {}{unit}", short(l), short(h)),
        (Some(l), None) => format!("{name} ≥ {}{unit}", short(l)),
        (None, Some(h)) => format!("{name} ≤ {}{unit}", short(h)),
        (None, None) => String::new(),
    }
}

/// A box's bounds in words, joined by "and"; `labels` are the inputs' (same order).
pub fn box_rule(b: &PrimBox, d: &Drivers, labels: &[InputLabel]) -> String {
    let parts: Vec<String> = b
        .bounds
        .iter()
        .map(|bound| bound_rule(bound, d, labels))
        .filter(|p| !p.is_empty())
        .collect();
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

/// The table `sandtable drivers` prints: inputs by their labels (`labels` are the inputs',
/// same order as `d.inputs`), the outcome as `outcome` says it in words.
pub fn render_drivers(
    d: &Drivers,
    labels: &[InputLabel],
    outcome: &str,
    kind: FolderKind,
) -> String {
    let mut t = String::new();
    let what = match kind {
        FolderKind::Run => "drawn inputs",
        FolderKind::Sweep => "inputs (design factors and drawn numbers)",
    };
    let _ = writeln!(
        t,
        "What moves \"{outcome}\" ({})\n  {} runs used ({} without a value left out), {} \
         {what} ranked by |PRCC|",
        d.outcome,
        d.runs_used,
        d.runs_skipped,
        d.drivers.len(),
    );
    render_notes(&mut t, d);
    render_ranking(&mut t, d, labels);
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
        render_prim(&mut t, d, p, labels, outcome);
    }
    t
}

/// The ranking: the strongest inputs by label, and where their column names are.
fn render_ranking(t: &mut String, d: &Drivers, labels: &[InputLabel]) {
    let shown: Vec<String> = d
        .drivers
        .iter()
        .take(TABLE_ROWS)
        .map(|x| clipped(&label_text(d, labels, &x.input), LABEL_WIDTH))
        .collect();
    let width = shown
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        t,
        "{:>4}  {:<width$}  {:>7}  {:>17}  {:>7}",
        "rank", "input", "PRCC", "95 % CI", "SRC"
    );
    for (i, (x, label)) in d.drivers.iter().zip(&shown).enumerate() {
        let ci = format!("[{:+.3}, {:+.3}]", x.prcc.ci95_low, x.prcc.ci95_high);
        // `{:<width$}` pads by chars, so a label with `–` or `…` lines up.
        let _ = writeln!(
            t,
            "{:>4}  {label:<width$}  {:>+7.3}  {ci:>17}  {:>+7.3}",
            i + 1,
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
    if !d.drivers.is_empty() {
        let _ = writeln!(
            t,
            "      each input's runs.csv column is beside its label in \
             drivers.csv and drivers.json (--out)"
        );
    }
}

/// `a, b, c and 4 more`: names, at most six.
fn listed(names: impl ExactSizeIterator<Item = String>) -> String {
    let count = names.len();
    let shown: Vec<String> = names.take(6).collect();
    match count.saturating_sub(shown.len()) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// What became of the inputs that are not ranked as they are.
fn render_notes(t: &mut String, d: &Drivers) {
    let notes = &d.notes;
    if !notes.constant.is_empty() {
        let _ = writeln!(
            t,
            "  dropped, the same in every run used: {}",
            listed(notes.constant.iter().cloned())
        );
    }
    if !notes.encoded.is_empty() {
        let coded = notes
            .encoded
            .iter()
            .map(|e| format!("{} ({} = 0, {} = 1)", e.input, e.zero, e.one));
        let _ = writeln!(t, "  categories coded 0/1: {}", listed(coded));
    }
    for skipped in &notes.skipped {
        let _ = writeln!(t, "  not ranked: {}, {}", skipped.input, skipped.reason);
    }
}

fn render_prim(t: &mut String, d: &Drivers, p: &Prim, labels: &[InputLabel], outcome: &str) {
    let base = &p.trajectory[0];
    let chosen = p.chosen_box();
    let _ = writeln!(
        t,
        "PRIM, where \"{outcome}\" happens (base rate {}): {} → {} of those runs, density {}, {} \
         of all runs",
        percent(base.density),
        box_rule(chosen, d, labels),
        percent(chosen.coverage),
        percent(chosen.density),
        percent(chosen.support)
    );
    let _ = writeln!(
        t,
        "  (peeling the ≤ {} strongest inputs with a PRCC interval clear of 0; of {} boxes, the \
         one covering most within a point (or a standard error) of the densest covering ≥ {}, \
         then pasted; the trajectory is in drivers.json)",
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
    let _ = writeln!(
        t,
        "  {:>4}  {:>8}  {:>7}  {:>7}  ← chosen, pasted",
        "",
        percent(chosen.coverage),
        percent(chosen.density),
        percent(chosen.support)
    );
}
