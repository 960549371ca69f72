//! The random streams of one replication, one per mechanic and the entity it concerns (the keys
//! are listed in ARCHITECTURE.md; the derivation is `crate::streams`). What one mechanic draws
//! never moves another's dice, so variants compared on a seed share their dice where they agree.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use rand_chacha::ChaCha8Rng;

use crate::scenario::{Scenario, SiteIdx};
use crate::streams::StreamKey;

/// Words of a site's fight stream given to each fight there: fight *n* starts at word
/// `n · FIGHT_WORDS`, so fights never share a number (2⁴⁰ words is more than any fight draws).
const FIGHT_WORDS: u128 = 1 << 40;

/// The keys of a scenario's streams: a hash per purpose, computed once per scenario.
pub(crate) struct StreamKeys {
    /// The scenario they belong to; held, so that it cannot be another one at the same address.
    scenario: Arc<Scenario>,
    ieds: Vec<StreamKey>,
    bands: Vec<StreamKey>,
    wings: Vec<StreamKey>,
    fights: Vec<StreamKey>,
}

impl StreamKeys {
    /// The keys of `scenario`'s convoys, bands, air wings and sites.
    pub(crate) fn new(scenario: &Arc<Scenario>) -> StreamKeys {
        let keys = |kind: &str, ids: &mut dyn Iterator<Item = &String>| -> Vec<StreamKey> {
            ids.map(|id| StreamKey::new(&format!("{kind}/{id}")))
                .collect()
        };
        StreamKeys {
            scenario: Arc::clone(scenario),
            ieds: keys("ied/convoy", &mut scenario.convoys.iter().map(|c| &c.id)),
            bands: keys("band", &mut scenario.groups.iter().map(|g| &g.id)),
            wings: keys("air/wing", &mut scenario.air.iter().map(|w| &w.id)),
            fights: keys("combat/site", &mut scenario.sites.iter().map(|s| &s.id)),
        }
    }

    /// Whether these are the keys of `scenario`.
    pub(crate) fn belong_to(&self, scenario: &Arc<Scenario>) -> bool {
        Arc::ptr_eq(&self.scenario, scenario)
    }
}

/// Scenarios this engine has keys for, kept in the World from one replication to the next
/// (hashing the keys per run would cost a few per cent of a replication). Several, because
/// `compare` runs each of its scenarios on every worker in turn.
#[derive(Resource, Default)]
pub(crate) struct StreamKeyCache(Vec<StreamKeys>);

/// Scenarios a cache keeps keys for before it forgets the oldest.
const CACHED_SCENARIOS: usize = 16;

impl StreamKeyCache {
    /// The keys of `scenario`, hashed now if this engine has not seen it (or has forgotten it).
    pub(crate) fn keys_of(&mut self, scenario: &Arc<Scenario>) -> &StreamKeys {
        let found = self.0.iter().position(|k| k.belong_to(scenario));
        let i = match found {
            Some(i) => i,
            None => {
                if self.0.len() == CACHED_SCENARIOS {
                    self.0.remove(0);
                }
                self.0.push(StreamKeys::new(scenario));
                self.0.len() - 1
            }
        };
        &self.0[i]
    }
}

/// Every stream one replication draws from.
#[derive(Resource)]
pub struct Dice {
    /// Per convoy, in scenario order: kilometres to the next IED and what each strike does.
    pub(crate) ieds: Vec<ChaCha8Rng>,
    /// Per band (scenario group): its decisions, targets and ambush sites.
    pub(crate) bands: Vec<ChaCha8Rng>,
    /// Per air wing: sorties, searches, strikes and civilian harm.
    pub(crate) wings: Vec<ChaCha8Rng>,
    /// Per site: its fights' stream, at the start of the next fight there.
    fights: Vec<ChaCha8Rng>,
    /// Per site: fights started there so far.
    fights_started: Vec<u64>,
}

impl Dice {
    /// The streams of run `run` of the batch seeded `seed`.
    pub(crate) fn new(keys: &StreamKeys, seed: u64, run: u64) -> Dice {
        let streams = |keys: &[StreamKey]| -> Vec<ChaCha8Rng> {
            keys.iter().map(|k| k.stream(seed, run)).collect()
        };
        Dice {
            ieds: streams(&keys.ieds),
            bands: streams(&keys.bands),
            wings: streams(&keys.wings),
            fights: streams(&keys.fights),
            fights_started: vec![0; keys.fights.len()],
        }
    }

    /// The stream of the next fight at (or nearest) `site`: the site's stream, started at the
    /// fight's own block of words, so a fight's dice do not depend on how much earlier fights
    /// there drew.
    pub(crate) fn next_fight(&mut self, site: SiteIdx) -> ChaCha8Rng {
        let n = self.fights_started[site];
        self.fights_started[site] += 1;
        let mut rng = self.fights[site].clone();
        rng.set_word_pos(u128::from(n) * FIGHT_WORDS);
        rng
    }
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    use super::*;

    #[test]
    fn the_cache_keeps_the_keys_of_each_scenario_it_is_given_in_turn() {
        let a = Arc::new(crate::scenario::load_default(&[]).unwrap());
        let b = Arc::new(crate::scenario::load_default(&[]).unwrap());
        let mut cache = StreamKeyCache::default();
        for _ in 0..3 {
            assert!(cache.keys_of(&a).belong_to(&a));
            assert!(cache.keys_of(&b).belong_to(&b));
        }
        // Alternating scenarios, as compare does, hashed each scenario's keys once.
        assert_eq!(cache.0.len(), 2);
        let keys = StreamKeys::new(&a);
        assert_eq!(cache.keys_of(&a).ieds, keys.ieds);
        assert_eq!(cache.keys_of(&a).fights, keys.fights);
    }

    #[test]
    fn fights_at_a_site_draw_from_disjoint_blocks_of_its_stream() {
        let scenario = Arc::new(crate::scenario::load_default(&[]).unwrap());
        let keys = StreamKeys::new(&scenario);
        let mut dice = Dice::new(&keys, 7, 3);
        let mut first = dice.next_fight(0);
        let mut second = dice.next_fight(0);
        let other_site = dice.next_fight(1).next_u64();
        let (a, b) = (first.next_u64(), second.next_u64());
        assert!(a != b && a != other_site && b != other_site);
        // The same fight of the same run draws the same numbers whatever came before it.
        let mut again = Dice::new(&keys, 7, 3);
        again.next_fight(1);
        assert_eq!(again.next_fight(0).next_u64(), a);
        assert_eq!(again.next_fight(0).next_u64(), b);
    }
}
