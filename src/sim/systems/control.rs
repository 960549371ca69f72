//! Control of sites: applies the changes of owner decided this pass (fights, raids,
//! withdrawals, first arrivals at empty camps), ends raids when the raiders leave, and lets
//! the first force to reach a vacated camp take it. The only system that writes an owner.

use bevy_ecs::prelude::*;

use crate::sim::components::*;
use crate::sim::events::{Event, EventKind};
use crate::sim::geo::travel;
use crate::sim::resources::*;

/// Run condition of `update_control`: changes of owner are waiting, or a raid departure or an
/// arrival at an empty camp is due ([`Alarm::Holds`], which `apply_withdrawals` also sets when
/// it sends a band to a vacated camp).
pub fn has_work(captures: Res<PendingCaptures>, clock: Res<Clock>) -> bool {
    !captures.0.is_empty() || clock.due(Alarm::Holds)
}

/// Applies pending captures, raid departures and occupations of vacated camps.
#[expect(
    clippy::too_many_arguments,
    reason = "a system's parameters are its declared data access"
)]
pub fn update_control(
    mut sites: Query<(&mut SiteState, &mut Force)>,
    mut bands: Query<(&mut Band, &mut Force), Without<SiteState>>,
    setup: Res<Setup>,
    mut clock: ResMut<Clock>,
    mut captures: ResMut<PendingCaptures>,
    mut history: ResMut<ControlHistory>,
    mut tally: ResMut<Tally>,
    mut log: ResMut<EventLog>,
) {
    let roster = &setup.roster;
    clock.clear(Alarm::Holds);
    let now = clock.now_hour;
    let scenario = &setup.scenario;
    let change = |state: &mut SiteState,
                  to: Option<usize>,
                  cause: CaptureCause,
                  history: &mut ControlHistory,
                  log: &mut EventLog,
                  how: &str| {
        let from = state.owner;
        if from == to {
            return;
        }
        state.owner = to;
        if state.taken_hour.is_none() {
            state.taken_hour = Some(now);
        }
        history.0.push(ControlChange {
            hour: now,
            site: state.site,
            from,
            to,
            cause,
        });
        log.record(|| {
            let name = |f: Option<usize>| {
                f.map_or("nobody".to_string(), |f| scenario.factions[f].name.clone())
            };
            Event {
                time_hours: now,
                kind: EventKind::Control,
                place: scenario.sites[state.site].name.clone(),
                factions: to
                    .map(|f| scenario.factions[f].id.clone())
                    .unwrap_or_default(),
                killed: 0.0,
                wounded: 0.0,
                vehicles: 0.0,
                detail: format!(
                    "{} passes from {} to {} ({how})",
                    scenario.sites[state.site].name,
                    name(from),
                    name(to)
                ),
            }
        });
    };

    for capture in std::mem::take(&mut captures.0) {
        let Ok((mut state, mut garrison)) = sites.get_mut(roster.sites[capture.site]) else {
            continue;
        };
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
        change(
            &mut state,
            capture.by,
            capture.cause,
            &mut history,
            &mut log,
            how,
        );
        *garrison = capture.garrison;
    }

    for &e in &roster.sites {
        let Ok((mut state, mut garrison)) = sites.get_mut(e) else {
            continue;
        };
        if let Some(raid) = state.raid.clone() {
            if raid.leave_hour > now {
                clock.set(Alarm::Holds, raid.leave_hour);
            } else {
                // The raiders leave with their loot; the former holders come back.
                state.raid = None;
                if let Ok((mut band, _)) = bands.get_mut(raid.band)
                    && band.activity == (Activity::Holding { at: state.site })
                {
                    let g = &scenario.groups[band.group];
                    let speed = setup.value(g.speed_km_per_day);
                    band.activity = travel(&setup, now, state.site, g.home, speed, Intent::Rest);
                    clock.propose(now);
                }
                change(
                    &mut state,
                    raid.previous_owner,
                    CaptureCause::Raid,
                    &mut history,
                    &mut log,
                    "raiders leave; former holders return",
                );
                *garrison = raid.displaced;
            }
        }
        if let Some(occupation) = state.pending_occupation {
            if occupation.arrive_hour > now {
                clock.set(Alarm::Holds, occupation.arrive_hour);
                continue;
            }
            state.pending_occupation = None;
            if state.owner.is_some() || state.un_present {
                continue;
            }
            let Ok((_, mut band_force)) = bands.get_mut(occupation.band) else {
                continue;
            };
            let Some(part) = band_force
                .parts
                .iter_mut()
                .find(|c| c.faction == occupation.faction)
            else {
                continue;
            };
            let troops = occupation.troops.min(part.troops);
            if troops < 1.0 {
                continue;
            }
            part.troops -= troops;
            change(
                &mut state,
                Some(occupation.faction),
                CaptureCause::Occupation,
                &mut history,
                &mut log,
                "first to arrive in the empty camp",
            );
            garrison.parts.clear();
            garrison.add(occupation.faction, troops);
        }
    }
}
