//! Golden outputs: the SHA-256 of `runs.csv` for the default scenario and every variant, and of
//! the default's `summary.csv`, at a fixed seed, through the real executable.
//!
//! Any change in these bytes fails here. That is the point: a refactor must leave them alone,
//! and a change to the model or to the random streams must update the hash *in a commit whose
//! message says why*. To see the new hashes, run
//! `cargo test --release --test integration golden -- --nocapture` and read the report.

use sha2::{Digest, Sha256};

use super::cli::{repo_file, run_file};

/// Runs per golden batch: enough that every mechanic fires somewhere, quick enough for CI.
const RUNS: &str = "300";
/// Not the default seed, so that a change of the default seed alone does not pass unnoticed.
const SEED: &str = "4242";

/// (scenario, file, SHA-256 of that file).
const GOLDEN: &[(&str, &str, &str)] = &[
    (
        "scenarios/gao-kidal-2023.toml",
        "runs.csv",
        "f4453664354053bf36ae51b766f322a1233bea9cff467d5c9902f5379f8a33c0",
    ),
    (
        "scenarios/gao-kidal-2023.toml",
        "summary.csv",
        "2f0b1f0c249696d89acbeeda4bb78bde009cf1de4d07557dfa881fbbd57041fa",
    ),
    (
        "scenarios/variants/no-wagner.toml",
        "runs.csv",
        "9e6c226f50690f5b9aa90b70522bcd9be43077eb0b219876a6699343c7de339e",
    ),
    (
        "scenarios/variants/no-drones.toml",
        "runs.csv",
        "42baecf824327c1363381b1582d0049f54efaa7512f42ab474760f05fc220d77",
    ),
    (
        "scenarios/variants/more-drones.toml",
        "runs.csv",
        "3c1c28ef56e64fde09b47adb4e8800e08afde7dbdad0002c19253d37e40a3a35",
    ),
    (
        "scenarios/variants/un-stays-in-kidal.toml",
        "runs.csv",
        "92eb45bedfe91824af9060217d48b340dab5b0d01f5192ac63a6b451bcabd013",
    ),
];

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn outputs_match_their_golden_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let mut report = Vec::new();
    for (i, (scenario, file, expected)) in GOLDEN.iter().enumerate() {
        let path = repo_file(scenario);
        let out = dir.path().join(format!("b{i}"));
        let bytes = run_file(
            &out,
            &[path.to_str().unwrap(), "--runs", RUNS, "--seed", SEED],
            file,
        );
        let actual = sha256_hex(&bytes);
        if actual != *expected {
            report.push(format!(
                "{scenario} {file}: expected {expected}, got {actual}"
            ));
        }
    }
    assert!(
        report.is_empty(),
        "golden outputs changed; if the change is meant, update GOLDEN in \
         tests/integration/golden.rs and say why in the commit message:\n{}",
        report.join("\n")
    );
}
