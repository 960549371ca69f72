//! Fills a World for one replication from the scenario and its draws: a site, convoy, band or
//! air wing entity per scenario entry, in scenario order, and the resources every system
//! shares. A World may be refilled for the next replication: everything a replication keeps
//! lives in these entities and resources, and all of them are replaced here.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};

use super::components::*;
use super::resources::*;
use super::systems::air::first_patrol_hour;
use crate::scenario::{Draws, Scenario, SiteKind};

/// A fresh World for one replication.
pub fn world(scenario: &Arc<Scenario>, draws: Draws, rng: ChaCha8Rng, log: bool) -> World {
    let mut world = World::new();
    populate(&mut world, scenario, draws, rng, log);
    world
}

/// Empties `world` of the last replication's entities and fills it for this one.
pub fn populate(
    world: &mut World,
    scenario: &Arc<Scenario>,
    draws: Draws,
    mut rng: ChaCha8Rng,
    log: bool,
) {
    let old: Vec<Entity> = world
        .query_filtered::<Entity, With<StableId>>()
        .iter(world)
        .collect();
    for entity in old {
        world.despawn(entity);
    }
    // Despawning records each removed component for change detection; nothing reads those
    // records, and a reused World would keep them all (memory growing with every replication).
    world.clear_trackers();
    let mut setup = Setup {
        scenario: Arc::clone(scenario),
        draws,
        roster: Roster::default(),
    };
    // Strengths are whole people when sampling; mean-field keeps expected (fractional) values.
    let whole = |v: f64| if setup.mean_field() { v } else { v.round() };
    let mut roster = Roster::default();
    let mut id = 0u32;
    let mut next_id = || {
        id += 1;
        StableId(id)
    };

    for (i, site) in scenario.sites.iter().enumerate() {
        let mut garrison = Force::default();
        for &(f, troops) in &site.garrison {
            garrison.add(f, whole(setup.value(troops)));
        }
        let state = SiteState {
            site: i,
            owner: site.owner,
            un_present: site.kind == SiteKind::UnCamp && site.owner.is_some(),
            vacated_hour: None,
            raid: None,
            pending_occupation: None,
            taken_hour: None,
        };
        roster
            .sites
            .push(world.spawn((next_id(), state, garrison)).id());
    }
    for (i, c) in scenario.convoys.iter().enumerate() {
        let mut force = Force::default();
        force.add(c.faction, whole(setup.value(c.troops)));
        for &(f, troops) in &c.attached {
            force.add(f, whole(setup.value(troops)));
        }
        let vehicles = whole(setup.value(c.vehicles));
        let state = ConvoyState {
            convoy: i,
            status: ConvoyStatus::NotDeparted,
            returning: false,
            leg: 0,
            km: 0.0,
            last_move_hour: 0.0,
            resume_hour: 0.0,
            ied_hazard_left: Exp1.sample(&mut rng),
            vehicles,
            vehicles_start: vehicles,
            troops_start: force.troops(),
            waited: false,
            arrival_hour: None,
            ambush: None,
        };
        roster
            .convoys
            .push(world.spawn((next_id(), state, force)).id());
    }
    for (i, g) in scenario.groups.iter().enumerate() {
        let mut force = Force::default();
        force.add(g.faction, whole(setup.value(g.fighters)));
        let band = Band {
            group: i,
            faction: g.faction,
            activity: Activity::Idle { at: g.home },
            next_decision_hour: 0.0,
            technicals: whole(setup.value(g.technicals)),
        };
        roster
            .bands
            .push(world.spawn((next_id(), band, force)).id());
    }
    for (i, w) in scenario.air.iter().enumerate() {
        let first = first_patrol_hour(w.from_hour);
        roster.air.push(
            world
                .spawn((
                    next_id(),
                    AirWingState {
                        wing: i,
                        next_patrol_hour: first,
                    },
                ))
                .id(),
        );
    }

    let horizon_hour = scenario.horizon_days * 24.0;
    world.insert_resource(Clock::new(horizon_hour));
    let n = scenario.factions.len();
    world.insert_resource(Tally {
        killed: vec![0.0; n],
        wounded: vec![0.0; n],
        departed: vec![0.0; n],
        reinforced: vec![0.0; n],
        ..Default::default()
    });
    world.insert_resource(ReinforcementsDone(vec![
        false;
        scenario.reinforcements.len()
    ]));
    world.insert_resource(EventLog {
        enabled: log,
        events: Vec::new(),
    });
    world.insert_resource(Engagements::default());
    world.insert_resource(RoundTrace::default());
    world.insert_resource(PendingCaptures::default());
    world.insert_resource(ControlHistory::default());
    setup.roster = roster;
    world.insert_resource(setup);
    world.insert_resource(SimRng(rng));
}
