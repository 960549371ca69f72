//! Names for people: what the summary, the narrative and the digest call a faction, a convoy, a
//! band, an air wing or a road. Ids stay in the files programs read (`runs.csv` columns,
//! `events.csv` factions); a class reads "FAMa column from Gao", not `kidal_column`. Convoys,
//! bands and wings have no name of their own in a scenario file, so theirs are made from their
//! faction and their place, with the id added only when two would read the same.

use super::Scenario;

impl Scenario {
    /// A faction's short name: its name up to the first ` (`, e.g. `FAMa` for "FAMa (Malian
    /// Armed Forces)"; the whole name when it has no parenthesis.
    pub fn faction_short_name(&self, faction: usize) -> &str {
        let name = &self.factions[faction].name;
        name.split_once(" (")
            .map_or(name.as_str(), |(short, _)| short)
    }

    /// A convoy as people call it: `FAMa column from Gao`, with `to Kidal` when another
    /// convoy of its faction leaves the same place, and its id when even that is not enough.
    pub fn convoy_name(&self, convoy: usize) -> String {
        let name = |i: usize, long: bool| {
            let c = &self.convoys[i];
            let from = &self.sites[c.route[0].from].name;
            let short = self.faction_short_name(c.faction);
            if long {
                let to = &self.sites[c.destination()].name;
                format!("{short} column from {from} to {to}")
            } else {
                format!("{short} column from {from}")
            }
        };
        distinct(self.convoys.len(), convoy, &self.convoys[convoy].id, name)
    }

    /// [`Scenario::convoy_name`] of the convoy `convoy` (one of this scenario's).
    pub fn name_of_convoy(&self, convoy: &super::Convoy) -> String {
        let index = self.convoys.iter().position(|c| c.id == convoy.id);
        index.map_or_else(|| convoy.id.clone(), |i| self.convoy_name(i))
    }

    /// A band as people call it: `CMA/CSP band from Tabankort` (its home).
    pub fn group_name(&self, group: usize) -> String {
        let name = |i: usize, _: bool| {
            let g = &self.groups[i];
            format!(
                "{} band from {}",
                self.faction_short_name(g.faction),
                self.sites[g.home].name
            )
        };
        distinct(self.groups.len(), group, &self.groups[group].id, name)
    }

    /// An air wing as people call it: `FAMa air wing at Gao` (its base).
    pub fn air_wing_name(&self, wing: usize) -> String {
        let name = |i: usize, _: bool| {
            let w = &self.air[i];
            format!(
                "{} air wing at {}",
                self.faction_short_name(w.faction),
                self.sites[w.base].name
            )
        };
        distinct(self.air.len(), wing, &self.air[wing].id, name)
    }

    /// [`Scenario::air_wing_name`] of the wing `wing` (one of this scenario's).
    pub fn name_of_air_wing(&self, wing: &super::AirWing) -> String {
        let index = self.air.iter().position(|w| w.id == wing.id);
        index.map_or_else(|| wing.id.clone(), |i| self.air_wing_name(i))
    }

    /// A road as people call it: `Gao–Tarkint road`.
    pub fn road_name(&self, road: usize) -> String {
        let r = &self.roads[road];
        format!("{}–{} road", self.sites[r.from].name, self.sites[r.to].name)
    }
}

/// Entry `index`'s name among `count` entries named by `name(i, long)`: the short form when no
/// other entry has the same, else the long form, else the long form with the entry's `id`.
fn distinct(count: usize, index: usize, id: &str, name: impl Fn(usize, bool) -> String) -> String {
    for long in [false, true] {
        let mine = name(index, long);
        if (0..count).all(|i| i == index || name(i, long) != mine) {
            return mine;
        }
    }
    format!("{} ({id})", name(index, true))
}

#[cfg(test)]
mod tests {
    use crate::scenario::load_default;

    #[test]
    fn the_default_scenario_reads_in_plain_words() {
        let s = load_default(&[]).unwrap();
        assert_eq!(s.faction_short_name(0), "FAMa");
        assert_eq!(s.faction_short_name(1), "Wagner Group");
        assert_eq!(s.convoy_name(0), "FAMa column from Gao");
        let band = s.groups.iter().position(|g| g.id == "csp_tilemsi").unwrap();
        assert_eq!(s.group_name(band), "CMA/CSP band from Tabankort");
        assert_eq!(s.air_wing_name(0), "FAMa air wing at Gao");
        assert_eq!(s.road_name(0), "Gao–Tarkint road");
    }

    #[test]
    fn two_convoys_from_one_place_are_told_apart() {
        let s = load_default(&[]).unwrap();
        let mut twice = s.clone();
        let mut other = twice.convoys[0].clone();
        other.id = "second_column".into();
        twice.convoys.push(other.clone());
        // Same faction, origin and destination: only the id tells them apart.
        assert_eq!(
            twice.convoy_name(1),
            "FAMa column from Gao to Kidal (second_column)"
        );
        assert_eq!(
            twice.convoy_name(0),
            "FAMa column from Gao to Kidal (kidal_column)"
        );
    }
}
