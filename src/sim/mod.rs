//! The engine, reached through one door: (Scenario, seed, run) → Outcome, run on an [`Engine`]
//! that a caller may keep and reuse. It does no I/O, knows nothing of files, threads or the
//! command line, and cannot fail on a validated scenario.

pub mod components;
mod engagement;
mod engine;
mod events;
mod geo;
mod lanchester;
pub mod outcome;
pub mod resources;
mod schedule;
mod spawn;
mod systems;

use std::sync::Arc;

use bevy_ecs::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use engine::Engine;
pub use events::{Event, EventKind};
pub use outcome::{Column, ColumnKind, Outcome, OutcomeSchema, Value};

use crate::scenario::{Draws, Scenario};

/// One replication's results.
#[derive(Debug, Clone, PartialEq)]
pub struct Replication {
    /// The flat outcome record.
    pub outcome: Outcome,
    /// The after-action events, when asked for.
    pub events: Vec<Event>,
    /// Every change of owner, in order.
    pub control_history: Vec<resources::ControlChange>,
    /// Scheduler passes taken (for performance work).
    pub passes: u64,
}

/// The random stream of replication `run` of a batch seeded `seed`: ChaCha8 seeded from the
/// batch seed, on stream `run`, so replications never share draws whatever the thread or shard.
pub fn stream(seed: u64, run: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(run);
    rng
}

/// Runs replication `run` of the batch seeded `seed` on a fresh [`Engine`]: draws the uncertain
/// numbers, then simulates. With `log`, also returns the event log. To run many, reuse one
/// engine ([`Engine::simulate`]): building it costs more than a small replication.
pub fn simulate(scenario: &Arc<Scenario>, seed: u64, run: u64, log: bool) -> Replication {
    Engine::new().simulate(scenario, seed, run, log)
}

/// Simulates with given draws and stream: the door for experiment designs that set the
/// numbers themselves.
pub fn simulate_with(
    scenario: &Arc<Scenario>,
    draws: Draws,
    rng: ChaCha8Rng,
    log: bool,
) -> Replication {
    simulate_probed(scenario, draws, rng, log, &mut |_| {})
}

/// Simulates on a fresh [`Engine`], showing the World to `probe` after every pass: the seam
/// the invariant tests use to watch a replication unfold. The probe must not change the World.
pub fn simulate_probed(
    scenario: &Arc<Scenario>,
    draws: Draws,
    rng: ChaCha8Rng,
    log: bool,
    probe: &mut dyn FnMut(&mut World),
) -> Replication {
    Engine::new().run(scenario, draws, rng, log, probe)
}
