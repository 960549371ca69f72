//! The road network as a graph on mean road lengths: convoys' shortest routes, and the tables
//! of distances between every two sites that bands and drones plan with. Pure graph maths; it
//! reports no problems (callers say what an unreachable site means for them).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::scenario::uncertain::Param;
use crate::scenario::{Road, RoadIdx, Site, SiteIdx};

/// The road network on mean lengths, for routes and distances.
pub(super) struct Graph {
    /// For each site: (neighbour, road, mean length in km), in road order.
    adjacency: Vec<Vec<(SiteIdx, RoadIdx, f64)>>,
}

#[derive(PartialEq)]
/// A site on Dijkstra's heap with its distance so far.
struct Entry(f64, SiteIdx);
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    // Reversed for a min-heap; ties broken by site index so routes never depend on heap order.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .total_cmp(&self.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

impl Graph {
    /// The graph of `sites` sites joined by `roads`, each as long as its mean length: routes are
    /// planned once, before any replication draws a length.
    pub(super) fn on_mean_lengths(sites: usize, roads: &[Road], params: &[Param]) -> Graph {
        let mean = |r: &Road| params[r.length_km.0 as usize].dist.mean();
        Graph::new(
            sites,
            roads.iter().map(|r| (r.from, r.to, mean(r))).collect(),
        )
    }

    /// The graph of `n` sites and these edges (from, to, km), an edge's index its road's.
    fn new(n: usize, edges: Vec<(SiteIdx, SiteIdx, f64)>) -> Graph {
        let mut adjacency = vec![Vec::new(); n];
        for (road, (a, b, len)) in edges.into_iter().enumerate() {
            adjacency[a].push((b, road, len));
            adjacency[b].push((a, road, len));
        }
        Graph { adjacency }
    }

    /// Distances from `from` to every site, and each site's previous site and road on its
    /// shortest path.
    fn dijkstra(&self, from: SiteIdx) -> (Vec<f64>, Vec<Option<(SiteIdx, RoadIdx)>>) {
        let n = self.adjacency.len();
        let mut dist = vec![f64::INFINITY; n];
        let mut prev = vec![None; n];
        let mut heap = BinaryHeap::new();
        dist[from] = 0.0;
        heap.push(Entry(0.0, from));
        while let Some(Entry(d, u)) = heap.pop() {
            if d > dist[u] {
                continue;
            }
            for &(v, road, len) in &self.adjacency[u] {
                let nd = d + len;
                if nd < dist[v] {
                    dist[v] = nd;
                    prev[v] = Some((u, road));
                    heap.push(Entry(nd, v));
                }
            }
        }
        (dist, prev)
    }

    /// Shortest road distance between every two sites (`f64::INFINITY` where no road joins
    /// them): [`Scenario::distance_km`](crate::scenario::Scenario::distance_km).
    pub(super) fn distance_table(&self) -> Vec<Vec<f64>> {
        (0..self.adjacency.len())
            .map(|s| self.dijkstra(s).0)
            .collect()
    }

    /// Legs (road, from, to) of the shortest route, or None when no road connects them.
    pub(super) fn shortest_route(
        &self,
        from: SiteIdx,
        to: SiteIdx,
    ) -> Option<Vec<(RoadIdx, SiteIdx, SiteIdx)>> {
        let (dist, prev) = self.dijkstra(from);
        if !dist[to].is_finite() {
            return None;
        }
        let mut legs = Vec::new();
        let mut at = to;
        while at != from {
            let (p, road) = prev[at]?;
            legs.push((road, p, at));
            at = p;
        }
        legs.reverse();
        Some(legs)
    }
}

/// Great-circle distance between every two sites: drone reach, and bands crossing country
/// ([`Scenario::straight_km`](crate::scenario::Scenario::straight_km)).
pub(super) fn straight_table(sites: &[Site]) -> Vec<Vec<f64>> {
    sites
        .iter()
        .map(|a| {
            sites
                .iter()
                .map(|b| crate::geo::great_circle_km(a.lat, a.lon, b.lat, b.lon))
                .collect()
        })
        .collect()
}
