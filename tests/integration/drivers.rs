//! `sandtable drivers` on folders a user would give it: where one input alone decides a yes/no
//! outcome, in a `run`-shaped and in a `sweep`-shaped folder, the command ranks that input
//! first and PRIM's box recovers its threshold; a sweep's two-level factor is coded 0/1 and
//! ranked, a constant factor dropped with a note, a failed run counted. On a real batch of the
//! default scenario it ranks every drawn input; bad folders, fields and outcomes exit 2 saying
//! what would do.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use sandtable::sim::{ColumnKind, OutcomeSchema};

use crate::cli::sandtable;

/// A uniform number in [0, 1) from a counter (test data, not a simulation draw).
fn uniform(i: u64, stream: u64) -> f64 {
    let mut z = (i * 1024 + stream).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as f64 / 2f64.powi(64)
}

/// The decisive input: the column fails to arrive exactly when CSP's kill rate exceeds this.
const THRESHOLD: f64 = 0.05;
const DECISIVE: &str = "faction_csp_kill_rate_per_hour";
const DRONES: &str = "air_fama_drones_enabled";
const CONSTANT: &str = "site_kidal_fortification";

/// Writes a finished folder of the default scenario by hand: `runs.csv` with `rows` runs (in a
/// sweep, 10 replicates per design point and the factors after the keys), its
/// `scenario.resolved.toml`, and for a sweep a manifest of kind "sweep". The column arrives
/// unless CSP's kill rate (uniform on 0.03–0.08) exceeds [`THRESHOLD`]; vehicles lost are 30
/// without drones and 10 with them, plus noise; the last run failed (its outcomes empty).
fn write_folder(dir: &Path, rows: u64, sweep: bool) {
    fs::create_dir_all(dir).unwrap();
    let scenario = sandtable::load_default(&[]).unwrap();
    fs::write(dir.join("scenario.resolved.toml"), &scenario.resolved_toml).unwrap();
    if sweep {
        fs::write(dir.join("manifest.json"), r#"{"kind": "sweep"}"#).unwrap();
    }
    let schema = OutcomeSchema::for_scenario(&scenario);
    let outcomes: Vec<&str> = schema
        .columns
        .iter()
        .filter(|c| c.kind != ColumnKind::Parameter)
        .map(|c| c.name.as_str())
        .collect();
    let factors = [DECISIVE, DRONES, CONSTANT];
    let drawn: Vec<&str> = schema
        .columns
        .iter()
        .filter(|c| c.kind == ColumnKind::Parameter && !factors.contains(&c.name.as_str()))
        .map(|c| c.name.as_str())
        .collect();
    // A sweep's factors come after its keys; a run's drawn numbers all after the outcomes.
    let mut header: Vec<&str> = if sweep {
        [&["point", "replicate", "run", "seed"][..], &factors].concat()
    } else {
        vec!["run", "seed"]
    };
    header.extend(&outcomes);
    if !sweep {
        header.push(DECISIVE);
    }
    header.extend(&drawn);
    let mut text = header.join(",") + "\n";
    for run in 0..rows {
        let point = run / 10;
        let rate = 0.03 + 0.05 * uniform(if sweep { point } else { run }, 0);
        let drones = uniform(point, 1) < 0.5;
        let failed = run + 1 == rows;
        if sweep {
            let _ = write!(text, "{point},{},{run},7,{rate},{drones},1.5,", run % 10);
        } else {
            let _ = write!(text, "{run},7,");
        }
        for &name in &outcomes {
            let field = match name {
                _ if failed => String::new(),
                "kidal_column_status" if rate > THRESHOLD => "turned_back".into(),
                "kidal_column_status" => "arrived".into(),
                "kidal_column_vehicles_lost" => {
                    let base = if drones { 10.0 } else { 30.0 };
                    format!("{}", (base + 5.0 * uniform(run, 2)).round())
                }
                "kidal_column_arrival_day" | "kidal_taken_day" | "anefis_taken_day" => {
                    String::new()
                }
                "kidal_owner_end" | "anefis_owner_end" => "csp".into(),
                _ => "0".into(),
            };
            let _ = write!(text, "{field},");
        }
        if !sweep {
            let _ = write!(text, "{rate},");
        }
        let noise: Vec<String> = (0..drawn.len())
            .map(|j| format!("{}", uniform(run, 3 + j as u64)))
            .collect();
        text += &noise.join(",");
        text += "\n";
    }
    fs::write(dir.join("runs.csv"), text).unwrap();
}

/// Runs `drivers DIR --outcome OUTCOME --out DIR/drivers.csv`; its stdout and drivers.json.
fn drivers_of(dir: &Path, outcome: &str) -> (String, serde_json::Value) {
    let out = dir.join("drivers.csv");
    let output = sandtable()
        .arg("drivers")
        .arg(dir)
        .args(["--outcome", outcome, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let json = fs::read_to_string(dir.join("drivers.json")).unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        serde_json::from_str(&json).unwrap(),
    )
}

/// The planted driver is ranked first and bounds the PRIM box from below near its threshold.
fn check_planted_driver(stdout: &str, json: &serde_json::Value) {
    assert_eq!(json["drivers"][0]["input"], DECISIVE, "{stdout}");
    assert!(
        json["drivers"][0]["prcc"].as_f64().unwrap() > 0.7,
        "{stdout}"
    );
    for noise in json["drivers"].as_array().unwrap().iter().skip(1) {
        let p = noise["prcc"].as_f64().unwrap().abs();
        assert!(p < 0.2, "only the planted input matters: {noise}");
    }
    let chosen = &json["prim"]["box"];
    let bound = chosen["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["input"] == DECISIVE)
        .unwrap_or_else(|| panic!("the box bounds the planted input: {chosen}"));
    let low = bound["min"].as_f64().expect("bounded from below");
    assert!(
        (low - THRESHOLD).abs() < 0.002,
        "lower bound {low}: {stdout}"
    );
    assert!(chosen["density"].as_f64().unwrap() > 0.95, "{chosen}");
    assert!(
        chosen["coverage"].as_f64().unwrap() > 0.9,
        "pasted back: {chosen}"
    );
    assert!(
        stdout.contains("CMA/CSP kill rate ≥ 0.0") && stdout.contains(" per hour → "),
        "the box reads in the scenario's names and units: {stdout}"
    );
    assert!(json["prim"]["trajectory"].as_array().unwrap().len() > 10);
    assert_eq!(json["runs_skipped"], 1, "the failed run is counted");
}

#[test]
fn a_planted_driver_is_ranked_first_and_its_threshold_is_the_prim_box_in_a_run_folder() {
    let dir = tempfile::tempdir().unwrap();
    write_folder(dir.path(), 800, false);
    let (stdout, json) = drivers_of(dir.path(), "kidal_column_status!=arrived");
    check_planted_driver(&stdout, &json);
    assert_eq!(json["folder"], "run");
    assert!(stdout.contains("drawn inputs ranked"), "{stdout}");
}

#[test]
fn a_sweep_folder_ranks_its_factors_codes_two_levels_and_drops_constants() {
    let dir = tempfile::tempdir().unwrap();
    write_folder(dir.path(), 1000, true);
    let (stdout, json) = drivers_of(dir.path(), "kidal_column_status!=arrived");
    check_planted_driver(&stdout, &json);
    assert_eq!(json["folder"], "sweep");
    assert!(
        stdout.contains("inputs (design factors and drawn numbers) ranked"),
        "{stdout}"
    );
    assert_eq!(json["fixed_inputs"], serde_json::json!([CONSTANT]));
    assert!(
        stdout.contains(&format!("dropped, the same in every run used: {CONSTANT}")),
        "{stdout}"
    );
    assert_eq!(
        json["encoded_inputs"],
        serde_json::json!([{"input": DRONES, "zero": "false", "one": "true"}])
    );
    // With drones the column loses 20 vehicles fewer: the coded factor comes first, negative.
    let (stdout, json) = drivers_of(dir.path(), "kidal_column_vehicles_lost");
    assert_eq!(json["drivers"][0]["input"], DRONES, "{stdout}");
    assert!(
        json["drivers"][0]["prcc"].as_f64().unwrap() < -0.8,
        "{stdout}"
    );
    assert!(json["drivers"][0]["prcc_ci95_high"].as_f64().unwrap() < 0.0);
    assert!(json["prim"].is_null(), "no box for a number outcome");
}

#[test]
fn drivers_of_a_real_batch_rank_every_drawn_input() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    let status = sandtable()
        .args(["run", "--runs", "400", "--out"])
        .arg(&batch)
        .output()
        .unwrap();
    assert!(status.status.success());
    let csv_path = dir.path().join("drivers.csv");
    let output = sandtable()
        .arg("drivers")
        .arg(&batch)
        .arg("--out")
        .arg(&csv_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(
            "What moves \"FAMa column from Gao arrived\" (kidal_column_status=arrived)\n  400 \
             runs used"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("PRCC") && stdout.contains("R² =") && stdout.contains("← chosen"));
    check_ranking_reads_in_words(&stdout, &csv_path);

    let text = fs::read_to_string(&csv_path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("outcome,input,prcc,prcc_ci95_low,prcc_ci95_high,src,label")
    );
    let ranked: BTreeSet<String> = lines
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("drivers.json")).unwrap())
            .unwrap();
    let fixed: BTreeSet<String> = json["fixed_inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let schema = OutcomeSchema::for_scenario(&sandtable::load_default(&[]).unwrap());
    let drawn: BTreeSet<String> = schema
        .columns
        .iter()
        .filter(|c| c.kind == ColumnKind::Parameter)
        .map(|c| c.name.clone())
        .collect();
    assert!(ranked.is_disjoint(&fixed));
    assert_eq!(
        &ranked | &fixed,
        drawn,
        "every drawn input is ranked or listed as fixed"
    );
    assert!(
        ranked.len() > 100,
        "the default draws over a hundred inputs"
    );
    assert!(json["prim"]["trajectory"].as_array().unwrap().len() > 1);
}

/// What a reader of `drivers`' table sees: the ranked inputs by their labels (drivers.csv's
/// `label`, beside the column name), no column name in a ranked row or in PRIM's sentence (the
/// bands and convoys by their display names), and no row of the table wider than 120
/// characters.
fn check_ranking_reads_in_words(stdout: &str, csv_path: &Path) {
    let mut reader = csv::Reader::from_path(csv_path).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let rank_rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()) && l.contains('['))
        .collect();
    assert_eq!(rank_rows.len(), 20, "{stdout}");
    for (row, line) in rows.iter().zip(&rank_rows) {
        let (input, label) = (&row[1], &row[6]);
        assert_ne!(input, label);
        let shown: String = label.chars().take(40).collect();
        assert!(line.contains(&shown), "{label} not in {line}");
        assert!(!line.contains(input), "{line} shows the column {input}");
    }
    let prim = stdout
        .lines()
        .find(|l| l.starts_with("PRIM, where"))
        .unwrap();
    assert!(
        prim.starts_with("PRIM, where \"FAMa column from Gao arrived\" happens"),
        "{prim}"
    );
    for id in ["csp_kidal", "kidal_column", "_per_"] {
        assert!(!prim.contains(id), "{prim}");
    }
    for line in rank_rows
        .iter()
        .chain(stdout.lines().take(1).collect::<Vec<_>>().iter())
    {
        assert!(line.chars().count() <= 120, "too wide: {line}");
    }
}

#[test]
fn a_folder_whose_runs_csv_changed_after_publication_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    let runs = sandtable()
        .args(["run", "--runs", "300", "--out"])
        .arg(&batch)
        .output()
        .unwrap();
    assert!(runs.status.success());
    let drivers = || sandtable().arg("drivers").arg(&batch).output().unwrap();
    assert_eq!(
        drivers().status.code(),
        Some(0),
        "the published folder is read"
    );
    // One byte of one value changed: the file is no longer the one the manifest lists.
    let path = batch.join("runs.csv");
    let mut bytes = fs::read(&path).unwrap();
    let at = bytes.len() - 3;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    fs::write(&path, bytes).unwrap();
    let output = drivers();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{} is not the file its manifest.json published",
            path.display()
        )),
        "{stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "nothing ranked from a tampered folder"
    );
    // A manifest written before manifests listed their files checks nothing and is read.
    let manifest_path = batch.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest.as_object_mut().unwrap().remove("files");
    fs::write(&manifest_path, manifest.to_string()).unwrap();
    assert_eq!(drivers().status.code(), Some(0));
}

#[test]
fn bad_folders_and_outcomes_exit_2_saying_what_would_do() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    let runs = sandtable()
        .args(["run", "--runs", "100", "--out"])
        .arg(&batch)
        .output()
        .unwrap();
    assert!(runs.status.success());
    let check = |args: &[&str], expected: &str| {
        let output = sandtable().arg("drivers").args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    };
    let missing = dir.path().join("nowhere");
    check(
        &[missing.to_str().unwrap()],
        "not a batch folder (no such folder)",
    );
    let b = batch.to_str().unwrap();
    check(
        &[b, "--outcome", "speed"],
        "valid outcomes: kidal_column_status, ",
    );
    check(
        &[b, "--outcome", "kidal_column_status"],
        "kidal_column_status=arrived",
    );
    check(
        &[b, "--outcome", "kidal_column_status=lost"],
        "valid: arrived, halted",
    );
    check(&[b], "100 runs for the inputs that vary: at least");
    let runs = fs::read_to_string(batch.join("runs.csv")).unwrap();
    let mut lines: Vec<String> = runs.lines().map(str::to_string).collect();
    let mut fields: Vec<&str> = lines[4].split(',').collect();
    let last = fields.len() - 1;
    fields[last] = "many";
    lines[4] = fields.join(",");
    fs::write(batch.join("runs.csv"), lines.join("\n") + "\n").unwrap();
    check(&[b], "runs.csv is not the file its manifest.json published");
    // As a folder written before manifests listed their files: the field itself is refused.
    let manifest_path = batch.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest.as_object_mut().unwrap().remove("files");
    fs::write(&manifest_path, manifest.to_string()).unwrap();
    check(&[b], "runs.csv:5: column ");
    check(&[b], "'many' is not a finite number");
    fs::remove_file(batch.join("runs.csv")).unwrap();
    check(&[b], "it holds no runs.csv");
    let compared = dir.path().join("compared");
    let compare = sandtable()
        .args([
            "compare",
            "--alt",
            "fewer:convoy.kidal_column.vehicles=60",
            "--runs",
            "20",
        ])
        .arg("--out")
        .arg(&compared)
        .output()
        .unwrap();
    assert!(compare.status.success());
    check(
        &[compared.to_str().unwrap()],
        "it holds a comparison, whose runs are in one folder per scenario: give one of those",
    );
}
