//! SLURM job arrays as a cluster user meets them, without a cluster: the real binary run with
//! the variables SLURM sets in an array's tasks (`--shard slurm`), and the shipped template
//! `slurm/sandtable-array.sbatch` run by bash as SLURM would run its tasks. An array's tasks
//! write `DIR/shard-K-of-N/`, which merge into the unsharded batch byte for byte, for arrays from
//! 0 or from 1; a task killed part-way and re-run alone resumes its shard; variables missing or
//! inconsistent exit 2 and write nothing. (`.ci/slurm-check` does the same on a real SLURM.)

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use super::cli::repo_file;

/// Every variable SLURM sets in an array's task that `--shard slurm` reads.
const ARRAY_VARIABLES: [&str; 5] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_STEP",
];
/// The kill seam: the process aborts after the named step, as `kill -9` would stop it there.
const KILL_AT: &str = "SANDTABLE_TEST_KILL_AT";
/// The batch every test shards: runs and seed.
const RUNS: &str = "200";
const SEED: &str = "5";

/// The built `sandtable` binary, as a plain command (the template's tasks run it too).
const BINARY: &str = env!("CARGO_BIN_EXE_sandtable");

fn sandtable() -> Command {
    Command::new(BINARY)
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `command` with exactly the array variables `set` (`ID=…` short names), none inherited.
fn with_array(command: &mut Command, set: &[(&str, String)]) {
    for name in ARRAY_VARIABLES {
        command.env_remove(name);
    }
    for (short, value) in set {
        command.env(format!("SLURM_ARRAY_TASK_{short}"), value);
    }
}

/// The variables of the task with index `id` in the array `min`..=`max` (step 1).
fn task(id: u64, min: u64, max: u64) -> Vec<(&'static str, String)> {
    vec![
        ("ID", id.to_string()),
        ("MIN", min.to_string()),
        ("MAX", max.to_string()),
        ("COUNT", (max - min + 1).to_string()),
        ("STEP", "1".to_string()),
    ]
}

/// `sandtable run -n 200 -s 5 -q --shard slurm --out root` as the array task `set`.
fn array_task(root: &Path, set: &[(&str, String)]) -> Command {
    let mut command = sandtable();
    command.args(["run", "-n", RUNS, "-s", SEED, "-q", "-j", "2"]);
    command.args(["--shard", "slurm", "--out", path(root)]);
    with_array(&mut command, set);
    command
}

/// The batch run whole into `dir`.
fn unsharded(dir: &Path) {
    let output = sandtable()
        .args(["run", "-n", RUNS, "-s", SEED, "-q", "--out", path(dir)])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

/// The shard folders under `root`, by name.
fn shard_folders(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `sandtable merge root/shard-1-of-4 … root/shard-4-of-4 --out merged`.
fn merge_four(root: &Path, merged: &Path) -> Output {
    let mut command = sandtable();
    command.arg("merge");
    for k in 1..=4 {
        command.arg(root.join(format!("shard-{k}-of-4")));
    }
    command.args(["--out", path(merged)]).output().unwrap()
}

/// `file` of `dir`, as bytes.
fn read(dir: &Path, file: &str) -> Vec<u8> {
    fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
}

/// The merged batch in `merged` has the unsharded batch's files, byte for byte.
fn assert_same_batch(whole: &Path, merged: &Path) {
    for file in ["runs.csv", "summary.csv", "summary.json"] {
        assert!(
            read(whole, file) == read(merged, file),
            "{}/{file} differs from the unsharded batch's",
            merged.display()
        );
    }
}

#[test]
fn an_arrays_tasks_from_0_or_from_1_write_shards_that_merge_into_the_unsharded_batch() {
    let root = tempfile::tempdir().unwrap();
    let whole = root.path().join("whole");
    unsharded(&whole);
    for (array, min) in [("array-0-3", 0), ("array-1-4", 1)] {
        let out = root.path().join(array);
        // The tasks in any order, as a scheduler starts them.
        for id in [min + 2, min, min + 3, min + 1] {
            let output = array_task(&out, &task(id, min, min + 3)).output().unwrap();
            assert!(
                output.status.success(),
                "{array} task {id}: {}",
                stderr(&output)
            );
        }
        assert_eq!(
            shard_folders(&out),
            [
                "shard-1-of-4",
                "shard-2-of-4",
                "shard-3-of-4",
                "shard-4-of-4"
            ]
        );
        // Task ID − MIN + 1 ran shard K: its runs.csv holds runs 50·(K−1) onwards.
        let second = String::from_utf8(read(&out.join("shard-2-of-4"), "runs.csv")).unwrap();
        assert!(
            second.lines().nth(1).unwrap().starts_with("50,"),
            "{second}"
        );
        let merged = root.path().join(format!("{array}-merged"));
        let output = merge_four(&out, &merged);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_same_batch(&whole, &merged);
    }
}

#[test]
fn missing_or_inconsistent_array_variables_exit_2_and_write_nothing() {
    let root = tempfile::tempdir().unwrap();
    let set = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_string())).collect()
    };
    let cases = [
        (set(&[]), "SLURM_ARRAY_TASK_ID is not set"),
        (
            set(&[("ID", "1")]),
            "neither SLURM_ARRAY_TASK_MIN nor SLURM_ARRAY_TASK_COUNT is set",
        ),
        (
            set(&[("ID", "0"), ("MIN", "1"), ("COUNT", "4")]),
            "below the array's lowest",
        ),
        (
            set(&[("ID", "5"), ("MIN", "1"), ("COUNT", "4")]),
            "beyond the array's count",
        ),
        (
            set(&[("ID", "two"), ("MIN", "1"), ("COUNT", "4")]),
            "SLURM_ARRAY_TASK_ID is 'two', not a whole number",
        ),
        // --array=1,2,5: SLURM says MIN=1 MAX=5 COUNT=3 STEP=1.
        (
            set(&[
                ("ID", "5"),
                ("MIN", "1"),
                ("MAX", "5"),
                ("COUNT", "3"),
                ("STEP", "1"),
            ]),
            "not evenly spaced",
        ),
    ];
    for (variables, message) in cases {
        let out = root.path().join("out");
        let output = array_task(&out, &variables).output().unwrap();
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{variables:?}: {text}");
        assert!(text.starts_with("error: --shard slurm"), "{text}");
        assert!(text.contains(message), "{variables:?}: {text}");
        assert!(!text.contains("panicked"), "{text}");
        assert!(!out.exists(), "{variables:?} wrote {}", out.display());
    }
}

#[test]
fn a_task_killed_part_way_and_resumed_alone_merges_into_the_unsharded_batch() {
    let root = tempfile::tempdir().unwrap();
    let whole = root.path().join("whole");
    unsharded(&whole);
    let out = root.path().join("array");
    for id in 1..=4 {
        let mut command = array_task(&out, &task(id, 1, 4));
        if id == 2 {
            // Shard 2 holds runs 50 to 99: the node dies after run 70's row.
            command.env(KILL_AT, "row 70");
        }
        let output = command.output().unwrap();
        assert_eq!(
            output.status.success(),
            id != 2,
            "task {id}: {}",
            stderr(&output)
        );
    }
    let shard = out.join("shard-2-of-4");
    assert!(shard.join("manifest.json.partial").is_file());
    let merged = root.path().join("merged");
    let refused = merge_four(&out, &merged);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    // `--resume` alone: the shard's manifest gives its scenario, runs, seed and shard.
    let output = sandtable()
        .args(["run", "--resume", path(&shard), "-q"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let output = merge_four(&out, &merged);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_same_batch(&whole, &merged);
}

#[test]
fn a_sweeps_array_task_writes_its_shard_folder() {
    let root = tempfile::tempdir().unwrap();
    let experiment = repo_file("experiments/rates-nolh.toml");
    let sweep = |out: &Path, shard: &str, set: &[(&str, String)]| {
        let mut command = sandtable();
        command.args(["sweep", path(&experiment), "-q", "-j", "2"]);
        command.args(["--shard", shard, "--out", path(out)]);
        with_array(&mut command, set);
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    };
    let by_hand = root.path().join("by-hand");
    sweep(&by_hand, "3/8", &[]);
    let array = root.path().join("array");
    sweep(&array, "slurm", &task(2, 0, 7));
    assert_eq!(shard_folders(&array), ["shard-3-of-8"]);
    let task_folder = array.join("shard-3-of-8");
    assert!(read(&by_hand, "runs.csv") == read(&task_folder, "runs.csv"));
}

/// The shipped template run by bash as SLURM runs task `id` of an array `min`..=`max`, with
/// the batch's settings, its merge job left out, and `extra` variables.
fn template_task(out: &Path, id: u64, min: u64, max: u64, extra: &[(&str, &str)]) -> Output {
    let mut command = Command::new("bash");
    command.arg(repo_file("slurm/sandtable-array.sbatch"));
    with_array(&mut command, &task(id, min, max));
    command
        .env("SLURM_ARRAY_JOB_ID", "1000")
        .env("SLURM_CPUS_PER_TASK", "2")
        .env("SANDTABLE", BINARY)
        .env("RUNS", RUNS)
        .env("SEED", SEED)
        .env("OUT", out)
        .env("MERGE", "no")
        .env_remove("SCENARIO")
        .env_remove("SHARDS")
        .env_remove(KILL_AT);
    for (name, value) in extra {
        command.env(name, value);
    }
    command.output().unwrap()
}

#[test]
fn the_template_re_runs_failed_tasks_alone_resuming_what_they_had_done() {
    let root = tempfile::tempdir().unwrap();
    let whole = root.path().join("whole");
    unsharded(&whole);
    let out = root.path().join("array");
    // The array 1-4: task 2 dies part-way, task 3 never starts (its node failed first).
    for id in [1, 4] {
        let output = template_task(&out, id, 1, 4, &[]);
        assert!(output.status.success(), "task {id}: {}", stderr(&output));
    }
    let killed = template_task(&out, 2, 1, 4, &[(KILL_AT, "row 70")]);
    assert!(!killed.status.success());
    // Re-run as `sbatch --array=2,3 --export=ALL,SHARDS=4`: SLURM says MIN=2 COUNT=2.
    for id in [2, 3] {
        let output = template_task(&out, id, 2, 3, &[("SHARDS", "4")]);
        assert!(output.status.success(), "re-run {id}: {}", stderr(&output));
        let resumed = stderr(&output).contains("resuming");
        assert_eq!(resumed, id == 2, "re-run {id}: {}", stderr(&output));
    }
    // Submitted once more by mistake: a finished shard is left alone.
    let again = template_task(&out, 2, 2, 2, &[("SHARDS", "4")]);
    assert!(again.status.success(), "{}", stderr(&again));
    let said = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(said.contains("complete: nothing to re-run"), "{said}");
    let merged = root.path().join("merged");
    let output = merge_four(&out, &merged);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_same_batch(&whole, &merged);
}
