//! Ground push per stance, read from the per-foot ground reaction forces of each step (DESIGN §1, "ground push").
//!
//! Stances are detected per foot with hysteresis: a touchdown when that foot's vertical force rises above
//! [`StanceThresholds::touchdown_bw`] body weights, a lift-off when it falls below
//! [`StanceThresholds::liftoff_bw`]; either change counts only once the new condition has held for
//! [`StanceThresholds::min_hold`] seconds, and is then dated back to the start of the first step that met it.
//! Each step's force is taken as constant over that step (impulse = F·dt), and every sum runs in step order, so
//! the result is deterministic.

use serde::{Deserialize, Serialize};

use crate::model::Model;
use crate::sim::StepReport;

/// Thresholds of the stance detector.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StanceThresholds {
    /// A foot touches down when its vertical force exceeds this (body weights). Default 0.1.
    pub touchdown_bw: f64,
    /// A foot lifts off when its vertical force drops below this (body weights). Default 0.05.
    pub liftoff_bw: f64,
    /// How long a touchdown or lift-off condition must hold before it counts (s). Default 0.003.
    pub min_hold: f64,
}

impl Default for StanceThresholds {
    fn default() -> Self {
        Self {
            touchdown_bw: 0.1,
            liftoff_bw: 0.05,
            min_hold: 0.003,
        }
    }
}

/// One stance of one foot: from touchdown to lift-off (or to the end of the record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stance {
    /// Index of the foot in [`Model::feet`] (and in [`StepReport::grf`]).
    pub foot: usize,
    /// Name of the foot segment.
    pub foot_name: String,
    /// Touchdown time (s): start of the first step whose vertical force exceeded the touchdown threshold.
    pub touchdown: f64,
    /// Lift-off time (s): start of the first step whose vertical force fell below the lift-off threshold
    /// (for good); `None` if the foot was still in contact when the record ended.
    pub lift_off: Option<f64>,
    /// Contact time (s): lift-off − touchdown, or end of the record − touchdown for an open stance.
    pub contact_time: f64,
    /// Propulsive impulse ∫ max(Fx, 0) dt over the stance (N·s, ≥ 0; x forward).
    pub propulsive_impulse: f64,
    /// Braking impulse ∫ min(Fx, 0) dt over the stance (N·s, ≤ 0).
    pub braking_impulse: f64,
    /// Net horizontal (fore–aft) impulse ∫ Fx dt = propulsive + braking (N·s).
    pub net_horizontal_impulse: f64,
    /// Vertical impulse ∫ Fz dt over the stance (N·s).
    pub vertical_impulse: f64,
    /// Stance-averaged vertical force: vertical impulse / contact time / body weight (body weights).
    pub mean_vertical_force_bw: f64,
    /// Largest vertical force of any step of the stance (body weights).
    pub peak_vertical_force_bw: f64,
    /// Share of the contact time during which Fx < 0 (dimensionless, 0–1).
    pub braking_fraction: f64,
}

/// Whole-run totals over every stance (complete and open).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PushTotals {
    /// Σ propulsive impulse of all stances (N·s, ≥ 0).
    pub propulsive_impulse: f64,
    /// Σ braking impulse of all stances (N·s, ≤ 0).
    pub braking_impulse: f64,
    /// Σ net horizontal impulse of all stances (N·s).
    pub net_horizontal_impulse: f64,
    /// Σ vertical impulse of all stances (N·s).
    pub vertical_impulse: f64,
    /// Number of complete stances (touchdown and lift-off both seen).
    pub complete_stances: usize,
    /// Number of stances, the open ones included.
    pub stances: usize,
}

/// One step's force on one foot.
#[derive(Debug, Clone, Copy)]
struct Sample {
    t_end: f64,
    dt: f64,
    f: [f64; 3],
}

/// Running sums of one stance.
#[derive(Debug, Clone, Copy)]
struct Acc {
    touchdown: f64,
    t_last: f64,
    propulsive: f64,
    braking: f64,
    net: f64,
    vertical: f64,
    peak: f64,
    braking_time: f64,
}

impl Acc {
    fn new(touchdown: f64) -> Self {
        Self {
            touchdown,
            t_last: touchdown,
            propulsive: 0.0,
            braking: 0.0,
            net: 0.0,
            vertical: 0.0,
            peak: f64::NEG_INFINITY,
            braking_time: 0.0,
        }
    }

    fn add(&mut self, s: &Sample) {
        let [fx, _, fz] = s.f;
        self.propulsive += fx.max(0.0) * s.dt;
        self.braking += fx.min(0.0) * s.dt;
        self.net += fx * s.dt;
        self.vertical += fz * s.dt;
        self.peak = self.peak.max(fz);
        if fx < 0.0 {
            self.braking_time += s.dt;
        }
        self.t_last = s.t_end;
    }

    fn finish(&self, foot: usize, foot_name: &str, lift_off: Option<f64>, bw: f64) -> Stance {
        let end = lift_off.unwrap_or(self.t_last);
        let contact_time = end - self.touchdown;
        let per_time = |x: f64| if contact_time > 0.0 { x / contact_time } else { 0.0 };
        Stance {
            foot,
            foot_name: foot_name.to_string(),
            touchdown: self.touchdown,
            lift_off,
            contact_time,
            propulsive_impulse: self.propulsive,
            braking_impulse: self.braking,
            net_horizontal_impulse: self.net,
            vertical_impulse: self.vertical,
            mean_vertical_force_bw: per_time(self.vertical) / bw,
            peak_vertical_force_bw: self.peak / bw,
            braking_fraction: per_time(self.braking_time),
        }
    }
}

/// Detector state of one foot.
#[derive(Debug, Clone)]
struct FootTrack {
    name: String,
    /// The stance in progress, if the foot is in contact.
    stance: Option<Acc>,
    /// Steps that meet the opposite condition (touchdown while airborne, lift-off while in contact) but have not
    /// held long enough yet; replayed in order once their fate is known.
    pending: Vec<Sample>,
    /// Duration of `pending` (s).
    pending_time: f64,
}

/// Detects stances and integrates the ground push of each, fed once per step.
#[derive(Debug, Clone)]
pub struct PushMeter {
    thresholds: StanceThresholds,
    body_weight: f64,
    feet: Vec<FootTrack>,
    done: Vec<Stance>,
    t_last: f64,
}

impl PushMeter {
    /// A meter for the model's feet ([`Model::feet`] order) with the default thresholds.
    pub fn new(model: &Model) -> Self {
        Self::with_thresholds(model, StanceThresholds::default())
    }

    /// A meter with the given thresholds.
    pub fn with_thresholds(model: &Model, thresholds: StanceThresholds) -> Self {
        Self {
            thresholds,
            body_weight: model.body_weight,
            feet: model
                .feet
                .iter()
                .map(|&seg| FootTrack {
                    name: model.segments[seg].name.clone(),
                    stance: None,
                    pending: Vec::new(),
                    pending_time: 0.0,
                })
                .collect(),
            done: Vec::new(),
            t_last: 0.0,
        }
    }

    /// The thresholds in use.
    pub fn thresholds(&self) -> &StanceThresholds {
        &self.thresholds
    }

    /// Feeds one step: `t_end` is the time at the end of the step (s), `dt` its length (s); `report.grf` holds
    /// the per-foot forces (N, world frame) in [`Model::feet`] order, taken as constant over the step.
    pub fn feed(&mut self, t_end: f64, dt: f64, report: &StepReport) {
        self.t_last = t_end;
        let bw = self.body_weight;
        let on = self.thresholds.touchdown_bw * bw;
        let off = self.thresholds.liftoff_bw * bw;
        // A tiny slack so that 3 × 1 ms counts as 3 ms in floating point.
        let hold = self.thresholds.min_hold - 1e-9;
        for (i, (foot, f)) in self.feet.iter_mut().zip(&report.grf).enumerate() {
            let s = Sample { t_end, dt, f: *f };
            let fz = f[2];
            match &mut foot.stance {
                None => {
                    if fz > on {
                        foot.pending.push(s);
                        foot.pending_time += dt;
                        if foot.pending_time >= hold {
                            let p0 = foot.pending[0];
                            let mut acc = Acc::new(p0.t_end - p0.dt);
                            foot.pending.iter().for_each(|p| acc.add(p));
                            foot.stance = Some(acc);
                            foot.pending.clear();
                            foot.pending_time = 0.0;
                        }
                    } else {
                        foot.pending.clear();
                        foot.pending_time = 0.0;
                    }
                }
                Some(acc) => {
                    if fz < off {
                        foot.pending.push(s);
                        foot.pending_time += dt;
                        if foot.pending_time >= hold {
                            let p0 = foot.pending[0];
                            self.done.push(acc.finish(i, &foot.name, Some(p0.t_end - p0.dt), bw));
                            foot.stance = None;
                            foot.pending.clear();
                            foot.pending_time = 0.0;
                        }
                    } else {
                        // The dip was too short to be a lift-off: it belongs to the stance.
                        foot.pending.iter().for_each(|p| acc.add(p));
                        foot.pending.clear();
                        foot.pending_time = 0.0;
                        acc.add(&s);
                    }
                }
            }
        }
    }

    /// Whether a foot (index in [`Model::feet`]) is in a confirmed stance now.
    pub fn in_contact(&self, foot: usize) -> bool {
        self.feet[foot].stance.is_some()
    }

    /// Time at the end of the last step fed (s); 0 before any.
    pub fn t_last(&self) -> f64 {
        self.t_last
    }

    /// Every stance so far, ordered by touchdown time (then foot index): the complete ones, then each foot's
    /// open stance with `lift_off = None`. A lift-off that has not yet held long enough is not counted: that
    /// stance is still open and includes those steps.
    pub fn stances(&self) -> Vec<Stance> {
        let mut out = self.done.clone();
        for (i, foot) in self.feet.iter().enumerate() {
            if let Some(acc) = &foot.stance {
                let mut acc = *acc;
                foot.pending.iter().for_each(|p| acc.add(p));
                out.push(acc.finish(i, &foot.name, None, self.body_weight));
            }
        }
        out.sort_by(|a, b| a.touchdown.total_cmp(&b.touchdown).then(a.foot.cmp(&b.foot)));
        out
    }

    /// Only the complete stances (lift-off seen), in the order their lift-offs were confirmed.
    pub fn complete_stances(&self) -> &[Stance] {
        &self.done
    }

    /// Totals over every stance so far (complete and open), summed in [`PushMeter::stances`] order.
    pub fn totals(&self) -> PushTotals {
        let stances = self.stances();
        let mut t = PushTotals {
            propulsive_impulse: 0.0,
            braking_impulse: 0.0,
            net_horizontal_impulse: 0.0,
            vertical_impulse: 0.0,
            complete_stances: 0,
            stances: stances.len(),
        };
        for s in &stances {
            t.propulsive_impulse += s.propulsive_impulse;
            t.braking_impulse += s.braking_impulse;
            t.net_horizontal_impulse += s.net_horizontal_impulse;
            t.vertical_impulse += s.vertical_impulse;
            if s.lift_off.is_some() {
                t.complete_stances += 1;
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A meter for two feet at 100 N body weight without building a model.
    fn meter() -> PushMeter {
        PushMeter {
            thresholds: StanceThresholds::default(),
            body_weight: 100.0,
            feet: ["foot_r", "foot_l"]
                .iter()
                .map(|n| FootTrack {
                    name: n.to_string(),
                    stance: None,
                    pending: Vec::new(),
                    pending_time: 0.0,
                })
                .collect(),
            done: Vec::new(),
            t_last: 0.0,
        }
    }

    fn report(fr: [f64; 3]) -> StepReport {
        StepReport {
            t: 0.0,
            grf: vec![fr, [0.0; 3]],
            cop: vec![[f64::NAN; 2]; 2],
            free_moment: vec![0.0; 2],
            torque: Vec::new(),
            passive_torque: Vec::new(),
            finite: true,
        }
    }

    #[test]
    fn a_rectangular_stance_gives_exact_impulses_and_times() {
        let mut m = meter();
        let dt = 0.001;
        // 10 ms air, 100 ms stance (braking 40 ms at −20 N, then +30 N), 20 ms air.
        for k in 0..130 {
            let t0 = k as f64 * dt;
            let f = if (10..110).contains(&k) {
                [if k < 50 { -20.0 } else { 30.0 }, 0.0, 150.0]
            } else {
                [0.0; 3]
            };
            m.feed(t0 + dt, dt, &report(f));
        }
        let s = m.stances();
        assert_eq!(s.len(), 1);
        let s = &s[0];
        assert!((s.touchdown - 0.010).abs() < 1e-12);
        assert!((s.lift_off.unwrap() - 0.110).abs() < 1e-12);
        assert!((s.contact_time - 0.1).abs() < 1e-12);
        assert!((s.braking_impulse + 0.8).abs() < 1e-9);
        assert!((s.propulsive_impulse - 1.8).abs() < 1e-9);
        assert!((s.net_horizontal_impulse - 1.0).abs() < 1e-9);
        assert!((s.vertical_impulse - 15.0).abs() < 1e-9);
        assert!((s.mean_vertical_force_bw - 1.5).abs() < 1e-9);
        assert!((s.peak_vertical_force_bw - 1.5).abs() < 1e-12);
        assert!((s.braking_fraction - 0.4).abs() < 1e-9);
        let t = m.totals();
        assert_eq!((t.complete_stances, t.stances), (1, 1));
    }

    #[test]
    fn blips_shorter_than_the_hold_time_change_nothing() {
        let mut m = meter();
        let dt = 0.001;
        let mut k = 0;
        let mut feed = |m: &mut PushMeter, fz: f64, n: usize| {
            for _ in 0..n {
                k += 1;
                m.feed(k as f64 * dt, dt, &report([0.0, 0.0, fz]));
            }
        };
        feed(&mut m, 50.0, 2); // 2 ms above touchdown: not a stance
        feed(&mut m, 0.0, 5);
        assert!(m.stances().is_empty());
        feed(&mut m, 50.0, 20); // stance from 7 ms
        feed(&mut m, 1.0, 2); // 2 ms dip: not a lift-off, its impulse stays in the stance
        feed(&mut m, 50.0, 10);
        let s = m.stances();
        assert_eq!(s.len(), 1);
        assert!((s[0].touchdown - 0.007).abs() < 1e-12);
        assert_eq!(s[0].lift_off, None);
        assert!((s[0].contact_time - 0.032).abs() < 1e-12);
        assert!((s[0].vertical_impulse - (30.0 * 50.0 + 2.0) * dt).abs() < 1e-9);
        feed(&mut m, 0.0, 3);
        let s = m.stances();
        assert!((s[0].lift_off.unwrap() - 0.039).abs() < 1e-12);
        assert_eq!(m.totals().complete_stances, 1);
    }
}
