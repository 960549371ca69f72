//! Golden outputs: the SHA-256 of `runs.csv` for the default scenario and every variant, and of
//! the default's `summary.csv`, at a fixed seed, through the real executable.
//!
//! Any change in these bytes fails here. That is the point: a refactor must leave them alone,
//! and a change to the model or to the random streams must update the hash *in a commit whose
//! message says why*. To see the new hashes, run
//! `cargo test --release --test integration golden -- --nocapture` and read the report.
//!
//! With `SANDTABLE_GOLDEN_BIN=PATH` the batches run on that executable instead of the one cargo
//! built for the tests. `.ci/run` points it at a plain `cargo build --release`: a test build
//! switches some dependencies' maths to the platform library (dev-dependencies enable
//! `num-traits/std`), the shipped binary keeps the portable `libm`, and both must give these bytes.

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
        "99aa0698d30355c32cc30e803a0eac2b497dbaa1fddcf7bc7f3c9721490d7284",
    ),
    (
        "scenarios/gao-kidal-2023.toml",
        "summary.csv",
        "4bc198179aff3040825f73c71918eba526043244c20f9875b3181b9444e139b6",
    ),
    (
        "scenarios/variants/no-wagner.toml",
        "runs.csv",
        "27062b347f8c632a2e67c2a0a086d55c4278e498a85f4c2cc0897fea70952c0e",
    ),
    (
        "scenarios/variants/no-drones.toml",
        "runs.csv",
        "754f979008751c67d1a1d3449b9934b9f926cb616f663771878500d44db18a60",
    ),
    (
        "scenarios/variants/more-drones.toml",
        "runs.csv",
        "20e3889860222cd75833f64ad2d7155b73c7f3b644446d0c26a8d50a1ae68f26",
    ),
    (
        "scenarios/variants/un-stays-in-kidal.toml",
        "runs.csv",
        "8d9e506d05a989d455a9338dabd261b4886ae643c93ebbc5424b1e06ada0a013",
    ),
];

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `run_file` on another executable.
fn run_with(bin: &std::ffi::OsStr, out: &std::path::Path, args: &[&str], file: &str) -> Vec<u8> {
    let status = std::process::Command::new(bin)
        .args(["run", "--out", out.to_str().unwrap()])
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("SANDTABLE_GOLDEN_BIN starts");
    assert!(
        status.success(),
        "{} failed: {status}",
        bin.to_string_lossy()
    );
    std::fs::read(out.join(file)).unwrap()
}

#[test]
fn outputs_match_their_golden_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let mut report = Vec::new();
    for (i, (scenario, file, expected)) in GOLDEN.iter().enumerate() {
        let path = repo_file(scenario);
        let out = dir.path().join(format!("b{i}"));
        let args = [path.to_str().unwrap(), "--runs", RUNS, "--seed", SEED];
        let bytes = match std::env::var_os("SANDTABLE_GOLDEN_BIN") {
            Some(bin) => run_with(&bin, &out, &args, file),
            None => run_file(&out, &args, file),
        };
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
