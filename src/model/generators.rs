//! Joint torque generators: two opposing muscle groups per DOF, `T = a·S·T_iso·f(θ)·g(ω)`.
//!
//! Priors come from `data/shared/reference/torque-generators.csv` (Anderson, Madigan & Nussbaum 2007 J Biomech
//! 40:3105; Jackson 2010 / Kentel 2011; sprint literature ranges, see the file header). Angles follow the
//! model's DOF sign conventions, which match Anderson 2007 (hip and knee flexion, ankle dorsiflexion positive).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The generator table shipped with sprintlab.
pub const PRIORS_CSV: &str = include_str!("../../data/shared/reference/torque-generators.csv");

/// The sprinter profile's contractile-element generators of the sagittal leg groups (sources in its header).
pub const SPRINTER_CSV: &str = include_str!("../../data/shared/reference/sprinter-profile.csv");

/// `[athlete] profile`: which strength profile the torque generators take their parameters from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// The default table `torque-generators.csv`: dynamometer fits of young men and gymnasts (Anderson et al.
    /// 2007; Jackson 2010 / Kentel 2011) with ω_max raised to sprint-literature ranges. Also accepted as
    /// `"untrained"` (the issues' name for the non-sprinter profile).
    #[default]
    #[serde(alias = "untrained")]
    Dynamometer,
    /// `sprinter-profile.csv`: the Allen (2009) triple-jumper contractile-element set, mass-scaled, for the six
    /// sagittal leg groups (hip, knee, ankle extensors and flexors), with 10/40 ms activation; every other group
    /// as `dynamometer`. Its ω_max (26–36 rad/s) are contractile velocities meant for series-elastic generators.
    Sprinter,
}

impl Profile {
    /// True for the default profile (not written to a resolved scenario, which therefore stays as before).
    pub fn is_default(&self) -> bool {
        *self == Profile::Dynamometer
    }
}

/// Shape and strength of one muscle group's torque generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupParams {
    /// Group name, e.g. `hip_ext`.
    pub group: String,
    /// Peak isometric torque per body mass at the best angle (N·m/kg).
    pub t_iso_nm_per_kg: f64,
    /// Shortening velocity at which concentric torque reaches zero (rad/s).
    pub omega_max: f64,
    /// Fraction of isometric torque left at `omega_max / 2` (Hill hyperbola shape), in (0, 0.5).
    pub tv_half: f64,
    /// Eccentric plateau as a multiple of isometric torque (≥ 1).
    pub ecc_max: f64,
    /// Joint angle of peak isometric torque (rad, DOF sign convention).
    pub peak_angle: f64,
    /// Width of the torque–angle curve `cos(π(θ − peak)/width)`, clipped at 0 (rad).
    pub width: f64,
    /// The group's own activation and deactivation time constants `[τ_act, τ_deact]` (s), replacing the
    /// scenario's `[activation]`; `None`: the scenario's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation: Option<[f64; 2]>,
}

impl GroupParams {
    /// Torque–angle factor `f(θ) ∈ [0, 1]`.
    #[inline]
    pub fn f_angle(&self, theta: f64) -> f64 {
        let x = std::f64::consts::PI * (theta - self.peak_angle) / self.width;
        if x.abs() >= std::f64::consts::FRAC_PI_2 {
            0.0
        } else {
            x.cos()
        }
    }

    /// Hill hyperbola curvature `k` so that `g(ω_max/2) = tv_half`.
    #[inline]
    fn k(&self) -> f64 {
        self.tv_half / (1.0 - 2.0 * self.tv_half)
    }

    /// Torque–velocity factor `g(v)` and its slope `dg/dv` for shortening velocity `v` (rad/s; negative =
    /// lengthening). Concentric: `(1 − x)/(1 + x/k)`, `x = v/ω_max`, zero beyond `ω_max`. Eccentric: rises to
    /// `ecc_max` with a slope continuous at `v = 0` (so the implicit damping derived from it is smooth).
    #[inline]
    pub fn g_velocity(&self, v: f64) -> (f64, f64) {
        let k = self.k();
        let x = v / self.omega_max;
        if x >= 1.0 {
            (0.0, 0.0)
        } else if x >= 0.0 {
            let den = 1.0 + x / k;
            ((1.0 - x) / den, -(1.0 + 1.0 / k) / (den * den) / self.omega_max)
        } else {
            let e = self.ecc_max;
            let c = (e - 1.0) / (1.0 + 1.0 / k);
            if c <= 0.0 {
                return (1.0, 0.0);
            }
            let u = 1.0 - x / c;
            (e - (e - 1.0) / u, -(e - 1.0) / (c * u * u) / self.omega_max)
        }
    }
}

/// The prior table, by group name.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratorTable {
    /// Group parameters by name.
    pub groups: BTreeMap<String, GroupParams>,
}

impl GeneratorTable {
    /// Parses a generator CSV (comment lines start with `#`).
    pub fn parse(text: &str, origin: &str) -> Result<Self, Error> {
        let mut groups = BTreeMap::new();
        let mut header_seen = false;
        // Whether columns 10 and 11 are the activation time constants (`tau_act_s,tau_deact_s`).
        let mut with_activation = false;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !header_seen {
                header_seen = true;
                with_activation = line.split(',').nth(9).map(str::trim) == Some("tau_act_s");
                continue;
            }
            let cols: Vec<&str> = line.split(',').collect();
            let bad = |what: &str| Error::Data {
                file: origin.to_string(),
                line: i + 1,
                msg: what.to_string(),
            };
            let need = if with_activation { 11 } else { 9 };
            if cols.len() < need {
                return Err(bad(&format!("expected at least {need} columns")));
            }
            let num = |j: usize| -> Result<f64, Error> {
                cols[j]
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| bad(&format!("column {} is not a number: `{}`", j + 1, cols[j])))
            };
            let g = GroupParams {
                group: cols[0].trim().to_string(),
                t_iso_nm_per_kg: num(3)?,
                omega_max: num(4)?,
                tv_half: num(5)?,
                ecc_max: num(6)?,
                peak_angle: num(7)?,
                width: num(8)?,
                activation: if with_activation {
                    let taus = [num(9)?, num(10)?];
                    if !taus.iter().all(|&t| t > 0.0 && t <= 1.0) {
                        return Err(bad("activation time constants must be in (0, 1] s"));
                    }
                    Some(taus)
                } else {
                    None
                },
            };
            groups.insert(g.group.clone(), g);
        }
        Ok(Self { groups })
    }

    /// The table shipped with sprintlab.
    pub fn priors() -> Self {
        Self::parse(PRIORS_CSV, "data/shared/reference/torque-generators.csv")
            .expect("the embedded generator table parses")
    }

    /// The table of a strength profile: the priors, with the profile's groups replacing theirs.
    pub fn for_profile(profile: Profile) -> Self {
        let mut table = Self::priors();
        if profile == Profile::Sprinter {
            let sprinter = Self::parse(SPRINTER_CSV, "data/shared/reference/sprinter-profile.csv")
                .expect("the embedded sprinter profile parses");
            table.groups.extend(sprinter.groups);
        }
        table
    }
}

/// The group name of a DOF without muscles (the metatarsophalangeal joint): a generator that never produces
/// torque. Not in the generator table; a DOF with it on both sides is passive ([`crate::model::Dof::passive`]).
pub const PASSIVE: &str = "passive";

impl GroupParams {
    /// The parameters of the [`PASSIVE`] group: zero isometric torque (the shape values only keep the curves
    /// finite).
    pub fn passive() -> Self {
        Self {
            group: PASSIVE.to_string(),
            t_iso_nm_per_kg: 0.0,
            omega_max: 1.0,
            tv_half: 0.25,
            ecc_max: 1.0,
            peak_angle: 0.0,
            width: 1.0,
            activation: None,
        }
    }
}

/// The opposing groups `[positive direction, negative direction]` of a DOF, derived from its name.
pub fn default_groups(dof: &str) -> Option<[&'static str; 2]> {
    let base = dof.strip_suffix("_r").or_else(|| dof.strip_suffix("_l")).unwrap_or(dof);
    Some(match base {
        "hip_flex" => ["hip_flex", "hip_ext"],
        "hip_add" => ["hip_add", "hip_abd"],
        "hip_rot" => ["hip_rot_int", "hip_rot_ext"],
        "knee" => ["knee_flex", "knee_ext"],
        "ankle" => ["ankle_df", "ankle_pf"],
        "lumbar_flex" => ["lumbar_flex", "lumbar_ext"],
        "lumbar_bend" => ["lumbar_bend", "lumbar_bend"],
        "lumbar_rot" => ["lumbar_rot", "lumbar_rot"],
        "shoulder_flex" => ["shoulder_flex", "shoulder_ext"],
        "shoulder_abd" => ["shoulder_abd", "shoulder_add"],
        "elbow" => ["elbow_flex", "elbow_ext"],
        "mtp" => [PASSIVE, PASSIVE],
        _ => return None,
    })
}

/// The four contributors of the sprint system (docs/design.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Contributor {
    /// Pushing-side groups: hip extensors, knee extensors, ankle plantarflexors.
    Push,
    /// Swing-side (recovery) groups: hip flexors, knee flexors, ankle dorsiflexors.
    Swing,
    /// Shoulder and elbow groups.
    Arms,
    /// Lumbar groups.
    Torso,
    /// Hip ab/adductors and rotators: scaled by their group strength only.
    None,
}

impl Contributor {
    /// The contributor a muscle group belongs to.
    pub fn of_group(group: &str) -> Self {
        match group {
            // Two-joint units (model::units) by their primary role: plantarflexion and hip extension in stance push,
            // hip flexion in swing; each is excited with its primary group, which belongs to the same contributor.
            "hip_ext" | "knee_ext" | "ankle_pf" | "gastrocnemius" | "hamstrings" => Self::Push,
            "hip_flex" | "knee_flex" | "ankle_df" | "rectus_femoris" => Self::Swing,
            g if g.starts_with("shoulder") || g.starts_with("elbow") => Self::Arms,
            g if g.starts_with("lumbar") => Self::Torso,
            _ => Self::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priors_parse_all_twenty_groups() {
        let t = GeneratorTable::priors();
        assert_eq!(t.groups.len(), 20);
        assert_eq!(t.groups["hip_ext"].t_iso_nm_per_kg, 3.5);
    }

    #[test]
    fn torque_velocity_curve_hits_its_anchor_points() {
        let t = GeneratorTable::priors();
        for g in t.groups.values() {
            assert_eq!(g.g_velocity(0.0).0, 1.0);
            assert!((g.g_velocity(g.omega_max / 2.0).0 - g.tv_half).abs() < 1e-12);
            assert_eq!(g.g_velocity(g.omega_max).0, 0.0);
            let (ge, _) = g.g_velocity(-1e6);
            assert!((ge - g.ecc_max).abs() < 1e-3, "{ge}");
            // slope continuous at 0
            let (_, s_plus) = g.g_velocity(1e-12);
            let (_, s_minus) = g.g_velocity(-1e-12);
            assert!((s_plus - s_minus).abs() < 1e-6 * s_plus.abs());
            // slope matches finite differences
            for v in [-5.0, -0.3, 0.4, 3.0] {
                let h = 1e-6;
                let fd = (g.g_velocity(v + h).0 - g.g_velocity(v - h).0) / (2.0 * h);
                assert!((fd - g.g_velocity(v).1).abs() < 1e-5, "{} {v}", g.group);
            }
        }
    }

    /// The sprinter profile replaces exactly the six sagittal leg groups, with the sourced values of its file
    /// (Allen 2009 CC set: T0, ω_max, `tv_half = r/(2r+1)` from ω_c/ω_max, T_max/T0; Millard 10/40 ms) and the
    /// default table's angle relation; every other group is the default's.
    #[test]
    fn sprinter_profile_replaces_the_leg_groups_with_the_sourced_values() {
        let base = GeneratorTable::priors();
        let sprinter = GeneratorTable::for_profile(Profile::Sprinter);
        assert_eq!(GeneratorTable::for_profile(Profile::Dynamometer), base);
        assert_eq!(sprinter.groups.len(), base.groups.len());
        let expected = [
            ("hip_ext", 5.6, 26.0, 0.31, 1.3),
            ("hip_flex", 2.6, 28.0, 0.15, 1.3),
            ("knee_ext", 4.6, 36.0, 0.15, 1.3),
            ("knee_flex", 4.0, 34.0, 0.15, 1.6),
            ("ankle_pf", 3.0, 30.8, 0.50, 1.38),
            ("ankle_df", 0.7, 26.0, 0.15, 1.67),
        ];
        for (g, t0, w, r, ecc) in expected {
            let p = &sprinter.groups[g];
            assert_eq!((p.t_iso_nm_per_kg, p.omega_max, p.ecc_max), (t0, w, ecc), "{g}");
            // tv_half is rounded to 4 digits in the file.
            assert!((p.tv_half - r / (2.0 * r + 1.0)).abs() < 1e-4, "{g}: {}", p.tv_half);
            assert!((p.k() - r).abs() < 1e-3, "{g}: k = {}", p.k());
            assert_eq!(
                (p.peak_angle, p.width),
                (base.groups[g].peak_angle, base.groups[g].width)
            );
            assert_eq!(p.activation, Some([0.010, 0.040]), "{g}");
        }
        for (g, p) in &sprinter.groups {
            if !expected.iter().any(|e| e.0 == g) {
                assert_eq!(p, &base.groups[g]);
            }
        }
        assert!(base.groups.values().all(|p| p.activation.is_none()));
    }

    #[test]
    fn a_profile_row_with_a_bad_activation_time_is_rejected_with_its_line() {
        let text = "# c\ngroup,joint,direction,t,w,v,e,p,wd,tau_act_s,tau_deact_s,source\n\
                    hip_ext,hip,extension,5.6,26,0.19,1.3,0.9,3.2,0.0,0.04,x\n";
        let e = GeneratorTable::parse(text, "p.csv").unwrap_err().to_string();
        assert!(e.contains("p.csv") && e.contains('3') && e.contains("(0, 1] s"), "{e}");
    }

    #[test]
    fn every_sprinter_dof_has_groups_in_the_table() {
        let t = GeneratorTable::priors();
        for d in [
            "hip_flex_r",
            "hip_add_l",
            "hip_rot_r",
            "knee_l",
            "ankle_r",
            "lumbar_flex",
            "lumbar_bend",
            "lumbar_rot",
            "shoulder_flex_r",
            "shoulder_abd_l",
            "elbow_r",
        ] {
            for g in default_groups(d).unwrap() {
                assert!(t.groups.contains_key(g), "{g}");
            }
        }
    }
}
