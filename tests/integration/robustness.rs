//! Robustness as a user would check it: no scenario text, however mangled, makes loading panic
//! (random edits of valid scenarios, and the cases the fuzzer kept); a replication that fails
//! becomes a failed row while the batch completes; a batch killed or interrupted part-way
//! resumes to exactly the bytes of a batch that never stopped.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use sandtable::output::render_digest;
use sandtable::scenario::{DEFAULT_SCENARIO, Override, ScenarioError, load_str};
use sandtable::sim::OutcomeSchema;

use super::cli::{repo_file, sandtable};

// ---------------------------------------------------------------------------------------------
// Scenario text: never a panic, always a located error or a valid scenario.

/// A small valid scenario, quick to load, that the edits below break.
const MINI: &str = r#"name = "mini"
start = 2023-10-01
horizon_days = 30

[[faction]]
id = "fama"
kill_rate_per_hour = 0.03
break_point = 0.3

[[faction]]
id = "csp"
kill_rate_per_hour = { min = 0.02, max = 0.04 }
break_point = 0.3

[stances]
hostile = [["fama", "csp"]]

[[site]]
id = "gao"
kind = "town"
lat = 16.27
lon = -0.05
owner = "fama"
garrison = { fama = 500 }

[[site]]
id = "kidal"
kind = "town"
lat = 18.44
lon = 1.41
owner = "csp"
garrison = { csp = { min = 100, mode = 200, max = 400 } }

[[road]]
from = "gao"
to = "kidal"
length_km = { min = 300, max = 350 }
surface = "track"

[[convoy]]
id = "column"
faction = "fama"
from = "gao"
to = "kidal"
depart = 2023-10-02
vehicles = 100
troops = 600
speed_km_per_day = { track = 80 }
break_point = 0.3

[[group]]
id = "band"
faction = "csp"
fighters = 80
home = "kidal"
posture = "ambush"

[[reinforcement]]
to = "gao"
faction = "fama"
troops = 100
date = 2023-10-10
"#;

/// Values of every kind a student might put in the wrong place.
const VALUES: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "5e-324",
    "9223372036854775807",
    "0.5",
    "3650",
    "3651",
    "\"kidl\"",
    "\"\"",
    "true",
    "[1, 2]",
    "[]",
    "{}",
    "{ min = 5, max = 1 }",
    "{ min = 1, mode = 9, max = 2 }",
    "{ value = 1, min = 0 }",
    "2023-10-01",
    "1999-01-01",
    "2100-12-31T23:59:59",
    "\"gao\"",
    "\"fama\"",
    "\"remove\"",
];

/// Bits of TOML syntax to drop into the text.
const SYNTAX: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    "\"",
    "'",
    ",",
    "\n",
    "#",
    ".",
    "remove = true\n",
    "[[site]]\n",
    "[combat]\n",
    "extends = \"gao-kidal-2023.toml\"\n",
    "\u{e9}",
    "\u{0}",
];

/// One random change to a scenario's text.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceValue(usize, usize),
    Insert(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let any = any::<usize>();
    prop_oneof![
        any.prop_map(Edit::DeleteLine),
        any.prop_map(Edit::DuplicateLine),
        (any, any).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any, 0..VALUES.len()).prop_map(|(l, v)| Edit::ReplaceValue(l, v)),
        (any, 0..SYNTAX.len()).prop_map(|(p, s)| Edit::Insert(p, s)),
        any.prop_map(Edit::Truncate),
    ]
}

/// The text with `edit` applied; positions wrap around the text's lines or characters.
fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let n = lines.len();
    match *edit {
        Edit::DeleteLine(i) => {
            lines.remove(i % n);
        }
        Edit::DuplicateLine(i) => {
            let line = lines[i % n].clone();
            lines.insert(i % n, line);
        }
        Edit::SwapLines(a, b) => lines.swap(a % n, b % n),
        Edit::ReplaceValue(i, v) => {
            // The value after the first `=` of a line, e.g. `troops = 600` → `troops = nan`.
            let line = &mut lines[i % n];
            if let Some((key, _)) = line.split_once('=') {
                *line = format!("{key}= {}", VALUES[v]);
            }
        }
        Edit::Insert(p, s) => {
            let chars: Vec<char> = text.chars().collect();
            let at = p % (chars.len() + 1);
            let mut out: String = chars[..at].iter().collect();
            out.push_str(SYNTAX[s]);
            out.extend(&chars[at..]);
            return out;
        }
        Edit::Truncate(p) => {
            let chars: Vec<char> = text.chars().collect();
            return chars[..p % (chars.len() + 1)].iter().collect();
        }
    }
    lines.join("\n") + "\n"
}

/// What every scenario error must be: located in a file the user can open (or in `--set`), at a
/// line that exists, with a message that says something, on one line.
fn assert_clean(error: &ScenarioError, text: &str) {
    let shown = error.to_string();
    assert!(!error.message.trim().is_empty(), "empty message: {shown:?}");
    assert!(!error.file.is_empty(), "no file in {shown:?}");
    assert!(
        !shown.contains('\n'),
        "a message on several lines: {shown:?}"
    );
    if error.file == "edit.toml" {
        let lines = text.lines().count().max(1);
        if let Some(line) = error.line {
            assert!(
                (1..=lines + 1).contains(&line),
                "line {line} of {lines}: {shown}"
            );
        }
    }
    if error.line.is_some() {
        assert!(error.column.is_some_and(|c| c >= 1), "no column: {shown}");
    }
}

/// Loads `text` as a file beside the shipped scenarios (so `extends` finds them), then, when
/// it loads, does what `check` and `run` do before simulating.
fn load_edited(text: &str, overrides: &[Override]) {
    let dir = repo_file("scenarios");
    match load_str(text, "edit.toml", Some(&dir), overrides) {
        Ok(scenario) => {
            let digest = render_digest(&scenario);
            assert!(digest.contains(&scenario.name), "{digest}");
            let schema = OutcomeSchema::for_scenario(&scenario);
            assert!(schema.columns.len() >= 2 * scenario.factions.len());
        }
        Err(error) => assert_clean(&error, text),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_of_a_small_scenario_never_panic(edits in prop::collection::vec(edit(), 1..5)) {
        let text = edits.iter().fold(MINI.to_string(), |t, e| apply(&t, e));
        load_edited(&text, &[]);
    }

    #[test]
    fn random_edits_of_the_default_scenario_never_panic(
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let text = edits.iter().fold(DEFAULT_SCENARIO.to_string(), |t, e| apply(&t, e));
        load_edited(&text, &[]);
    }

    #[test]
    fn random_overrides_never_panic(
        path in prop::sample::select(vec![
            "horizon_days", "start", "name", "combat.night_factor", "combat.mode",
            "convoy.column.vehicles", "convoy.column.to", "convoy.column.via",
            "convoy.column.speed_km_per_day.track", "convoy.column", "convoy.colum.troops",
            "site.gao.lat", "site.0.garrison.fama", "site.kidal", "stances.hostile",
            "stances.hostile.0", "road.gao_kidal.length_km.min", "group.band.posture",
            "reinforcement.0.date", "faction", "extends", "x.y.z",
        ]),
        value in prop::sample::select(VALUES.to_vec()),
    ) {
        let set: Override = format!("{path}={value}").parse().unwrap();
        let error = load_str(MINI, "edit.toml", None, std::slice::from_ref(&set));
        if let Err(error) = error {
            assert_clean(&error, MINI);
        }
    }
}

/// Inputs the fuzzer (`cargo +nightly fuzz run load_scenario`, see `fuzz/`) found worth keeping:
/// each reaches a different corner of the loader. Each must give a clean error, never a panic.
/// A case that once broke the loader is added here with the fix that mended it.
#[test]
fn the_fuzzers_cases_give_clean_errors() {
    let dir = repo_file("tests/fixtures/fuzz");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 50,
        "only {} fuzz cases in {}",
        paths.len(),
        dir.display()
    );
    for path in paths {
        let bytes = fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        // As the fuzz target reads them: leading `--set KEY=VALUE` lines are overrides.
        let mut overrides = Vec::new();
        let mut rest: &str = &text;
        while let Some(line) = rest.strip_prefix("--set ") {
            let (set, tail) = line.split_once('\n').unwrap_or((line, ""));
            if let Ok(o) = set.parse::<Override>() {
                overrides.push(o);
            }
            rest = tail;
        }
        match load_str(rest, "edit.toml", None, &overrides) {
            Ok(scenario) => panic!("{}: loads as {}", path.display(), scenario.name),
            Err(error) => assert_clean(&error, rest),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Batches: failed replications are isolated; interrupted batches resume to the same bytes.

/// The batch the interruption tests stop and resume: long enough (a second or two on one thread)
/// to be stopped part-way, with run 5 failing on purpose so that a failure is among the rows
/// read back.
const BATCH: [&str; 4] = ["--runs", "4000", "--seed", "31"];
const BATCH_RUNS: usize = 4000;
const FAIL_RUNS: &str = "SANDTABLE_TEST_FAIL_RUNS";

/// The files a resumed batch must reproduce byte for byte.
const SAME_BYTES: [&str; 4] = ["runs.csv", "failures.csv", "summary.csv", "summary.json"];

/// The uninterrupted batch, computed once for the tests that compare with it.
fn reference() -> &'static Path {
    static REFERENCE: OnceLock<tempfile::TempDir> = OnceLock::new();
    REFERENCE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("whole");
            let output = sandtable()
                .env(FAIL_RUNS, "5")
                .args(["run", "--threads", "2", "--out", out.to_str().unwrap()])
                .args(BATCH)
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(1), "{output:?}");
            dir
        })
        .path()
}

fn reference_file(name: &str) -> Vec<u8> {
    fs::read(reference().join("whole").join(name)).unwrap()
}

/// Starts the batch into `out` on one thread and waits until at least `rows` rows have reached
/// `runs.csv.partial`, so that it is stopped part-way.
fn start_and_wait_for_rows(out: &Path, rows: usize) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_sandtable"))
        .env(FAIL_RUNS, "5")
        .args(["run", "--threads", "1", "--out", out.to_str().unwrap()])
        .args(BATCH)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_rows(child, out, rows)
}

/// Returns `child`, a batch writing `out`, once more than `rows` lines of its
/// `runs.csv.partial` are on the disk.
pub(crate) fn wait_for_rows(mut child: Child, out: &Path, rows: usize) -> Child {
    let partial = out.join("runs.csv.partial");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let lines = fs::read(&partial).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
        if lines > rows {
            return child;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the batch ended ({status}) before {rows} rows reached the disk");
        }
        assert!(Instant::now() < deadline, "no rows after a minute");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `sandtable` with `args` and the failure seam, returning its exit code and stderr.
fn run_with_seam(args: &[&str]) -> (Option<i32>, String) {
    let output = sandtable().env(FAIL_RUNS, "5").args(args).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_failed_replication_is_a_failed_row_and_the_batch_completes() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, failing) = (dir.path().join("clean"), dir.path().join("failing"));
    let args = |out: &Path| -> Vec<String> {
        [
            "run",
            "--runs",
            "40",
            "--seed",
            "7",
            "--out",
            out.to_str().unwrap(),
        ]
        .map(str::to_string)
        .to_vec()
    };
    let clean_run = sandtable().args(args(&clean)).output().unwrap();
    assert_eq!(clean_run.status.code(), Some(0));
    assert!(!clean.join("failures.csv").exists());
    let output = sandtable()
        .env(FAIL_RUNS, "3,17")
        .args(args(&failing))
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );

    // Exit 1 (an internal failure), saying which runs and where they are written down.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("2 of 40 runs failed (runs 3, 17)"),
        "{stderr}"
    );
    assert!(stderr.contains("failures.csv"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stdout.contains("2 of 40 runs FAILED (an internal error) and are left out of the figures below: runs 3, 17"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Wrote runs.csv, failures.csv, summary.csv"),
        "{stdout}"
    );

    // runs.csv: every run, in order; the failed ones with `run`, `seed`, empty outcomes and the
    // numbers they drew; every other row as in the clean batch.
    let clean_rows = fs::read_to_string(clean.join("runs.csv")).unwrap();
    let rows = fs::read_to_string(failing.join("runs.csv")).unwrap();
    let (clean_rows, rows): (Vec<&str>, Vec<&str>) =
        (clean_rows.lines().collect(), rows.lines().collect());
    assert_eq!(rows.len(), 41);
    let header: Vec<&str> = rows[0].split(',').collect();
    let first_parameter = header
        .iter()
        .position(|c| c.starts_with("combat_"))
        .unwrap();
    for (i, (row, clean_row)) in rows.iter().zip(&clean_rows).enumerate() {
        if i == 4 || i == 18 {
            let fields: Vec<&str> = row.split(',').collect();
            let clean_fields: Vec<&str> = clean_row.split(',').collect();
            assert_eq!(fields[..2], [(i - 1).to_string().as_str(), "7"]);
            assert!(
                fields[2..first_parameter].iter().all(|f| f.is_empty()),
                "{row}"
            );
            assert_eq!(
                fields[first_parameter..],
                clean_fields[first_parameter..],
                "run {}",
                i - 1
            );
        } else {
            assert_eq!(row, clean_row, "row {i}");
        }
    }
    let failures = fs::read_to_string(failing.join("failures.csv")).unwrap();
    let failures: Vec<&str> = failures.lines().collect();
    assert_eq!(failures[0], "run,seed,error");
    assert!(
        failures[1].starts_with("3,7,") && failures[1].contains(FAIL_RUNS),
        "{failures:?}"
    );
    assert!(failures[2].starts_with("17,7,"), "{failures:?}");
    assert_eq!(failures.len(), 3);

    // The summaries are over the 38 runs that have an outcome, and say that 2 failed.
    let summary = fs::read_to_string(failing.join("summary.csv")).unwrap();
    assert!(summary.contains("\nfama_killed,,38,38,"), "{summary}");
    assert!(
        summary
            .lines()
            .last()
            .unwrap()
            .starts_with("run_status,failed,40,2,0.05,"),
        "{summary}"
    );
    let summary_json = json(&failing.join("summary.json"));
    assert_eq!(summary_json["failed_runs"], serde_json::json!([3, 17]));
    assert_eq!(summary_json["completed_runs"], 40);
    let manifest = json(&failing.join("manifest.json"));
    assert_eq!(manifest["status"], "complete");
    assert_eq!(manifest["failed_runs"], serde_json::json!([3, 17]));
    assert_eq!(manifest["completed_runs"], 40);
}

#[test]
fn a_killed_batch_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    let mut child = start_and_wait_for_rows(&out, 30);
    // While it runs, a second batch on the folder is refused and touches nothing; once it is
    // killed, its lock goes with it (the resume below takes the folder).
    let journal = fs::read(out.join("manifest.json.partial")).unwrap();
    let mut second = ["run", "--force", "--out", out.to_str().unwrap()].to_vec();
    second.extend(BATCH);
    let (code, stderr) = run_with_seam(&second);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("another sandtable batch is writing this folder"),
        "{stderr}"
    );
    assert_eq!(
        fs::read(out.join("manifest.json.partial")).unwrap(),
        journal
    );
    child.kill().unwrap(); // SIGKILL: no chance to clean up or say anything.
    child.wait().unwrap();
    assert_eq!(
        names_in(&out),
        [
            ".sandtable.lock",
            "failures.csv.partial",
            "manifest.json.partial",
            "runs.csv.partial"
        ]
    );
    assert_eq!(
        json(&out.join("manifest.json.partial"))["status"],
        "running"
    );
    // A row cut short, as a kill in the middle of a write leaves it.
    let mut partial = fs::OpenOptions::new()
        .append(true)
        .open(out.join("runs.csv.partial"))
        .unwrap();
    std::io::Write::write_all(&mut partial, b"3999,31,arri").unwrap();
    drop(partial);

    // Another batch is refused, and the journal is left as it was.
    let out_arg = out.to_str().unwrap();
    let mut other_seed = ["run", "--resume", out_arg].to_vec();
    other_seed.extend(["--runs", "4000", "--seed", "32"]);
    let (code, stderr) = run_with_seam(&other_seed);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("its seed is 31, not 32"), "{stderr}");
    let mut other_set = [
        "run",
        "--resume",
        out_arg,
        "--set",
        "combat.night_factor=0.5",
    ]
    .to_vec();
    other_set.extend(BATCH);
    let (code, stderr) = run_with_seam(&other_set);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("its overrides are none, not --set combat.night_factor=0.5"),
        "{stderr}"
    );

    let mut resume = ["run", "--resume", out_arg, "--threads", "2"].to_vec();
    resume.extend(BATCH);
    let (code, stderr) = run_with_seam(&resume);
    // Exit 1: run 5 failed (before the kill), and still counts.
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("resuming "), "{stderr}");
    assert!(
        stderr.contains("bytes after the last whole row dropped"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("1 of {BATCH_RUNS} runs failed (run 5)")),
        "{stderr}"
    );
    for name in SAME_BYTES {
        assert!(
            fs::read(out.join(name)).unwrap() == reference_file(name),
            "{name} differs from the uninterrupted batch's"
        );
    }
    assert_eq!(
        names_in(&out),
        [
            ".sandtable.lock",
            "failures.csv",
            "manifest.json",
            "runs.csv",
            "scenario.resolved.toml",
            "summary.csv",
            "summary.json"
        ]
    );
    let manifest = json(&out.join("manifest.json"));
    assert_eq!(manifest["status"], "complete");
    assert_eq!(manifest["resumed"].as_array().map(Vec::len), Some(1));

    // A complete batch has nothing to resume; an empty directory has no batch.
    let (code, stderr) = run_with_seam(&resume);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("complete, there is nothing to resume"),
        "{stderr}"
    );
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let mut nothing = ["run", "--resume", empty.to_str().unwrap()].to_vec();
    nothing.extend(BATCH);
    let (code, stderr) = run_with_seam(&nothing);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no interrupted batch"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn an_interrupted_batch_leaves_a_partial_output_and_resumes() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    let child = start_and_wait_for_rows(&out, 30);
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("interrupted after "), "{stderr}");

    // A valid partial output: whole files, the finished rows, marked partial.
    assert_eq!(
        names_in(&out),
        [
            ".sandtable.lock",
            "failures.csv",
            "manifest.json",
            "runs.csv",
            "scenario.resolved.toml",
            "summary.csv",
            "summary.json"
        ]
    );
    let manifest = json(&out.join("manifest.json"));
    assert_eq!(manifest["status"], "partial");
    let done = manifest["completed_runs"].as_u64().unwrap() as usize;
    assert!((30..BATCH_RUNS).contains(&done), "{done} runs done");
    assert_eq!(manifest["failed_runs"], serde_json::json!([5]));
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    let whole = String::from_utf8(reference_file("runs.csv")).unwrap();
    let expected: String = whole.split_inclusive('\n').take(done + 1).collect();
    assert_eq!(
        runs, expected,
        "the partial runs.csv is not the batch's first {done} rows"
    );
    let summary = json(&out.join("summary.json"));
    assert_eq!(
        (
            summary["status"].as_str(),
            summary["completed_runs"].as_u64()
        ),
        (Some("partial"), Some(done as u64))
    );
    let resume = manifest["resume"].as_str().unwrap().to_string();
    assert!(stderr.contains(&resume), "{stderr}");

    // The manifest's own command continues it.
    let words: Vec<&str> = resume.split_whitespace().collect();
    assert_eq!(words[..2], ["sandtable", "run"]);
    let (code, stderr) = run_with_seam(&words[1..]);
    assert_eq!(code, Some(1), "{stderr}");
    for name in SAME_BYTES {
        assert!(
            fs::read(out.join(name)).unwrap() == reference_file(name),
            "{name} differs from the uninterrupted batch's"
        );
    }
    assert_eq!(json(&out.join("manifest.json"))["status"], "complete");
}
