//! The immutable body model: segments, hinge DOFs, torque generators, contact spheres.
//!
//! A [`Model`] is compiled once from a [`file::ModelFile`] (loaded or generated) plus the scenario's strengths
//! and contact settings; it is `Sync` and shared by every worker (MuJoCo's `mjModel`).

pub mod deleva;
pub mod file;
pub mod generators;
pub mod tendon;
pub mod units;

use schemars::JsonSchema;
use std::collections::{BTreeMap, BTreeSet};

use nalgebra::Vector3;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use file::{GeomSpec, ModelFile};
use generators::{default_groups, Contributor, GeneratorTable, GroupParams, PASSIVE};

/// Standard gravity used to express forces in body weights (m/s²).
pub const G_STD: f64 = 9.81;

// Strength of the contributors and muscle groups: `S = group strength × contributor strength`.
/// `[strength]`: `S = group strength × contributor strength`, both dimensionless (1 = the prior), 0–10.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename = "StrengthSection")]
pub struct Strengths {
    /// Pushing-side contributor (hip ext, knee ext, ankle plantarflexion). Default 1.
    pub push: f64,
    /// Swing-side contributor (hip flex, knee flex, dorsiflexion). Default 1.
    pub swing: f64,
    /// Arms (shoulder and elbow groups). Default 1.
    pub arms: f64,
    /// Torso (lumbar groups). Default 1.
    pub torso: f64,
    /// Per muscle group factor by group name (`hip_ext = 1.2`); groups of the generator table (a two-joint unit
    /// takes its contributor's strength only). Default 1 each.
    pub groups: BTreeMap<String, f64>,
    /// Factor on every group's `omega_max`, the joint angular velocity at which concentric torque reaches zero
    /// (dimensionless, 0.1–10). The priors note that fast athletes scale torque and `omega_max` together: a
    /// trained sprinter's muscle–tendon units keep torque at joint velocities where the dynamometer-based priors
    /// have almost none. Default 1 (the priors).
    pub velocity: f64,
    /// Series-elastic generators (issue 16): `true` gives every group of
    /// `data/shared/reference/series-elastic.csv` (hip_ext, knee_ext, ankle_pf) a tendon in series with its
    /// contractile element; `false` keeps every group rigid, as before. Default: true on the built-in default
    /// athlete (issue 16; filled in when the scenario loads), false on a model file or sprinter12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_elastic: Option<bool>,
    /// Two-joint generators (issue 16): `true` adds gastrocnemius, hamstrings and rectus femoris per leg
    /// (`data/shared/reference/two-joint-units.csv`), their strength taken out of the single-joint groups; needs
    /// the DOFs `hip_flex_*`, `knee_*`, `ankle_*`. Default: true on the built-in default athlete (issue 16;
    /// filled in when the scenario loads), false on a model file or sprinter12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_joint: Option<bool>,
    /// Per group or two-joint unit (`[strength.units.ankle_pf]`, `[strength.units.gastrocnemius]`): tendon and
    /// two-joint settings overriding the tables. Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub units: BTreeMap<String, units::UnitSpec>,
}

impl Default for Strengths {
    fn default() -> Self {
        Self {
            push: 1.0,
            swing: 1.0,
            arms: 1.0,
            torso: 1.0,
            groups: BTreeMap::new(),
            velocity: 1.0,
            series_elastic: None,
            two_joint: None,
            units: BTreeMap::new(),
        }
    }
}

impl Strengths {
    /// The total factor `S` of a group.
    pub fn factor(&self, group: &str) -> f64 {
        let c = match Contributor::of_group(group) {
            Contributor::Push => self.push,
            Contributor::Swing => self.swing,
            Contributor::Arms => self.arms,
            Contributor::Torso => self.torso,
            Contributor::None => 1.0,
        };
        c * self.groups.get(group).copied().unwrap_or(1.0)
    }
}

/// Which foot–ground contact model a simulation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ContactModel {
    /// sprintlab's own compliant model: Hunt–Crossley spheres on the soles, regularised Coulomb friction,
    /// solved linearly-implicitly (`sim::contact`). The default: smooth, physiological impact forces.
    #[default]
    Compliant,
    /// rapier's own contacts: the feet's `box` geoms as cuboid colliders against a ground half-space, Coulomb
    /// friction, softness from `rapier_natural_frequency`/`rapier_damping_ratio`; the GRF is read from the
    /// solver's impulses. Kept as a cross-check; its impact forces are impulsive (see `docs/contact-model.md`).
    Rapier,
}

/// rapier's default natural frequency of contacts against a fixed body (Hz): `static_contact_softness`.
pub const RAPIER_DEFAULT_NATURAL_FREQUENCY: f64 = 60.0;
/// rapier's default contact damping ratio (dimensionless).
pub const RAPIER_DEFAULT_DAMPING_RATIO: f64 = 10.0;

// Foot–ground contact: the model, the compliant law (Hunt–Crossley normal force, regularised Coulomb
// friction) and the softness of the rapier alternative.
//
// Defaults: `k = 5e5 N/m^1.5` per sphere gives a quasi-static stiffness of ≈ 215 kN/m per foot (four sole
// spheres) at 1 BW on one foot and ≈ 5 mm sink, the order of heel pad in series with a shoe; `c = 0.5 s/m`
// dissipates ≈ 55 % of the impact energy at 1 m/s (heel pads lose ≈ 60 %, Challis, Murdoch & Winter 2008
// J Appl Biomech 24:377). Stiffer contact (2e6, the rapier-contact prototype's value) stands as well but gives
// ≈ 12.5 BW for a straight-legged 5 cm drop.
/// `[contact]`: foot–ground contact. By default sprintlab's compliant model (Hunt–Crossley spheres on the soles,
/// regularised Coulomb friction); `model = "rapier"` selects rapier's own contacts instead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename = "ContactSection")]
pub struct ContactParams {
    /// Normal stiffness per sphere (N/m^1.5), 1e4–1e9. Default 5e5 (≈ 215 kN/m per foot at 1 BW: heel pad and
    /// shoe in series).
    pub stiffness: f64,
    /// Hunt–Crossley dissipation (s/m), 0–10. Default 0.5 (≈ 55 % energy loss at 1 m/s impact).
    pub dissipation: f64,
    /// Friction coefficient, 0–3. Default 1.0.
    pub friction: f64,
    /// Friction regularisation velocity (m/s), (0, 1]. Default 0.05.
    pub slip_velocity: f64,
    /// Newton passes of the implicit contact solve, 1–10. Default 3.
    pub newton_passes: usize,
    /// Contact model: `"compliant"` (default; sprintlab's Hunt–Crossley sole spheres, the fields above) or
    /// `"rapier"` (rapier's own contacts: the feet's box geoms as cuboid colliders on a ground half-space, Coulomb
    /// friction `friction`, softness below; impact forces are impulsive, see docs/contact-model.md).
    pub model: ContactModel,
    /// `model = "rapier"` only: natural frequency of rapier's soft contact constraint (Hz), (0, 10000]. Default 60
    /// (rapier's `static_contact_softness`, the value for contacts with the fixed ground). It acts as a spring
    /// `m_eff·(2πf)²` per contact point, `m_eff` the small effective mass at a foot point: below ≈ 30 Hz the default
    /// athlete sinks in and falls over.
    pub rapier_natural_frequency: f64,
    /// `model = "rapier"` only: damping ratio of rapier's soft contact constraint (dimensionless), [0, 1000].
    /// Default 10 (rapier's).
    pub rapier_damping_ratio: f64,
}

impl Default for ContactParams {
    fn default() -> Self {
        Self {
            stiffness: 5.0e5,
            dissipation: 0.5,
            friction: 1.0,
            slip_velocity: 0.05,
            newton_passes: 3,
            model: ContactModel::Compliant,
            rapier_natural_frequency: RAPIER_DEFAULT_NATURAL_FREQUENCY,
            rapier_damping_ratio: RAPIER_DEFAULT_DAMPING_RATIO,
        }
    }
}

/// One muscle group acting on one DOF.
#[derive(Debug, Clone, PartialEq)]
pub struct Generator {
    /// Shape parameters (from the priors).
    pub params: GroupParams,
    /// Contributor of the group.
    pub contributor: Contributor,
    /// Strength factor `S` (group × contributor).
    pub strength: f64,
    /// `S · T_iso · body mass` (N·m): the torque at full activation, best angle, zero velocity.
    pub t_max: f64,
    /// True when the group is series-elastic: its torque comes from its [`units::Unit`] in [`Model::units`]
    /// (tendon torque), not from [`Generator::capacity`].
    pub elastic: bool,
}

impl Generator {
    /// Largest torque magnitude this group can produce at angle `theta` and DOF velocity `omega` with full
    /// activation; `sign` = +1 for the positive-direction group, −1 for the negative one. Also returns the
    /// derivative of that torque magnitude with respect to `omega`.
    #[inline]
    pub fn capacity(&self, theta: f64, omega: f64, sign: f64) -> (f64, f64) {
        let f = self.params.f_angle(theta);
        let (g, dg) = self.params.g_velocity(sign * omega);
        (self.t_max * f * g, self.t_max * f * dg * sign)
    }
}

/// One hinge degree of freedom of the compiled model.
#[derive(Debug, Clone, PartialEq)]
pub struct Dof {
    /// Name (timeseries column).
    pub name: String,
    /// Segment whose joint this DOF belongs to.
    pub segment: usize,
    /// Position in its joint's hinge chain (0 = closest to the parent).
    pub chain_index: usize,
    /// Hinge axis (unit, child-frame components).
    pub axis: [f64; 3],
    /// Initial angle (rad).
    pub initial_angle: f64,
    /// Passive range of motion (rad).
    pub limits: Option<[f64; 2]>,
    /// Passive viscous damping (N·m·s/rad).
    pub damping: f64,
    /// Passive stiffness about angle 0 inside the range of motion (N·m/rad); 0 for most joints.
    pub stiffness: f64,
    /// True when the DOF has no muscles (both groups [`PASSIVE`]): it is never excited and makes no active
    /// torque (the metatarsophalangeal joint).
    pub passive: bool,
    /// `[positive-direction, negative-direction]` generators.
    pub generators: [Generator; 2],
    /// Peer standing PD gains [kp, kd], when the model file has them.
    pub pd_standing: Option<[f64; 2]>,
}

/// One segment of the compiled model.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Name.
    pub name: String,
    /// Parent segment index (`None` for the root).
    pub parent: Option<usize>,
    /// Mass (kg).
    pub mass: f64,
    /// COM in the segment frame (m).
    pub com: [f64; 3],
    /// Principal inertia about the COM (kg·m²).
    pub inertia: [f64; 3],
    /// Joint centre in the parent frame (m); for the root, its initial world position.
    pub anchor: [f64; 3],
    /// Indices of this segment's DOFs in [`Model::dofs`] (chain order).
    pub dofs: Vec<usize>,
    /// Collision geometry.
    pub geoms: Vec<GeomSpec>,
}

/// A contact sphere of the compiled model.
#[derive(Debug, Clone, PartialEq)]
pub struct Sphere {
    /// Segment index.
    pub segment: usize,
    /// The foot it belongs to: index into [`Model::feet`] (a toe's spheres belong to the toe's foot).
    pub foot: usize,
    /// Centre in the segment frame (m).
    pub center: [f64; 3],
    /// Radius (m).
    pub radius: f64,
}

/// The compiled, immutable model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Name.
    pub name: String,
    /// Segments (file order; parents first).
    pub segments: Vec<Segment>,
    /// Hinge DOFs in model order (the order of the model file, which for sprinter12 is its `dof_order`).
    pub dofs: Vec<Dof>,
    /// Muscle–tendon units with a contractile state: series-elastic groups, then two-joint units (empty when
    /// neither is switched on).
    pub units: Vec<units::Unit>,
    /// Foot contact spheres.
    pub spheres: Vec<Sphere>,
    /// The feet: segments carrying contact spheres whose parent carries none, in segment order. A segment with
    /// spheres whose parent has spheres too (a toe) is part of its parent's foot.
    pub feet: Vec<usize>,
    /// Contact law.
    pub contact: ContactParams,
    /// Total mass (kg).
    pub mass: f64,
    /// Body weight `mass · 9.81` (N).
    pub body_weight: f64,
}

impl Model {
    /// Compiles a model file with the given strengths, generator table and contact law.
    pub fn compile(
        file: &ModelFile,
        strengths: &Strengths,
        table: &GeneratorTable,
        contact: ContactParams,
    ) -> Result<Self, Error> {
        let err = |msg: String| Error::Model {
            model: file.name.clone(),
            msg,
        };
        if file.segments.is_empty() {
            return Err(err("no segments".into()));
        }
        let mass: f64 = file.segments.iter().map(|s| s.mass).sum();
        let mut index = BTreeMap::new();
        let mut segments = Vec::new();
        let mut dofs = Vec::new();
        let mut names = BTreeSet::new();
        for (i, s) in file.segments.iter().enumerate() {
            if index.insert(s.name.clone(), i).is_some() {
                return Err(err(format!("segment `{}` appears twice", s.name)));
            }
            let parent = match &s.parent {
                None if i == 0 => None,
                None => {
                    return Err(err(format!(
                        "segment `{}` has no parent; only the first segment may be the root",
                        s.name
                    )))
                }
                Some(p) => Some(
                    *index
                        .get(p)
                        .ok_or_else(|| err(format!("segment `{}`: parent `{p}` is not defined before it", s.name)))?,
                ),
            };
            if i == 0 && s.parent.is_some() {
                return Err(err("the first segment must be the root (parent null)".into()));
            }
            if !(s.mass > 0.0) || s.inertia_diag.iter().any(|&x| !(x > 0.0)) {
                return Err(err(format!("segment `{}`: mass and inertia must be > 0", s.name)));
            }
            if s.joint.anchor_in_child != [0.0; 3] {
                return Err(err(format!("segment `{}`: anchor_in_child must be the origin", s.name)));
            }
            if parent.is_none() && !s.joint.dofs.is_empty() {
                return Err(err("the root has a free joint: it takes no hinge DOFs".into()));
            }
            if parent.is_some() && !(1..=3).contains(&s.joint.dofs.len()) {
                return Err(err(format!("segment `{}`: a joint has 1 to 3 hinge DOFs", s.name)));
            }
            let mut seg_dofs = Vec::new();
            for (k, d) in s.joint.dofs.iter().enumerate() {
                if !names.insert(d.name.clone()) {
                    return Err(err(format!("DOF `{}` appears twice", d.name)));
                }
                let a = Vector3::from(d.axis_in_child);
                if (a.norm() - 1.0).abs() > 1e-6 {
                    return Err(err(format!("DOF `{}`: axis_in_child must be a unit vector", d.name)));
                }
                let groups: [String; 2] = match &d.generators {
                    Some(g) => g.clone(),
                    None => default_groups(&d.name)
                        .map(|g| [g[0].to_string(), g[1].to_string()])
                        .ok_or_else(|| {
                            err(format!(
                                "DOF `{}`: no default muscle groups for this name; give `generators` in the model file",
                                d.name
                            ))
                        })?,
                };
                let gen = |g: &str| -> Result<Generator, Error> {
                    if g == PASSIVE {
                        return Ok(Generator {
                            params: GroupParams::passive(),
                            contributor: Contributor::None,
                            strength: 0.0,
                            t_max: 0.0,
                            elastic: false,
                        });
                    }
                    let mut params = table.groups.get(g).cloned().ok_or_else(|| {
                        err(format!(
                            "DOF `{}`: muscle group `{g}` is not in the generator table",
                            d.name
                        ))
                    })?;
                    let strength = strengths.factor(g);
                    params.omega_max *= strengths.velocity;
                    Ok(Generator {
                        t_max: strength * params.t_iso_nm_per_kg * mass,
                        contributor: Contributor::of_group(g),
                        strength,
                        params,
                        elastic: false,
                    })
                };
                if let Some([lo, hi]) = d.limits {
                    if !(lo < hi) {
                        return Err(err(format!(
                            "DOF `{}`: limits must be [min, max] with min < max",
                            d.name
                        )));
                    }
                }
                let stiffness = d.stiffness.unwrap_or(0.0);
                if !(stiffness.is_finite() && stiffness >= 0.0) {
                    return Err(err(format!(
                        "DOF `{}`: stiffness must be a finite number ≥ 0 (N·m/rad); got {stiffness}",
                        d.name
                    )));
                }
                seg_dofs.push(dofs.len());
                dofs.push(Dof {
                    name: d.name.clone(),
                    segment: i,
                    chain_index: k,
                    axis: a.normalize().into(),
                    initial_angle: d.initial_angle,
                    limits: d.limits,
                    damping: d.damping.unwrap_or(0.0).max(0.0),
                    stiffness,
                    passive: groups.iter().all(|g| g == PASSIVE),
                    generators: [gen(&groups[0])?, gen(&groups[1])?],
                    pd_standing: d.pd_standing_kp_kd,
                });
            }
            segments.push(Segment {
                name: s.name.clone(),
                parent,
                mass: s.mass,
                com: s.com,
                inertia: s.inertia_diag,
                anchor: s.joint.anchor_in_parent,
                dofs: seg_dofs,
                geoms: s.geoms.clone(),
            });
        }
        if file.segments.len() < 2 {
            // rapier builds an articulation only from a joint: a lone root would have no multibody.
            return Err(err(
                "a single segment: a model needs the root and at least one jointed child segment".into(),
            ));
        }
        let spheres = match &file.contact {
            Some(c) => c
                .spheres
                .iter()
                .map(|sp| {
                    Ok(Sphere {
                        segment: *index
                            .get(&sp.segment)
                            .ok_or_else(|| err(format!("contact sphere on unknown segment `{}`", sp.segment)))?,
                        foot: 0,
                        center: sp.center,
                        radius: sp.radius,
                    })
                })
                .collect::<Result<Vec<_>, Error>>()?,
            None => default_foot_spheres(&segments),
        };
        let units = build_units(&mut dofs, strengths, table, mass).map_err(err)?;
        let (feet, spheres) = assign_feet(&segments, spheres);
        Ok(Self {
            name: file.name.clone(),
            segments,
            dofs,
            units,
            spheres,
            feet,
            contact,
            mass,
            body_weight: mass * G_STD,
        })
    }

    /// Index of a DOF by name.
    pub fn dof_index(&self, name: &str) -> Option<usize> {
        self.dofs.iter().position(|d| d.name == name)
    }

    /// Index of a segment by name.
    pub fn segment_index(&self, name: &str) -> Option<usize> {
        self.segments.iter().position(|s| s.name == name)
    }
}

/// The units switched on by `strengths` (series-elastic groups, then two-joint units per side), taking the two-joint
/// units' strength out of the single-joint groups of `dofs` (their `T_iso` and `t_max` lowered) and marking the
/// series-elastic groups `elastic`.
fn build_units(
    dofs: &mut [Dof],
    strengths: &Strengths,
    table: &GeneratorTable,
    mass: f64,
) -> Result<Vec<units::Unit>, String> {
    let mut out = Vec::new();
    let slot = |d: &Dof, g: &str| d.generators.iter().position(|gen| gen.params.group == g);
    // Two-joint units first (they lower the single-joint groups the tendons are then sized on).
    let mut two = Vec::new();
    if strengths.two_joint.unwrap_or(false) {
        for r in units::two_joint_rows(&strengths.units) {
            let base = table.groups.get(&r.primary_group).ok_or_else(|| {
                format!(
                    "two-joint unit `{}`: group `{}` not in the table",
                    r.unit, r.primary_group
                )
            })?;
            for side in ["_r", "_l"] {
                let find = |dof: &str, g: &str| -> Result<(usize, usize), String> {
                    let name = format!("{dof}{side}");
                    let i = dofs.iter().position(|d| d.name == name).ok_or_else(|| {
                        format!(
                            "two_joint: unit `{}{side}` needs the DOF `{name}`, which this body lacks",
                            r.unit
                        )
                    })?;
                    let k = slot(&dofs[i], g)
                        .ok_or_else(|| format!("two_joint: DOF `{name}` has no `{g}` group for `{}{side}`", r.unit))?;
                    Ok((i, k))
                };
                let (i1, k1) = find(&r.primary_dof, &r.primary_group)?;
                let (i2, k2) = find(&r.secondary_dof, &r.secondary_group)?;
                let t_iso = r.share * base.t_iso_nm_per_kg;
                for (i, k, removed) in [(i1, k1, t_iso), (i2, k2, r.ratio * t_iso)] {
                    let g = &mut dofs[i].generators[k];
                    let left = g.params.t_iso_nm_per_kg - removed;
                    if left < 0.0 {
                        return Err(format!(
                            "two_joint: the two-joint units take {removed} N·m/kg out of `{}` on `{}`, which has \
                             only {} left: lower their share or ratio",
                            g.params.group, dofs[i].name, g.params.t_iso_nm_per_kg
                        ));
                    }
                    g.params.t_iso_nm_per_kg = left;
                    g.t_max = g.strength * left * mass;
                }
                let sign = if k1 == 0 { 1.0 } else { -1.0 };
                let sign2 = if k2 == 0 { 1.0 } else { -1.0 };
                let e2 = sign * sign2 * r.ratio;
                let mut params = dofs[i1].generators[k1].params.clone();
                params.group = r.unit.clone();
                params.t_iso_nm_per_kg = t_iso;
                // f(θ₁ + e₂·(θ₂ − ref)) = f(Q − e₂·ref): the curve's peak moves to peak + e₂·ref on Q.
                params.peak_angle += e2 * r.reference;
                let strength = strengths.factor(&r.unit);
                let t_max = strength * t_iso * mass;
                two.push(units::Unit {
                    name: format!("{}{side}", r.unit),
                    group: r.unit.clone(),
                    params,
                    contributor: Contributor::of_group(&r.unit),
                    strength,
                    t_max,
                    sign,
                    // Torque s·e₂·T on the secondary DOF must pull in the secondary group's direction.
                    joints: vec![(i1, 1.0), (i2, e2)],
                    drive: (i1, k1),
                    tendon: tendon::Tendon {
                        t0: t_max,
                        stretch: r.stretch,
                        toe: r.toe,
                    },
                });
            }
        }
    }
    let sec = units::sec_table();
    let global = strengths.series_elastic.unwrap_or(false);
    for (i, d) in dofs.iter_mut().enumerate() {
        let side = ["_r", "_l"].into_iter().find(|s| d.name.ends_with(s));
        for k in 0..2 {
            let g = &d.generators[k];
            let spec = strengths.units.get(&g.params.group);
            let row = sec.get(&g.params.group);
            if !spec.and_then(|u| u.series_elastic).unwrap_or(global && row.is_some()) {
                continue;
            }
            let stretch = spec.and_then(|u| u.stretch).or(row.map(|r| r.stretch)).ok_or_else(|| {
                format!(
                    "series-elastic group `{}` has no tendon stretch in the table: give [strength.units.{}] stretch",
                    g.params.group, g.params.group
                )
            })?;
            let toe = spec.and_then(|u| u.toe).or(row.map(|r| r.toe)).unwrap_or(false);
            let name = match side {
                Some(s) => format!("{}{s}", g.params.group),
                None => format!("{}_{}", d.name, ["pos", "neg"][k]),
            };
            out.push(units::Unit {
                name,
                group: g.params.group.clone(),
                params: g.params.clone(),
                contributor: g.contributor,
                strength: g.strength,
                t_max: g.t_max,
                sign: if k == 0 { 1.0 } else { -1.0 },
                joints: vec![(i, 1.0)],
                drive: (i, k),
                tendon: tendon::Tendon {
                    t0: g.t_max,
                    stretch,
                    toe,
                },
            });
            d.generators[k].elastic = true;
        }
    }
    out.extend(two);
    Ok(out)
}

/// The feet (segments with spheres whose parent has none, in segment order) and each sphere's foot: the
/// highest segment with spheres in its chain of parents.
fn assign_feet(segments: &[Segment], mut spheres: Vec<Sphere>) -> (Vec<usize>, Vec<Sphere>) {
    let carriers: BTreeSet<usize> = spheres.iter().map(|s| s.segment).collect();
    let root_of = |mut seg: usize| {
        while let Some(p) = segments[seg].parent.filter(|p| carriers.contains(p)) {
            seg = p;
        }
        seg
    };
    let feet: Vec<usize> = carriers.iter().copied().filter(|&s| root_of(s) == s).collect();
    for sp in &mut spheres {
        let root = root_of(sp.segment);
        sp.foot = feet
            .iter()
            .position(|&f| f == root)
            .expect("a carrier's root is a foot");
    }
    (feet, spheres)
}

/// Radius of the default sole spheres (m).
pub const DEFAULT_SPHERE_RADIUS: f64 = 0.01;

/// Four spheres at the sole corners of the box geom of every segment named `foot*`, sphere bottoms on the sole.
fn default_foot_spheres(segments: &[Segment]) -> Vec<Sphere> {
    let mut out = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        if !s.name.starts_with("foot") {
            continue;
        }
        for g in &s.geoms {
            if let GeomSpec::Box { center, half_extents } = g {
                let r = DEFAULT_SPHERE_RADIUS;
                let z = center[2] - half_extents[2] + r;
                for sx in [-1.0, 1.0] {
                    for sy in [-1.0, 1.0] {
                        let x = center[0] + sx * (half_extents[0] - r);
                        let y = center[1] + sy * (half_extents[1] - r);
                        out.push(Sphere {
                            segment: i,
                            foot: 0,
                            center: [x, y, z],
                            radius: r,
                        });
                    }
                }
            }
        }
    }
    out
}
