//! The engine: one World and its Schedule, refilled and run to the horizon for one replication
//! after another, and the outcome record read off the World at the end. It knows nothing of
//! threads: a caller that wants an engine per worker keeps one there.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::Schedule;

use super::budget::Budget;
use super::components::{ConvoyState, ConvoyStatus, Force, SiteState};
use super::outcome::{self, Outcome, Value};
use super::resources::{Clock, ControlHistory, EventLog, Tally};
use super::{Replication, schedule, spawn};
use crate::scenario::{Draws, Scenario};

/// A World and the Schedule bound to it, reusable from one replication to the next.
///
/// Building them costs more than a small replication, so a batch keeps one engine per worker
/// thread. Reuse cannot change a result: every entity and resource a replication uses is
/// replaced when the World is refilled (`spawn::populate`), and an engine whose last
/// replication panicked half-way through a pass builds itself afresh before the next.
pub struct Engine {
    /// The entities and resources of the replication under way (or of the last one).
    world: World,
    /// The systems in their order, initialised for `world`.
    schedule: Schedule,
    /// Whether the World is between replications (false while one runs, so still false after
    /// one that panicked).
    settled: bool,
    /// The caller's stop flag, which every replication looks at between steps.
    stop: Option<Arc<AtomicBool>>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

impl Engine {
    /// An empty World and the simulation's Schedule.
    pub fn new() -> Engine {
        Engine {
            world: World::new(),
            schedule: schedule::build(),
            settled: true,
            stop: None,
        }
    }

    /// Makes the replications that follow watch `stop`: once it is raised, a replication ends
    /// at its next step (pass or round of fire) with [`Cut::Stopped`](super::Cut).
    pub fn watch(&mut self, stop: Option<Arc<AtomicBool>>) {
        self.stop = stop;
    }

    /// Runs replication `run` of the batch seeded `seed`: draws the uncertain numbers, then
    /// simulates. With `log`, also returns the event log.
    pub fn simulate(
        &mut self,
        scenario: &Arc<Scenario>,
        seed: u64,
        run: u64,
        log: bool,
    ) -> Replication {
        let draws = Draws::sample(&scenario.params, seed, run);
        self.run(scenario, draws, seed, run, log, &mut |_| {})
    }

    /// Simulates replication `run` of the batch seeded `seed` with given draws of the uncertain
    /// numbers, showing the World to `probe` before the first pass and after every pass. The
    /// probe must not change the World.
    pub fn run(
        &mut self,
        scenario: &Arc<Scenario>,
        draws: Draws,
        seed: u64,
        run: u64,
        log: bool,
        probe: &mut dyn FnMut(&mut World),
    ) -> Replication {
        if !self.settled {
            let stop = self.stop.take();
            *self = Engine::new();
            self.stop = stop;
        }
        self.settled = false;
        let sampled: Vec<f64> = scenario
            .uncertain_params()
            .map(|(id, _)| draws.get(id))
            .collect();
        let world = &mut self.world;
        spawn::populate(world, scenario, draws, (seed, run), log);
        world.insert_resource(Budget::new(self.stop.clone()));
        let mut passes = 0;
        probe(world);
        loop {
            self.schedule.run(world);
            probe(world);
            passes += 1;
            if !world.resource_mut::<Budget>().spend() {
                break;
            }
            let mut clock = world.resource_mut::<Clock>();
            let next = clock.next_pass_hour();
            if next >= clock.horizon_hour {
                clock.now_hour = clock.horizon_hour;
                break;
            }
            clock.now_hour = next;
            clock.next_hour = clock.horizon_hour;
        }
        let budget = world.resource::<Budget>();
        let (steps, cut) = (budget.steps, budget.cut);
        let outcome = collect(scenario, world, &sampled);
        let events = std::mem::take(&mut world.resource_mut::<EventLog>().events);
        let control_history = std::mem::take(&mut world.resource_mut::<ControlHistory>().0);
        self.settled = true;
        Replication {
            outcome,
            events,
            control_history,
            passes,
            steps,
            cut,
        }
    }
}

/// Days to the minute, so that what `runs.csv` shows is exactly what the statistics used.
fn day(hour: f64) -> Value {
    Value::Number((hour / 24.0 * 1000.0).round() / 1000.0)
}

/// The outcome record of a finished replication, in the columns of `OutcomeSchema`.
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
