//! `sandtable drivers`: on rows where one drawn input alone decides a yes/no outcome, the
//! analysis ranks that input first and PRIM finds its threshold; on a real batch of the default
//! scenario the command exits 0, prints the table and writes a row for every drawn input; bad
//! folders and outcomes exit 2 saying what would be valid.

use std::collections::BTreeSet;
use std::fs;

use sandtable::analysis::{self, OutcomeChoice};
use sandtable::sim::{Column, ColumnKind, Outcome, OutcomeSchema, Value};

use crate::cli::sandtable;

/// A uniform number in [0, 1) from a counter (test data, not a simulation draw).
fn uniform(i: u64, stream: u64) -> f64 {
    let mut z = (i * 4 + stream).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as f64 / 2f64.powi(64)
}

#[test]
fn a_planted_driver_is_ranked_first_and_its_threshold_is_the_prim_box() {
    let parameter = |name: &str| Column {
        name: name.to_string(),
        kind: ColumnKind::Parameter,
    };
    let status = ColumnKind::Category {
        categories: vec!["arrived".into(), "halted".into()],
    };
    let schema = OutcomeSchema {
        columns: vec![
            Column {
                name: "column_status".into(),
                kind: status,
            },
            parameter("decisive_rate"),
            parameter("noise_a"),
            parameter("noise_b"),
            parameter("fixed_count"),
        ],
    };
    // Arrives (category 0) exactly when decisive_rate > 0.7; the others are noise or fixed.
    let rows: Vec<Outcome> = (0..800)
        .map(|i| {
            let x = [uniform(i, 0), uniform(i, 1), uniform(i, 2)];
            let arrived = if x[0] > 0.7 { 0 } else { 1 };
            let mut values = vec![Value::Category(arrived)];
            values.extend(x.map(Value::Number));
            values.push(Value::Number(12.0));
            Outcome { values }
        })
        .collect();
    let choice: OutcomeChoice = "column_status=arrived".parse().unwrap();
    let found = analysis::drivers(&schema, &rows, &choice).unwrap();
    assert_eq!(found.drivers[0].input, "decisive_rate");
    assert!(found.drivers[0].prcc.value > 0.7, "{:?}", found.drivers[0]);
    assert!(found.drivers[0].src > 0.0);
    assert_eq!(found.fixed_inputs, ["fixed_count"]);
    for noise in &found.drivers[1..] {
        assert!(
            noise.prcc.ci95_low < 0.0 && 0.0 < noise.prcc.ci95_high,
            "{noise:?}"
        );
    }
    // The box is bounded below, near the planted threshold.
    let chosen = found.prim.as_ref().unwrap().chosen_box();
    let bound = chosen
        .bounds
        .iter()
        .find(|b| found.inputs[b.input] == "decisive_rate");
    let low = bound
        .and_then(|b| b.low)
        .expect("decisive_rate bounded below");
    assert!((low - 0.7).abs() < 0.05, "lower bound {low}");
    assert!(chosen.density > 0.95, "{chosen:?}");
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
        stdout.contains("What moves kidal_column_status=arrived: 400 runs used"),
        "{stdout}"
    );
    assert!(stdout.contains("PRCC") && stdout.contains("R² =") && stdout.contains("← chosen"));

    let text = fs::read_to_string(&csv_path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("outcome,input,prcc,prcc_ci95_low,prcc_ci95_high,src")
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
    fs::remove_file(batch.join("runs.csv")).unwrap();
    check(&[b], "it holds no runs.csv");
}
