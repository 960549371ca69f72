//! The engine, reached through one door: (Scenario, seed, run) → Outcome. It does no I/O, knows
//! nothing of files, threads or the command line, and cannot fail on a validated scenario.

pub mod components;
pub mod engagement;
pub mod events;
pub mod geo;
pub mod lanchester;
pub mod outcome;
pub mod resources;
pub mod schedule;
pub mod spawn;
pub mod systems;

use std::sync::Arc;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::Schedule;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use events::{Event, EventKind};
pub use outcome::{Column, ColumnKind, Outcome, OutcomeSchema, Value};

use crate::scenario::{Draws, Scenario};
use components::{ConvoyState, ConvoyStatus, Force, SiteState};
use resources::{Clock, ControlHistory, EventLog, Tally};

thread_local! {
    /// This thread's World and Schedule, reused from one replication to the next.
    static ENGINE: std::cell::RefCell<Option<(World, Schedule)>> = const { std::cell::RefCell::new(None) };
}

/// Safety net: more passes than this in one replication means a bug, not a busy campaign.
const MAX_PASSES: u64 = 10_000_000;

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

/// Runs replication `run` of the batch seeded `seed`: draws the uncertain numbers, then
/// simulates. With `log`, also returns the event log.
pub fn simulate(scenario: &Arc<Scenario>, seed: u64, run: u64, log: bool) -> Replication {
    let mut rng = stream(seed, run);
    let draws = Draws::sample(&scenario.params, &mut rng);
    simulate_with(scenario, draws, rng, log)
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

/// Simulates, showing the World to `probe` after every pass: the seam the invariant tests
/// use to watch a replication unfold. The probe must not change the World.
pub fn simulate_probed(
    scenario: &Arc<Scenario>,
    draws: Draws,
    rng: ChaCha8Rng,
    log: bool,
    probe: &mut dyn FnMut(&mut World),
) -> Replication {
    let sampled: Vec<f64> = scenario
        .uncertain_params()
        .map(|(id, _)| draws.get(id))
        .collect();
    // Building a World and initialising its Schedule costs more than a small replication, so
    // each thread keeps one pair and refills the World (spawn::populate replaces every entity
    // and resource a replication uses). A replication that panics never puts its pair back.
    let (mut world, mut schedule) = ENGINE
        .with(|cell| cell.borrow_mut().take())
        .unwrap_or_else(|| (World::new(), schedule::build()));
    spawn::populate(&mut world, scenario, draws, rng, log);
    let mut passes = 0;
    probe(&mut world);
    loop {
        schedule.run(&mut world);
        probe(&mut world);
        passes += 1;
        let mut clock = world.resource_mut::<Clock>();
        let next = clock.next_pass_hour();
        if next >= clock.horizon_hour || passes >= MAX_PASSES {
            clock.now_hour = clock.horizon_hour;
            break;
        }
        clock.now_hour = next;
        clock.next_hour = clock.horizon_hour;
    }
    let outcome = collect(scenario, &mut world, &sampled);
    let events = std::mem::take(&mut world.resource_mut::<EventLog>().events);
    let control_history = std::mem::take(&mut world.resource_mut::<ControlHistory>().0);
    ENGINE.with(|cell| *cell.borrow_mut() = Some((world, schedule)));
    Replication {
        outcome,
        events,
        control_history,
        passes,
    }
}

/// Days to the minute, so that what `runs.csv` shows is exactly what the statistics used.
fn day(hour: f64) -> Value {
    Value::Number((hour / 24.0 * 1000.0).round() / 1000.0)
}

fn collect(scenario: &Scenario, world: &mut World, sampled: &[f64]) -> Outcome {
    let mut values = Vec::new();
    let mut convoys: Vec<(ConvoyState, f64)> = world
        .query::<(&ConvoyState, &Force)>()
        .iter(world)
        .map(|(c, f)| (c.clone(), f.troops()))
        .collect();
    convoys.sort_by_key(|(c, _)| c.convoy);
    for (c, _) in &convoys {
        let status = match c.status {
            ConvoyStatus::Arrived => 0,
            ConvoyStatus::NotDeparted | ConvoyStatus::Waiting | ConvoyStatus::Halted => 1,
            ConvoyStatus::TurnedBack => 2,
            ConvoyStatus::Destroyed => 3,
            ConvoyStatus::Moving | ConvoyStatus::AtSite(_) | ConvoyStatus::Engaged => {
                if c.returning { 2 } else { 4 }
            }
        };
        values.push(Value::Category(status));
        values.push(c.arrival_hour.map_or(Value::Empty, day));
        values.push(Value::Number(c.vehicles_start - c.vehicles));
    }
    let mut sites: Vec<SiteState> = world.query::<&SiteState>().iter(world).cloned().collect();
    sites.sort_by_key(|s| s.site);
    let none = scenario.factions.len();
    for s in outcome::reported_sites(scenario) {
        values.push(Value::Category(sites[s].owner.unwrap_or(none)));
        values.push(sites[s].taken_hour.map_or(Value::Empty, day));
    }
    let tally = world.resource::<Tally>();
    for f in 0..scenario.factions.len() {
        values.push(Value::Number(tally.killed[f]));
        values.push(Value::Number(tally.wounded[f]));
    }
    for v in [
        tally.civilians_killed,
        tally.ied_strikes as f64,
        tally.ambushes as f64,
        tally.camp_raids as f64,
        tally.engagements as f64,
    ] {
        values.push(Value::Number(v));
    }
    for f in 0..scenario.factions.len() {
        values.push(Value::Number(
            sites.iter().filter(|s| s.owner == Some(f)).count() as f64,
        ));
    }
    values.extend(sampled.iter().map(|&v| Value::Number(v)));
    Outcome { values }
}
