//! The model-file format: a body as data (segments, joints, torque generators, contact geometry).
//!
//! The format is a superset of `sprinter12_spec.json` (the MuJoCo/OpenSim peer body): that file loads as it
//! is, and the sprintlab extensions (joint limits, passive damping, generator overrides, contact spheres) are
//! optional fields. Units are SI throughout: m, kg, s, rad, N, N·m.
//!
//! Conventions (same as the peer spec): world x forward, y left, z up, ground z = 0. Each segment frame has its
//! origin at the segment's proximal joint centre and is parallel to the world in the standing pose (all joint
//! angles 0). A multi-DOF joint is a chain of hinges about one anchor: `R_child = R_parent·R(a1,q1)·R(a2,q2)…`,
//! each axis given in child-frame components, first closest to the parent.

use serde::{Deserialize, Serialize};

/// A body model as stored in a JSON model file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// Model name (e.g. `sprinter12`).
    pub name: String,
    /// Segments in tree order: every parent before its children; exactly one root (no parent).
    pub segments: Vec<SegmentSpec>,
    /// Foot–ground contact spheres. Default: four spheres at the sole corners of each `box` geom of a segment
    /// whose name starts with `foot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactSpec>,
    // Metadata carried by the peer spec; kept verbatim, not used by the simulation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub generated_by: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub units: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub conventions: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub anthropometry: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub world: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub actuators: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub initial_state: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub whole_body_standing: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub zero_g_reference: Option<serde_json::Value>,
}

/// One rigid segment and the joint that connects it to its parent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    /// Segment name, unique in the model.
    pub name: String,
    /// Parent segment name; `null` for the root (the pelvis), which gets a free 6-DOF joint.
    pub parent: Option<String>,
    /// The joint to the parent.
    pub joint: JointSpec,
    /// Mass (kg), > 0.
    pub mass: f64,
    /// COM in the segment frame (m).
    pub com: [f64; 3],
    /// Principal moments of inertia about the COM along the segment axes (kg·m²), > 0.
    pub inertia_diag: [f64; 3],
    /// Collision geometry (used for balance checks and foot contact defaults).
    #[serde(default)]
    pub geoms: Vec<GeomSpec>,
}

/// A joint: `free` for the root, otherwise a chain of 1–3 hinges about one anchor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JointSpec {
    /// `free`, `hinge`, or `N hinges (Euler chain)`; informative: the DOF list decides.
    #[serde(rename = "type")]
    pub kind: String,
    /// Joint name (e.g. `hip_r`).
    pub name: String,
    /// Joint centre in the parent frame (m); for the root, the initial world position of the root frame.
    pub anchor_in_parent: [f64; 3],
    /// Joint centre in the child frame (m); must be the origin (the child frame sits at the joint centre).
    #[serde(default)]
    pub anchor_in_child: [f64; 3],
    /// Hinge DOFs in chain order (first closest to the parent). Empty for the free root.
    #[serde(default)]
    pub dofs: Vec<DofSpec>,
}

/// One hinge degree of freedom.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DofSpec {
    /// DOF name (e.g. `hip_flex_r`); the timeseries column name.
    pub name: String,
    /// Hinge axis in child-frame components (unit vector; right-hand rule).
    pub axis_in_child: [f64; 3],
    /// Anatomical meaning of a positive angle (informative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<String>,
    /// Initial angle (rad). Default 0.
    #[serde(default)]
    pub initial_angle: f64,
    /// Ideal-motor torque limit of the peer models (N·m); informative (generators set sprintlab's limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub torque_limit: Option<f64>,
    /// Standing PD gains of the peer benchmark [kp (N·m/rad), kd (N·m·s/rad)]; the default gains of the
    /// `hold-posture` controller when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pd_standing_kp_kd: Option<[f64; 2]>,
    /// sprintlab: passive range of motion [min, max] (rad). Absent = no passive limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<[f64; 2]>,
    /// sprintlab: passive viscous damping (N·m·s/rad), ≥ 0. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub damping: Option<f64>,
    /// sprintlab: passive joint stiffness about angle 0 (N·m/rad), ≥ 0: a linear spring inside the range of
    /// motion (e.g. the metatarsophalangeal joint). Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stiffness: Option<f64>,
    /// sprintlab: the two opposing muscle groups [positive-direction group, negative-direction group], names
    /// from the torque-generator table. Default: derived from the DOF name (e.g. `hip_flex_*` →
    /// [`hip_flex`, `hip_ext`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generators: Option<[String; 2]>,
}

/// A collision shape in the segment frame.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum GeomSpec {
    /// Capsule between two points (m) with a radius (m).
    Capsule {
        /// First end point (m).
        p0: [f64; 3],
        /// Second end point (m).
        p1: [f64; 3],
        /// Radius (m).
        radius: f64,
    },
    /// Axis-aligned box.
    Box {
        /// Box centre (m).
        center: [f64; 3],
        /// Half extents (m).
        half_extents: [f64; 3],
    },
    /// Sphere.
    Sphere {
        /// Centre (m).
        center: [f64; 3],
        /// Radius (m).
        radius: f64,
    },
}

/// Foot–ground contact spheres.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ContactSpec {
    /// Contact spheres; their lowest points touch the ground first.
    pub spheres: Vec<ContactSphere>,
}

/// One contact sphere fixed to a segment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ContactSphere {
    /// Segment name.
    pub segment: String,
    /// Centre in the segment frame (m).
    pub center: [f64; 3],
    /// Radius (m).
    pub radius: f64,
}
