//! Output folders as a user shares them: one batch at a time per folder (an OS lock), no batch
//! silently replaced by `--out`, and the temporary files a killed sandtable left cleaned away
//! without touching anyone else's files.

use std::fs::{self, File, OpenOptions};
use std::path::Path;

use fs4::FileExt;

use crate::cli::sandtable;

/// Runs sandtable: exit code and standard error.
fn run(args: &[&str]) -> (Option<i32>, String) {
    let output = sandtable().args(args).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn path(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

/// A small finished batch in `dir`, with `extra` options.
fn finished_batch(dir: &Path, extra: &[&str]) {
    let args = [
        &["run", "--runs", "20", "--seed", "3", "--out", path(dir)],
        extra,
    ]
    .concat();
    let (code, stderr) = run(&args);
    assert_eq!(code, Some(0), "{stderr}");
}

/// Every file in `dir` with its bytes, sorted by name.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Holds the lock of `dir` as a running batch does.
fn hold_lock(dir: &Path) -> File {
    let lock = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(".sandtable.lock"))
        .unwrap();
    FileExt::try_lock(&lock).unwrap();
    lock
}

#[test]
fn a_folder_another_batch_holds_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    finished_batch(&out, &[]);
    let before = contents(&out);
    let lock = hold_lock(&out);
    let commands: [&[&str]; 3] = [
        &["run", "--runs", "20", "--force", "--out", path(&out)],
        &["run", "--runs", "20", "--seed", "3", "--resume", path(&out)],
        &[
            "compare",
            "--runs",
            "20",
            "--alt",
            "few:convoy.kidal_column.vehicles=60",
            "--force",
            "--out",
            path(&out),
        ],
    ];
    for args in commands {
        let (code, stderr) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "{}: another sandtable batch is writing this folder",
                out.display()
            )),
            "{args:?}: {stderr}"
        );
        assert_eq!(contents(&out), before, "{args:?}");
    }
    // Released (as the OS releases a dead process's lock), the folder is free again.
    drop(lock);
    finished_batch(&out, &["--force"]);
}

#[test]
fn out_refuses_to_replace_a_batch_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    // A folder that does not exist, and one that is empty, are fine.
    let out = dir.path().join("batch");
    finished_batch(&out, &[]);
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    finished_batch(&empty, &[]);

    // A finished batch: refused, untouched, until --force.
    let before = contents(&out);
    let (code, stderr) = run(&["run", "--runs", "20", "--out", path(&out)]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("holds a finished batch"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(contents(&out), before);
    finished_batch(&out, &["--force"]);

    // An interrupted batch (what Ctrl-C leaves, or a journal after a kill): refused with the
    // way to continue it.
    let manifest = out.join("manifest.json");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(&manifest, text.replace("\"complete\"", "\"partial\"")).unwrap();
    for _ in 0..2 {
        let (code, stderr) = run(&["run", "--runs", "20", "--out", path(&out)]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("holds an interrupted batch"), "{stderr}");
        assert!(
            stderr.contains(&format!("--resume {}", out.display())),
            "{stderr}"
        );
        assert!(stderr.contains("--force"), "{stderr}");
        fs::write(&manifest, &text).unwrap();
        fs::write(out.join("runs.csv.partial"), "run,seed\n").unwrap();
    }
    finished_batch(&out, &["--force"]);
    assert!(!out.join("runs.csv.partial").exists());
}

#[test]
fn compare_out_refuses_to_replace_a_comparison_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let args = |force: bool| {
        let mut args = vec![
            "compare",
            "--runs",
            "20",
            "--alt",
            "few:convoy.kidal_column.vehicles=60",
        ];
        args.extend(["--out", path(&out)]);
        if force {
            args.push("--force");
        }
        args
    };
    let (code, stderr) = run(&args(false));
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = run(&args(false));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("holds a finished batch"), "{stderr}");
    // A scenario's journal left by a kill is an interrupted comparison.
    fs::write(out.join("few/runs.csv.partial"), "run,seed\n").unwrap();
    let (code, stderr) = run(&args(false));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("holds an interrupted batch"), "{stderr}");
    let (code, stderr) = run(&args(true));
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_batch_removes_only_the_temporaries_sandtable_left() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    fs::create_dir(&out).unwrap();
    // What a kill in the middle of writing leaves: an atomic write's temporary file and a
    // spill file; beside them, files of the user's that look alike.
    let ours = [".summary.json.Xy12ab.tmp", ".sandtable-spill.Q1w2E3.tmp"];
    let theirs = [".summary.json.tmp", ".tmpXy12ab", "notes.tmp", "notes.txt"];
    for name in ours.iter().chain(&theirs) {
        fs::write(out.join(name), "x").unwrap();
    }
    finished_batch(&out, &[]);
    let names: Vec<String> = contents(&out).into_iter().map(|(n, _)| n).collect();
    for name in ours {
        assert!(!names.contains(&name.to_string()), "{name} left: {names:?}");
    }
    for name in theirs {
        assert!(
            names.contains(&name.to_string()),
            "{name} removed: {names:?}"
        );
    }
}
