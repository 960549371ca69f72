//! Reproducibility as a user would check it, on the real executable: the same scenario and seed
//! give byte-identical runs.csv and summaries whatever the thread count or shard split, the
//! default seed is fixed, other seeds differ, `replay --run I` rebuilds row I of runs.csv, and
//! the resolved scenario an output directory keeps runs the same batch again.

use std::fs;
use std::path::Path;

use sha2::Digest;

use super::cli::{repo_file, run_file, stdout_of};

/// The data rows of a runs.csv (without its header).
fn rows(runs_csv: &[u8]) -> Vec<String> {
    String::from_utf8(runs_csv.to_vec())
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

fn batch_files(dir: &Path, args: &[&str]) -> [Vec<u8>; 3] {
    let runs = run_file(dir, args, "runs.csv");
    let read = |name: &str| fs::read(dir.join(name)).unwrap();
    [runs, read("summary.csv"), read("summary.json")]
}

#[test]
fn thread_count_never_changes_a_byte() {
    let no_drones = repo_file("scenarios/variants/no-drones.toml");
    for scenario in [None, Some(no_drones.to_str().unwrap())] {
        // Fresh folders for each scenario: --out does not replace a finished batch.
        let dir = tempfile::tempdir().unwrap();
        let mut args: Vec<&str> = scenario.into_iter().collect();
        args.extend(["--runs", "120", "--seed", "99"]);
        let one = batch_files(
            &dir.path().join("t1"),
            &[&args[..], &["--threads", "1"]].concat(),
        );
        let two = batch_files(
            &dir.path().join("t2"),
            &[&args[..], &["--threads", "2"]].concat(),
        );
        let three = batch_files(
            &dir.path().join("t3"),
            &[&args[..], &["--threads", "3"]].concat(),
        );
        for (name, ((a, b), c)) in ["runs.csv", "summary.csv", "summary.json"]
            .iter()
            .zip(one.iter().zip(&two).zip(&three))
        {
            assert!(
                a == b && b == c,
                "{name} differs between thread counts ({scenario:?})"
            );
        }
        assert_eq!(rows(&one[0]).len(), 120);
    }
}

#[test]
fn shards_concatenate_to_the_whole_batch() {
    let dir = tempfile::tempdir().unwrap();
    let whole = run_file(
        &dir.path().join("whole"),
        &["--runs", "100", "--seed", "5"],
        "runs.csv",
    );
    let header = String::from_utf8(whole.clone())
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let mut joined = Vec::new();
    let mut sizes = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let part = run_file(
            &dir.path().join(format!("shard{k}")),
            &[
                "--runs",
                "100",
                "--seed",
                "5",
                "--shard",
                &shard,
                "--threads",
                "2",
            ],
            "runs.csv",
        );
        assert!(
            String::from_utf8(part.clone())
                .unwrap()
                .starts_with(&format!("{header}\n")),
            "shard {shard} header"
        );
        sizes.push(rows(&part).len());
        joined.extend(rows(&part));
    }
    // ⌊(K−1)·100/3⌋ .. ⌊K·100/3⌋: 33, 33 and 34 runs.
    assert_eq!(sizes, [33, 33, 34]);
    assert_eq!(joined, rows(&whole));
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("shard2/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(
        (
            manifest["shard"]["first_run"].as_u64(),
            manifest["shard"]["end_run"].as_u64()
        ),
        (Some(33), Some(66))
    );
    assert!(
        manifest["reproduce"]
            .as_str()
            .unwrap()
            .contains("--shard 2/3")
    );
}

#[test]
fn the_default_seed_is_fixed_and_other_seeds_differ() {
    let dir = tempfile::tempdir().unwrap();
    let plain_a = run_file(&dir.path().join("a"), &["--runs", "40"], "runs.csv");
    let plain_b = run_file(&dir.path().join("b"), &["--runs", "40"], "runs.csv");
    assert_eq!(plain_a, plain_b, "two plain runs differ");
    let explicit = run_file(
        &dir.path().join("c"),
        &["--runs", "40", "--seed", "20231002"],
        "runs.csv",
    );
    assert_eq!(plain_a, explicit, "the default seed is not 20231002");
    let other = run_file(
        &dir.path().join("d"),
        &["--runs", "40", "--seed", "20231003"],
        "runs.csv",
    );
    let strip_seed = |rows: Vec<String>| -> Vec<String> {
        rows.iter()
            .map(|r| r.splitn(3, ',').nth(2).unwrap().to_string())
            .collect()
    };
    let (a, d) = (strip_seed(rows(&plain_a)), strip_seed(rows(&other)));
    let same = a.iter().zip(&d).filter(|(x, y)| x == y).count();
    assert_eq!(same, 0, "{same} of 40 runs identical under another seed");
    // The printed table is as fixed as the files.
    assert_eq!(
        stdout_of(&["run", "--runs", "40"]),
        stdout_of(&["run", "--runs", "40", "--threads", "1"])
    );
}

#[test]
fn replay_rebuilds_the_row_of_its_run() {
    let dir = tempfile::tempdir().unwrap();
    let variant = repo_file("scenarios/variants/more-drones.toml");
    let variant = variant.to_str().unwrap();
    let set = "convoy.kidal_column.vehicles=90";
    let runs = run_file(
        &dir.path().join("batch"),
        &[variant, "--runs", "60", "--seed", "11", "--set", set],
        "runs.csv",
    );
    let text = String::from_utf8(runs).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for run in [0_usize, 17, 59] {
        let out = dir.path().join(format!("replay{run}"));
        stdout_of(&[
            "replay",
            variant,
            "--run",
            &run.to_string(),
            "--seed",
            "11",
            "--set",
            set,
            "--out",
            out.to_str().unwrap(),
        ]);
        let outcome = fs::read_to_string(out.join("outcome.csv")).unwrap();
        assert_eq!(
            outcome,
            format!("{}\n{}\n", lines[0], lines[run + 1]),
            "run {run}"
        );
    }
}

#[test]
fn the_resolved_scenario_of_an_output_runs_the_same_batch_again() {
    let dir = tempfile::tempdir().unwrap();
    // A variant (so `extends` is resolved) with overrides of a number, a range and a date.
    let variant = repo_file("scenarios/variants/no-drones.toml");
    let batch = ["--runs", "80", "--seed", "23", "--shard", "2/2"];
    let mut first_args = vec![variant.to_str().unwrap()];
    first_args.extend(batch);
    first_args.extend([
        "--set",
        "convoy.kidal_column.vehicles=70",
        "--set",
        "combat.night_factor={ min = 0.3, max = 0.5 }",
        "--set",
        "convoy.kidal_column.depart=2023-10-04",
    ]);
    let first = dir.path().join("first");
    let runs = run_file(&first, &first_args, "runs.csv");
    let resolved = first.join("scenario.resolved.toml");
    let again = dir.path().join("again");
    let mut again_args = vec![resolved.to_str().unwrap()];
    again_args.extend(batch);
    assert!(
        run_file(&again, &again_args, "runs.csv") == runs,
        "runs.csv of the resolved scenario differs from the batch's"
    );
    // The file is the text the manifest's hash is of, and loading it changes nothing in it.
    let manifest = |dir: &Path| -> serde_json::Value {
        serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap()
    };
    let sha256 = manifest(&first)["scenario"]["sha256"].clone();
    let text = fs::read(&resolved).unwrap();
    let hex: String = sha2::Sha256::digest(&text)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(serde_json::Value::String(hex), sha256);
    assert_eq!(manifest(&again)["scenario"]["sha256"], sha256);
    assert_eq!(
        manifest(&first)["scenario"]["resolved"],
        "scenario.resolved.toml"
    );
    assert_eq!(
        fs::read(again.join("scenario.resolved.toml")).unwrap(),
        text
    );

    // A replay keeps it too, and it replays the same run.
    let replay = dir.path().join("replay");
    stdout_of(&[
        "replay",
        resolved.to_str().unwrap(),
        "--run",
        "45",
        "--seed",
        "23",
        "--out",
        replay.to_str().unwrap(),
    ]);
    assert_eq!(
        fs::read(replay.join("scenario.resolved.toml")).unwrap(),
        text
    );
    let outcome = fs::read_to_string(replay.join("outcome.csv")).unwrap();
    let runs = String::from_utf8(runs).unwrap();
    let row = runs.lines().find(|l| l.starts_with("45,23,")).unwrap();
    assert_eq!(outcome.lines().nth(1), Some(row));
}
