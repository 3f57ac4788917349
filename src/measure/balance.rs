//! "Balance lost" (DESIGN §1): the run has left the states a runner can continue from.
//!
//! Checked every step, in this order (the first that fails is reported):
//! 1. pelvis too low — the root (pelvis) frame origin, the hip-joint midpoint, below
//!    [`BalanceLimits::min_pelvis_height`];
//! 2. a segment other than a foot touches the ground — the lowest point of any of its collision geoms is below
//!    z = 0 (only when the world has a ground and [`BalanceLimits::non_foot_ground_contact`] is on);
//! 3. trunk pitch, 4. roll, 5. yaw beyond their limits (absolute values; see [`TrunkAngles`]).
//!
//! Use a [`BalanceChecker`], built once per model: it precomputes each segment's geometry points so that a check
//! costs one pose per segment and a few dot products.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::file::GeomSpec;
use crate::model::Model;
use crate::sim::{Simulator, State};
use rapier3d_f64::math::{Rotation, Vector};

/// Default lowest pelvis height as a fraction of the initial pelvis height (dimensionless).
pub const DEFAULT_PELVIS_FRACTION: f64 = 0.5;

/// Limits of the states a runner can continue from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BalanceLimits {
    /// Lowest allowed pelvis height (m): height of the root frame origin (hip-joint midpoint) above the ground.
    /// Default (`None`): [`DEFAULT_PELVIS_FRACTION`] × the initial pelvis height passed to the check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_pelvis_height: Option<f64>,
    /// Largest allowed |trunk pitch| (rad). Default 1.0.
    pub max_trunk_pitch: f64,
    /// Largest allowed |trunk roll| (rad). Default 0.7.
    pub max_trunk_roll: f64,
    /// Largest allowed |trunk yaw| (rad). Default 1.2.
    pub max_trunk_yaw: f64,
    /// Whether a non-foot segment touching the ground loses balance. Default true.
    pub non_foot_ground_contact: bool,
}

impl Default for BalanceLimits {
    fn default() -> Self {
        Self {
            min_pelvis_height: None,
            max_trunk_pitch: 1.0,
            max_trunk_roll: 0.7,
            max_trunk_yaw: 1.2,
            non_foot_ground_contact: true,
        }
    }
}

impl BalanceLimits {
    /// The lowest allowed pelvis height (m) for a run that started with the pelvis at `pelvis_z0` (m).
    pub fn min_pelvis_height(&self, pelvis_z0: f64) -> f64 {
        self.min_pelvis_height.unwrap_or(DEFAULT_PELVIS_FRACTION * pelvis_z0)
    }
}

/// Why balance was lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BalanceReason {
    /// The pelvis (root frame origin) is below the limit; `z` is its height (m).
    PelvisTooLow {
        /// Pelvis height (m).
        z: f64,
    },
    /// |Trunk pitch| beyond the limit; `angle` is the pitch (rad, + = forward lean).
    TrunkPitch {
        /// Trunk pitch (rad).
        angle: f64,
    },
    /// |Trunk roll| beyond the limit; `angle` is the roll (rad, + = leaning to the right, towards −y).
    TrunkRoll {
        /// Trunk roll (rad).
        angle: f64,
    },
    /// |Trunk yaw| beyond the limit; `angle` is the yaw (rad, + = turned to the left, counter-clockwise from
    /// above).
    TrunkYaw {
        /// Trunk yaw (rad).
        angle: f64,
    },
    /// A segment that is not a foot touches the ground.
    SegmentOnGround {
        /// Name of the segment (the one reaching lowest if several do).
        segment: String,
    },
}

impl fmt::Display for BalanceReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PelvisTooLow { z } => write!(f, "pelvis too low (z = {z:.3} m)"),
            Self::TrunkPitch { angle } => write!(f, "trunk pitch beyond limit ({angle:.3} rad)"),
            Self::TrunkRoll { angle } => write!(f, "trunk roll beyond limit ({angle:.3} rad)"),
            Self::TrunkYaw { angle } => write!(f, "trunk yaw beyond limit ({angle:.3} rad)"),
            Self::SegmentOnGround { segment } => write!(f, "segment `{segment}` touches the ground"),
        }
    }
}

/// When and why balance was lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceLoss {
    /// Simulated time of the state that failed the check (s).
    pub t: f64,
    /// What failed.
    pub reason: BalanceReason,
}

impl fmt::Display for BalanceLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "balance lost at t = {:.3} s: {}", self.t, self.reason)
    }
}

/// Trunk orientation in world axes (x forward, y left, z up), in radians.
///
/// Convention: the trunk rotation is decomposed as `R = R_y(pitch) · R_x(roll) · R_z(yaw)` — intrinsic
/// y–x′–z″: pitch about the world y axis, then roll about the pitched x axis, then yaw about the trunk's own
/// long (z) axis. With `z_t = R·ẑ` the trunk long axis in world components this gives
/// - `pitch = atan2(z_t.x, z_t.z)`, exactly the forward-lean angle of the long axis projected into the sagittal
///   (world x–z) plane, whatever the twist or lateral tilt; + = forward (the long axis tilts towards +x),
///   range (−π, π];
/// - `roll = asin(−z_t.y)`, the long axis's tilt out of the sagittal plane; + = leaning to the right (towards
///   −y), range [−π/2, π/2];
/// - `yaw`, the twist about the long axis; + = turned to the left (counter-clockwise seen from above). For an
///   upright trunk it equals the heading rotation about world z.
///
/// (The aerospace z–y–x order would measure pitch in the trunk's own yawed plane instead, so a twisted trunk
/// leaning straight forward would read less than its sagittal lean.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrunkAngles {
    /// Forward lean in the sagittal plane (rad, + forward).
    pub pitch: f64,
    /// Lateral tilt (rad, + to the right).
    pub roll: f64,
    /// Twist about the trunk long axis (rad, + to the left).
    pub yaw: f64,
}

impl TrunkAngles {
    /// Angles of a segment-to-world rotation.
    pub fn from_rotation(r: Rotation) -> Self {
        let x = r * Vector::X;
        let z = r * Vector::Z;
        let pitch = z.x.atan2(z.z);
        let roll = (-z.y).atan2((z.x * z.x + z.z * z.z).sqrt());
        // Undo pitch and roll: R_z(yaw) = (R_y(pitch)·R_x(roll))ᵀ·R; its first column is (cos yaw, sin yaw, 0).
        let (sp, cp) = pitch.sin_cos();
        let (sr, cr) = roll.sin_cos();
        let m0 = Vector::new(cp, 0.0, -sp);
        let m1 = Vector::new(sr * sp, cr, sr * cp);
        let yaw = m1.dot(x).atan2(m0.dot(x));
        Self { pitch, roll, yaw }
    }
}

/// Height of the pelvis (m): z of the root segment frame origin (the hip-joint midpoint).
pub fn pelvis_height(sim: &Simulator, state: &State) -> f64 {
    sim.segment_pose(state, 0).0.z
}

/// Trunk angles (rad) of a segment's world rotation; see [`TrunkAngles`] for the convention.
pub fn trunk_angles(sim: &Simulator, state: &State, trunk_segment: usize) -> TrunkAngles {
    TrunkAngles::from_rotation(sim.segment_pose(state, trunk_segment).1)
}

/// The trunk segment of a model: the one named `torso`, else the root.
pub fn trunk_segment(model: &Model) -> usize {
    model.segment_index("torso").unwrap_or(0)
}

/// Collision points of one non-foot segment: points in the segment frame (m) with the radius around each (m).
#[derive(Debug, Clone)]
struct SegmentPoints {
    segment: usize,
    points: Vec<(Vector, f64)>,
}

/// Balance check with its per-model precomputation (trunk segment, the geometry points of non-foot segments).
#[derive(Debug, Clone)]
pub struct BalanceChecker {
    trunk: usize,
    names: Vec<String>,
    segments: Vec<SegmentPoints>,
}

impl BalanceChecker {
    /// Precomputes for a model: the trunk is the segment named `torso` (else the root); every segment without
    /// contact spheres (not a foot or a toe) contributes its geoms — capsule end points with the radius, sphere centres with the
    /// radius, box corners with radius 0.
    pub fn new(model: &Model) -> Self {
        let mut segments = Vec::new();
        for (i, seg) in model.segments.iter().enumerate() {
            // Feet and their toes (every segment with contact spheres) may touch the ground.
            if model.spheres.iter().any(|sp| sp.segment == i) {
                continue;
            }
            let v = |p: &[f64; 3]| Vector::new(p[0], p[1], p[2]);
            let mut points = Vec::new();
            for g in &seg.geoms {
                match g {
                    GeomSpec::Capsule { p0, p1, radius } => {
                        points.push((v(p0), *radius));
                        points.push((v(p1), *radius));
                    }
                    GeomSpec::Sphere { center, radius } => points.push((v(center), *radius)),
                    GeomSpec::Box { center, half_extents } => {
                        for sx in [-1.0, 1.0] {
                            for sy in [-1.0, 1.0] {
                                for sz in [-1.0, 1.0] {
                                    let h =
                                        Vector::new(sx * half_extents[0], sy * half_extents[1], sz * half_extents[2]);
                                    points.push((v(center) + h, 0.0));
                                }
                            }
                        }
                    }
                }
            }
            if !points.is_empty() {
                segments.push(SegmentPoints { segment: i, points });
            }
        }
        Self {
            trunk: trunk_segment(model),
            names: model.segments.iter().map(|s| s.name.clone()).collect(),
            segments,
        }
    }

    /// Uses another segment as the trunk.
    pub fn with_trunk(mut self, trunk_segment: usize) -> Self {
        self.trunk = trunk_segment;
        self
    }

    /// Index of the trunk segment.
    pub fn trunk(&self) -> usize {
        self.trunk
    }

    /// Trunk angles (rad) in `state`; see [`TrunkAngles`].
    pub fn trunk_angles(&self, sim: &Simulator, state: &State) -> TrunkAngles {
        trunk_angles(sim, state, self.trunk)
    }

    /// The non-foot segment reaching lowest and the height of its lowest point (m; < 0 is below the ground), or
    /// `None` if no non-foot segment has geoms.
    pub fn lowest_non_foot(&self, sim: &Simulator, state: &State) -> Option<(usize, f64)> {
        let mut lowest: Option<(usize, f64)> = None;
        for sp in &self.segments {
            let (o, r) = sim.segment_pose(state, sp.segment);
            let z = sp
                .points
                .iter()
                .map(|(p, rad)| o.z + (r * *p).z - rad)
                .fold(f64::INFINITY, f64::min);
            if lowest.is_none_or(|(_, zl)| z < zl) {
                lowest = Some((sp.segment, z));
            }
        }
        lowest
    }

    /// Checks `state` against `limits` for a run whose pelvis started at height `pelvis_z0` (m, see
    /// [`pelvis_height`]). Returns the first failure in the module's order, or `None` while balanced.
    pub fn check(&self, sim: &Simulator, state: &State, limits: &BalanceLimits, pelvis_z0: f64) -> Option<BalanceLoss> {
        self.observe(sim, state, limits, pelvis_z0).loss
    }

    /// [`BalanceChecker::check`] together with the values it measured (pelvis height, trunk angles), so that a
    /// caller tracking how close the limits came does not pose the segments again.
    pub fn observe(&self, sim: &Simulator, state: &State, limits: &BalanceLimits, pelvis_z0: f64) -> Observation {
        let z = pelvis_height(sim, state);
        let a = self.trunk_angles(sim, state);
        let loss = |reason| Some(BalanceLoss { t: state.t, reason });
        // `!(z >= min)` so that a NaN pelvis height fails too.
        let lost = if !(z >= limits.min_pelvis_height(pelvis_z0)) {
            loss(BalanceReason::PelvisTooLow { z })
        } else if let Some(seg) = (limits.non_foot_ground_contact && sim.world.ground)
            .then(|| self.lowest_non_foot(sim, state))
            .flatten()
            .and_then(|(seg, zl)| (zl < 0.0).then_some(seg))
        {
            loss(BalanceReason::SegmentOnGround {
                segment: self.names[seg].clone(),
            })
        } else if !(a.pitch.abs() <= limits.max_trunk_pitch) {
            loss(BalanceReason::TrunkPitch { angle: a.pitch })
        } else if !(a.roll.abs() <= limits.max_trunk_roll) {
            loss(BalanceReason::TrunkRoll { angle: a.roll })
        } else if !(a.yaw.abs() <= limits.max_trunk_yaw) {
            loss(BalanceReason::TrunkYaw { angle: a.yaw })
        } else {
            None
        };
        Observation {
            pelvis_z: z,
            trunk: a,
            loss: lost,
        }
    }
}

/// What [`BalanceChecker::observe`] measured in one state.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Pelvis height (m), see [`pelvis_height`].
    pub pelvis_z: f64,
    /// Trunk angles (rad).
    pub trunk: TrunkAngles,
    /// The first limit exceeded, or `None` while balanced.
    pub loss: Option<BalanceLoss>,
}

/// One-off balance check with an explicit trunk segment. It rebuilds the per-model precomputation on every call:
/// in a loop, build a [`BalanceChecker`] once and call [`BalanceChecker::check`] instead.
pub fn check(
    sim: &Simulator,
    state: &State,
    limits: &BalanceLimits,
    trunk_segment: usize,
    pelvis_z0: f64,
) -> Option<BalanceLoss> {
    BalanceChecker::new(&sim.model)
        .with_trunk(trunk_segment)
        .check(sim, state, limits, pelvis_z0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn single_axis_rotations_read_back_as_their_angle() {
        let a = TrunkAngles::from_rotation(Rotation::from_rotation_y(0.3));
        assert!(close(a.pitch, 0.3) && close(a.roll, 0.0) && close(a.yaw, 0.0), "{a:?}");
        let a = TrunkAngles::from_rotation(Rotation::from_rotation_x(-0.2));
        assert!(close(a.pitch, 0.0) && close(a.roll, -0.2) && close(a.yaw, 0.0), "{a:?}");
        let a = TrunkAngles::from_rotation(Rotation::from_rotation_z(0.9));
        assert!(close(a.pitch, 0.0) && close(a.roll, 0.0) && close(a.yaw, 0.9), "{a:?}");
    }

    #[test]
    fn composed_rotation_decomposes_and_pitch_is_the_sagittal_lean() {
        let (p, r, y) = (0.4, -0.25, 0.7);
        let q = Rotation::from_rotation_y(p) * Rotation::from_rotation_x(r) * Rotation::from_rotation_z(y);
        let a = TrunkAngles::from_rotation(q);
        assert!(close(a.pitch, p) && close(a.roll, r) && close(a.yaw, y), "{a:?}");
        let z = q * Vector::Z;
        assert!(close(a.pitch, z.x.atan2(z.z)));
    }

    #[test]
    fn reasons_display_and_serialise() {
        let l = BalanceLoss {
            t: 0.25,
            reason: BalanceReason::SegmentOnGround {
                segment: "forearm_r".into(),
            },
        };
        assert_eq!(
            l.to_string(),
            "balance lost at t = 0.250 s: segment `forearm_r` touches the ground"
        );
        let j = serde_json::to_string(&l).unwrap();
        assert_eq!(
            j,
            r#"{"t":0.25,"reason":{"kind":"segment-on-ground","segment":"forearm_r"}}"#
        );
        assert_eq!(serde_json::from_str::<BalanceLoss>(&j).unwrap(), l);
    }
}
