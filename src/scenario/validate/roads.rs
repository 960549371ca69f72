//! `[[road]]`: the roads and tracks between two different sites. A road without an `id` is
//! named `from_to`; two roads may not share a name.

use super::Result;
use super::builder::{Builder, PROBABILITY, closed, positive};
use crate::scenario::Road;
use crate::scenario::diagnostic::problem;
use crate::scenario::keypath::Seg;
use crate::scenario::schema::RoadFile;

/// Every `[[road]]` in file order, each one's numbers registered in the order written here.
pub(super) fn roads(b: &mut Builder, file: &[RoadFile]) -> Result<Vec<Road>> {
    let mut roads: Vec<Road> = Vec::new();
    for (i, r) in file.iter().enumerate() {
        let id =
            r.id.clone()
                .unwrap_or_else(|| format!("{}_{}", r.from, r.to));
        let p = |key: &str| vec![Seg::key("road"), Seg::id(&id), Seg::key(key)];
        let from = b.site(&p("from"), &r.from)?;
        let to = b.site(&p("to"), &r.to)?;
        if from == to {
            return Err(problem(
                &p("to"),
                format!("road {} ('{id}') starts and ends at '{}'", i + 1, r.from),
            ));
        }
        if roads.iter().any(|o| o.id == id) {
            return Err(problem(
                &p("from"),
                format!("road id '{id}' is used twice; give one of them an id"),
            ));
        }
        roads.push(Road {
            from,
            to,
            length_km: b.number(
                &p("length_km"),
                &r.length_km,
                positive(20_000.0, "a length in km greater than 0"),
            )?,
            surface: r.surface.clone(),
            ied_per_100km: b.number_or(
                &p("ied_per_100km"),
                &r.ied_per_100km,
                0.0,
                closed(0.0, 1000.0, "a rate between 0 and 1000 per 100 km"),
            )?,
            ambush: b.number_or(&p("ambush"), &r.ambush, 0.0, PROBABILITY)?,
            id,
        });
    }
    Ok(roads)
}
