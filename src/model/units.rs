//! Muscle–tendon units with a contractile state of their own: series-elastic mono-articular generators and
//! two-joint generators (issue 16 items 1–2; equations in docs/design.md §2, "Series-elastic and two-joint
//! generators").
//!
//! A unit acts on the coordinate `Q = Σ_j e_j·θ_j` (`e = [1]` for a mono-articular group; `[1, ±ratio]` for a
//! two-joint one), pulls in direction `s` (+1 when its primary group drives its DOF positive), and puts torque
//! `s·e_j·T` on DOF `j`, `T ≥ 0` its tendon torque. Its contractile element sits at `Q_ce = Q + s·δ`, `δ` the tendon
//! stretch (the state, see [`crate::sim::State`]): `δ = 0` at rest, so the initial state needs no solve.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::generators::{Contributor, GroupParams};
use super::tendon::Tendon;
use crate::error::Error;

/// The series-elastic table shipped with sprintlab.
pub const SERIES_ELASTIC_CSV: &str = include_str!("../../data/shared/reference/series-elastic.csv");
/// The two-joint table shipped with sprintlab.
pub const TWO_JOINT_CSV: &str = include_str!("../../data/shared/reference/two-joint-units.csv");

/// Allowed tendon stretch at T0, `Δθ0` (rad).
pub const STRETCH_RANGE: [f64; 2] = [0.001, 2.0];
/// Allowed two-joint moment-arm ratio (dimensionless, lower bound open).
pub const RATIO_RANGE: [f64; 2] = [0.0, 3.0];
/// Allowed two-joint strength share (fraction of the primary group's `T_iso`).
pub const SHARE_RANGE: [f64; 2] = [0.0, 0.95];
/// Allowed two-joint reference posture of the secondary joint (rad).
pub const REFERENCE_RANGE: [f64; 2] = [-1.6, 2.6];

/// `[strength.units.<group>]`: a muscle group's or two-joint unit's settings, each overriding the tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename = "UnitSection")]
pub struct UnitSpec {
    /// Mono-articular groups: this group series-elastic (true) or rigid (false), whatever `series_elastic` says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_elastic: Option<bool>,
    /// Tendon stretch at the group's peak isometric torque, `Δθ0` (rad), 0.001–2; stiffness `T0/Δθ0`.
    /// Default: `data/shared/reference/series-elastic.csv` or `two-joint-units.csv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stretch: Option<f64>,
    /// Quadratic toe region up to 2/3 T0 (true) or a linear tendon (false). Default: the table's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toe: Option<bool>,
    /// Two-joint units only: moment arm at the secondary joint / at the primary joint, (0, 3].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    /// Two-joint units only: strength as a fraction of the primary group's `T_iso`, [0, 0.95], taken out of the
    /// mono-articular groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Two-joint units only: the secondary joint's angle at which the primary group's torque–angle curve applies
    /// (rad, DOF convention), −1.6–2.6; the unit is strongest where `θ_primary + e·(θ_secondary − reference)` is at
    /// the group's peak angle. Default: the table's `reference_rad`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<f64>,
}

/// One row of the series-elastic table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SecRow {
    /// `Δθ0` (rad).
    pub stretch: f64,
    /// Toe region.
    pub toe: bool,
}

/// One row of the two-joint table.
#[derive(Debug, Clone, PartialEq)]
pub struct TwoJointRow {
    /// Unit name (`gastrocnemius`).
    pub unit: String,
    /// Primary DOF name without side suffix.
    pub primary_dof: String,
    /// Group whose direction the unit pulls the primary DOF (its shape is this group's).
    pub primary_group: String,
    /// Secondary DOF name without side suffix.
    pub secondary_dof: String,
    /// Group whose direction the unit pulls the secondary DOF.
    pub secondary_group: String,
    /// Secondary / primary moment arm.
    pub ratio: f64,
    /// Fraction of the primary group's `T_iso`.
    pub share: f64,
    /// Tendon `Δθ0` (rad).
    pub stretch: f64,
    /// Toe region.
    pub toe: bool,
    /// Contributor named in the table.
    pub contributor: String,
    /// Secondary joint angle of the primary group's measured curve (rad).
    pub reference: f64,
}

fn rows(text: &str, origin: &str, ncols: usize) -> Result<Vec<(usize, Vec<String>)>, Error> {
    let mut out = Vec::new();
    let mut header = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header {
            header = true;
            continue;
        }
        let cols: Vec<String> = line.split(',').map(|c| c.trim().to_string()).collect();
        if cols.len() < ncols {
            return Err(Error::Data {
                file: origin.into(),
                line: i + 1,
                msg: format!("expected at least {ncols} columns"),
            });
        }
        out.push((i + 1, cols));
    }
    Ok(out)
}

fn num(origin: &str, line: usize, cols: &[String], j: usize) -> Result<f64, Error> {
    cols[j].parse::<f64>().map_err(|_| Error::Data {
        file: origin.into(),
        line,
        msg: format!("column {} is not a number: `{}`", j + 1, cols[j]),
    })
}

/// Parses a series-elastic table (`group,stretch_rad,toe,source`).
pub fn parse_sec(text: &str, origin: &str) -> Result<BTreeMap<String, SecRow>, Error> {
    let mut out = BTreeMap::new();
    for (line, c) in rows(text, origin, 3)? {
        let row = SecRow {
            stretch: num(origin, line, &c, 1)?,
            toe: num(origin, line, &c, 2)? != 0.0,
        };
        out.insert(c[0].clone(), row);
    }
    Ok(out)
}

/// Parses a two-joint table (see the shipped file's header for the columns).
pub fn parse_two_joint(text: &str, origin: &str) -> Result<Vec<TwoJointRow>, Error> {
    rows(text, origin, 11)?
        .into_iter()
        .map(|(line, c)| {
            Ok(TwoJointRow {
                unit: c[0].clone(),
                primary_dof: c[1].clone(),
                primary_group: c[2].clone(),
                secondary_dof: c[3].clone(),
                secondary_group: c[4].clone(),
                ratio: num(origin, line, &c, 5)?,
                share: num(origin, line, &c, 6)?,
                stretch: num(origin, line, &c, 7)?,
                toe: num(origin, line, &c, 8)? != 0.0,
                contributor: c[9].clone(),
                reference: num(origin, line, &c, 10)?,
            })
        })
        .collect()
}

/// The shipped series-elastic table.
pub fn sec_table() -> BTreeMap<String, SecRow> {
    parse_sec(SERIES_ELASTIC_CSV, "data/shared/reference/series-elastic.csv").expect("the embedded table parses")
}

/// The shipped two-joint table.
pub fn two_joint_table() -> Vec<TwoJointRow> {
    parse_two_joint(TWO_JOINT_CSV, "data/shared/reference/two-joint-units.csv").expect("the embedded table parses")
}

/// A two-joint table row with the scenario's overrides applied.
pub fn two_joint_rows(units: &BTreeMap<String, UnitSpec>) -> Vec<TwoJointRow> {
    let mut rows = two_joint_table();
    for r in &mut rows {
        if let Some(u) = units.get(&r.unit) {
            r.ratio = u.ratio.unwrap_or(r.ratio);
            r.share = u.share.unwrap_or(r.share);
            r.stretch = u.stretch.unwrap_or(r.stretch);
            r.toe = u.toe.unwrap_or(r.toe);
            r.reference = u.reference.unwrap_or(r.reference);
        }
    }
    rows
}

/// A muscle–tendon unit of the compiled model: a contractile element in series with a tendon, acting on one
/// DOF (series-elastic group) or two (two-joint unit).
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Name, the stem of its `timeseries.csv` columns: `ankle_pf_r`, `gastrocnemius_r`.
    pub name: String,
    /// Group name (for strengths and contributors): `ankle_pf`, `gastrocnemius`.
    pub group: String,
    /// Contractile shape: the (primary) group's, with its `T_iso` this unit's.
    pub params: GroupParams,
    /// Contributor.
    pub contributor: Contributor,
    /// Strength factor `S`.
    pub strength: f64,
    /// Peak isometric torque `T0 = S·T_iso·mass` (N·m) on its coordinate.
    pub t_max: f64,
    /// Pull direction `s` on the coordinate: +1 or −1.
    pub sign: f64,
    /// `(DOF index, e_j)`: `Q = Σ e_j·θ_j`, the first entry the primary DOF with `e = 1`.
    pub joints: Vec<(usize, f64)>,
    /// The DOF and group slot (0 positive, 1 negative) whose excitation and activation drive the unit.
    pub drive: (usize, usize),
    /// The tendon.
    pub tendon: Tendon,
}

impl Unit {
    /// The unit's coordinate `Q = Σ e_j·θ_j` (rad) from the DOF angles.
    #[inline]
    pub fn coordinate(&self, q: &[f64]) -> f64 {
        self.joints.iter().map(|&(j, e)| e * q[j]).sum()
    }

    /// Whether it spans two joints.
    pub fn two_joint(&self) -> bool {
        self.joints.len() > 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::generators::GeneratorTable;

    #[test]
    fn shipped_tables_parse_and_name_known_groups() {
        let g = GeneratorTable::priors();
        let sec = sec_table();
        assert_eq!(sec.len(), 3);
        for (name, r) in &sec {
            assert!(g.groups.contains_key(name), "{name}");
            assert!(r.stretch >= STRETCH_RANGE[0] && r.stretch <= STRETCH_RANGE[1]);
        }
        let tj = two_joint_table();
        assert_eq!(tj.len(), 3);
        for r in &tj {
            assert!(g.groups.contains_key(&r.primary_group) && g.groups.contains_key(&r.secondary_group));
            // The table's contributor is the one the code assigns (Strengths::factor and the studies use that).
            let c = match Contributor::of_group(&r.unit) {
                Contributor::Push => "push",
                Contributor::Swing => "swing",
                _ => "other",
            };
            assert_eq!(c, r.contributor, "{}", r.unit);
        }
    }
}
