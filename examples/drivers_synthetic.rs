//! Writes a synthetic batch folder for timing `sandtable drivers` at scale: `runs.csv` with
//! ROWS runs of the default scenario's outcome columns and INPUTS input columns (the default's
//! drawn numbers first, then `extra_input_NNN`), and its `scenario.resolved.toml`.
//!
//! ```sh
//! cargo run --release --example drivers_synthetic -- /tmp/drivers-1m 1000000 120
//! /usr/bin/time -v target/release/sandtable drivers /tmp/drivers-1m --outcome kidal_column_status!=arrived
//! ```
//!
//! The inputs are uniform on [0, 1) written as runs.csv writes numbers (shortest round-trip
//! text); the column fails to arrive when the first input exceeds 0.62 (one run in twenty
//! flipped at random), and loses vehicles in proportion to the second and third. Test data from
//! a counter hash, not simulation draws.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use sandtable::sim::{ColumnKind, OutcomeSchema};

/// A uniform number in [0, 1) from a counter (splitmix64's finaliser).
fn uniform(i: u64, stream: u64) -> f64 {
    let mut z = (i.wrapping_mul(4096) + stream).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as f64 / 2f64.powi(64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: drivers_synthetic OUT_DIR [ROWS] [INPUTS]";
    let dir = PathBuf::from(args.next().ok_or(usage)?);
    let rows: u64 = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let inputs: usize = args.next().map_or(Ok(120), |a| a.parse())?;
    fs::create_dir_all(&dir)?;
    let scenario = sandtable::load_default(&[])?;
    fs::write(dir.join("scenario.resolved.toml"), &scenario.resolved_toml)?;
    let schema = OutcomeSchema::for_scenario(&scenario);
    let outcomes: Vec<&str> = schema
        .columns
        .iter()
        .filter(|c| c.kind != ColumnKind::Parameter)
        .map(|c| c.name.as_str())
        .collect();
    let mut names: Vec<String> = schema
        .columns
        .iter()
        .filter(|c| c.kind == ColumnKind::Parameter)
        .map(|c| c.name.clone())
        .take(inputs)
        .collect();
    for extra in names.len()..inputs {
        names.push(format!("extra_input_{extra:03}"));
    }
    let mut out = BufWriter::with_capacity(1 << 20, File::create(dir.join("runs.csv"))?);
    writeln!(out, "run,seed,{},{}", outcomes.join(","), names.join(","))?;
    let mut number = ryu::Buffer::new();
    for run in 0..rows {
        let x: Vec<f64> = (0..inputs as u64).map(|j| uniform(run, j)).collect();
        let flipped = uniform(run, 4000) < 0.05;
        let fails = (x[0] > 0.62) != flipped;
        write!(out, "{run},1")?;
        for &name in &outcomes {
            out.write_all(b",")?;
            match name {
                "kidal_column_status" => {
                    out.write_all(if fails { b"turned_back" } else { b"arrived" })?
                }
                "kidal_column_vehicles_lost" => {
                    let lost = (40.0 * x[1] + 20.0 * x[2] + 10.0 * uniform(run, 4001)).round();
                    write!(out, "{lost}")?
                }
                _ if name.ends_with("_day") => {}
                _ if name.ends_with("_owner_end") => out.write_all(b"csp")?,
                _ => out.write_all(b"0")?,
            }
        }
        for v in x {
            out.write_all(b",")?;
            out.write_all(number.format(v).as_bytes())?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    println!("wrote {} ({rows} runs, {inputs} inputs)", dir.display());
    Ok(())
}
