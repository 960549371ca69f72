//! Faults a hostile or unlucky user meets, each through the real binary: a valid scenario that
//! would run forever, Ctrl-C inside a long replication, a crafted `extends` chain, a disk that
//! fills up, a kill in the middle of publishing a batch, duplicate ids in a variant, and errors
//! blamed on the wrong line. The property test at the end kills a batch at random steps and
//! checks that what is left is always either resumable or a complete, correct batch.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use sandtable::output::{holds_journal, verify_published};

use crate::cli::{repo_file, sandtable};

/// The failure seam (`SANDTABLE_TEST_FAIL_RUNS`): the runs listed fail on purpose.
const FAIL_RUNS: &str = "SANDTABLE_TEST_FAIL_RUNS";
/// The kill seam (`SANDTABLE_TEST_KILL_AT`): the process aborts right after the named step.
const KILL_AT: &str = "SANDTABLE_TEST_KILL_AT";
/// Five fights of a million rounds each: over the step budget of a replication.
const ENDLESS: &str = "tests/fixtures/faults/endless-fights.toml";
/// The default scenario's file.
const DEFAULT: &str = "scenarios/gao-kidal-2023.toml";

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs sandtable with `args`: its output.
fn run(args: &[&str]) -> Output {
    sandtable().args(args).output().unwrap()
}

/// The files of `dir` that a batch publishes, with their bytes, sorted by name.
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = [
        "runs.csv",
        "failures.csv",
        "summary.csv",
        "summary.json",
        "scenario.resolved.toml",
    ]
    .iter()
    .filter_map(|name| Some((name.to_string(), fs::read(dir.join(name)).ok()?)))
    .collect();
    files.sort();
    files
}

// ---- 3. Bounded work for valid input -------------------------------------------------------

#[test]
fn a_round_too_short_to_ever_end_a_fight_is_refused_before_anything_runs() {
    // 10⁻¹⁴ h never moves the clock: the fight, and the run, would never end.
    let default = repo_file(DEFAULT);
    let output = run(&["check", path(&default), "--set", "combat.round_hours=1e-14"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("error: --set: combat.round_hours=1e-14: combat.round_hours is")
            && text.contains("(1/3600: one second)"),
        "{text}"
    );
    // Long enough to move the clock, but two million rounds in one fight: refused too, saying
    // what would do.
    let duel = repo_file("scenarios/validation/duel-square.toml");
    let output = run(&["check", path(&duel), "--set", "combat.round_hours=0.00036"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("would take 2000000 rounds; at most 1000000 are allowed")
            && text.contains("make round_hours at least 0.00072"),
        "{text}"
    );
}

#[test]
fn a_replication_over_its_step_budget_is_a_failed_run_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let scenario = repo_file(ENDLESS);
    let output = run(&["run", path(&scenario), "--runs", "1", "--out", path(&out)]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("1 of 1 runs failed"), "{text}");
    let failures = fs::read_to_string(out.join("failures.csv")).unwrap();
    assert!(
        failures.starts_with("run,seed,error\n0,20231002,\"the run took more than 4000000 steps"),
        "{failures}"
    );
    // Its row is there, outcomes empty, like any failed run's.
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    let row = runs.lines().nth(1).unwrap();
    assert!(row.starts_with("0,20231002,,"), "{row}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_batch_within_a_second_even_inside_a_long_replication() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let scenario = repo_file(ENDLESS);
    // One thread: each replication takes the best part of a second, and a worker claims eight.
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandtable"))
        .args(["run", path(&scenario), "--runs", "64", "--threads", "1"])
        .args(["--out", path(&out)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !out.join("manifest.json.partial").exists() {
        assert!(Instant::now() < deadline, "the batch never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Well inside the first replication.
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(20),
            "still running 20 s after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = signalled.elapsed();
    let text = stderr(&child.wait_with_output().unwrap());
    assert!(took < Duration::from_secs(1), "took {took:?} to stop");
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(text.contains("interrupted after 0 of 64 runs"), "{text}");
    // The replication stopped half-way is not recorded: nothing failed, nothing half done.
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["status"], "partial");
    assert_eq!(manifest["completed_runs"], 0);
    assert_eq!(manifest["failed_runs"], serde_json::json!([]));
}

// ---- 4. extends: limits per file, a merge linear in the size ------------------------------

#[test]
fn an_extends_chain_over_the_total_size_limit_is_refused_naming_the_file() {
    // Three files of 3 MiB of comments each: every one under the 4 MiB limit of a file, 9 MiB
    // together.
    let padding = format!("{}\n", "#".repeat(1023)).repeat(3 * 1024);
    let dir = crate::support::files(&[
        ("a.toml", &format!("extends = \"b.toml\"\n{padding}")),
        ("b.toml", &format!("extends = \"c.toml\"\n{padding}")),
        (
            "c.toml",
            &format!("extends = \"gao-kidal-2023.toml\"\n{padding}"),
        ),
    ]);
    let output = run(&["check", path(&dir.path().join("a.toml"))]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains(
            "b.toml:1:1: the scenario and the files it extends come to more than 8388608 bytes"
        ) && text.contains("with '")
            && text.contains("c.toml'); the limit is 8388608"),
        "{text}"
    );
}

#[test]
fn a_variant_merging_ten_thousand_entries_fails_in_well_under_seconds() {
    // Every entry of the variant merges into one of the base: quadratic, this took 10 s.
    let n = 10_000;
    let base: String = (0..n)
        .map(|i| format!("[[road]]\nid = \"r{i}\"\nfrom = \"a\"\nto = \"b\"\nlength_km = 1\n"))
        .collect();
    let variant: String = (0..n)
        .map(|i| format!("[[road]]\nid = \"r{i}\"\nlength_km = 2\n"))
        .collect();
    let dir = crate::support::files(&[
        (
            "base.toml",
            &format!("name = \"b\"\nstart = 2023-01-01\nhorizon_days = 30\n{base}"),
        ),
        (
            "variant.toml",
            &format!("extends = \"base.toml\"\n{variant}"),
        ),
    ]);
    let started = Instant::now();
    let output = run(&["check", path(&dir.path().join("variant.toml"))]);
    let took = started.elapsed();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("lacks the required key 'surface'"), "{text}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn a_file_with_more_entries_than_a_scenario_may_hold_is_refused_before_merging() {
    let sites: String = (0..2001)
        .map(|i| format!("[[site]]\nid = \"s{i}\"\n"))
        .collect();
    let dir = crate::support::files(&[(
        "v.toml",
        &format!("extends = \"gao-kidal-2023.toml\"\n{sites}"),
    )]);
    let output = run(&["check", path(&dir.path().join("v.toml"))]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("v.toml:2:3: 2001 sites; at most 2000 are allowed"),
        "{text}"
    );
}

// ---- 9. Duplicate ids, error locations, --set ----------------------------------------------

#[test]
fn an_entry_written_twice_in_a_variant_is_an_error_naming_both_places() {
    let dir = crate::support::files(&[(
        "v.toml",
        "extends = \"gao-kidal-2023.toml\"\n\n[[convoy]]\nid = \"kidal_column\"\nvehicles = 60\n\n[[convoy]]\nid = \"kidal_column\"\ntroops = 500\n",
    )]);
    let output = run(&["check", path(&dir.path().join("v.toml"))]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    let v = dir.path().join("v.toml");
    assert!(
        text.contains(&format!(
            "{0}:7:1: [[convoy]] 'kidal_column' is written twice in this file (first at {0}:3:1)",
            v.display()
        )),
        "{text}"
    );
}

#[test]
fn an_id_a_variant_gives_to_another_kind_of_entry_is_an_error_naming_both() {
    let dir = crate::support::files(&[(
        "v.toml",
        "extends = \"gao-kidal-2023.toml\"\n\n[[group]]\nid = \"gao\"\nfaction = \"csp\"\nfighters = 10\nhome = \"kidal\"\nposture = \"defend\"\n",
    )]);
    let output = run(&["check", path(&dir.path().join("v.toml"))]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains(
            "v.toml:4:1: id 'gao' is used twice: by site.gao and by this group (group.gao)"
        ),
        "{text}"
    );
}

#[test]
fn a_wrong_longitude_is_blamed_on_its_own_line_or_its_set() {
    let dir = crate::support::files(&[(
        "v.toml",
        "extends = \"gao-kidal-2023.toml\"\n\n[[site]]\nid = \"gao\"\nlat = 16.27\nlon = 999.0\n",
    )]);
    let output = run(&["check", path(&dir.path().join("v.toml"))]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains(
            "v.toml:6:1: site.gao.lon is 999; it must be a number of degrees within ±180"
        ),
        "{text}"
    );
    let default = repo_file(DEFAULT);
    let output = run(&["check", path(&default), "--set", "site.gao.lon=500"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.starts_with("error: --set: site.gao.lon=500: site.gao.lon is 500"),
        "{text}"
    );
}

#[test]
fn a_set_value_over_two_lines_is_refused_not_cut() {
    let default = repo_file(DEFAULT);
    let output = run(&[
        "check",
        path(&default),
        "--set",
        "horizon_days=30\nname = \"other\"",
    ]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("the value of 'horizon_days' runs over more than one line"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_scenario_extends_relative_to_the_links_own_folder() {
    // The link lives in `variants/`, its target in `elsewhere/`; `extends = "base.toml"` is
    // looked up beside the link, as docs/ERRORS.md says.
    let dir = crate::support::files(&[
        ("elsewhere/v.toml", "extends = \"base.toml\"\n"),
        ("elsewhere/base.toml", "this is not a scenario = = =\n"),
        (
            "variants/base.toml",
            "extends = \"gao-kidal-2023.toml\"\nname = \"beside-the-link\"\n",
        ),
    ]);
    let link = dir.path().join("variants/v.toml");
    std::os::unix::fs::symlink(dir.path().join("elsewhere/v.toml"), &link).unwrap();
    let output = run(&["check", path(&link)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("beside-the-link"));
}

// ---- replay takes the folder lock ------------------------------------------------------------

#[test]
fn replay_out_waits_for_no_batch_and_writes_nothing_into_a_held_folder() {
    use fs4::FileExt;
    let dir = tempfile::tempdir().unwrap();
    let lock = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.path().join(".sandtable.lock"))
        .unwrap();
    FileExt::try_lock(&lock).unwrap();
    let output = run(&["replay", "--run", "3", "--out", path(dir.path())]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("another sandtable batch is writing this folder"),
        "{text}"
    );
    assert!(!dir.path().join("events.csv").exists());
}

// ---- 6. A write that fails keeps the journal -------------------------------------------------

/// A small batch, and the command that makes it into `dir` (`--out` or `--resume`).
const BATCH: [&str; 6] = ["--runs", "30", "--seed", "2", "--threads", "2"];

/// The published files of the uninterrupted batch `BATCH` (run 4 failing on purpose).
fn reference() -> &'static [(String, Vec<u8>)] {
    static REFERENCE: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let output = batch("--out", dir.path(), None);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        outputs(dir.path())
    })
}

/// Runs `BATCH` with run 4 failing on purpose, into `dir` with `flag`, killed at `kill_at`.
fn batch(flag: &str, dir: &Path, kill_at: Option<&str>) -> Output {
    let mut command = sandtable();
    command
        .env(FAIL_RUNS, "4")
        .args(["run", flag, path(dir)])
        .args(BATCH);
    if let Some(step) = kill_at {
        command.env(KILL_AT, step);
    }
    command.output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_full_disk_keeps_the_finished_runs_and_resume_goes_on_once_there_is_room() {
    // No root here for a small tmpfs: a file-size limit (ulimit -f, with SIGXFSZ ignored) makes
    // the journal's writes fail part-way exactly as a full disk does, with an I/O error.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let script = format!(
        "trap '' XFSZ; ulimit -f 40; exec \"$0\" run --out '{}' {}",
        path(&out),
        BATCH.join(" ")
    );
    let output = Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_sandtable")])
        .env(FAIL_RUNS, "4")
        .output()
        .unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("runs.csv.partial: File too large")
            && text.contains("the runs finished before it are kept in")
            && text.contains("--resume"),
        "{text}"
    );
    assert!(holds_journal(&out), "the journal was not kept");
    let rows = fs::read_to_string(out.join("runs.csv.partial")).unwrap();
    assert!(rows.lines().count() > 2, "{rows}");

    // Room again: the same batch resumed is the uninterrupted batch, byte for byte.
    let output = batch("--resume", &out, None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("runs already done"));
    assert_eq!(outputs(&out), reference());
    verify_published(&out).unwrap();
}

// ---- 5 and 10. Kills during the batch and its publication ------------------------------------

/// Every step the kill seam names in the publication of a batch's files.
const PUBLICATION: [&str; 9] = [
    "journal synced",
    "files written",
    "old manifest removed",
    "failures published",
    "runs published",
    "summaries published",
    "scenario published",
    "manifest published",
    "journal removed",
];

/// What a kill at `step` leaves in a folder (holding an older finished batch first when
/// `over_old`), checked: either a complete batch whose manifest matches its files — the old
/// one, untouched, or the new one, right — or a journal that `--resume` turns into the new
/// batch, byte for byte.
fn killed_at(step: &str, over_old: bool) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut old = None;
    if over_old {
        let output = run(&["run", "--runs", "12", "--seed", "9", "--out", path(&out)]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        old = Some(outputs(&out));
    }
    let mut command = sandtable();
    command
        .env(FAIL_RUNS, "4")
        .env(KILL_AT, step)
        .args(["run", "--out", path(&out)])
        .args(BATCH);
    if over_old {
        command.arg("--force");
    }
    let output = command.output().unwrap();
    assert_eq!(
        output.status.code(),
        None,
        "not killed at {step}: {}",
        stderr(&output)
    );
    match verify_published(&out) {
        Ok(manifest) if manifest.identity.seed == 2 => {
            assert_eq!(outputs(&out), reference(), "killed at {step}");
        }
        Ok(manifest) => {
            assert_eq!(manifest.identity.seed, 9, "killed at {step}");
            assert_eq!(
                Some(outputs(&out)),
                old,
                "killed at {step}: the old set changed"
            );
        }
        Err(_) => assert!(
            holds_journal(&out),
            "killed at {step}: neither set nor journal"
        ),
    }
    if holds_journal(&out) {
        let output = batch("--resume", &out, None);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert_eq!(outputs(&out), reference(), "resumed after a kill at {step}");
        let manifest = verify_published(&out).unwrap();
        assert_eq!(manifest.completed_runs, 30);
    }
}

#[cfg(unix)]
#[test]
fn a_kill_at_every_step_of_publication_leaves_a_whole_set_or_a_resumable_batch() {
    for step in PUBLICATION {
        killed_at(step, true);
    }
}

#[test]
fn a_published_set_whose_file_changed_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let output = batch("--out", dir.path(), None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let manifest = verify_published(dir.path()).unwrap();
    assert_eq!(manifest.files.len(), 5, "{:?}", manifest.files);
    let summary = dir.path().join("summary.csv");
    let mut text = fs::read(&summary).unwrap();
    text.extend_from_slice(b"\n");
    fs::write(&summary, text).unwrap();
    let error = verify_published(dir.path()).unwrap_err().to_string();
    assert!(
        error.contains("summary.csv is not the file its manifest.json published"),
        "{error}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// A batch killed at a random step — after any of its rows, or anywhere in publishing its
    /// files — over an empty folder or an older finished batch.
    #[cfg(unix)]
    #[test]
    fn a_kill_at_any_step_leaves_a_resumable_or_complete_and_correct_batch(
        step in prop_oneof![
            (0u64..30).prop_map(|row| format!("row {row}")),
            proptest::sample::select(PUBLICATION.to_vec()).prop_map(str::to_string),
        ],
        over_old in any::<bool>(),
    ) {
        killed_at(&step, over_old);
    }
}
