//! The `sandtable` executable as a user meets it: help and defaults, the files `run --out`
//! writes, `check` and `replay`, and the exit codes and messages of bad input (2, never a panic,
//! never a half-written file). Helpers at the top are shared with `determinism`.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The built `sandtable` binary.
pub fn sandtable() -> Command {
    Command::cargo_bin("sandtable")
        .expect("cargo builds the sandtable binary for integration tests")
}

/// A file of the repository, by its path from the top.
pub fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs `sandtable` with `args`, expects success, and returns its standard output.
pub fn stdout_of(args: &[&str]) -> String {
    let output = sandtable().args(args).output().expect("sandtable starts");
    assert!(
        output.status.success(),
        "sandtable {} failed ({:?}):\n{}",
        args.join(" "),
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("standard output is UTF-8")
}

/// Runs `sandtable run --out DIR` with `args`, expects success, and returns DIR's `name` file.
pub fn run_file(dir: &Path, args: &[&str], name: &str) -> Vec<u8> {
    let mut all = vec!["run", "--out", dir.to_str().expect("temp paths are UTF-8")];
    all.extend_from_slice(args);
    stdout_of(&all);
    fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name} in {}: {e}", dir.display()))
}

/// The names in a directory, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn help_and_version_exit_0_and_show_the_defaults() {
    let help = stdout_of(&["run", "--help"]);
    for default in [
        "[default: 1000",
        "[default: 20231002",
        "-j, --threads <T>",
        "[default: all cores]",
        "-n, --runs <N>",
        "-s, --seed <S>",
        "-o, --out <DIR>",
        "-q, --quiet",
        "--shard <K/N|slurm>",
        "--set <KEY=VALUE>",
        "10k, 2.5M or 1e6",
    ] {
        assert!(
            help.contains(default),
            "run --help lacks {default:?}:\n{help}"
        );
    }
    let top = stdout_of(&["--help"]);
    for command in ["run", "check", "replay"] {
        assert!(top.contains(command), "{top}");
    }
    // Every command's help ends with examples to copy.
    for command in ["run", "check", "replay", "compare", "drivers"] {
        let help = stdout_of(&[command, "--help"]);
        let examples = help.split("Examples:\n").nth(1).unwrap_or_default();
        assert!(
            examples.contains(&format!("  sandtable {command}")),
            "{command} --help has no examples:\n{help}"
        );
    }
    assert!(top.contains("Examples:\n  sandtable "), "{top}");
    assert!(stdout_of(&["--version"]).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn no_command_runs_the_default_scenario() {
    let table = stdout_of(&[]);
    for part in [
        "Gao to Kidal",
        "1000 runs · seed 20231002",
        "FAMa column from Gao reaches Kidal in ",
        "arrival: median ",
        "Who holds each place at the end",
        "FAMa (Malian Armed Forces)",
        "Civilians",
        "IED strikes",
        "engagements",
    ] {
        assert!(table.contains(part), "missing {part:?} in\n{table}");
    }
    // Same defaults as `run`: the same table.
    assert_eq!(table, stdout_of(&["run"]));
}

/// Bad input: exit code 2 and a message naming what is wrong, never a panic.
#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let unknown_key = dir.path().join("unknown-key.toml");
    fs::write(
        &unknown_key,
        "extends = \"gao-kidal-2023.toml\"\nname = \"typo\"\n\n[combat]\nsuprise_factor = 2.0\n",
    )
    .unwrap();
    let unknown_key = unknown_key.to_str().unwrap();
    let missing = dir.path().join("missing.toml");
    let missing = missing.to_str().unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (&["run", missing], &[missing]),
        (&["check", missing], &[missing]),
        (&["replay", missing, "--run", "1"], &[missing]),
        (
            &["check", unknown_key],
            &[
                &format!("{unknown_key}:5:1"),
                "suprise_factor",
                "surprise_factor",
            ],
        ),
        (
            &["run", unknown_key, "--runs", "5"],
            &[&format!("{unknown_key}:5:1")],
        ),
        (
            &[
                "run",
                "--runs",
                "5",
                "--set",
                "convoy.no_such_column.vehicles=80",
            ],
            &["--set", "no_such_column"],
        ),
        (
            &["run", "--runs", "5", "--set", "combat.no_such_key=1"],
            &["--set", "no_such_key"],
        ),
        (&["run", "--set", "vehicles"], &["KEY=VALUE"]),
        (&["run", "--runs", "0"], &["--runs", "at least 1 run"]),
        (
            &["run", "--runs", "100000001"],
            &["--runs", "at most 100000000"],
        ),
        (&["run", "-n", "1e9"], &["--runs", "--shard"]),
        (&["run", "-n", "-5"], &["--runs", "cannot be negative"]),
        (&["run", "-n", "1.5"], &["--runs", "not a whole number"]),
        (&["run", "--runs", "many"], &["--runs", "10k"]),
        (&["run", "--max-runs", "2.5e-3k"], &["--max-runs"]),
        (&["compare", "-n", "0"], &["--runs", "at least 1 run"]),
        (&["run", "--threads", "0"], &["--threads", "all cores"]),
        (&["run", "-j", "1025"], &["--threads", "1 to 1024"]),
        (&["run", "--quiet"], &["--quiet", "--out"]),
        (&["compare", "-q"], &["--quiet", "--out"]),
        (&["run", "--shard", "4/3"], &["4/3", "from 1 to 3"]),
        (&["run", "--shard", "0/3"], &["from 1 to 3"]),
        (&["run", "--shard", "half"], &["K/N"]),
        (&["run", "--runs", "2", "--shard", "1/3"], &["no runs"]),
        (&["run", "--seed", "-1"], &["-1"]),
        (&["run", "--seed", "x"], &["--seed"]),
        (&["replay"], &["--run"]),
        (
            &["replay", "--from", missing, "--run", "1"],
            &[missing, "no such file"],
        ),
        (
            &["run", "--resume", missing],
            &[missing, "no interrupted batch"],
        ),
        (&["parade"], &["parade"]),
    ];
    for (args, expected) in cases {
        let output = sandtable().args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let shown = args.join(" ");
        assert_eq!(output.status.code(), Some(2), "sandtable {shown}: {stderr}");
        assert!(
            output.stdout.is_empty(),
            "sandtable {shown} printed to stdout"
        );
        assert!(
            !stderr.contains("panicked"),
            "sandtable {shown} panicked: {stderr}"
        );
        for part in *expected {
            assert!(
                stderr.contains(part),
                "sandtable {shown}: {part:?} not in {stderr}"
            );
        }
    }
}

#[test]
fn check_prints_a_digest() {
    let digest = stdout_of(&[
        "check",
        repo_file("scenarios/gao-kidal-2023.toml").to_str().unwrap(),
    ]);
    for part in [
        "gao-kidal-2023",
        "sha256",
        "Factions (5)",
        "fama",
        "wagner",
        "csp",
        "jnim",
        "minusma",
        "Sites (",
        "Kidal UN camp",
        "Roads (",
        "withdrawals",
        "route: Gao → Tarkint → Tabankort → Anefis → Kidal",
        "Uncertain parameters (",
        "combat.surprise_factor",
        "uniform 1.5–3",
    ] {
        assert!(digest.contains(part), "missing {part:?} in\n{digest}");
    }
    // A variant's digest shows what it changed.
    let variant = stdout_of(&[
        "check",
        repo_file("scenarios/variants/no-drones.toml")
            .to_str()
            .unwrap(),
    ]);
    assert!(variant.starts_with("no-drones"), "{variant}");
    assert!(!variant.contains("fama_drones"), "{variant}");
}

#[test]
fn check_names_convoys_bands_wings_and_roads_in_words_with_the_id_to_set() {
    let digest = stdout_of(&["check"]);
    let line = |start: &str| {
        digest
            .lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no line starting {start:?} in\n{digest}"))
            .to_string()
    };
    assert!(
        line("FAMa column from Gao (kidal_column) departs").ends_with("for Kidal"),
        "{digest}"
    );
    assert!(line("100–119 vehicles").ends_with("50–200 Wagner Group attached"));
    assert!(line("CMA/CSP band from Kidal (csp_kidal): 300–800 fighters").contains("home Kidal"));
    assert!(line("FAMa air wing at Gao (fama_drones): 1–3 sorties a day").contains("range"));
    assert!(line("Gao–Tarkint road (gao_tarkint): 125–150 km").contains("ambush chance"));
    assert!(line("50–150 Wagner Group join Tessalit camp").ends_with("on day 33"));
    // The ids shown are the ones --set takes.
    let set = sandtable()
        .args(["check", "--set", "group.csp_kidal.fighters=400"])
        .args(["--set", "road.gao_tarkint.length_km=140"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&set.stdout);
    assert!(
        text.contains("CMA/CSP band from Kidal (csp_kidal): 400 fighters"),
        "{text}"
    );
    assert!(
        text.contains("Gao–Tarkint road (gao_tarkint): 140 km"),
        "{text}"
    );
}

#[test]
fn check_without_a_scenario_checks_the_embedded_default() {
    let digest = stdout_of(&["check"]);
    assert!(digest.starts_with("gao-kidal-2023"), "{digest}");
    assert!(digest.contains("<embedded default>"), "{digest}");
    let from_file = stdout_of(&[
        "check",
        repo_file("scenarios/gao-kidal-2023.toml").to_str().unwrap(),
    ]);
    // The same scenario, whatever it was loaded from: the same hash.
    let hash = |d: &str| {
        d.lines()
            .find(|l| l.starts_with("sha256"))
            .map(str::to_string)
    };
    assert_eq!(hash(&digest), hash(&from_file));
}

#[test]
fn runs_are_counted_as_people_write_them_and_quiet_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (written, runs) in [("2e1", 20), ("1_5", 15), ("0.025k", 25)] {
        let out = dir.path().join(written);
        let output = sandtable()
            .args(["run", "-n", written, "-s", "3", "-j", "1", "-q", "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        assert!(
            output.stdout.is_empty() && output.stderr.is_empty(),
            "{output:?}"
        );
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["runs"], runs, "{written}");
        let rows = fs::read_to_string(out.join("runs.csv"))
            .unwrap()
            .lines()
            .count();
        assert_eq!(rows, runs + 1, "{written}");
    }
    // A comparison too: its files, and nothing on standard output.
    let compared = dir.path().join("compared");
    let output = sandtable()
        .args([
            "compare",
            "--alt",
            "big:convoy.kidal_column.vehicles=80",
            "-n",
            "20",
            "-q",
            "-o",
        ])
        .arg(&compared)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    assert!(compared.join("comparison.csv").is_file());
}

/// The one-flag replay: `replay --from DIR --run I` is row I of DIR's runs.csv, whatever the
/// batch's scenario, seed and overrides, and the command line cannot contradict them.
#[test]
fn replay_from_a_batch_folder_is_that_batchs_run() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    let batch_arg = batch.to_str().unwrap();
    let set = "convoy.kidal_column.vehicles=80";
    stdout_of(&["run", "-n", "20", "-s", "7", "--set", set, "-o", batch_arg]);
    let runs = fs::read_to_string(batch.join("runs.csv")).unwrap();
    let row = |i: usize| runs.lines().nth(i + 1).unwrap().to_string();
    let replayed_row = |from: &str, run: &str, extra: &[&str]| {
        let out = dir.path().join(format!("replay-{run}"));
        let _ = fs::remove_dir_all(&out);
        let mut args = vec![
            "replay",
            "--from",
            from,
            "--run",
            run,
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let story = stdout_of(&args);
        assert!(story.contains(&format!("Run {run} of seed 7")), "{story}");
        let outcome = fs::read_to_string(out.join("outcome.csv")).unwrap();
        outcome.lines().nth(1).unwrap().to_string()
    };
    assert_eq!(replayed_row(batch_arg, "17", &[]), row(17));
    let manifest = batch.join("manifest.json");
    assert_eq!(replayed_row(manifest.to_str().unwrap(), "3", &[]), row(3));
    // What agrees with the batch may be given.
    assert_eq!(
        replayed_row(batch_arg, "5", &["-s", "7", "--set", set]),
        row(5)
    );
    // Without the --set, the same run is another story: what --from guards against.
    let plain = stdout_of(&["replay", "--run", "17", "-s", "7"]);
    let from = stdout_of(&["replay", "--from", batch_arg, "--run", "17"]);
    assert_ne!(plain, from);
    // Without scenario.resolved.toml, the scenario the manifest names, with its overrides.
    fs::remove_file(batch.join("scenario.resolved.toml")).unwrap();
    assert_eq!(replayed_row(batch_arg, "11", &[]), row(11));

    let no_drones = repo_file("scenarios/variants/no-drones.toml");
    for (extra, says) in [
        (vec!["--seed", "8"], "--seed 8: the batch's seed is 7"),
        (
            vec!["--set", "convoy.kidal_column.vehicles=90"],
            "the batch's overrides are --set convoy.kidal_column.vehicles=80",
        ),
        (
            vec![no_drones.to_str().unwrap()],
            "no-drones.toml: with the batch's overrides",
        ),
        (vec!["--run", "20"], "has runs 0 to 19"),
    ] {
        let mut args = vec!["replay", "--from", batch_arg];
        if !extra.contains(&"--run") {
            args.extend(["--run", "1"]);
        }
        args.extend(extra.iter().copied());
        let output = sandtable().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: {stderr}",
            args.join(" ")
        );
        assert!(stderr.contains(says), "{}: {stderr}", args.join(" "));
        assert!(output.stdout.is_empty());
    }
}

/// `run --resume DIR` alone continues a killed batch of a scenario file with overrides to the
/// bytes of the batch run in one go: the manifest knows the rest.
#[test]
fn resume_needs_only_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo_file("scenarios/variants/no-drones.toml");
    let batch = |out: &Path| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sandtable"));
        command
            .args(["run", scenario.to_str().unwrap(), "-n", "4000", "-s", "5"])
            .args([
                "--set",
                "combat.night_factor=0.5",
                "-o",
                out.to_str().unwrap(),
            ]);
        command
    };
    let whole = dir.path().join("whole");
    assert!(batch(&whole).args(["-q"]).status().unwrap().success());
    let killed = dir.path().join("killed");
    kill_part_way(batch(&killed), &killed.join("runs.csv.partial"));

    let killed_arg = killed.to_str().unwrap();
    let output = sandtable()
        .args(["run", "--resume", killed_arg, "-s", "6"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("its seed is 5, not 6"), "{stderr}");

    let output = sandtable()
        .args(["run", "--resume", killed_arg])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("resuming "), "{stderr}");
    for name in ["runs.csv", "summary.csv", "summary.json"] {
        assert!(
            fs::read(killed.join(name)).unwrap() == fs::read(whole.join(name)).unwrap(),
            "{name} differs from the batch run in one go"
        );
    }
}

#[test]
fn run_out_writes_the_four_files_and_a_manifest_that_reproduces_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    let scenario = repo_file("scenarios/variants/no-drones.toml");
    let scenario = scenario.to_str().unwrap();
    let set = "convoy.kidal_column.vehicles=80";
    let args = [
        "run",
        scenario,
        "--runs",
        "30",
        "--seed",
        "7",
        "--set",
        set,
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ];
    let table = stdout_of(&args);
    assert!(
        table.contains(
            "Wrote runs.csv, summary.csv, summary.json, manifest.json, scenario.resolved.toml"
        ),
        "{table}"
    );
    assert_eq!(
        names_in(&out),
        [
            ".sandtable.lock",
            "manifest.json",
            "runs.csv",
            "scenario.resolved.toml",
            "summary.csv",
            "summary.json"
        ]
    );

    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    let header = runs.lines().next().unwrap();
    assert!(
        header.starts_with("run,seed,kidal_column_status,kidal_column_arrival_day,"),
        "{header}"
    );
    assert_eq!(runs.lines().count(), 31);
    assert!(runs.lines().nth(1).unwrap().starts_with("0,7,"));

    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with(
        "outcome,category,n,present,mean,sd,ci95_low,ci95_high,p05,p25,p50,p75,p95,min,max\n"
    ));
    assert!(
        summary.contains("\nkidal_column_status,arrived,30,"),
        "{summary}"
    );
    assert!(summary.contains("\nfama_killed,,30,30,"), "{summary}");
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["runs"], 30);
    let outcomes = json["outcomes"].as_array().unwrap();
    let killed = outcomes
        .iter()
        .find(|o| o["outcome"] == "fama_killed")
        .unwrap();
    assert!(!killed["histogram"]["counts"].as_array().unwrap().is_empty());

    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["engine"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["scenario"]["name"], "no-drones");
    assert_eq!(manifest["scenario"]["origin"], scenario);
    assert_eq!(manifest["scenario"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        (manifest["seed"].as_u64(), manifest["runs"].as_u64()),
        (Some(7), Some(30))
    );
    assert_eq!(
        (
            manifest["shard"]["index"].as_u64(),
            manifest["shard"]["count"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(manifest["overrides"], serde_json::json!([set]));
    assert_eq!(manifest["threads"], 2);
    assert_eq!(manifest["command_line"][1], "run");
    for time in ["started", "finished"] {
        let text = manifest[time].as_str().unwrap();
        assert!(text.parse::<jiff::Timestamp>().is_ok(), "{time}: {text}");
    }

    // The manifest's command, pointed at another directory, writes the same runs.csv.
    let reproduce = manifest["reproduce"].as_str().unwrap();
    let again = dir.path().join("again");
    let words: Vec<&str> = reproduce.split_whitespace().collect();
    assert_eq!(words[..2], ["sandtable", "run"]);
    let out_at = words.iter().position(|w| *w == "--out").unwrap();
    let mut args: Vec<&str> = words[1..out_at].to_vec();
    args.extend(["--out", again.to_str().unwrap()]);
    stdout_of(&args);
    assert_eq!(fs::read(again.join("runs.csv")).unwrap(), runs.as_bytes());
}

#[test]
fn an_output_path_that_is_a_file_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("results");
    fs::write(&file, "keep me").unwrap();
    for out in [file.clone(), file.join("batch")] {
        let output = sandtable()
            .args(["run", "--runs", "20", "--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(file.to_str().unwrap()), "{stderr}");
        assert!(output.stdout.is_empty());
    }
    assert_eq!(names_in(dir.path()), ["results"]);
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn a_scenario_error_leaves_earlier_outputs_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    let first = run_file(&out, &["--runs", "20"], "runs.csv");
    let output = sandtable()
        .args([
            "run",
            "--runs",
            "20",
            "--set",
            "combat.no_such_key=1",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(fs::read(out.join("runs.csv")).unwrap(), first);
    assert_eq!(
        names_in(&out),
        [
            ".sandtable.lock",
            "manifest.json",
            "runs.csv",
            "scenario.resolved.toml",
            "summary.csv",
            "summary.json"
        ]
    );
    // And a failed run into a new directory does not create it.
    let fresh = dir.path().join("fresh");
    let output = sandtable()
        .args([
            "run",
            "no-such-scenario.toml",
            "--runs",
            "20",
            "--out",
            fresh.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!fresh.exists());
}

#[test]
fn replay_tells_the_run_as_dated_events() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("replay");
    let story = stdout_of(&["replay", "--run", "4", "--out", out.to_str().unwrap()]);
    assert!(story.contains("Run 4 of seed 20231002"), "{story}");
    // The column leaves Gao on 2 October 2023 in the default scenario.
    assert!(
        story
            .lines()
            .any(|l| l.starts_with("Mon 2023-10-02") && l.contains("FAMa column from Gao sets out")),
        "{story}"
    );
    assert!(story.contains("kidal_column_status"), "{story}");
    // The lock a replay takes on its folder, as a batch does, stays (hidden) beside its files.
    assert_eq!(
        names_in(&out),
        [
            ".sandtable.lock",
            "events.csv",
            "outcome.csv",
            "scenario.resolved.toml"
        ]
    );
    let events = fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(events.starts_with(
        "time_hours,date,kind,place,factions,attacker_killed,attacker_wounded,\
             defender_killed,defender_wounded,civilians_killed,vehicles_lost,detail\n"
    ));
    assert!(events.lines().count() > 5, "{events}");
    // One narrative line per event: "Mon 2023-10-02 06:30  place  what happened".
    let is_dated = |line: &str| {
        let b = line.as_bytes();
        b.len() > 22
            && b[3] == b' '
            && b[8] == b'-'
            && b[11] == b'-'
            && b[14] == b' '
            && b[17] == b':'
    };
    let dated = story.lines().filter(|l| is_dated(l)).count();
    let records = csv::Reader::from_reader(events.as_bytes())
        .records()
        .count();
    assert_eq!(dated, records, "{story}");
    // Each side's losses in columns of their own: every fight names both sides, and the killed
    // of all events add up to the run's outcome (every faction's and the civilians).
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(events.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let fights: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[2] == "fight_end").collect();
    assert!(!fights.is_empty(), "{events}");
    assert!(fights.iter().all(|r| r[4].contains(';')), "{events}");
    let sum = |columns: &[usize]| -> f64 {
        rows.iter()
            .map(|r| {
                columns
                    .iter()
                    .map(|c| r[*c].parse::<f64>().unwrap())
                    .sum::<f64>()
            })
            .sum()
    };
    let outcome = fs::read_to_string(out.join("outcome.csv")).unwrap();
    let mut lines = outcome.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let values: Vec<&str> = lines.next().unwrap().split(',').collect();
    let total = |keep: &dyn Fn(&str) -> bool| -> f64 {
        header
            .iter()
            .zip(&values)
            .filter(|(h, _)| keep(h))
            .map(|(_, v)| v.parse::<f64>().unwrap())
            .sum()
    };
    let fighters = total(&|h| h.ends_with("_killed") && h != "civilians_killed");
    assert_eq!(sum(&[5, 7]), fighters, "{events}");
    assert_eq!(sum(&[9]), total(&|h| h == "civilians_killed"), "{events}");
}

/// Every malformed scenario in `tests/fixtures/bad/` (each opens with `# expect: LINE PHRASE`),
/// checked as a student meets it: `sandtable check FILE` exits 2, prints nothing on standard
/// output, and its error names a file at that line (and a column) with that phrase.
#[test]
fn every_bad_fixture_is_a_located_error_from_check() {
    let dir = repo_file("tests/fixtures/bad");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 30, "only {} fixtures", paths.len());
    for path in paths {
        let text = fs::read_to_string(&path).unwrap();
        let (line, phrase) = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .and_then(|e| e.split_once(' '))
            .unwrap_or_else(|| panic!("{} has no '# expect: LINE PHRASE'", path.display()));
        let output = sandtable()
            .args(["check", path.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let shown = path.display();
        assert_eq!(output.status.code(), Some(2), "{shown}: {stderr}");
        assert!(output.stdout.is_empty(), "{shown} printed to stdout");
        assert!(!stderr.contains("panicked"), "{shown}: {stderr}");
        assert!(
            stderr.contains(phrase),
            "{shown}: {phrase:?} not in {stderr}"
        );
        // file:line:column: — the file is this one, or for an extends cycle the one that
        // closes the cycle, beside it.
        let located = stderr
            .strip_prefix("error: ")
            .and_then(|rest| rest.split_once(&format!(".toml:{line}:")))
            .is_some_and(|(file, rest)| {
                file.starts_with(dir.to_str().unwrap())
                    && rest
                        .split_once(": ")
                        .is_some_and(|(column, _)| column.parse::<u32>().is_ok_and(|c| c >= 1))
            });
        assert!(located, "{shown}: not located at line {line}: {stderr}");
    }
}

/// `sandtable check PATH` with a time limit: exit code and standard error.
fn check_quickly(path: &Path) -> (Option<i32>, String) {
    let output = sandtable()
        .args(["check", path.to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_scenario_that_is_not_a_regular_file_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = vec![(dir.path().to_path_buf(), "it is a directory")];
    #[cfg(unix)]
    {
        let fifo = dir.path().join("pipe.toml");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        // Nobody writes the FIFO: opening it to read would wait for ever.
        cases.push((fifo, "it is a named pipe (FIFO)"));
        // Endless: read whole, it would exhaust memory.
        cases.push((PathBuf::from("/dev/zero"), "it is a device"));
    }
    for (path, kind) in cases {
        let (code, stderr) = check_quickly(&path);
        assert_eq!(code, Some(2), "{}: {stderr}", path.display());
        assert!(
            stderr.contains(&format!(
                "{} is not a regular file ({kind})",
                path.display()
            )),
            "{stderr}"
        );
    }
}

#[test]
fn extends_naming_a_directory_says_so() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("base.toml")).unwrap();
    let variant = dir.path().join("v.toml");
    fs::write(&variant, "extends = \"base.toml\"\nname = \"v\"\n").unwrap();
    let (code, stderr) = check_quickly(&variant);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("v.toml:1:"), "{stderr}");
    assert!(
        stderr.contains("is not a regular file (it is a directory)"),
        "{stderr}"
    );
    assert!(!stderr.contains("no such file"), "{stderr}");
}

/// Starts `command` on one thread, waits until its journal `partial` holds 30 rows and kills
/// it (SIGKILL: nothing is saved but the journal).
fn kill_part_way(mut command: std::process::Command, partial: &Path) {
    let mut child = command
        .args(["-j", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while fs::read(partial).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()) < 30 {
        assert!(
            std::time::Instant::now() < deadline,
            "no rows after a minute"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the batch ended too soon"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// An adaptive batch's manifest does not hold its targets: `--resume DIR` alone says so and
/// gives the command; with the targets (the cap from the manifest) it resumes to the bytes of
/// the batch run in one go.
#[test]
fn an_adaptive_batch_resumes_with_its_targets() {
    let dir = tempfile::tempdir().unwrap();
    // A target no 2,000 runs meet: the batch runs to its cap.
    let batch = |out: &Path| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sandtable"));
        command
            .args([
                "run",
                "--precision",
                "fama_killed=0.01",
                "--max-runs",
                "2000",
            ])
            .args(["-o", out.to_str().unwrap()]);
        command
    };
    let whole = dir.path().join("whole");
    assert!(batch(&whole).arg("-q").status().unwrap().success());
    let killed = dir.path().join("killed");
    kill_part_way(batch(&killed), &killed.join("runs.csv.partial"));
    let killed_arg = killed.to_str().unwrap();
    let output = sandtable()
        .args(["run", "--resume", killed_arg])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the batch there is adaptive"), "{stderr}");
    assert!(
        stderr.contains("--precision fama_killed=0.01 --max-runs 2000"),
        "{stderr}"
    );
    let output = sandtable()
        .args([
            "run",
            "--resume",
            killed_arg,
            "--precision",
            "fama_killed=0.01",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    for name in ["runs.csv", "summary.csv", "precision.json"] {
        assert!(
            fs::read(killed.join(name)).unwrap() == fs::read(whole.join(name)).unwrap(),
            "{name} differs from the batch run in one go"
        );
    }
}

/// `compare --resume DIR` alone continues a comparison stopped by Ctrl-C to the bytes of the one
/// run in one go: its manifest gives the scenario files, `--set`s, `--alt`s, runs and seed.
#[cfg(unix)]
#[test]
fn a_comparison_resumes_from_its_folder_alone() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;

    let dir = tempfile::tempdir().unwrap();
    let no_drones = repo_file("scenarios/variants/no-drones.toml");
    let comparison = |out: &Path| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sandtable"));
        command
            .args([
                "compare",
                no_drones.to_str().unwrap(),
                "-n",
                "3000",
                "-s",
                "9",
            ])
            .args(["--alt", "big:convoy.kidal_column.vehicles=80"])
            .args([
                "--set",
                "combat.night_factor=0.5",
                "-o",
                out.to_str().unwrap(),
            ]);
        command
    };
    let whole = dir.path().join("whole");
    assert!(comparison(&whole).arg("-q").status().unwrap().success());
    let stopped = dir.path().join("stopped");
    let child = comparison(&stopped)
        .args(["-j", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let partial = stopped.join("no-drones").join("runs.csv.partial");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while fs::read(&partial).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()) < 30 {
        assert!(
            std::time::Instant::now() < deadline,
            "no rows after a minute"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let status = child.wait_with_output().unwrap().status;
    assert_eq!(status.code(), Some(1), "interrupted");

    let stopped_arg = stopped.to_str().unwrap();
    let output = sandtable()
        .args(["compare", "--resume", stopped_arg, "-n", "2000"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("it has 3000 runs, not 2000"), "{stderr}");

    let table = stdout_of(&["compare", "--resume", stopped_arg]);
    assert!(table.contains("big"), "{table}");
    for name in [
        "comparison.csv",
        "comparison.json",
        "big/runs.csv",
        "no-drones/summary.csv",
    ] {
        assert!(
            fs::read(stopped.join(name)).unwrap() == fs::read(whole.join(name)).unwrap(),
            "{name} differs from the comparison run in one go"
        );
    }
    // Each scenario's subfolder is a batch to replay from; the comparison's folder says so.
    let big = fs::read_to_string(stopped.join("big/runs.csv")).unwrap();
    let replayed = dir.path().join("replayed");
    let from = stopped.join("big");
    let (from, replayed) = (from.to_str().unwrap(), replayed.to_str().unwrap());
    stdout_of(&["replay", "--from", from, "--run", "2500", "-o", replayed]);
    let outcome = fs::read_to_string(Path::new(replayed).join("outcome.csv")).unwrap();
    assert_eq!(outcome.lines().nth(1), big.lines().nth(2501));
    let output = sandtable()
        .args(["replay", "--from", stopped_arg, "--run", "1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is a batch: no-drones, big"), "{stderr}");
    // A folder without a comparison's manifest cannot say what to compare.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let output = sandtable()
        .args(["compare", "--resume", empty.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no manifest.json of a comparison"),
        "{stderr}"
    );
}
