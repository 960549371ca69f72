//! `sandtable merge` as a cluster user meets it: the shards of a batch merged (given in any
//! order) are the unsharded batch, byte for byte, failed runs included; shards that are not one
//! whole batch are refused with exit 2, naming the folder, and nothing is written.

use std::fs;
use std::path::Path;
use std::process::Output;

use super::cli::sandtable;

/// The failure seam: the runs listed fail on purpose.
const FAIL_RUNS: &str = "SANDTABLE_TEST_FAIL_RUNS";
/// The kill seam: the process aborts after the named step.
const KILL_AT: &str = "SANDTABLE_TEST_KILL_AT";

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// `sandtable run -n 300 -s 11` into `dir`, as shard `shard` (K/N) or whole, with runs 4 and
/// 150 failing.
fn run_batch(dir: &Path, shard: Option<&str>) {
    let mut command = sandtable();
    command
        .args([
            "run",
            "-n",
            "300",
            "-s",
            "11",
            "-q",
            "-j",
            "2",
            "--out",
            path(dir),
        ])
        .env(FAIL_RUNS, "4,150");
    if let Some(shard) = shard {
        command.args(["--shard", shard]);
    }
    let output = command.output().unwrap();
    // A batch holding a failed run exits 1, after its files are written.
    let failed = shard != Some("3/3");
    assert_eq!(
        output.status.code(),
        Some(i32::from(failed)),
        "{}",
        stderr(&output)
    );
}

fn merge(args: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let mut command = sandtable();
    command.arg("merge");
    for dir in args {
        command.arg(path(dir));
    }
    command.args(["--out", path(out)]).args(extra);
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

/// The three shards of the batch, in `root/s1`…`root/s3`.
fn three_shards(root: &Path) -> [std::path::PathBuf; 3] {
    let dirs = [1, 2, 3].map(|k| root.join(format!("s{k}")));
    for (k, dir) in dirs.iter().enumerate() {
        run_batch(dir, Some(&format!("{}/3", k + 1)));
    }
    dirs
}

#[test]
fn three_shards_merged_are_the_unsharded_batch_byte_for_byte() {
    let root = tempfile::tempdir().unwrap();
    let whole = root.path().join("whole");
    run_batch(&whole, None);
    let [s1, s2, s3] = three_shards(root.path());
    let merged = root.path().join("merged");
    let output = merge(&[&s3, &s1, &s2], &merged, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    for name in [
        "runs.csv",
        "failures.csv",
        "summary.csv",
        "summary.json",
        "scenario.resolved.toml",
    ] {
        assert!(
            fs::read(whole.join(name)).unwrap() == fs::read(merged.join(name)).unwrap(),
            "{name} differs from the unsharded batch's"
        );
    }
    // The manifest too, but for when and how it was run (and the folder it names).
    let mut expected = manifest(&whole);
    let mut actual = manifest(&merged);
    for m in [&mut expected, &mut actual] {
        let object = m.as_object_mut().unwrap();
        for key in ["started", "finished", "resumed", "threads", "command_line"] {
            object.remove(key);
        }
        let reproduce = object["reproduce"].as_str().unwrap().to_string();
        let reproduce = reproduce
            .replace(path(&whole), "DIR")
            .replace(path(&merged), "DIR");
        object.insert("reproduce".into(), reproduce.into());
    }
    assert_eq!(actual, expected);
    assert_eq!(actual["failed_runs"], serde_json::json!([4, 150]));
    // The merged folder passes the reader's check, like any published batch.
    let again = root.path().join("again");
    let output = merge(&[&merged], &again, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        fs::read(again.join("runs.csv")).unwrap(),
        fs::read(whole.join("runs.csv")).unwrap()
    );
}

/// Asserts that merging `dirs` fails with exit 2, a message holding each of `words`, and
/// writes nothing.
fn refused(dirs: &[&Path], words: &[&str]) {
    let out = tempfile::tempdir().unwrap().path().join("merged");
    let output = merge(dirs, &out, &[]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    for word in words {
        assert!(message.contains(word), "{word:?} not in: {message}");
    }
    assert!(!message.contains("panicked"), "{message}");
    assert!(!out.exists(), "{message}");
}

#[test]
fn shards_that_are_not_one_whole_batch_are_refused_naming_the_folder() {
    let root = tempfile::tempdir().unwrap();
    let [s1, s2, s3] = three_shards(root.path());
    // A merge attempted before every task finished: shard 2 not there yet.
    refused(
        &[&s1, &s3],
        &["shard 2/3", "runs 100 to 199", "--allow-partial"],
    );
    refused(&[&s1, &s2, &s2, &s3], &[path(&s2), "give each shard once"]);
    // Another seed.
    let other = root.path().join("other");
    let output = sandtable()
        .args(["run", "-n", "300", "-s", "12", "-q", "--shard", "2/3"])
        .args(["--out", path(&other)])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    refused(
        &[&s1, &other, &s3],
        &[path(&other), "its seed is 12, not 11"],
    );
    // Another split of the runs: their blocks overlap.
    let half = root.path().join("half");
    run_batch(&half, Some("1/2"));
    refused(&[&half, &s2, &s3], &[path(&s2), "overlap"]);
    // Another output format: one shard also wrote runs.parquet.
    fs::write(s2.join("runs.parquet"), "PAR1").unwrap();
    refused(&[&s1, &s2, &s3], &[path(&s2), "runs.parquet", "--format"]);
    if !cfg!(feature = "parquet") {
        // Every shard did: a build without parquet cannot write the merged one, and says so.
        for dir in [&s1, &s3] {
            fs::write(dir.join("runs.parquet"), "PAR1").unwrap();
        }
        refused(&[&s1, &s2, &s3], &["parquet feature"]);
    }
    for dir in [&s1, &s2, &s3] {
        let _ = fs::remove_file(dir.join("runs.parquet"));
    }
    // A shard whose runs.csv lost its end: its manifest's hash says so.
    let runs = s3.join("runs.csv");
    let text = fs::read(&runs).unwrap();
    fs::write(&runs, &text[..text.len() - 300]).unwrap();
    refused(&[&s1, &s2, &s3], &[path(&s3), "runs.csv"]);
    // And so do its rows, where the manifest lists no hashes (as older ones did).
    for dir in [&s1, &s2, &s3] {
        let mut old = manifest(dir);
        old.as_object_mut().unwrap().remove("files");
        fs::write(dir.join("manifest.json"), old.to_string()).unwrap();
    }
    refused(
        &[&s1, &s2, &s3],
        &[path(&s3), "runs.csv is truncated or damaged", "at run 299"],
    );
}

#[test]
fn an_interrupted_shard_is_refused_until_it_is_resumed() {
    let root = tempfile::tempdir().unwrap();
    let [s1, s2, s3] = three_shards(root.path());
    fs::remove_dir_all(&s2).unwrap();
    // Killed part-way: its journal is all there is.
    let output = sandtable()
        .args(["run", "-n", "300", "-s", "11", "-q", "--shard", "2/3"])
        .args(["--out", path(&s2)])
        .env(FAIL_RUNS, "4,150")
        .env(KILL_AT, "row 120")
        .output()
        .unwrap();
    assert!(!output.status.success());
    refused(&[&s1, &s2, &s3], &[path(&s2), "not finished", "--resume"]);
}

#[test]
fn allow_partial_merges_the_shards_there_and_names_the_runs_missing() {
    let root = tempfile::tempdir().unwrap();
    let whole = root.path().join("whole");
    run_batch(&whole, None);
    let [s1, _s2, s3] = three_shards(root.path());
    let merged = root.path().join("merged");
    let output = merge(&[&s1, &s3], &merged, &["--allow-partial"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("shard 2/3 (runs 100 to 199)"),
        "{}",
        stderr(&output)
    );
    // The rows of shards 1 and 3, as the unsharded batch has them.
    let whole_runs = fs::read_to_string(whole.join("runs.csv")).unwrap();
    let lines: Vec<&str> = whole_runs.lines().collect();
    let expected: Vec<&str> = lines[..101].iter().chain(&lines[201..]).copied().collect();
    let merged_runs = fs::read_to_string(merged.join("runs.csv")).unwrap();
    assert_eq!(merged_runs.lines().collect::<Vec<_>>(), expected);
    let manifest = manifest(&merged);
    assert_eq!(manifest["status"], "partial");
    assert_eq!(manifest["completed_runs"], 200);
    assert_eq!(manifest["failed_runs"], serde_json::json!([4]));
}

#[test]
fn a_sweeps_shards_merged_are_the_unsharded_sweep_even_where_a_point_straddles_two() {
    let root = tempfile::tempdir().unwrap();
    let experiment = super::cli::repo_file("experiments/rates-nolh.toml");
    let sweep = |dir: &Path, shard: Option<&str>| {
        let mut command = sandtable();
        command.args([
            "sweep",
            path(&experiment),
            "-q",
            "-j",
            "2",
            "--out",
            path(dir),
        ]);
        if let Some(shard) = shard {
            command.args(["--shard", shard]);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    };
    let whole = root.path().join("whole");
    sweep(&whole, None);
    // 680 rows of 40 replicates in 3 shards: points 5 and 11 straddle two shards each.
    let dirs = [1, 2, 3].map(|k| root.path().join(format!("s{k}")));
    for (k, dir) in dirs.iter().enumerate() {
        sweep(dir, Some(&format!("{}/3", k + 1)));
    }
    let merged = root.path().join("merged");
    let output = merge(&[&dirs[1], &dirs[2], &dirs[0]], &merged, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    for name in [
        "runs.csv",
        "design.csv",
        "points.csv",
        "scenario.resolved.toml",
    ] {
        assert!(
            fs::read(whole.join(name)).unwrap() == fs::read(merged.join(name)).unwrap(),
            "{name} differs from the unsharded sweep's"
        );
    }
    let (expected, actual) = (manifest(&whole), manifest(&merged));
    for key in [
        "kind",
        "experiment",
        "scenario",
        "seed",
        "runs",
        "shard",
        "status",
    ] {
        assert_eq!(actual[key], expected[key], "{key}");
    }
    assert_eq!(actual["completed_runs"], 680);
    // A sweep's shard is not a run's.
    let run = root.path().join("run");
    run_batch(&run, Some("2/3"));
    refused(
        &[&dirs[0], &run, &dirs[2]],
        &[path(&run), "not a shard of the same batch"],
    );
}
