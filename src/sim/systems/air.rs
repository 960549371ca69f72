//! Air strikes: each wing flies its day's sorties at dawn (a Poisson number around its daily
//! rate). A sortie strikes a hostile band caught in the open if it finds one; otherwise it may
//! strike a hostile-held town, where civilians die too.

use bevy_ecs::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::scenario::{AirWing, SiteKind};
use crate::sim::components::*;
use crate::sim::dice::Dice;
use crate::sim::events::{Event, EventKind, Losses};
use crate::sim::geo::straight_km;
use crate::sim::lanchester;
use crate::sim::resources::*;

use super::combat::poisson;
use super::decisions::next_dawn_after;

/// The first dawn at or after `hour`: when a wing first patrols.
pub(crate) fn first_patrol_hour(hour: f64) -> f64 {
    next_dawn_after(hour - 1e-9)
}

/// Flies the day's sorties of every wing whose dawn patrol is due; runs only when
/// [`Alarm::Patrols`] is.
#[expect(
    clippy::too_many_arguments,
    reason = "a system's parameters are its declared data access"
)]
pub(crate) fn fly_air_strikes(
    mut wings: Query<&mut AirWingState>,
    mut bands: Bands,
    mut sites: Sites,
    setup: Res<Setup>,
    mut clock: ResMut<Clock>,
    mut dice: ResMut<Dice>,
    mut tally: ResMut<Tally>,
    mut log: ResMut<EventLog>,
) {
    let roster = &setup.roster;
    clock.clear(Alarm::Patrols);
    let now = clock.now_hour;
    let scenario = &setup.scenario;
    for &we in &roster.air {
        let Ok(mut wing) = wings.get_mut(we) else {
            continue;
        };
        if wing.next_patrol_hour > now {
            clock.set(Alarm::Patrols, wing.next_patrol_hour);
            continue;
        }
        wing.next_patrol_hour = next_dawn_after(now);
        clock.set(Alarm::Patrols, wing.next_patrol_hour);
        let w = &scenario.air[wing.wing];
        let rng = &mut dice.wings[wing.wing];
        let sorties = poisson(setup.value(w.sorties_per_day), rng) as u32;
        for _ in 0..sorties {
            let mut air = Sortie {
                setup: &setup,
                roster,
                rng: &mut *rng,
                tally: &mut tally,
                log: &mut log,
                now,
            };
            air.fly(w, &mut bands, &mut sites);
        }
    }
}

/// What one sortie needs to see and change.
struct Sortie<'a> {
    setup: &'a Setup,
    roster: &'a Roster,
    rng: &'a mut ChaCha8Rng,
    tally: &'a mut Tally,
    log: &'a mut EventLog,
    now: f64,
}

/// Bands with their strength, which a sortie may strike.
type Bands<'w, 's> = Query<'w, 's, (&'static mut Band, &'static mut Force), Without<SiteState>>;
/// Sites with their garrisons, which a sortie may strike in a town.
type Sites<'w, 's> = Query<'w, 's, (&'static SiteState, &'static mut Force), Without<Band>>;

impl Sortie<'_> {
    /// One sortie: a band in the open if one is found, else perhaps a town.
    fn fly(&mut self, w: &AirWing, bands: &mut Bands, sites: &mut Sites) {
        let setup = self.setup;
        let targets = self.bands_in_the_open(w, bands).count();
        let rng = &mut *self.rng;
        let found = targets > 0 && rng.random_bool(setup.value(w.find_chance).clamp(0.0, 1.0));
        if found {
            let pick = rng.random_range(0..targets);
            let target = self
                .bands_in_the_open(w, bands)
                .nth(pick)
                .expect("counted above");
            self.strike_band(w, target, bands);
            return;
        }
        if !self
            .rng
            .random_bool(setup.value(w.town_strike_chance).clamp(0.0, 1.0))
        {
            return;
        }
        self.strike_town(w, bands, sites);
    }

    /// The hostile bands in reach that are out in the open, where a drone can find them, in
    /// scenario order.
    fn bands_in_the_open<'b>(
        &'b self,
        w: &'b AirWing,
        bands: &'b Bands,
    ) -> impl Iterator<Item = Entity> + 'b {
        let setup = self.setup;
        let range = setup.value(w.range_km);
        self.roster.bands.iter().copied().filter(move |b| {
            bands.get(*b).is_ok_and(|(band, f)| {
                setup.hostile(w.faction, band.faction)
                    && band.activity.in_the_open()
                    && f.troops() >= 1.0
                    && straight_km(setup, w.base, band.activity.site()) <= range
            })
        })
    }

    /// A strike on a band found in the open: casualties, and technicals lost in proportion.
    fn strike_band(&mut self, w: &AirWing, target: Entity, bands: &mut Bands) {
        let (setup, now) = (self.setup, self.now);
        let scenario = &setup.scenario;
        let Ok((mut band, mut force)) = bands.get_mut(target) else {
            return;
        };
        let expected = setup.value(w.kills_per_strike);
        let (killed, wounded) = strike(
            &mut force,
            expected,
            setup,
            self.rng,
            self.tally,
            setup.mean_field(),
        );
        let before = killed + wounded + force.troops();
        if before > 0.0 {
            band.technicals = (band.technicals * force.troops() / before).floor();
        }
        self.tally.air_strikes += 1;
        self.log.record(|| Event {
            time_hours: now,
            kind: EventKind::AirStrike,
            place: scenario.sites[band.activity.site()].name.clone(),
            factions: format!(
                "{};{}",
                scenario.factions[w.faction].id, scenario.factions[band.faction].id
            ),
            losses: Losses::of_defender(killed, wounded),
            detail: format!(
                "{} strikes the {} in the open: {killed:.0} killed, {wounded:.0} wounded",
                scenario.name_of_air_wing(w),
                scenario.group_name(band.group)
            ),
        });
    }

    /// A strike on a hostile-held town in reach, picked at random: civilians die, and so do
    /// fighters there (a hostile band staying in the town, picked at random, else the
    /// garrison).
    fn strike_town(&mut self, w: &AirWing, bands: &mut Bands, sites: &mut Sites) {
        let (setup, roster, now) = (self.setup, self.roster, self.now);
        let scenario = &setup.scenario;
        let mean_field = setup.mean_field();
        let rng = &mut *self.rng;
        let tally = &mut *self.tally;
        let range = setup.value(w.range_km);
        let towns: Vec<usize> = (0..scenario.sites.len())
            .filter(|&s| {
                scenario.sites[s].kind == SiteKind::Town
                    && straight_km(setup, w.base, s) <= range
                    && sites.get(roster.sites[s]).is_ok_and(|(st, _)| {
                        !st.un_present && st.owner.is_some_and(|o| setup.hostile(w.faction, o))
                    })
            })
            .collect();
        if towns.is_empty() {
            return;
        }
        let town = towns[rng.random_range(0..towns.len())];
        let civilians = poisson(setup.value(w.civilians_killed_per_town_strike), rng);
        tally.civilians_killed += civilians;
        tally.air_strikes += 1;
        let expected = setup.value(w.kills_per_strike);
        // Fighters in the town: its garrison and the hostile bands staying there.
        let mut hit: Option<(f64, f64)> = None;
        let in_town: Vec<Entity> = roster
            .bands
            .iter()
            .copied()
            .filter(|b| {
                bands.get(*b).is_ok_and(|(band, f)| {
                    setup.hostile(w.faction, band.faction)
                        && band.activity.site() == town
                        && !band.activity.in_the_open()
                        && f.troops() >= 1.0
                })
            })
            .collect();
        if !in_town.is_empty() {
            let target = in_town[rng.random_range(0..in_town.len())];
            if let Ok((_, mut force)) = bands.get_mut(target) {
                hit = Some(strike(&mut force, expected, setup, rng, tally, mean_field));
            }
        } else if let Ok((_, mut garrison)) = sites.get_mut(roster.sites[town])
            && garrison.troops() >= 1.0
        {
            hit = Some(strike(
                &mut garrison,
                expected,
                setup,
                rng,
                tally,
                mean_field,
            ));
        }
        let (killed, wounded) = hit.unwrap_or((0.0, 0.0));
        self.log.record(|| Event {
            time_hours: now,
            kind: EventKind::AirStrike,
            place: scenario.sites[town].name.clone(),
            factions: scenario.factions[w.faction].id.clone(),
            losses: Losses {
                civilians_killed: civilians,
                ..Losses::of_defender(killed, wounded)
            },
            detail: format!(
                "{} strikes {}: {killed:.0} fighters killed, {wounded:.0} wounded; {civilians:.0} civilians killed",
                scenario.name_of_air_wing(w),
                scenario.sites[town].name
            ),
        });
    }
}

/// Casualties of one strike on a force: Poisson around the wing's expected effect.
fn strike(
    force: &mut Force,
    expected: f64,
    setup: &Setup,
    rng: &mut ChaCha8Rng,
    tally: &mut Tally,
    mean_field: bool,
) -> (f64, f64) {
    let troops = force.troops();
    let total = if mean_field {
        expected
    } else {
        poisson(expected, rng)
    }
    .min(troops);
    let sizes: Vec<f64> = force.parts.iter().map(|c| c.troops).collect();
    let split = lanchester::split_by_size(total, &sizes, (!mean_field).then_some(rng));
    let (mut killed_all, mut wounded_all) = (0.0, 0.0);
    for (c, cas) in force.parts.iter_mut().zip(split) {
        let share = setup.value(setup.scenario.factions[c.faction].killed_share);
        let killed = lanchester::casualties(cas, share, (!mean_field).then_some(rng));
        c.troops -= cas;
        tally.book(c.faction, killed, cas - killed);
        killed_all += killed;
        wounded_all += cas - killed;
    }
    (killed_all, wounded_all)
}
