//! Criterion benchmarks of the engine: one replication of the default scenario, loading and
//! validating it, and the duel against its hand-written floor. Figures go in docs/PERFORMANCE.md.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use sandtable::sim::simulate;

fn default_scenario() -> Arc<sandtable::Scenario> {
    Arc::new(sandtable::scenario::load_default(&[]).expect("the default scenario loads"))
}

fn duel_scenario() -> Arc<sandtable::Scenario> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/validation/duel-square-stochastic.toml"
    );
    Arc::new(sandtable::scenario::load(std::path::Path::new(path), &[]).expect("the duel loads"))
}

fn replication(c: &mut Criterion) {
    let scenario = default_scenario();
    let mut run = 0;
    c.bench_function("replication/default", |b| {
        b.iter(|| {
            run += 1;
            black_box(simulate(&scenario, 20231002, run, false))
        })
    });
}

fn load(c: &mut Criterion) {
    c.bench_function("load/default", |b| {
        b.iter(|| black_box(sandtable::scenario::load_default(&[]).expect("loads")))
    });
}

/// The least work a 100 v 80 stochastic square-law duel can take: per round, a binomial for
/// each side's casualties and one for the killed among them, until one side is gone. The
/// engine makes the same draws through the ECS; the ratio is its overhead.
fn duel_floor(
    blue: u64,
    red: u64,
    kill_rate_per_hour: f64,
    round_hours: f64,
    rng: &mut ChaCha8Rng,
) -> (u64, u64) {
    let (mut b, mut r) = (blue, red);
    while b > 0 && r > 0 {
        let p_blue = -(-kill_rate_per_hour * r as f64 / b as f64 * round_hours).exp_m1();
        let p_red = -(-kill_rate_per_hour * b as f64 / r as f64 * round_hours).exp_m1();
        let lost_blue = Binomial::new(b, p_blue).map(|d| d.sample(rng)).unwrap_or(0);
        let lost_red = Binomial::new(r, p_red).map(|d| d.sample(rng)).unwrap_or(0);
        b -= lost_blue;
        r -= lost_red;
    }
    (b, r)
}

fn duel(c: &mut Criterion) {
    let scenario = duel_scenario();
    let kill_rate = scenario.mean(scenario.factions[0].kill_rate_per_hour);
    let round_hours = scenario.mean(scenario.combat.round_hours);
    let mut group = c.benchmark_group("duel/100v80-square-stochastic");
    let mut run = 0;
    group.bench_function("engine", |b| {
        b.iter(|| {
            run += 1;
            black_box(simulate(&scenario, 7, run, false))
        })
    });
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    group.bench_function("floor", |b| {
        b.iter(|| black_box(duel_floor(100, 80, kill_rate, round_hours, &mut rng)))
    });
    group.finish();
}

criterion_group!(benches, replication, load, duel);
criterion_main!(benches);
