//! Validation of the combat engine against the analytic Lanchester laws: each case loads a duel
//! from `scenarios/validation/` and runs it through `simulate` like any scenario, then compares
//! it with mathematics computed here, independently of the engine (closed forms, the round map,
//! the Markov chain). The tests print the rows of the tables in docs/VALIDATION.md.

use std::fmt::Write as _;
use std::sync::Arc;

use bevy_ecs::prelude::World;
use rayon::prelude::*;
use sandtable::Scenario;
use sandtable::scenario::{CombatMode, Draws, FireKind, Override, ReinforcementTarget};
use sandtable::sim::resources::RoundTrace;
use sandtable::sim::{Engine, Replication, simulate};

use crate::support::*;

/// The seed of every replication here (Engel's paper appeared in May 1954).
const SEED: u64 = 19_540_501;
/// Deterministic results must match the mathematics to this relative error.
const DETERMINISTIC_TOLERANCE: f64 = 1e-6;
/// Monte Carlo estimates must lie within this many standard errors of the exact value.
const STANDARD_ERRORS: f64 = 4.0;
/// Replications per Markov-chain case: enough for a standard error of about 0.005 on a
/// probability, few enough to run in seconds.
const MARKOV_RUNS: u64 = 10_000;
/// Replications of the large stochastic duel: a standard error of 0.2% of the loser's strength
/// on the last day compared.
const LARGE_RUNS: u64 = 1_000;
/// A fight ends when a side has fewer troops than this (combat.rs).
const HALF_A_FIGHTER: f64 = 0.5;

// ---------------------------------------------------------------------------------------------
// The duel as the mathematics sees it
// ---------------------------------------------------------------------------------------------

/// Troops joining one side at a given hour.
#[derive(Debug, Clone, Copy)]
struct Wave {
    hour: f64,
    blue: bool,
    troops: f64,
}

/// The numbers of a duel scenario that the formulas need. Blue is the site's garrison (the
/// defenders), Red the group assaulting it.
#[derive(Debug, Clone)]
struct Duel {
    blue: usize,
    red: usize,
    blue0: f64,
    red0: f64,
    /// Blue's kill rate per hour (β).
    beta: f64,
    /// Red's kill rate per hour (ρ).
    rho: f64,
    blue_fire: FireKind,
    red_fire: FireKind,
    /// Divides Blue's (the defenders') hazard.
    fortification: f64,
    round_hours: f64,
    max_hours: f64,
    /// Break points of Blue and Red.
    break_point: [f64; 2],
    waves: Vec<Wave>,
    mean_field: bool,
}

impl Duel {
    /// Reads a duel: one site held by Blue, one group (Red) assaulting it, nothing else.
    fn of(s: &Scenario) -> Duel {
        assert!(
            s.sites.len() == 1 && s.groups.len() == 1 && s.convoys.is_empty() && s.air.is_empty(),
            "{} is not a duel",
            s.name
        );
        assert!(
            s.uncertain_params().next().is_none(),
            "{}: a duel's numbers are fixed, so that the mathematics can use them",
            s.name
        );
        let site = &s.sites[0];
        let group = &s.groups[0];
        let blue = site.owner.expect("the duel's site has an owner");
        let red = group.faction;
        let mean_field = s.combat.mode == CombatMode::MeanField;
        let troops = |id| {
            if mean_field {
                s.mean(id)
            } else {
                s.mean(id).round()
            }
        };
        let waves = s
            .reinforcements
            .iter()
            .map(|r| Wave {
                hour: s.mean(r.day) * 24.0,
                blue: matches!(r.to, ReinforcementTarget::Site(_)),
                troops: troops(r.troops),
            })
            .collect();
        Duel {
            blue,
            red,
            blue0: site.garrison.iter().map(|(_, t)| s.mean(*t)).sum(),
            red0: s.mean(group.fighters),
            beta: s.mean(s.factions[blue].kill_rate_per_hour),
            rho: s.mean(s.factions[red].kill_rate_per_hour),
            blue_fire: s.factions[blue].fire,
            red_fire: s.factions[red].fire,
            fortification: s.mean(site.fortification),
            round_hours: s.mean(s.combat.round_hours),
            max_hours: s.mean(s.combat.max_engagement_hours),
            break_point: [
                s.mean(s.factions[blue].break_point),
                s.mean(s.factions[red].break_point),
            ],
            waves,
            mean_field,
        }
    }

    /// Red's kill rate against Blue once the fortification is counted (ρ/f).
    fn rho_eff(&self) -> f64 {
        self.rho / self.fortification
    }

    /// The quantity the continuous law conserves: βB² − ρR² (square law), βB − ρR (linear).
    fn invariant(&self, blue: f64, red: f64) -> f64 {
        let (beta, rho) = (self.beta, self.rho_eff());
        if self.square() {
            beta * blue * blue - rho * red * red
        } else {
            beta * blue - rho * red
        }
    }

    /// How far the round map lets the invariant shrink by the end of round `r`, relative, to
    /// leading order in Δt (docs/VALIDATION.md): 2βρ·Δt·t (square law), ρ·Δt·(Red's losses)/2
    /// (linear law).
    fn drift_estimate(&self, r: &Round) -> f64 {
        let (beta, rho) = (self.beta, self.rho_eff());
        if self.square() {
            2.0 * beta * rho * self.round_hours * (r.hour + self.round_hours)
        } else {
            rho * self.round_hours * (self.red0 - r.red) / 2.0
        }
    }

    /// Whether both sides fire aimed (square law) or both area (linear law).
    fn square(&self) -> bool {
        match (self.blue_fire, self.red_fire) {
            (FireKind::Aimed, FireKind::Aimed) => true,
            (FireKind::Area, FireKind::Area) => false,
            _ => panic!("mixed fire has no closed form here"),
        }
    }
}

/// The strengths a round left, and the hour it was fired (it covers `hour .. hour + Δt`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Round {
    hour: f64,
    blue: f64,
    red: f64,
}

// ---------------------------------------------------------------------------------------------
// The engine, watched round by round
// ---------------------------------------------------------------------------------------------

/// Runs replication `run` of a duel on `engine`, with the engine's round trace switched on, and
/// reads both sides' strengths after every round. In a duel Red attacks (side 0) and Blue
/// defends (side 1).
fn fight(engine: &mut Engine, s: &Arc<Scenario>, run: u64) -> (Vec<Round>, Replication) {
    let draws = Draws::sample(&s.params, SEED, run);
    let mut rounds = Vec::new();
    let rep = engine.run(s, draws, SEED, run, false, &mut |w: &mut World| {
        let mut trace = w.resource_mut::<RoundTrace>();
        trace.enabled = true;
        rounds.extend(trace.rounds.drain(..).map(|r| Round {
            hour: r.hour,
            blue: r.troops[1],
            red: r.troops[0],
        }));
    });
    assert!(!rounds.is_empty(), "{}: no round was fought", s.name);
    (rounds, rep)
}

/// Strengths at hour `hour` from a list of rounds: those left by the last round that ended by
/// then (before any troops arriving at that hour), or the start.
fn at_hour(rounds: &[Round], dt: f64, start: (f64, f64), hour: f64) -> (f64, f64) {
    rounds
        .iter()
        .take_while(|r| r.hour + dt <= hour + 1e-9)
        .last()
        .map_or(start, |r| (r.blue, r.red))
}

// ---------------------------------------------------------------------------------------------
// The mathematics, computed here
// ---------------------------------------------------------------------------------------------

/// The documented round map, iterated on its own: round k is fired at t_k (t_0 = 0,
/// t_{k+1} = t_k + Δt in floating point, as the clock adds it); troops arriving at or before
/// t_k join before it; both sides fire on the strengths at its start, a side of N under
/// hazard h per hour keeping N·exp(−h·Δt), with
///   aimed fire: h_B = ρ·R / (B·f),  h_R = β·B / R;   area fire: h_B = ρ·R / f,  h_R = β·B;
/// the fight ends after the round that leaves a side below half a fighter, or its losses at
/// its break point × the troops it committed, or when the next round would pass
/// max_engagement_hours.
fn round_map(d: &Duel) -> Vec<Round> {
    let (mut blue, mut red) = (d.blue0, d.red0);
    let mut joined = vec![false; d.waves.len()];
    let (mut lost, mut committed) = ([0.0f64; 2], [0.0f64; 2]);
    let mut t = 0.0;
    let mut out = Vec::new();
    loop {
        for (w, done) in d.waves.iter().zip(joined.iter_mut()) {
            if !*done && w.hour <= t {
                *done = true;
                if w.blue {
                    blue += w.troops
                } else {
                    red += w.troops
                }
            }
        }
        committed = [
            committed[0].max(blue + lost[0]),
            committed[1].max(red + lost[1]),
        ];
        let blue_hazard = d.rho * red * if d.square() { 1.0 / blue } else { 1.0 } / d.fortification;
        let red_hazard = d.beta * blue * if d.square() { 1.0 / red } else { 1.0 };
        let (b, r) = (
            blue * (-blue_hazard * d.round_hours).exp(),
            red * (-red_hazard * d.round_hours).exp(),
        );
        lost = [lost[0] + blue - b, lost[1] + red - r];
        (blue, red) = (b, r);
        out.push(Round { hour: t, blue, red });
        let broken = |s: usize, n: f64| {
            n < HALF_A_FIGHTER || lost[s] >= d.break_point[s] * committed[s] - 1e-9
        };
        if broken(0, blue) || broken(1, red) || t + d.round_hours > d.max_hours + 1e-9 {
            return out;
        }
        t += d.round_hours;
    }
}

/// The continuous law from strengths (b, r) after `t` hours with no one arriving:
/// square law B(t) = b·cosh(γt) − r·sqrt(ρ/β)·sinh(γt), γ = sqrt(βρ) (R likewise);
/// linear law B(t) = I·b / (βb + (I − βb)·e^(−It)), R = (βB − I)/ρ, I = βb − ρr.
fn continuous_step(d: &Duel, (b, r): (f64, f64), t: f64) -> (f64, f64) {
    let (beta, rho) = (d.beta, d.rho_eff());
    if d.square() {
        let g = (beta * rho).sqrt();
        let (c, s) = ((g * t).cosh(), (g * t).sinh());
        (
            b * c - r * (rho / beta).sqrt() * s,
            r * c - b * (beta / rho).sqrt() * s,
        )
    } else {
        let i = beta * b - rho * r;
        let blue = if i.abs() < 1e-12 {
            b / (1.0 + beta * b * t)
        } else {
            i * b / (beta * b + (i - beta * b) * (-i * t).exp())
        };
        (blue, (beta * blue - i) / rho)
    }
}

/// The continuous law with the duel's waves, piece by piece: the hour and strengths at the
/// start of the piece that holds hour `t`, every wave before `t` added at its own hour.
fn piece(d: &Duel, t: f64) -> (f64, (f64, f64)) {
    let mut state = (d.blue0, d.red0);
    let mut from = 0.0;
    let mut waves = d.waves.clone();
    waves.sort_by(|a, b| a.hour.total_cmp(&b.hour));
    for w in waves.iter().filter(|w| w.hour < t) {
        state = continuous_step(d, state, w.hour - from);
        if w.blue {
            state.0 += w.troops
        } else {
            state.1 += w.troops
        }
        from = w.hour;
    }
    (from, state)
}

/// The continuous law with the duel's waves: the strengths at `t`, before any troops arriving
/// at `t` (as a round ending at `t` sees them).
fn continuous(d: &Duel, t: f64) -> (f64, f64) {
    let (from, state) = piece(d, t);
    continuous_step(d, state, t - from)
}

/// When the continuous law takes the loser down to `level` (bisection on the closed form).
fn continuous_time_to(d: &Duel, level: f64, horizon: f64) -> f64 {
    let weaker = |t: f64| {
        let (b, r) = continuous(d, t);
        b.min(r)
    };
    let (mut lo, mut hi) = (0.0, horizon);
    assert!(
        weaker(hi) < level,
        "the continuous fight is not over by hour {horizon}"
    );
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if weaker(mid) < level {
            hi = mid
        } else {
            lo = mid
        }
    }
    0.5 * (lo + hi)
}

/// How the continuous law says a fight ends.
struct Verdict {
    blue_wins: bool,
    /// The winner's troops when the loser is annihilated (or, linear law, in the limit).
    survivors: f64,
    /// When the loser is annihilated (never, under the linear law).
    annihilation_hour: f64,
}

/// The continuous law's verdict, from the start of its last piece (b, r at hour `from`): the
/// square law's survivors sqrt(b² − (ρ/β)·r²) and time to annihilation
/// from + atanh(r·sqrt(ρ/β)/b)/γ (sides swapped if Red wins); the linear law's survivors
/// (βb − ρr)/β, reached only as t → ∞.
fn verdict(d: &Duel) -> Verdict {
    let (from, (b, r)) = piece(d, f64::INFINITY);
    let (beta, rho) = (d.beta, d.rho_eff());
    if d.square() {
        let g = (beta * rho).sqrt();
        let blue_wins = beta * b * b > rho * r * r;
        if blue_wins {
            Verdict {
                blue_wins,
                survivors: (b * b - rho / beta * r * r).sqrt(),
                annihilation_hour: from + (r * (rho / beta).sqrt() / b).atanh() / g,
            }
        } else {
            Verdict {
                blue_wins,
                survivors: (r * r - beta / rho * b * b).sqrt(),
                annihilation_hour: from + (b * (beta / rho).sqrt() / r).atanh() / g,
            }
        }
    } else {
        let i = beta * b - rho * r;
        Verdict {
            blue_wins: i > 0.0,
            survivors: if i > 0.0 { i / beta } else { -i / rho },
            annihilation_hour: f64::INFINITY,
        }
    }
}

/// Relative difference.
fn relative(measured: f64, exact: f64) -> f64 {
    (measured - exact).abs() / exact.abs().max(f64::MIN_POSITIVE)
}

/// Difference in strengths for the 1e-6 test: relative, but counted in fighters below one
/// fighter, where the loser's last round leaves a few millionths of a man and a relative
/// difference would only measure rounding.
fn strength_difference(measured: f64, exact: f64) -> f64 {
    (measured - exact).abs() / exact.abs().max(1.0)
}

// ---------------------------------------------------------------------------------------------
// Mean field: the round map exactly, the continuous law within its stated bound
// ---------------------------------------------------------------------------------------------

/// Every mean-field duel, and the worked example.
const MEAN_FIELD: [&str; 6] = [
    "validation/duel-square.toml",
    "validation/duel-square-fortified.toml",
    "validation/duel-square-reinforced.toml",
    "validation/duel-linear.toml",
    "validation/duel-large.toml",
    "validation/iwo-jima.toml",
];

#[test]
fn mean_field_duels_follow_the_documented_round_map_to_1e_6() {
    let mut table = String::from(
        "\n| scenario | law | Blue v Red | β, ρ per hour | fortification | Δt, h | arrivals | rounds: engine, map | worst difference | end: Blue, Red |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for file in MEAN_FIELD {
        let s = scenario(file);
        let d = Duel::of(&s);
        assert!(d.mean_field, "{file} should be mean field");
        let (engine, _) = fight(&mut Engine::new(), &s, 0);
        let map = round_map(&d);
        assert_eq!(
            engine.len(),
            map.len(),
            "{file}: the engine fought {} rounds, the map {}",
            engine.len(),
            map.len()
        );
        let mut worst: f64 = 0.0;
        for (k, (e, m)) in engine.iter().zip(&map).enumerate() {
            assert_eq!(
                e.hour, m.hour,
                "{file}: round {k} fired at hour {} by the engine, {} by the map",
                e.hour, m.hour
            );
            for (side, x, y) in [("Blue", e.blue, m.blue), ("Red", e.red, m.red)] {
                let rel = strength_difference(x, y);
                worst = worst.max(rel);
                assert!(
                    rel <= DETERMINISTIC_TOLERANCE,
                    "{file}: round {k} (hour {}): {side} {x} in the engine, {y} by the round map",
                    e.hour
                );
            }
        }
        let last = engine.last().expect("at least one round");
        let arrivals: Vec<String> = d
            .waves
            .iter()
            .map(|w| {
                format!(
                    "{} +{} at {} h",
                    if w.blue { "Blue" } else { "Red" },
                    w.troops,
                    w.hour
                )
            })
            .collect();
        writeln!(
            table,
            "| {file} | {} | {} v {} | {:.6}, {:.6} | {} | {} | {} | {}, {} | {worst:.1e} | {:.4}, {:.4} |",
            if d.square() { "square" } else { "linear" },
            d.blue0,
            d.red0,
            d.beta,
            d.rho,
            d.fortification,
            d.round_hours,
            if arrivals.is_empty() { "—".to_string() } else { arrivals.join(", ") },
            engine.len(),
            map.len(),
            last.blue,
            last.red
        )
        .unwrap();
    }
    println!("{table}");
}

/// A mean-field duel compared with the continuous law, and the bound stated for its round.
struct ContinuousCase {
    file: &'static str,
    /// Largest |engine − closed form| allowed over the whole trajectory, either side, in
    /// troops: measured at this round length (docs/VALIDATION.md), and shown below to halve
    /// with the round.
    trajectory_bound: f64,
}

/// What one run of a mean-field duel shows against the continuous law.
struct Comparison {
    /// Largest |engine − closed form| over all rounds: Blue, Red.
    error: (f64, f64),
    /// Largest relative drift of the conserved quantity from its start, and the largest
    /// allowed by the leading-order analysis (twice the estimate), over all rounds.
    drift: Option<(f64, f64)>,
}

/// Compares every round of a mean-field duel with the closed form at the end of the round.
fn compare_with_continuous(d: &Duel, engine: &[Round]) -> Comparison {
    let (mut err_b, mut err_r): (f64, f64) = (0.0, 0.0);
    for r in engine {
        let end = r.hour + d.round_hours;
        // A round that straddles an arrival cannot be compared with the closed form at its end.
        if d.waves.iter().any(|w| w.hour > r.hour && w.hour < end) {
            continue;
        }
        let (b, red) = continuous(d, end);
        err_b = err_b.max((r.blue - b).abs());
        err_r = err_r.max((r.red - red).abs());
    }
    // With no arrivals, the conserved quantity drifts at the rate derived in
    // docs/VALIDATION.md; allow twice the leading-order estimate.
    let drift = d.waves.is_empty().then(|| {
        let start = d.invariant(d.blue0, d.red0);
        engine.iter().fold((0.0f64, 0.0f64), |(worst, allowed), r| {
            let measured = relative(d.invariant(r.blue, r.red), start);
            let bound = 2.0 * d.drift_estimate(r);
            assert!(
                measured <= bound,
                "the conserved quantity drifted by {measured:e} by hour {}, more than {bound:e}",
                r.hour
            );
            (worst.max(measured), allowed.max(bound))
        })
    });
    Comparison {
        error: (err_b, err_r),
        drift,
    }
}

#[test]
fn mean_field_duels_approach_the_continuous_lanchester_laws() {
    let cases = [
        ContinuousCase {
            file: "validation/duel-square.toml",
            trajectory_bound: 0.02,
        },
        ContinuousCase {
            file: "validation/duel-square-fortified.toml",
            trajectory_bound: 0.02,
        },
        ContinuousCase {
            file: "validation/duel-square-reinforced.toml",
            trajectory_bound: 0.05,
        },
        ContinuousCase {
            file: "validation/duel-linear.toml",
            trajectory_bound: 0.01,
        },
    ];
    let mut outcome = String::from(
        "\n| scenario | winner: law, engine | survivors: closed form | engine | leading-order prediction | allowed ± | annihilation t*, h | t(½), h | engine ends, h | allowed ± |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut trajectory = String::from(
        "\n| scenario | worst error B, troops | worst error R, troops | allowed | error ratio at Δt/2 | invariant drift | allowed |\n|---|---|---|---|---|---|---|\n",
    );
    for case in &cases {
        let s = scenario(case.file);
        let d = Duel::of(&s);
        let (engine, _) = fight(&mut Engine::new(), &s, 0);
        let v = verdict(&d);
        let last = *engine.last().unwrap();
        let end_hour = last.hour + d.round_hours;

        // The winner: the side the closed form says, left standing by the engine.
        let engine_blue_wins = last.blue >= HALF_A_FIGHTER && last.red < HALF_A_FIGHTER;
        assert_eq!(
            engine_blue_wins, v.blue_wins,
            "{}: the wrong side won",
            case.file
        );
        let (winner, loser) = if v.blue_wins {
            (last.blue, last.red)
        } else {
            (last.red, last.blue)
        };
        let (beta, rho) = (d.beta, d.rho_eff());
        let (own, enemy) = if v.blue_wins {
            (beta, rho)
        } else {
            (rho, beta)
        };

        // Survivors. The engine stops with the loser at `loser` (< ½), not 0: the closed form
        // at that point is `stop`. The round's first-order error shrinks the winner's
        // survivors by about `shortfall` × the closed form (derived in docs/VALIDATION.md:
        // γ²·Δt·T, or ρ·Δt·(Red's losses)/2); the bound allows twice that.
        let (stop, shortfall) = if d.square() {
            (
                (v.survivors.powi(2) + enemy / own * loser * loser).sqrt(),
                beta * rho * d.round_hours * end_hour,
            )
        } else {
            let red_losses = d.red0
                + d.waves
                    .iter()
                    .filter(|w| !w.blue)
                    .map(|w| w.troops)
                    .sum::<f64>()
                - last.red;
            (
                v.survivors + enemy / own * loser,
                rho * d.round_hours * red_losses / 2.0,
            )
        };
        let predicted = if d.square() {
            (stop * stop - 2.0 * shortfall * v.survivors.powi(2)).sqrt()
        } else {
            stop - shortfall * v.survivors
        };
        let survivors_bound = (stop - v.survivors).abs() + 2.0 * shortfall * v.survivors;
        assert!(
            (winner - v.survivors).abs() <= survivors_bound,
            "{}: the winner keeps {winner}, the closed form {} (bound {survivors_bound})",
            case.file,
            v.survivors
        );

        // The trajectory, every round, and its first-order convergence: at half the round the
        // error halves.
        let c = compare_with_continuous(&d, &engine);
        let worst = c.error.0.max(c.error.1);
        assert!(
            worst <= case.trajectory_bound,
            "{}: the trajectory strays {worst} troops from the closed form (bound {})",
            case.file,
            case.trajectory_bound
        );
        let half: Override = format!("combat.round_hours={}", d.round_hours / 2.0)
            .parse()
            .unwrap();
        let finer = Arc::new(
            sandtable::scenario::load(&root().join("scenarios").join(case.file), &[half]).unwrap(),
        );
        let fd = Duel::of(&finer);
        let fc = compare_with_continuous(&fd, &fight(&mut Engine::new(), &finer, 0).0);
        let ratio = fc.error.0.max(fc.error.1) / worst;
        assert!(
            (0.4..=0.6).contains(&ratio),
            "{}: halving the round multiplied the error by {ratio}, not ½",
            case.file
        );

        // When the fight ends: the engine stops after the round that takes the loser below
        // half a fighter, so within a round of the closed form's t(½), give or take the time
        // the loser's trajectory error is worth at its final rate of loss.
        let t_half = continuous_time_to(&d, HALF_A_FIGHTER, 10.0 * end_hour);
        let loser_rate = if d.square() {
            own * winner
        } else {
            own * winner * loser.max(HALF_A_FIGHTER)
        };
        let loser_error = if v.blue_wins { c.error.1 } else { c.error.0 };
        let time_bound = d.round_hours + loser_error / loser_rate;
        assert!(
            (end_hour - t_half).abs() <= time_bound,
            "{}: the fight ends at hour {end_hour}, the closed form at {t_half}",
            case.file
        );

        let winner_name = if v.blue_wins { "Blue" } else { "Red" };
        let annihilation = if v.annihilation_hour.is_finite() {
            format!("{:.3}", v.annihilation_hour)
        } else {
            "never (linear law)".to_string()
        };
        writeln!(
            outcome,
            "| {} | {winner_name}, {winner_name} | {:.4} | {winner:.4} | {predicted:.4} | {survivors_bound:.4} | {annihilation} | {t_half:.3} | {end_hour:.3} | {time_bound:.3} |",
            case.file, v.survivors,
        )
        .unwrap();
        let (drift, drift_bound) = c
            .drift
            .map_or(("—".to_string(), "—".to_string()), |(m, b)| {
                (format!("{m:.2e}"), format!("{b:.2e}"))
            });
        writeln!(
            trajectory,
            "| {} | {:.4} | {:.4} | {} | {ratio:.3} | {drift} | {drift_bound} |",
            case.file, c.error.0, c.error.1, case.trajectory_bound,
        )
        .unwrap();
    }
    println!("{outcome}{trajectory}");
}

// ---------------------------------------------------------------------------------------------
// Small forces, stochastic: the continuous-time Markov chain
// ---------------------------------------------------------------------------------------------

/// How a small duel ends: the chance that Blue wins and each side's expected survivors.
#[derive(Debug, Clone, Copy, Default)]
struct Ending {
    blue_wins: f64,
    blue: f64,
    red: f64,
}

impl Ending {
    /// With chance `a` the fight goes on as `x`, otherwise as `y`.
    fn mix(a: f64, x: Ending, y: Ending) -> Ending {
        Ending {
            blue_wins: a * x.blue_wins + (1.0 - a) * y.blue_wins,
            blue: a * x.blue + (1.0 - a) * y.blue,
            red: a * x.red + (1.0 - a) * y.red,
        }
    }

    /// A finished fight with m Blue and n Red left.
    fn over(m: usize, n: usize) -> Ending {
        Ending {
            blue_wins: if m > 0 { 1.0 } else { 0.0 },
            blue: m as f64,
            red: n as f64,
        }
    }
}

/// The continuous-time Markov chain, exactly: with m Blue and n Red left the next casualty is
/// Red's with chance A (square law A = r·m/(r·m + n), linear law A = r/(r + 1), r = β/ρ), so
/// E(m, n) = A·E(m, n−1) + (1 − A)·E(m−1, n), from E(m, 0) = Blue won with m, E(0, n) = Red won
/// with n.
fn markov_chain(d: &Duel) -> Ending {
    let (m0, n0) = (d.blue0 as usize, d.red0 as usize);
    let r = d.beta / d.rho_eff();
    let mut e = vec![vec![Ending::default(); n0 + 1]; m0 + 1];
    for m in 0..=m0 {
        for n in 0..=n0 {
            e[m][n] = if m == 0 || n == 0 {
                Ending::over(m, n)
            } else {
                let a = if d.square() {
                    r * m as f64 / (r * m as f64 + n as f64)
                } else {
                    r / (r + 1.0)
                };
                Ending::mix(a, e[m][n - 1], e[m - 1][n])
            };
        }
    }
    e[m0][n0]
}

/// The chance of exactly k casualties among n, each falling with chance p.
fn binomial_pmf(n: usize, k: usize, p: f64) -> f64 {
    let choose: f64 = (0..k).map(|i| (n - i) as f64 / (i + 1) as f64).product();
    choose * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)
}

/// The engine's own chain, exactly: fought in rounds of Δt, each round takes Binomial(m, p_B)
/// Blue and Binomial(n, p_R) Red at once, p = 1 − exp(−h·Δt) with the hazards of the round
/// map. Its distance from `markov_chain` is the bias of fighting in rounds.
fn round_chain(d: &Duel) -> Ending {
    let (m0, n0) = (d.blue0 as usize, d.red0 as usize);
    let mut e = vec![vec![Ending::default(); n0 + 1]; m0 + 1];
    for m in 0..=m0 {
        for n in 0..=n0 {
            if m == 0 || n == 0 {
                e[m][n] = Ending::over(m, n);
                continue;
            }
            let (bm, rn) = (m as f64, n as f64);
            let blue_hazard =
                d.rho * rn * if d.square() { 1.0 / bm } else { 1.0 } / d.fortification;
            let red_hazard = d.beta * bm * if d.square() { 1.0 / rn } else { 1.0 };
            let (pb, pr) = (
                -(-blue_hazard * d.round_hours).exp_m1(),
                -(-red_hazard * d.round_hours).exp_m1(),
            );
            // Rounds where nobody falls only cost time: condition on someone falling.
            let quiet = binomial_pmf(m, 0, pb) * binomial_pmf(n, 0, pr);
            let mut sum = Ending::default();
            for i in 0..=m {
                for j in 0..=n {
                    if i + j == 0 {
                        continue;
                    }
                    let w = binomial_pmf(m, i, pb) * binomial_pmf(n, j, pr) / (1.0 - quiet);
                    let next = e[m - i][n - j];
                    sum = Ending {
                        blue_wins: sum.blue_wins + w * next.blue_wins,
                        blue: sum.blue + w * next.blue,
                        red: sum.red + w * next.red,
                    };
                }
            }
            e[m][n] = sum;
        }
    }
    e[m0][n0]
}

/// Mean and standard error of a sample.
fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn small_stochastic_duels_match_the_markov_chain_within_4_standard_errors() {
    let cases = [
        "validation/duel-markov-5v4.toml",
        "validation/duel-markov-8v6.toml",
        "validation/duel-linear-markov.toml",
    ];
    let mut table = String::from(
        "\n| scenario | quantity | deterministic law | Markov chain (exact) | engine, 10,000 runs ± 1 s.e. | z | bias of the rounds (exact) |\n|---|---|---|---|---|---|---|\n",
    );
    for file in cases {
        let s = scenario(file);
        let d = Duel::of(&s);
        assert!(!d.mean_field, "{file} should be stochastic");
        let exact = markov_chain(&d);
        let rounds = round_chain(&d);
        let reps: Vec<Replication> = (0..MARKOV_RUNS)
            .into_par_iter()
            .map_init(Engine::new, |engine, run| {
                engine.simulate(&s, SEED, run, false)
            })
            .collect();
        let lost = |faction: usize| -> Vec<f64> {
            let id = &s.factions[faction].id;
            let killed = numbers(&s, &reps, &format!("{id}_killed"));
            let wounded = numbers(&s, &reps, &format!("{id}_wounded"));
            killed
                .iter()
                .zip(&wounded)
                .map(|(k, w)| k.unwrap() + w.unwrap())
                .collect()
        };
        let blue: Vec<f64> = lost(d.blue).iter().map(|l| d.blue0 - l).collect();
        let red: Vec<f64> = lost(d.red).iter().map(|l| d.red0 - l).collect();
        let wins: Vec<f64> = blue
            .iter()
            .zip(&red)
            .map(|(b, r)| if *b > 0.0 && *r == 0.0 { 1.0 } else { 0.0 })
            .collect();
        // What the deterministic law would say, for contrast: small forces are not small
        // copies of large ones.
        let v = verdict(&d);
        let ode = |blue_side: bool| {
            if v.blue_wins == blue_side {
                v.survivors
            } else {
                0.0
            }
        };
        for (name, sample, exact, biased, law) in [
            (
                "P(Blue wins)",
                &wins,
                exact.blue_wins,
                rounds.blue_wins,
                if v.blue_wins { 1.0 } else { 0.0 },
            ),
            ("Blue survivors", &blue, exact.blue, rounds.blue, ode(true)),
            ("Red survivors", &red, exact.red, rounds.red, ode(false)),
        ] {
            let (mean, se) = mean_and_se(sample);
            let z = (mean - exact) / se;
            let bias = biased - exact;
            writeln!(table, "| {file} | {name} | {law:.4} | {exact:.4} | {mean:.4} ± {se:.4} | {z:+.2} | {bias:+.4} |").unwrap();
            // The round is short enough: its bias is below one standard error, so a 4-s.e.
            // test compares the engine with the chain, not with its own discretisation.
            assert!(
                bias.abs() <= se,
                "{file}: {name}: fighting in rounds biases the result by {bias}, more than 1 s.e. ({se}); shorten the round"
            );
            assert!(
                z.abs() <= STANDARD_ERRORS,
                "{file}: {name}: engine {mean} ± {se}, Markov chain {exact} (z = {z:.2})"
            );
        }
    }
    println!("{table}");
}

// ---------------------------------------------------------------------------------------------
// Large forces: the dice average out
// ---------------------------------------------------------------------------------------------

/// Strengths at the end of each day 0, 1, …, `days` (before that hour's arrivals).
fn daily(d: &Duel, rounds: &[Round], days: usize) -> Vec<(f64, f64)> {
    (0..=days)
        .map(|day| at_hour(rounds, d.round_hours, (d.blue0, d.red0), 24.0 * day as f64))
        .collect()
}

#[test]
fn large_stochastic_duels_stay_within_1_percent_of_the_mean_field_day_by_day() {
    let mf = scenario("validation/duel-large.toml");
    let st = scenario("validation/duel-large-stochastic.toml");
    let (dm, ds) = (Duel::of(&mf), Duel::of(&st));
    let (mean_field, _) = fight(&mut Engine::new(), &mf, 0);
    let end_hour = mean_field.last().unwrap().hour + dm.round_hours;
    let days = (end_hour / 24.0).floor() as usize;
    let expected = daily(&dm, &mean_field, days);
    let runs: Vec<Vec<(f64, f64)>> = (0..LARGE_RUNS)
        .into_par_iter()
        .map_init(Engine::new, |engine, run| {
            daily(&ds, &fight(engine, &st, run).0, days)
        })
        .collect();
    let mut table = format!(
        "\n| day | Blue: closed form | mean field | stochastic, mean of {LARGE_RUNS} ± 1 s.e. | difference | Red: closed form | mean field | stochastic | difference |\n|---|---|---|---|---|---|---|---|---|\n"
    );
    let mut failures = Vec::new();
    for (day, &(blue, red)) in expected.iter().enumerate() {
        // The law of large numbers is about large forces: compare while the mean field's loser
        // keeps at least a fifth of its start (2,000 here). Below that a run's spread grows
        // (17% a run at 1,000) and the loser is wiped out at a random hour; those days are
        // printed, not tested.
        let large = blue.min(red) >= 0.2 * dm.blue0.min(dm.red0);
        let closed = continuous(&dm, 24.0 * day as f64);
        let mut row = format!("| {day}{} |", if large { "" } else { " (not tested)" });
        for (side, exact, sample, analytic) in [
            (
                "Blue",
                blue,
                runs.iter().map(|r| r[day].0).collect::<Vec<_>>(),
                closed.0,
            ),
            (
                "Red",
                red,
                runs.iter().map(|r| r[day].1).collect(),
                closed.1,
            ),
        ] {
            let (mean, se) = mean_and_se(&sample);
            let diff = (mean - exact) / exact;
            write!(
                row,
                " {:.0} | {exact:.1} | {mean:.1} ± {se:.1} | {:+.2}% |",
                analytic.max(0.0),
                diff * 100.0
            )
            .unwrap();
            if large && diff.abs() > 0.01 {
                failures.push(format!("day {day}: {side} averages {mean} over {LARGE_RUNS} stochastic runs, the mean field {exact}"));
            }
        }
        writeln!(table, "{row}").unwrap();
    }
    println!("{table}");
    assert!(failures.is_empty(), "{failures:#?}");
}

// ---------------------------------------------------------------------------------------------
// The worked example: a daily-step historical fit
// ---------------------------------------------------------------------------------------------

#[test]
fn a_daily_lanchester_fit_with_landing_waves_runs_as_a_scenario() {
    let s = scenario("validation/iwo-jima.toml");
    let d = Duel::of(&s);
    assert_eq!(d.round_hours, 24.0, "one round a day");
    // Blue is the garrison (Japan), Red the landing force (US). Engel's daily coefficients:
    // a = US casualties per defender per day, b = Japanese casualties per US soldier per day.
    let (a, b) = (d.beta * 24.0, d.rho * 24.0);
    let (engine, rep) = fight(&mut Engine::new(), &s, 0);
    let last = *engine.last().unwrap();
    let days = ((last.hour + d.round_hours) / 24.0).round() as usize;
    let ours = daily(&d, &engine, days);

    // The fit's own recursion, day by day (Euler): the day's arrivals land at dawn, then
    // M ← M − a·N, N ← N − b·M on the strengths at dawn.
    let (mut m, mut n) = (d.red0, d.blue0);
    let mut euler = vec![(n, m)];
    for day in 0..days {
        m += d
            .waves
            .iter()
            .filter(|w| !w.blue && w.hour == 24.0 * day as f64)
            .map(|w| w.troops)
            .sum::<f64>();
        (m, n) = (m - a * n, n - b * m);
        euler.push((n, m));
    }

    let mut table = String::from(
        "\n| day | date (end of day) | US ashore: engine | Euler fit | Japanese: engine | Euler fit |\n|---|---|---|---|---|---|\n",
    );
    for (day, (&(japan, us), &(fit_japan, fit_us))) in ours.iter().zip(&euler).enumerate() {
        let date = s.datetime_at(24.0 * day as f64).date();
        let fit_japan_text = if fit_japan > 0.0 {
            format!("{fit_japan:.0}")
        } else {
            "(below 0)".to_string()
        };
        writeln!(
            table,
            "| {day} | {date} | {us:.0} | {fit_us:.0} | {japan:.0} | {fit_japan_text} |"
        )
        .unwrap();
        // While the fit still has defenders, the daily round and the fit's Euler step agree on
        // the US strength to well within 1% (they differ by h²/2 of a day's hazard h).
        if fit_japan > 0.0 {
            assert!(
                relative(us, fit_us) < 0.01,
                "day {day}: the engine has {us} US troops ashore, the fit {fit_us}"
            );
        }
    }
    let column = |name: &str| numbers(&s, std::slice::from_ref(&rep), name)[0].unwrap();
    let (us_killed, us_wounded, japan_lost) = (
        column("us_killed"),
        column("us_wounded"),
        column("japan_killed") + column("japan_wounded"),
    );
    assert!(
        last.blue < HALF_A_FIGHTER && last.red > 50_000.0,
        "the garrison falls and some 52,000 US troops remain"
    );
    writeln!(table, "\nThe garrison is gone after {days} daily rounds. US casualties: {:.0} ({us_killed:.0} killed, {us_wounded:.0} wounded); Japanese: {japan_lost:.0}.", us_killed + us_wounded).unwrap();
    println!("{table}");
}

#[test]
fn the_recipe_in_the_documentation_is_a_scenario_that_gives_the_same_fight() {
    // docs/VALIDATION.md shows the worked example's TOML so that a reader can set up a fit
    // from the page alone: it must load, and fight the same fight as the file.
    let doc =
        std::fs::read_to_string(root().join("docs/VALIDATION.md")).expect("docs/VALIDATION.md");
    let (_, rest) = doc
        .split_once("```toml\n")
        .expect("a TOML block in docs/VALIDATION.md");
    let (toml, _) = rest.split_once("```").expect("the TOML block ends");
    let from_doc = Arc::new(
        sandtable::scenario::load_str(toml, "VALIDATION.md", None, &[])
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let file = scenario("validation/iwo-jima.toml");
    let (a, b) = (
        simulate(&from_doc, SEED, 0, false),
        simulate(&file, SEED, 0, false),
    );
    for name in ["us_killed", "us_wounded", "japan_killed", "japan_wounded"] {
        let (x, y) = (
            numbers(&from_doc, std::slice::from_ref(&a), name)[0],
            numbers(&file, std::slice::from_ref(&b), name)[0],
        );
        assert_eq!(
            x, y,
            "{name}: {x:?} from the documented recipe, {y:?} from iwo-jima.toml"
        );
    }
}
