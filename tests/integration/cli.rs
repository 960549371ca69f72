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
        "[default: 1000]",
        "[default: 20231002]",
        "--threads <T>",
        "--shard <K/N>",
        "--set <KEY=VALUE>",
    ] {
        assert!(
            help.contains(default),
            "run --help lacks {default:?}:\n{help}"
        );
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert!(help.contains(&format!("[default: {threads}]")), "{help}");
    let top = stdout_of(&["--help"]);
    for command in ["run", "check", "replay"] {
        assert!(top.contains(command), "{top}");
    }
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
        (&["run", "--runs", "0"], &["--runs", "1..=100000000"]),
        (&["run", "--runs", "100000001"], &["--runs"]),
        (&["run", "--runs", "many"], &["--runs"]),
        (&["run", "--threads", "0"], &["--threads", "1..=1024"]),
        (&["run", "--threads", "1025"], &["--threads"]),
        (&["run", "--shard", "4/3"], &["4/3", "from 1 to 3"]),
        (&["run", "--shard", "0/3"], &["from 1 to 3"]),
        (&["run", "--shard", "half"], &["K/N"]),
        (&["run", "--runs", "2", "--shard", "1/3"], &["no runs"]),
        (&["run", "--seed", "-1"], &["-1"]),
        (&["run", "--seed", "x"], &["--seed"]),
        (&["replay"], &["--run"]),
        (&["check"], &["SCENARIO"]),
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
    assert_eq!(
        names_in(&out),
        ["events.csv", "outcome.csv", "scenario.resolved.toml"]
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
