//! Fills a World for one replication from the scenario and its draws: a site, convoy, band or
//! air wing entity per scenario entry, in scenario order, and the resources every system
//! shares. A World may be refilled for the next replication: everything a replication keeps
//! lives in these entities and resources, and all of them are replaced here.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use rand_distr::{Distribution, Exp1};

use super::components::*;
use super::dice::{Dice, StreamKeyCache};
use super::resources::*;
use super::systems::air::first_patrol_hour;
use crate::scenario::{Draws, Scenario, SiteKind};

/// Empties `world` of the last replication's entities and fills it for this one.
pub(crate) fn populate(
    world: &mut World,
    scenario: &Arc<Scenario>,
    draws: Draws,
    (seed, run): (u64, u64),
    log: bool,
) {
    clear(world);
    let mut dice = {
        let mut cache = world.get_resource_or_init::<StreamKeyCache>();
        Dice::new(cache.keys_of(scenario), seed, run)
    };
    let mut setup = Setup {
        scenario: Arc::clone(scenario),
        draws,
        roster: Roster::default(),
    };
    // Entities are numbered in scenario order: sites, convoys, bands, air wings.
    let mut ids = StableIds(0);
    let roster = Roster {
        sites: spawn_sites(world, &setup, &mut ids),
        convoys: spawn_convoys(world, &setup, &mut dice, &mut ids),
        bands: spawn_bands(world, &setup, &mut ids),
        air: spawn_air_wings(world, scenario, &mut ids),
    };
    insert_books(world, scenario, log);
    setup.roster = roster;
    world.insert_resource(setup);
    world.insert_resource(dice);
}

/// Despawns the last replication's entities (the resources are replaced when inserted again).
fn clear(world: &mut World) {
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
}

/// Hands out stable ids in the order entities are spawned.
struct StableIds(u32);

impl StableIds {
    /// The next id, from 1.
    fn next(&mut self) -> StableId {
        self.0 += 1;
        StableId(self.0)
    }
}

/// A strength as this replication holds it: whole people when sampling; mean-field keeps
/// expected (fractional) values.
fn whole(setup: &Setup, v: f64) -> f64 {
    if setup.mean_field() { v } else { v.round() }
}

/// One entity per site, with its garrison; peacekeepers hold the UN camps they own.
fn spawn_sites(world: &mut World, setup: &Setup, ids: &mut StableIds) -> Vec<Entity> {
    let mut entities = Vec::new();
    for (i, site) in setup.scenario.sites.iter().enumerate() {
        let mut garrison = Force::default();
        for &(f, troops) in &site.garrison {
            garrison.add(f, whole(setup, setup.value(troops)));
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
        entities.push(world.spawn((ids.next(), state, garrison)).id());
    }
    entities
}

/// One entity per convoy, waiting for its departure, with its troops and attachments and the
/// IED hazard it will drive before its first strike (drawn here, convoy by convoy).
fn spawn_convoys(
    world: &mut World,
    setup: &Setup,
    dice: &mut Dice,
    ids: &mut StableIds,
) -> Vec<Entity> {
    let mut entities = Vec::new();
    for (i, c) in setup.scenario.convoys.iter().enumerate() {
        let mut force = Force::default();
        force.add(c.faction, whole(setup, setup.value(c.troops)));
        for &(f, troops) in &c.attached {
            force.add(f, whole(setup, setup.value(troops)));
        }
        let vehicles = whole(setup, setup.value(c.vehicles));
        let state = ConvoyState {
            convoy: i,
            status: ConvoyStatus::NotDeparted,
            returning: false,
            leg: 0,
            km: 0.0,
            last_move_hour: 0.0,
            resume_hour: 0.0,
            ied_hazard_left: Exp1.sample(&mut dice.ieds[i]),
            vehicles,
            vehicles_start: vehicles,
            troops_start: force.troops(),
            waited: false,
            arrival_hour: None,
            ambush: None,
        };
        entities.push(world.spawn((ids.next(), state, force)).id());
    }
    entities
}

/// One entity per armed group, idle at home and due to decide at once.
fn spawn_bands(world: &mut World, setup: &Setup, ids: &mut StableIds) -> Vec<Entity> {
    let mut entities = Vec::new();
    for (i, g) in setup.scenario.groups.iter().enumerate() {
        let mut force = Force::default();
        force.add(g.faction, whole(setup, setup.value(g.fighters)));
        let band = Band {
            group: i,
            faction: g.faction,
            activity: Activity::Idle { at: g.home },
            next_decision_hour: 0.0,
            technicals: whole(setup, setup.value(g.technicals)),
        };
        entities.push(world.spawn((ids.next(), band, force)).id());
    }
    entities
}

/// One entity per air wing, first flying at the dawn after it enters the theatre.
fn spawn_air_wings(world: &mut World, scenario: &Scenario, ids: &mut StableIds) -> Vec<Entity> {
    let mut entities = Vec::new();
    for (i, w) in scenario.air.iter().enumerate() {
        let first = first_patrol_hour(w.from_hour);
        let wing = AirWingState {
            wing: i,
            next_patrol_hour: first,
        };
        entities.push(world.spawn((ids.next(), wing)).id());
    }
    entities
}

/// The clock at hour 0 and every tally, log and list a replication keeps, empty.
fn insert_books(world: &mut World, scenario: &Scenario, log: bool) {
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
}
