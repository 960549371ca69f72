//! Control of sites: applies the changes of owner decided this pass (fights, raids,
//! withdrawals, first arrivals at empty camps), ends raids when the raiders leave, and lets
//! the first force to reach a vacated camp take it. The only system that writes an owner.

use bevy_ecs::prelude::*;

use crate::scenario::FactionIdx;
use crate::sim::components::*;
use crate::sim::events::{Event, EventKind, Losses};
use crate::sim::geo::travel;
use crate::sim::resources::*;

/// Run condition of `update_control`: changes of owner are waiting, or a raid departure or an
/// arrival at an empty camp is due ([`Alarm::Holds`], which `apply_withdrawals` also sets when
/// it sends a band to a vacated camp).
pub(crate) fn has_work(captures: Res<PendingCaptures>, clock: Res<Clock>) -> bool {
    !captures.0.is_empty() || clock.due(Alarm::Holds)
}

/// Bands with their strength: a raiding band leaves, an occupying one detaches its garrison.
type Bands<'w, 's> = Query<'w, 's, (&'static mut Band, &'static mut Force), Without<SiteState>>;

/// Applies pending captures, then, site by site, raid departures and occupations of vacated
/// camps that are due.
#[expect(
    clippy::too_many_arguments,
    reason = "a system's parameters are its declared data access"
)]
pub(crate) fn update_control(
    mut sites: Query<(&mut SiteState, &mut Force)>,
    mut bands: Bands,
    setup: Res<Setup>,
    mut clock: ResMut<Clock>,
    mut captures: ResMut<PendingCaptures>,
    mut history: ResMut<ControlHistory>,
    mut tally: ResMut<Tally>,
    mut log: ResMut<EventLog>,
) {
    let roster = &setup.roster;
    clock.clear(Alarm::Holds);
    let mut registry = Registry {
        setup: &setup,
        now: clock.now_hour,
        history: &mut history,
        log: &mut log,
    };
    for capture in std::mem::take(&mut captures.0) {
        let Ok((mut state, mut garrison)) = sites.get_mut(roster.sites[capture.site]) else {
            continue;
        };
        apply_capture(
            capture,
            &mut state,
            &mut garrison,
            &mut clock,
            &mut tally,
            &mut registry,
        );
    }
    for &e in &roster.sites {
        let Ok((mut state, mut garrison)) = sites.get_mut(e) else {
            continue;
        };
        end_raid_if_due(
            &mut state,
            &mut garrison,
            &mut bands,
            &mut clock,
            &mut registry,
        );
        occupy_if_due(
            &mut state,
            &mut garrison,
            &mut bands,
            &mut clock,
            &mut registry,
        );
    }
}

/// Where every change of owner is written down: the site, the control history and the
/// narrative.
struct Registry<'a> {
    setup: &'a Setup,
    now: f64,
    history: &'a mut ControlHistory,
    log: &'a mut EventLog,
}

impl Registry<'_> {
    /// Gives `state` to `to` (nobody: None) for `cause`, told in the narrative as `how`; the
    /// first change of owner dates the site's capture.
    fn change(
        &mut self,
        state: &mut SiteState,
        to: Option<FactionIdx>,
        cause: CaptureCause,
        how: &str,
    ) {
        let (now, scenario) = (self.now, &self.setup.scenario);
        let from = state.owner;
        if from == to {
            return;
        }
        state.owner = to;
        if state.taken_hour.is_none() {
            state.taken_hour = Some(now);
        }
        self.history.0.push(ControlChange {
            hour: now,
            site: state.site,
            from,
            to,
            cause,
        });
        self.log.record(|| {
            let name = |f: Option<usize>| {
                f.map_or("nobody".to_string(), |f| {
                    scenario.faction_short_name(f).to_string()
                })
            };
            Event {
                time_hours: now,
                kind: EventKind::Control,
                place: scenario.sites[state.site].name.clone(),
                factions: to
                    .map(|f| scenario.factions[f].id.clone())
                    .unwrap_or_default(),
                losses: Losses::NONE,
                detail: format!(
                    "{} passes from {} to {} ({how})",
                    scenario.sites[state.site].name,
                    name(from),
                    name(to)
                ),
            }
        });
    }
}

/// A change of owner decided this pass: a raid keeps the displaced defenders to return when
/// it ends; defenders who lost the site for good leave the map. The new owner's garrison
/// replaces the old.
fn apply_capture(
    capture: Capture,
    state: &mut SiteState,
    garrison: &mut Force,
    clock: &mut Clock,
    tally: &mut Tally,
    registry: &mut Registry,
) {
    let how = match capture.cause {
        CaptureCause::Combat => "taken",
        CaptureCause::Raid => "raided",
        CaptureCause::Withdrawal => "peacekeepers withdraw",
        CaptureCause::Occupation => "occupied",
    };
    match capture.raid {
        Some((band, leave_hour)) => {
            state.raid = Some(RaidHold {
                previous_owner: state.owner,
                displaced: capture.displaced.clone(),
                leave_hour,
                band,
            });
            clock.set(Alarm::Holds, leave_hour);
        }
        // Defenders who lost the site for good leave the map.
        None => {
            for c in &capture.displaced.parts {
                tally.departed[c.faction] += c.troops;
            }
        }
    }
    registry.change(state, capture.by, capture.cause, how);
    *garrison = capture.garrison;
}

/// Raiders whose hold is over leave with their loot (going home) and the former holders come
/// back; a hold still running sets the alarm for its end.
fn end_raid_if_due(
    state: &mut SiteState,
    garrison: &mut Force,
    bands: &mut Bands,
    clock: &mut Clock,
    registry: &mut Registry,
) {
    let (setup, now) = (registry.setup, registry.now);
    let Some(raid) = state.raid.clone() else {
        return;
    };
    if raid.leave_hour > now {
        clock.set(Alarm::Holds, raid.leave_hour);
        return;
    }
    state.raid = None;
    if let Ok((mut band, _)) = bands.get_mut(raid.band)
        && band.activity == (Activity::Holding { at: state.site })
    {
        let g = &setup.scenario.groups[band.group];
        let speed = setup.value(g.speed_km_per_day);
        band.activity = travel(setup, now, state.site, g.home, speed, Intent::Rest);
        clock.propose(now);
    }
    registry.change(
        state,
        raid.previous_owner,
        CaptureCause::Raid,
        "raiders leave; former holders return",
    );
    *garrison = raid.displaced;
}

/// The band sent to a vacated camp takes it when it gets there, if the camp is still empty
/// and the band still has the troops; an occupation still on its way sets the alarm for its
/// arrival.
fn occupy_if_due(
    state: &mut SiteState,
    garrison: &mut Force,
    bands: &mut Bands,
    clock: &mut Clock,
    registry: &mut Registry,
) {
    let Some(occupation) = state.pending_occupation else {
        return;
    };
    if occupation.arrive_hour > registry.now {
        clock.set(Alarm::Holds, occupation.arrive_hour);
        return;
    }
    state.pending_occupation = None;
    if state.owner.is_some() || state.un_present {
        return;
    }
    let Ok((_, mut band_force)) = bands.get_mut(occupation.band) else {
        return;
    };
    let Some(part) = band_force
        .parts
        .iter_mut()
        .find(|c| c.faction == occupation.faction)
    else {
        return;
    };
    let troops = occupation.troops.min(part.troops);
    if troops < 1.0 {
        return;
    }
    part.troops -= troops;
    registry.change(
        state,
        Some(occupation.faction),
        CaptureCause::Occupation,
        "first to arrive in the empty camp",
    );
    garrison.parts.clear();
    garrison.add(occupation.faction, troops);
}
