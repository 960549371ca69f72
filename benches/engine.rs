//! Criterion benchmarks of the engine: one replication of the default scenario, loading and
//! validating it, the duel against its hand-written floor, and a batch through the loop of
//! `sandtable run`. Figures go in docs/PERFORMANCE.md.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use sandtable::batch::{
    self, BatchOptions, DEFAULT_SEED, FailRuns, Plan, Recording, Shard, Stop, SummaryBuilder,
};
use sandtable::error::Error;
use sandtable::output::{BatchFiles, BatchIdentity, BatchStatus, Manifest, RunRecorder};
use sandtable::sim::{Engine, OutcomeSchema};

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
    // One engine for every replication, as each worker of a batch keeps one.
    let mut engine = Engine::new();
    let mut run = 0;
    c.bench_function("replication/default", |b| {
        b.iter(|| {
            run += 1;
            black_box(engine.simulate(&scenario, 20231002, run, false))
        })
    });
}

fn load(c: &mut Criterion) {
    c.bench_function("load/default", |b| {
        b.iter(|| black_box(sandtable::scenario::load_default(&[]).expect("loads")))
    });
}

/// The least work a 100 v 80 stochastic square-law duel can take: per round, a binomial for
/// each side's casualties, until one side is gone (the duel's killed share is 1, so the engine
/// draws nothing more for who among them is killed). The engine makes the same draws through
/// the ECS; the ratio is its overhead.
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
    let mut engine = Engine::new();
    let mut run = 0;
    group.bench_function("engine", |b| {
        b.iter(|| {
            run += 1;
            black_box(engine.simulate(&scenario, 7, run, false))
        })
    });
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    group.bench_function("floor", |b| {
        b.iter(|| black_box(duel_floor(100, 80, kill_rate, round_hours, &mut rng)))
    });
    group.finish();
}

/// `batch/default-1000`: 1,000 replications of the default scenario on 2 threads through the
/// loop `sandtable run --out` uses (`batch::record_batch` with `output::RunRecorder`): the
/// workers simulate and record each run (its outcome as runs.csv holds it, and its row), the
/// calling thread appends the rows to the journal and feeds a `SummaryBuilder`. The rows go to a real `runs.csv.partial` in a
/// temporary directory (so to the page cache). Starting the journal (which syncs its manifest)
/// and removing it are not timed, nor is the summary computed; starting the worker threads is
/// timed, as `run` starts them for every batch. Ten samples of three batches: about 10 s.
fn batch(c: &mut Criterion) {
    let scenario = default_scenario();
    let schema = OutcomeSchema::for_scenario(&scenario);
    let plan = Plan {
        seed: DEFAULT_SEED,
        runs: 1000,
        shard: Shard::WHOLE,
        threads: 2,
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let manifest = Manifest {
        identity: BatchIdentity::of(&scenario, &plan, Vec::new()),
        status: BatchStatus::Running,
        completed_runs: 0,
        failed_runs: Vec::new(),
        threads: plan.threads,
        command_line: Vec::new(),
        started: String::new(),
        resumed: Vec::new(),
        finished: None,
        reproduce: String::new(),
        resume: None,
        files: Default::default(),
    };
    let stop = Stop::new();
    let options = BatchOptions {
        threads: plan.threads,
        stop: &stop,
        fail_runs: FailRuns::default(),
    };
    let mut group = c.benchmark_group("batch");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.bench_function("default-1000", |b| {
        b.iter_batched(
            || {
                let files =
                    BatchFiles::create(dir.path(), &schema, &manifest).expect("the journal starts");
                (files, SummaryBuilder::new(&schema, None))
            },
            |(mut files, mut builder)| {
                let recorder = RunRecorder::new(&scenario, &schema, plan.seed, true);
                let mut recording = Recording::new(Some(&mut files), &mut builder);
                let driven = batch::record_batch::<_, _, Error>(
                    &scenario,
                    plan.seed,
                    plan.run_indices(),
                    &options,
                    |run, result| recorder.record(run, result),
                    &mut recording,
                    &mut |_| {},
                )
                .expect("the batch runs");
                // Dropped untimed: removing the journal is no part of the runs.
                (driven, files, builder)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, replication, load, duel, batch);
criterion_main!(benches);
