//! `sandtable sweep` through the real binary: shards concatenate to the unsharded files, threads
//! change no byte, a design point's replicate is the plain run with its settings as `--set`
//! (common random numbers), a killed sweep resumes to the same bytes, and mistakes in an
//! experiment file exit 2 at their file:line:col.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::cli::sandtable;
use crate::compare::{ok, run};
use crate::robustness::wait_for_rows;

/// A full factorial of a real factor (3 steps) and a categorical override (2 postures): 6
/// points × 5 replicates = 30 rows, on the default scenario.
const FACTORIAL: &str = r#"
seed = 11
replicates = 5

[design]
kind = "full_factorial"

[[factor]]
path = "faction.csp.kill_rate_per_hour"
range = [0.03, 0.08]
steps = 3

[[factor]]
path = "group.csp_kidal.posture"
levels = ["defend", "ambush"]
"#;

/// Writes `text` as `name` in `dir` and returns its path as text.
fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Runs the sweep of `experiment` into `dir/name` with `extra` options; returns the folder.
fn sweep(experiment: &str, dir: &Path, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let out = dir.join(name);
    let mut args = vec!["sweep", experiment, "--out", out.to_str().unwrap()];
    args.extend(extra);
    ok(&args);
    out
}

fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
}

/// The header, then every shard's body in K order.
fn concatenated(shards: &[std::path::PathBuf], file: &str) -> String {
    let mut whole = String::new();
    for (k, shard) in shards.iter().enumerate() {
        let text = read(shard, file);
        let (header, body) = text.split_once('\n').unwrap();
        if k == 0 {
            whole.push_str(header);
            whole.push('\n');
        }
        whole.push_str(body);
    }
    whole
}

#[test]
fn shards_concatenate_to_the_unsharded_sweep_and_threads_change_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let experiment = write(dir.path(), "factorial.toml", FACTORIAL);
    let whole = sweep(&experiment, dir.path(), "whole", &["--threads", "2"]);
    let one_thread = sweep(&experiment, dir.path(), "one", &["--threads", "1"]);
    for file in ["runs.csv", "design.csv", "points.csv"] {
        assert_eq!(read(&whole, file), read(&one_thread, file), "{file}");
    }
    let runs = read(&whole, "runs.csv");
    assert_eq!(runs.lines().count(), 1 + 30);
    assert!(runs.starts_with(
        "point,replicate,run,seed,faction_csp_kill_rate_per_hour,group_csp_kidal_posture,\
         kidal_column_status,"
    ));
    assert!(
        runs.lines()
            .nth(8)
            .unwrap()
            .starts_with("1,2,2,11,0.055,defend,")
    );

    // 4 shards of 30 rows split points between shards (7, 8, 7 and 8 rows of 5-row points):
    // runs.csv and design.csv still concatenate to the whole sweep's.
    let shards: Vec<_> = (1..=4)
        .map(|k| {
            let shard = format!("{k}/4");
            sweep(
                &experiment,
                dir.path(),
                &format!("s{k}"),
                &["--shard", &shard],
            )
        })
        .collect();
    assert_eq!(concatenated(&shards, "runs.csv"), runs);
    assert_eq!(
        concatenated(&shards, "design.csv"),
        read(&whole, "design.csv")
    );
    // points.csv summarises the rows a shard holds: where shards end on a point boundary
    // (2 shards of 3 points each), it concatenates to the whole sweep's too.
    let halves: Vec<_> = (1..=2)
        .map(|k| {
            let shard = format!("{k}/2");
            sweep(
                &experiment,
                dir.path(),
                &format!("h{k}"),
                &["--shard", &shard],
            )
        })
        .collect();
    for file in ["runs.csv", "design.csv", "points.csv"] {
        assert_eq!(concatenated(&halves, file), read(&whole, file), "{file}");
    }
    let manifest: serde_json::Value = serde_json::from_str(&read(&whole, "manifest.json")).unwrap();
    assert_eq!(manifest["kind"], "sweep");
    assert_eq!(manifest["experiment"]["points"], 6);
    assert_eq!(manifest["experiment"]["replicates"], 5);
    assert_eq!(
        manifest["experiment"]["diagnostics"]["max_abs_correlation"],
        0.0
    );
    assert_eq!(manifest["experiment_sha256"].as_str().unwrap().len(), 64);
    assert!(whole.join("scenario.resolved.toml").is_file());
}

/// The fields of `line` under `header`, by column name.
fn fields<'a>(header: &'a str, line: &'a str) -> std::collections::BTreeMap<&'a str, &'a str> {
    header.split(',').zip(line.split(',')).collect()
}

#[test]
fn a_design_point_is_the_plain_run_with_its_settings_as_set() {
    let dir = tempfile::tempdir().unwrap();
    // A third factor, a road's length: a number that also sets the routes, so an override.
    let road = "[[factor]]\npath = \"road.anefis_kidal.length_km\"\nrange = [100, 140]\n";
    let experiment = write(
        dir.path(),
        "factorial.toml",
        &format!("{FACTORIAL}\n{road}"),
    );
    let out = sweep(&experiment, dir.path(), "sweep", &[]);
    let runs = read(&out, "runs.csv");
    let header = runs.lines().next().unwrap();
    // Point 11 (the high kill rate, the Kidal band ambushing, the long road: a draw and two
    // overrides), replicate 3.
    let row = fields(header, runs.lines().nth(1 + 11 * 5 + 3).unwrap());
    assert_eq!(
        (row["point"], row["replicate"], row["run"]),
        ("11", "3", "3")
    );
    let set = |path: &str| format!("{path}={}", row[path.replace('.', "_").as_str()]);
    let rate = set("faction.csp.kill_rate_per_hour");
    let posture = set("group.csp_kidal.posture");
    let length = set("road.anefis_kidal.length_km");
    assert_eq!(
        [posture.as_str(), length.as_str()],
        [
            "group.csp_kidal.posture=ambush",
            "road.anefis_kidal.length_km=140"
        ]
    );
    let plain = dir.path().join("plain");
    let out_arg = plain.to_str().unwrap();
    let mut args = vec!["run", "--runs", "4", "--seed", "11", "--out", out_arg];
    args.extend(["--set", &rate, "--set", &posture, "--set", &length]);
    ok(&args);
    let plain_runs = read(&plain, "runs.csv");
    let plain_header = plain_runs.lines().next().unwrap();
    let plain_row = fields(plain_header, plain_runs.lines().nth(1 + 3).unwrap());
    // Every outcome and every drawn number of the plain run is the sweep row's.
    let mut compared = 0;
    for (column, value) in &plain_row {
        if *column != "run" && *column != "seed" {
            assert_eq!(row[column], *value, "{column}");
            compared += 1;
        }
    }
    assert!(compared > 100, "{compared} columns compared");
    // And the point is no copy of another: the low rate's row differs.
    let low = fields(header, runs.lines().nth(1 + 9 * 5 + 3).unwrap());
    assert_ne!(
        low["faction_csp_kill_rate_per_hour"],
        row["faction_csp_kill_rate_per_hour"]
    );
}

/// Writes an experiment whose `[[factor]]`s are `factors` and returns the error of sweeping it.
fn error_of(design: &str, factors: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("replicates = 2\n\n[design]\n{design}\n{factors}");
    let experiment = write(dir.path(), "bad.toml", &text);
    let out = dir.path().join("out");
    let (code, stdout, stderr) = run(&["sweep", &experiment, "--out", out.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(!out.exists(), "a refused sweep writes nothing");
    stderr.replace(&experiment, "bad.toml")
}

#[test]
fn experiment_mistakes_exit_2_at_their_place() {
    let rate = "[[factor]]\npath = \"faction.csp.kill_rate_per_hour\"\nrange = [0.03, 0.08]\n";
    let check = |design: &str, factors: &str, expected: &str| {
        let stderr = error_of(design, factors);
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in:\n{stderr}"
        );
    };
    check(
        "kind = \"nolh\"\nsize = 17",
        rate,
        "bad.toml:5:1: unknown field `size`",
    );
    check(
        "kind = \"nolh\"",
        "[[factor]]\npath = \"faction.csp.kill_rate_per_hr\"\nrange = [0.03, 0.08]\n",
        "bad.toml:6:8: 'faction.csp.kill_rate_per_hr' is not a number of the scenario, so it has \
         no range — did you mean 'faction.csp.kill_rate_per_hour'?",
    );
    check(
        "kind = \"nolh\"",
        "[[factor]]\npath = \"faction.csp.kill_rate_per_hour\"\nrange = [0.08, 0.08]\n",
        "bad.toml:7:9: empty range [0.08, 0.08]",
    );
    check(
        "kind = \"nolh\"",
        "[[factor]]\npath = \"group.csp_kidal.stance\"\nlevels = [\"defend\"]\n",
        "bad.toml:6:8: the scenario refuses group.csp_kidal.stance=defend",
    );
    let eight: String = [
        ("faction.fama.kill_rate_per_hour", "0.02, 0.05"),
        ("faction.fama.break_point", "0.1, 0.3"),
        ("faction.wagner.kill_rate_per_hour", "0.03, 0.08"),
        ("faction.csp.kill_rate_per_hour", "0.03, 0.08"),
        ("faction.csp.break_point", "0.1, 0.3"),
        ("faction.jnim.kill_rate_per_hour", "0.02, 0.06"),
        ("combat.night_factor", "0.5, 0.9"),
        ("combat.surprise_factor", "1.5, 3"),
    ]
    .iter()
    .map(|(path, range)| format!("[[factor]]\npath = \"{path}\"\nrange = [{range}]\n"))
    .collect();
    check(
        "kind = \"nolh\"\npoints = 17",
        &rate.repeat(2),
        "bad.toml:10:8: this path is a factor already",
    );
    check(
        "kind = \"nolh\"\npoints = 17",
        &eight,
        "bad.toml:3:1: design: the 17-point NOLH holds at most 7 factors; got 8",
    );
}

/// Starts a sweep of `experiment` into `out` on one thread and returns once `rows` rows are
/// on the disk.
fn start_and_wait_for_rows(experiment: &str, out: &Path, rows: usize) -> std::process::Child {
    let child = Command::new(env!("CARGO_BIN_EXE_sandtable"))
        .args([
            "sweep",
            experiment,
            "--threads",
            "1",
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_rows(child, out, rows)
}

#[test]
fn a_killed_sweep_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let long = FACTORIAL.replace("replicates = 5", "replicates = 700");
    let experiment = write(dir.path(), "long.toml", &long);
    let whole = sweep(&experiment, dir.path(), "whole", &[]);
    let out = dir.path().join("killed");
    let mut child = start_and_wait_for_rows(&experiment, &out, 40);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.join("runs.csv").exists());
    // A row cut short, as a kill in the middle of a write leaves it.
    let mut partial = fs::OpenOptions::new()
        .append(true)
        .open(out.join("runs.csv.partial"))
        .unwrap();
    std::io::Write::write_all(&mut partial, b"0,39,39,11,0.0").unwrap();
    drop(partial);
    // Another experiment file is refused, and says why.
    let other = write(
        dir.path(),
        "other.toml",
        &long.replace("seed = 11", "seed = 12"),
    );
    let (code, _, stderr) = run(&["sweep", &other, "--resume", out.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("its experiment file's SHA-256 is"),
        "{stderr}"
    );

    let (code, _, stderr) = run(&["sweep", &experiment, "--resume", out.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("rows already done"), "{stderr}");
    for file in ["runs.csv", "design.csv", "points.csv"] {
        assert!(
            read(&out, file) == read(&whole, file),
            "{file} differs after the resume"
        );
    }
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["status"], "complete");
    assert_eq!(manifest["resumed"].as_array().unwrap().len(), 1);
}

#[test]
fn a_failed_row_keeps_its_settings_and_draws_and_is_left_out_of_its_point() {
    let dir = tempfile::tempdir().unwrap();
    let experiment = write(dir.path(), "factorial.toml", FACTORIAL);
    let out = dir.path().join("failing");
    // Row 7 is point 1, replicate 2.
    let output = sandtable()
        .env("SANDTABLE_TEST_FAIL_RUNS", "7")
        .args(["sweep", &experiment, "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let clean = sweep(&experiment, dir.path(), "clean", &[]);
    let (runs, clean_runs) = (read(&out, "runs.csv"), read(&clean, "runs.csv"));
    let header = runs.lines().next().unwrap();
    let failed = fields(header, runs.lines().nth(1 + 7).unwrap());
    let clean_row = fields(header, clean_runs.lines().nth(1 + 7).unwrap());
    assert_eq!((failed["point"], failed["replicate"]), ("1", "2"));
    assert_eq!(failed["kidal_column_status"], "");
    for column in [
        "faction_csp_kill_rate_per_hour",
        "group_csp_kidal_posture",
        "combat_night_factor",
    ] {
        assert_eq!(failed[column], clean_row[column], "{column}");
    }
    let failures = read(&out, "failures.csv");
    assert!(failures.starts_with("row,seed,error\n7,11,"), "{failures}");
    // Point 1 is summarised over its 4 other runs; point 0 over all 5.
    let points = read(&out, "points.csv");
    let n_of = |point: &str| {
        let line = points
            .lines()
            .find(|l| l.starts_with(point) && l.contains(",kidal_column_status,arrived,"))
            .unwrap();
        line.split(',').nth(5).unwrap().to_string()
    };
    assert_eq!((n_of("0,"), n_of("1,")), ("5".to_string(), "4".to_string()));
}

#[cfg(unix)]
#[test]
fn a_full_disk_keeps_the_finished_rows_and_resume_finishes_the_same_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let experiment = write(dir.path(), "factorial.toml", FACTORIAL);
    let whole = sweep(&experiment, dir.path(), "whole", &["--quiet"]);
    // A file-size limit (ulimit -f, with SIGXFSZ ignored) makes the journal's writes fail
    // part-way exactly as a full disk does, with an I/O error.
    let out = dir.path().join("full");
    let script = format!(
        "trap '' XFSZ; ulimit -f 40; exec \"$0\" sweep '{experiment}' --out '{}' --quiet",
        out.display()
    );
    let output = Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_sandtable")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("File too large"), "{text}");
    assert!(
        text.contains(&format!(
            "the runs finished before it are kept in {}",
            out.display()
        )),
        "{text}"
    );
    let resume = format!("sandtable sweep {experiment} --resume {}", out.display());
    assert!(text.contains(&resume), "{text}");
    assert!(
        sandtable::output::holds_journal(&out),
        "the journal was not kept"
    );
    let rows = read(&out, "runs.csv.partial");
    assert!(rows.lines().count() > 2, "{rows}");

    // Room again: the command it gave finishes the sweep, byte for byte the uninterrupted one.
    ok(&[
        "sweep",
        &experiment,
        "--resume",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    for file in ["runs.csv", "points.csv", "design.csv"] {
        assert_eq!(read(&out, file), read(&whole, file), "{file}");
    }
}

/// The table lines of a sweep's standard output: from the first heading line to the last point.
fn table_lines(stdout: &str) -> Vec<&str> {
    let lines: Vec<&str> = stdout.lines().collect();
    let first_point = lines
        .iter()
        .position(|l| l.trim_start().starts_with("0 "))
        .unwrap_or_else(|| panic!("no point 0 in\n{stdout}"));
    let first_heading = lines[..first_point]
        .iter()
        .rposition(|l| l.is_empty())
        .unwrap()
        + 1;
    let last_point = lines[first_point..]
        .iter()
        .position(|l| !l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .unwrap();
    lines[first_heading..first_point + last_point].to_vec()
}

#[test]
fn the_points_table_shows_each_points_settings_and_outcomes_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let experiment = write(dir.path(), "factorial.toml", FACTORIAL);
    let out = dir.path().join("out");
    let stdout = ok(&["sweep", &experiment, "--out", out.to_str().unwrap()]);
    let table = table_lines(&stdout);
    let headings = table[..table.len() - 6].join(" ");
    let words: Vec<&str> = headings.split_whitespace().collect();
    for phrase in [
        "CMA/CSP kill rate (per hour)",
        "CMA/CSP band from Kidal posture",
        "share FAMa column from Gao arrived",
        "mean FAMa column from Gao: vehicles lost",
    ] {
        // Headings wrap over lines: every word of each is in the heading lines.
        let column_words: Vec<&str> = phrase.split(' ').collect();
        assert!(
            column_words.iter().all(|w| words.contains(w)),
            "{phrase} not in\n{}",
            table.join("\n")
        );
    }
    assert!(!headings.contains("kidal_column"), "{headings}");
    // Each of the six points with its settings, as design.csv holds them.
    let design = read(&out, "design.csv");
    for (line, row) in table[table.len() - 6..].iter().zip(design.lines().skip(1)) {
        let fields: Vec<&str> = row.split(',').collect();
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&cells[..3], &fields[..3], "{line} against {row}");
        assert_eq!(cells[3], "5", "{line}: five replicates");
    }
    for line in &table {
        assert!(line.chars().count() <= 120, "too wide: {line}");
    }

    // Twenty factors do not fit in 120 columns: those left out are said to be in design.csv.
    let broad = ok(&[
        "sweep",
        "experiments/broad-nolh-129.toml",
        "--out",
        dir.path().join("broad").to_str().unwrap(),
    ]);
    for line in table_lines(&broad) {
        assert!(line.chars().count() <= 120, "too wide: {line}");
    }
    assert!(
        broad.contains("more factors' settings do not fit here: they are in design.csv"),
        "{broad}"
    );
}
