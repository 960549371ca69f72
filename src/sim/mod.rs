//! The engine, reached through one door: (Scenario, seed, run) → Outcome, run on an [`Engine`]
//! that a caller may keep and reuse. It does no I/O, knows nothing of files, threads or the
//! command line, and cannot fail on a validated scenario.

mod budget;
pub mod components;
mod dice;
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

pub use budget::{Cut, MAX_STEPS};
pub use dice::Dice;
pub use engine::Engine;
pub use events::{Event, EventKind, Losses};
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
    /// Steps taken: scheduler passes and rounds of fire, the unit of [`MAX_STEPS`].
    pub steps: u64,
    /// Why the replication ended before its horizon, if it did: then `outcome` is the state
    /// at the cut, not a result, and a batch records the run as failed (or, stopped, not at
    /// all).
    pub cut: Option<Cut>,
}

/// Runs replication `run` of the batch seeded `seed` on a fresh [`Engine`]: draws the uncertain
/// numbers, then simulates. With `log`, also returns the event log. To run many, reuse one
/// engine ([`Engine::simulate`]): building it costs more than a small replication.
pub fn simulate(scenario: &Arc<Scenario>, seed: u64, run: u64, log: bool) -> Replication {
    Engine::new().simulate(scenario, seed, run, log)
}

/// Simulates replication `run` of the batch seeded `seed` with given draws of the uncertain
/// numbers (every mechanic still draws from that run's streams): the door for experiment
/// designs that set the numbers themselves.
pub fn simulate_with(
    scenario: &Arc<Scenario>,
    draws: Draws,
    seed: u64,
    run: u64,
    log: bool,
) -> Replication {
    simulate_probed(scenario, draws, seed, run, log, &mut |_| {})
}

/// Simulates on a fresh [`Engine`], showing the World to `probe` after every pass: the seam
/// the invariant tests use to watch a replication unfold. The probe must not change the World.
pub fn simulate_probed(
    scenario: &Arc<Scenario>,
    draws: Draws,
    seed: u64,
    run: u64,
    log: bool,
    probe: &mut dyn FnMut(&mut World),
) -> Replication {
    Engine::new().run(scenario, draws, seed, run, log, probe)
}
