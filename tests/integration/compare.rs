//! `sandtable compare` and adaptive replication (`--precision`) through the real binary: each
//! scenario's subfolder is its own `run`, the differences are the per-run differences of those
//! runs, `--alt` equals a file, threads and interruptions change no byte, bad input exits 2
//! with nothing written, and an adaptive batch stops at the first checkpoint that meets its
//! target.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cli::{repo_file, sandtable};

const BASE: &str = "scenarios/gao-kidal-2023.toml";
const NO_WAGNER: &str = "scenarios/variants/no-wagner.toml";
const BATCH: [&str; 4] = ["--runs", "300", "--seed", "7"];

/// Runs `sandtable` with `args` (paths relative to the repository), returning exit code, stdout
/// and stderr.
pub(crate) fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let output = sandtable()
        .current_dir(repo_file(""))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub(crate) fn ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, Some(0), "{}: {stderr}", args.join(" "));
    stdout
}

fn path(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

/// The rows of a CSV file as maps from header to field.
fn csv_rows(file: &Path) -> Vec<HashMap<String, String>> {
    let text = fs::read_to_string(file).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The comparison.csv row of `scenario` on `outcome` (and `category`).
fn comparison_row(
    dir: &Path,
    outcome: &str,
    category: &str,
    scenario: &str,
) -> HashMap<String, String> {
    csv_rows(&dir.join("comparison.csv"))
        .into_iter()
        .find(|r| r["outcome"] == outcome && r["category"] == category && r["scenario"] == scenario)
        .unwrap_or_else(|| panic!("no row {outcome}.{category} {scenario}"))
}

#[test]
fn each_scenario_is_its_own_run_and_the_differences_are_the_per_run_differences() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let printed = ok(&[
        &["compare", BASE, NO_WAGNER, "--out", path(&out)],
        &BATCH[..],
    ]
    .concat());
    assert!(
        printed.contains("base:         gao-kidal-2023"),
        "{printed}"
    );
    assert!(printed.contains("kidal_column_status.arrived"), "{printed}");
    // Titled in plain words first, the column name after for scripts and --precision.
    assert!(
        printed.contains(
            "\nFAMa column from Gao arrived (share of runs) · kidal_column_status.arrived\n"
        ),
        "{printed}"
    );
    for name in ["comparison.csv", "comparison.json", "manifest.json"] {
        assert!(out.join(name).is_file(), "{name}");
    }
    for (name, file) in [("gao-kidal-2023", BASE), ("no-wagner", NO_WAGNER)] {
        let alone = tmp.path().join(name);
        ok(&[&["run", file, "--out", path(&alone)], &BATCH[..]].concat());
        for f in ["runs.csv", "summary.csv", "summary.json"] {
            assert_eq!(
                fs::read(out.join(name).join(f)).unwrap(),
                fs::read(alone.join(f)).unwrap(),
                "{name}/{f} differs from `sandtable run {file}`"
            );
        }
    }
    let base = csv_rows(&out.join("gao-kidal-2023/runs.csv"));
    let other = csv_rows(&out.join("no-wagner/runs.csv"));
    let mean_difference = |value: &dyn Fn(&HashMap<String, String>) -> f64| {
        let d: Vec<f64> = base
            .iter()
            .zip(&other)
            .map(|(b, o)| value(o) - value(b))
            .collect();
        d.iter().sum::<f64>() / d.len() as f64
    };
    let arrived = mean_difference(&|r| f64::from(u8::from(r["kidal_column_status"] == "arrived")));
    let killed = mean_difference(&|r| r["fama_killed"].parse::<f64>().unwrap());
    for (outcome, category, expected) in [
        ("kidal_column_status", "arrived", arrived),
        ("fama_killed", "", killed),
    ] {
        let row = comparison_row(&out, outcome, category, "no-wagner");
        let diff: f64 = row["diff"].parse().unwrap();
        assert!(
            (diff - expected).abs() < 1e-9,
            "{outcome}: {diff} vs {expected}"
        );
        assert_eq!(row["n"], "300");
        let base_row = comparison_row(&out, outcome, category, "gao-kidal-2023");
        assert_eq!(base_row["diff"], "", "the base has no difference");
    }
}

#[test]
fn an_alt_equals_a_file_that_sets_the_same_value() {
    let tmp = tempfile::tempdir().unwrap();
    let variant = tmp.path().join("fewer.toml");
    let text = format!(
        "extends = {:?}\nname = \"fewer\"\n\n[[convoy]]\nid = \"kidal_column\"\nvehicles = 60\n",
        repo_file(BASE).display().to_string()
    );
    fs::write(&variant, text).unwrap();
    let (by_alt, by_file) = (tmp.path().join("alt"), tmp.path().join("file"));
    let alt = ["compare", "--alt", "fewer:convoy.kidal_column.vehicles=60"];
    ok(&[&alt[..], &["--out", path(&by_alt)], &BATCH[..]].concat());
    let file = ["compare", BASE, path(&variant), "--out", path(&by_file)];
    ok(&[&file[..], &BATCH[..]].concat());
    assert_eq!(
        fs::read(by_alt.join("comparison.csv")).unwrap(),
        fs::read(by_file.join("comparison.csv")).unwrap()
    );
    assert_eq!(
        fs::read(by_alt.join("fewer/runs.csv")).unwrap(),
        fs::read(by_file.join("fewer/runs.csv")).unwrap()
    );
}

#[test]
fn threads_change_no_byte_of_a_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(threads);
        let args = [
            "compare",
            NO_WAGNER,
            "--alt",
            "slow:convoy.kidal_column.vehicles=60",
        ];
        ok(&[
            &args[..],
            &["--threads", threads, "--out", path(&out)],
            &BATCH[..],
        ]
        .concat());
        files.push(["comparison.csv", "comparison.json"].map(|f| fs::read(out.join(f)).unwrap()));
    }
    assert_eq!(files[0], files[1]);
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let alt = "--alt=a:convoy.kidal_column.vehicles=60";
    let cases: &[(&[&str], &str)] = &[
        (&["compare", "nowhere.toml", NO_WAGNER], "nowhere.toml"),
        (&["compare"], "compare needs something to compare"),
        (
            &["compare", BASE, BASE],
            "two scenarios are named \"gao-kidal-2023\"",
        ),
        (
            &["compare", "--alt", "Big:convoy.kidal_column.vehicles=60"],
            "not an alternative's name",
        ),
        (&["compare", "--alt", "a=convoy"], "NAME:KEY=VALUE"),
        (
            &["compare", "--alt", "a:convoy.kidal_column.wheels=6"],
            "wheels",
        ),
        (
            &["compare", alt, "--precision", "nope=1"],
            "no outcome \"nope\"",
        ),
        (
            &["compare", alt, "--precision", "fama_killed=0"],
            "must be a positive number",
        ),
        (
            &["compare", alt, "--precision", "fama_killed=inf"],
            "must be a positive number",
        ),
        (
            &[
                "compare",
                alt,
                "--precision",
                "fama_killed=1",
                "--max-runs",
                "10",
            ],
            "below one block",
        ),
        (
            &["run", "--precision", "kidal_column_status=0.1"],
            "name one of its categories",
        ),
        (
            &["run", "--precision", "fama_killed=-2"],
            "must be a positive number",
        ),
        (
            &["run", "--precision", "fama_killed=1", "--max-runs", "199"],
            "at least 200",
        ),
        (
            &["run", "--precision", "fama_killed=1", "--runs", "300"],
            "cannot be used with",
        ),
    ];
    for (args, message) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let (code, _, stderr) = run(&[args, &["--out", path(&out)][..]].concat());
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}

#[test]
fn an_adaptive_run_stops_at_the_first_checkpoint_that_meets_its_target() {
    let tmp = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(threads);
        let args = ["run", "--precision", "kidal_column_status.arrived=0.05"];
        let printed = ok(&[&args[..], &["--threads", threads, "--out", path(&out)]].concat());
        assert!(printed.contains("Precision: "), "{printed}");
        outputs.push(
            ["runs.csv", "summary.csv", "summary.json", "precision.json"]
                .map(|f| fs::read(out.join(f)).unwrap()),
        );
    }
    assert_eq!(
        outputs[0], outputs[1],
        "--threads changed the stopping point or the bytes"
    );
    let report: serde_json::Value = serde_json::from_slice(&outputs[0][3]).unwrap();
    let checkpoints = report["checkpoints"].as_array().unwrap();
    let width = |c: &serde_json::Value| c["half_widths"][0].as_f64().unwrap();
    let last = checkpoints.last().unwrap();
    assert!(width(last) <= 0.05, "{report}");
    if let Some(previous) = checkpoints.len().checked_sub(2).map(|i| &checkpoints[i]) {
        assert!(width(previous) > 0.05, "{report}");
    }
    let used = report["runs_used"].as_u64().unwrap();
    assert_eq!(used, last["runs"].as_u64().unwrap());
    assert_eq!(used % 200, 0, "stops at a block's end");
    // The half-width reported is the summary's: the Wilson interval of the runs used (which
    // summary.csv publishes to 12 significant digits).
    let summary = csv_rows(&tmp.path().join("1/summary.csv"));
    let arrived = summary
        .iter()
        .find(|r| r["outcome"] == "kidal_column_status" && r["category"] == "arrived")
        .unwrap();
    let [p, low, high] =
        ["mean", "ci95_low", "ci95_high"].map(|k| arrived[k].parse::<f64>().unwrap());
    let published = (p - low).max(high - p);
    assert!(
        (width(last) - published).abs() <= 1e-11,
        "{} against {published}",
        width(last)
    );
    let runs_csv = String::from_utf8_lossy(&outputs[0][0]).lines().count() as u64;
    assert_eq!(runs_csv, used + 1);
}

#[test]
fn an_adaptive_comparison_reports_its_half_widths() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let args = ["compare", "--alt", "fewer:convoy.kidal_column.vehicles=60"];
    let target = ["--precision", "fama_killed=3", "--max-runs", "600"];
    let printed = ok(&[&args[..], &target[..], &["--out", path(&out)]].concat());
    assert!(printed.contains("Precision: "), "{printed}");
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("comparison.json")).unwrap()).unwrap();
    let precision = &json["precision"];
    let used = precision["runs_used"].as_u64().unwrap();
    assert!(used <= 600 && used.is_multiple_of(200), "{precision}");
    assert_eq!(json["runs"].as_u64().unwrap(), used);
    let achieved = precision["targets"][0]["achieved"].as_f64().unwrap();
    assert!(
        !precision["met"].as_bool().unwrap() || achieved <= 3.0,
        "{precision}"
    );
}

#[test]
fn a_killed_comparison_resumes_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, killed) = (tmp.path().join("whole"), tmp.path().join("killed"));
    let batch = ["compare", BASE, NO_WAGNER, "--runs", "3000", "--seed", "5"];
    ok(&[&batch[..], &["--threads", "2", "--out", path(&whole)]].concat());
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandtable"))
        .current_dir(repo_file(""))
        .args(batch)
        .args(["--threads", "1", "--out", path(&killed)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let partial = killed.join("no-wagner/runs.csv.partial");
    let deadline = Instant::now() + Duration::from_secs(60);
    while fs::read(&partial).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()) < 300 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before it could be killed"
        );
        assert!(Instant::now() < deadline, "no rows after a minute");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (code, _, stderr) =
        run(&[&batch[..], &["--threads", "2", "--resume", path(&killed)]].concat());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("resuming"), "{stderr}");
    for f in [
        "comparison.csv",
        "comparison.json",
        "gao-kidal-2023/runs.csv",
        "gao-kidal-2023/summary.json",
        "no-wagner/runs.csv",
        "no-wagner/summary.csv",
    ] {
        assert_eq!(
            fs::read(whole.join(f)).unwrap(),
            fs::read(killed.join(f)).unwrap(),
            "{f}"
        );
    }
}
