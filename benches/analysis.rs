//! Criterion benchmarks of `drivers`' analysis on 10⁵ runs of 40 inputs (kept as `f32`, as
//! `drivers` keeps them): the rank transform of one column, PRCC, SRC, and PRIM with pasting
//! over 8 inputs. The end-to-end figure at 10⁶ × 120 is in docs/PERFORMANCE.md.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use sandtable::analysis::correlation::rank_in_place;
use sandtable::analysis::{prcc, prim, standardized_regression};

const RUNS: usize = 100_000;
const INPUTS: usize = 40;

/// A uniform number in [0, 1) from a counter (benchmark data, not a simulation draw).
fn uniform(i: usize, stream: usize) -> f64 {
    let mut z = ((i as u64) * 4096 + stream as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as f64 / 2f64.powi(64)
}

/// Inputs as `f32` columns, and an outcome that is yes when the first input exceeds 0.6
/// (flipped in one run of twenty) — the shape `drivers` sees for a yes/no outcome.
fn data() -> (Vec<Vec<f32>>, Vec<f64>) {
    let inputs: Vec<Vec<f32>> = (0..INPUTS)
        .map(|j| (0..RUNS).map(|i| uniform(i, j) as f32).collect())
        .collect();
    let outcome = (0..RUNS)
        .map(|i| {
            let yes = (inputs[0][i] > 0.6) != (uniform(i, 4000) < 0.05);
            f64::from(u8::from(yes))
        })
        .collect();
    (inputs, outcome)
}

fn analysis(c: &mut Criterion) {
    let (inputs, outcome) = data();
    let mut group = c.benchmark_group("drivers-1e5x40");
    group.sample_size(10);
    group.bench_function("rank one column", |b| {
        b.iter_batched(
            || inputs[1].clone(),
            |mut column| rank_in_place(black_box(&mut column)),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("prcc", |b| {
        b.iter_batched(
            || inputs.clone(),
            |columns| black_box(prcc(columns, &outcome).expect("ranks")),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("src", |b| {
        b.iter(|| black_box(standardized_regression(&inputs, &outcome).expect("fits")))
    });
    let exact: Vec<Vec<f64>> = inputs[..8]
        .iter()
        .map(|c| c.iter().map(|&v| f64::from(v)).collect())
        .collect();
    let cases: Vec<bool> = outcome.iter().map(|&v| v == 1.0).collect();
    group.bench_function("prim 8 inputs", |b| {
        b.iter(|| black_box(prim(&exact, &cases).expect("peels")))
    });
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
