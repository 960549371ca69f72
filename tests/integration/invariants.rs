//! Invariants that must hold in every replication, checked after every scheduler pass over
//! random seeds and variants: no negative strength, every soldier accounted for, a destroyed
//! convoy never moves, a site changes owner only through combat, a raid, a withdrawal or a
//! first arrival, and time never goes back.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use proptest::prelude::*;
use sandtable::Scenario;
use sandtable::scenario::Draws;
use sandtable::sim::components::{ConvoyState, ConvoyStatus, Force, SiteState};
use sandtable::sim::resources::{Clock, ControlHistory, PendingCaptures, Tally};
use sandtable::sim::simulate_probed;

use crate::support::*;

/// What the watcher remembers between passes.
#[derive(Default)]
struct Watch {
    passes: u64,
    initial: Vec<f64>,
    last_hour: f64,
    owners: Vec<Option<usize>>,
    history_len: usize,
    destroyed_at: Vec<Option<(usize, f64)>>,
}

fn troops_by_faction(world: &mut World, factions: usize) -> Vec<f64> {
    let mut total = vec![0.0; factions];
    for force in world.query::<&Force>().iter(world) {
        for c in &force.parts {
            total[c.faction] += c.troops;
        }
    }
    for site in world.query::<&SiteState>().iter(world) {
        if let Some(raid) = &site.raid {
            for c in &raid.displaced.parts {
                total[c.faction] += c.troops;
            }
        }
    }
    // A change of owner decided by the last fight of a pass is applied at the start of the
    // next: its troops are in transit.
    for capture in &world.resource::<PendingCaptures>().0 {
        for c in capture
            .garrison
            .parts
            .iter()
            .chain(&capture.displaced.parts)
        {
            total[c.faction] += c.troops;
        }
    }
    total
}

fn check(scenario: &Arc<Scenario>, seed: u64, run: u64) -> Result<(), TestCaseError> {
    let n = scenario.factions.len();
    let draws = Draws::sample(&scenario.params, seed, run);
    let mut watch = Watch {
        destroyed_at: vec![None; scenario.convoys.len()],
        ..Default::default()
    };
    let mut failure: Option<String> = None;
    let mut probe = |world: &mut World| {
        if failure.is_some() {
            return;
        }
        let mut fail = |msg: String| failure = Some(format!("pass {}: {msg}", watch.passes));
        // No negative or non-finite strength anywhere.
        for force in world.query::<&Force>().iter(world) {
            for c in &force.parts {
                if !(c.troops >= 0.0 && c.troops.is_finite()) {
                    return fail(format!("strength {} for faction {}", c.troops, c.faction));
                }
            }
        }
        // Every soldier is on the map, a casualty, gone home, or not yet arrived.
        let troops = troops_by_faction(world, n);
        let tally = world.resource::<Tally>().clone();
        if watch.passes == 0 {
            watch.initial = troops.clone();
        }
        for (f, on_map) in troops.iter().enumerate() {
            let accounted = on_map + tally.killed[f] + tally.wounded[f] + tally.departed[f];
            let expected = watch.initial[f] + tally.reinforced[f];
            if (accounted - expected).abs() > 1e-6 * expected.max(1.0) {
                return fail(format!(
                    "faction {f}: {accounted} accounted for, {expected} expected"
                ));
            }
        }
        // Time never goes back.
        let now = world.resource::<Clock>().now_hour;
        let before = watch.last_hour;
        if now < before {
            return fail(format!("time went back from {before} to {now}"));
        }
        watch.last_hour = now;
        // A destroyed convoy never moves again.
        for convoy in world.query::<&ConvoyState>().iter(world) {
            let i = convoy.convoy;
            match (watch.destroyed_at[i], convoy.status) {
                (Some(pos), ConvoyStatus::Destroyed) if pos != (convoy.leg, convoy.km) => {
                    return fail(format!("destroyed convoy {i} moved"));
                }
                (Some(_), status) if status != ConvoyStatus::Destroyed => {
                    return fail(format!("destroyed convoy {i} came back as {status:?}"));
                }
                (None, ConvoyStatus::Destroyed) => {
                    watch.destroyed_at[i] = Some((convoy.leg, convoy.km))
                }
                _ => {}
            }
        }
        // Owners change only with a recorded cause (combat, raid, withdrawal, occupation).
        let mut sites: Vec<(usize, Option<usize>)> = world
            .query::<&SiteState>()
            .iter(world)
            .map(|s| (s.site, s.owner))
            .collect();
        sites.sort();
        let owners: Vec<Option<usize>> = sites.into_iter().map(|(_, o)| o).collect();
        let history = world.resource::<ControlHistory>().0.clone();
        if watch.passes > 0 {
            let new = &history[watch.history_len..];
            for (site, (&before, &after)) in watch.owners.iter().zip(&owners).enumerate() {
                if before != after && !new.iter().any(|h| h.site == site && h.to == after) {
                    return fail(format!(
                        "site {site} changed owner from {before:?} to {after:?} with no recorded cause"
                    ));
                }
            }
            // Dated within this pass (combat may move the clock on within a pass).
            for h in new {
                if h.hour < before || h.hour > now {
                    return fail(format!(
                        "a change of owner dated {} recorded in the pass from {before} to {now}",
                        h.hour
                    ));
                }
            }
        }
        watch.owners = owners;
        watch.history_len = history.len();
        watch.passes += 1;
    };
    simulate_probed(scenario, draws, seed, run, false, &mut probe);
    match failure {
        Some(msg) => Err(TestCaseError::fail(format!(
            "{} seed {seed} run {run}: {msg}",
            scenario.name
        ))),
        None => Ok(()),
    }
}

fn scenarios() -> Vec<Arc<Scenario>> {
    vec![
        default_scenario(),
        scenario("variants/no-drones.toml"),
        scenario("variants/no-wagner.toml"),
        scenario("variants/un-stays-in-kidal.toml"),
        scenario("validation/duel-square-reinforced.toml"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_in_every_pass(seed in any::<u64>(), run in 0u64..1_000_000, which in 0usize..5) {
        let all = scenarios();
        check(&all[which], seed, run)?;
    }
}

#[test]
fn invariants_hold_for_the_first_hundred_runs_of_the_default_seed() {
    let s = default_scenario();
    for run in 0..100 {
        check(&s, 20231002, run).unwrap_or_else(|e| panic!("{e}"));
    }
}
