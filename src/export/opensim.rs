//! OpenSim-compatible export of a run folder, read from its exported files (`timeseries.csv`, `model.json`):
//!
//! - `kinematics.mot`: OpenSim storage (`version=1`, `inDegrees=yes`), columns `time`, the pelvis coordinates
//!   `pelvis_tilt`, `pelvis_list`, `pelvis_rotation` (deg) and `pelvis_tx`, `pelvis_ty`, `pelvis_tz` (m), then every
//!   DOF of the model under its model name (deg; sprintlab's signs: a positive angle is the named motion).
//! - `grf.sto`: per foot `<foot>_force_vx/vy/vz` (N, force of the ground on the foot), `<foot>_force_px/py/pz`
//!   (m, centre of pressure), `<foot>_torque_x/y/z` (N·m), OpenSim's ExternalLoads column convention.
//!
//! **Frame.** Both files use OpenSim's usual y-up ground frame: X forward, Y up, Z to the right, i.e.
//! `X = x`, `Y = z`, `Z = −y` of sprintlab's world (x forward, y left, z up). The pelvis orientation is written as
//! the body-fixed sequence of gait2392-style pelvis joints, `R = Rz(tilt)·Rx(list)·Ry(rotation)` in OpenSim ground
//! axes, with the pelvis body frame relabelled the same way (so all angles are 0 in the standing pose);
//! `pelvis_t*` is the pelvis frame origin (sprintlab's pelvis frame: the hip-joint midpoint). Tilt and rotation
//! are unwrapped over time (continuous beyond ±180°).
//!
//! **Torque.** The ground's moment on a foot about its centre of pressure is vertical (the horizontal components
//! vanish there by definition): `<foot>_torque_y` (OpenSim's up axis) is the free moment `free_moment_<foot>_z` of
//! `timeseries.csv`; `_x` and `_z` are 0. Run folders written before that column existed (or with rapier's
//! contacts, where it is NaN) get 0. An unloaded foot (COP `NaN` in `timeseries.csv`) is written with force 0 and its
//! COP at the origin.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::read::{dofs, feet, Table};
use crate::error::Error;
use crate::io::format_f64;
use crate::model::file::ModelFile;
use crate::sim::columns;

/// A vector of sprintlab's world frame in OpenSim's y-up ground frame.
pub fn to_opensim(v: [f64; 3]) -> [f64; 3] {
    // `+ 0.0` turns −0 into 0 (the files then never print `-0.0` for a zero).
    [v[0] + 0.0, v[2] + 0.0, -v[1] + 0.0]
}

/// The rotation matrix of a unit quaternion (w, x, y, z), normalised first.
pub fn quat_matrix(q: [f64; 4]) -> [[f64; 3]; 3] {
    let n = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).sqrt();
    let (w, x, y, z) = (q[0] / n, q[1] / n, q[2] / n, q[3] / n);
    [
        [
            1.0 - 2.0 * (y * y + z * z),
            2.0 * (x * y - w * z),
            2.0 * (x * z + w * y),
        ],
        [
            2.0 * (x * y + w * z),
            1.0 - 2.0 * (x * x + z * z),
            2.0 * (y * z - w * x),
        ],
        [
            2.0 * (x * z - w * y),
            2.0 * (y * z + w * x),
            1.0 - 2.0 * (x * x + y * y),
        ],
    ]
}

/// The pelvis orientation (segment-to-world quaternion, sprintlab frame) as OpenSim pelvis coordinates
/// `[tilt, list, rotation]` (rad): `M·R·Mᵀ = Rz(tilt)·Rx(list)·Ry(rotation)` with `M` the frame change of
/// [`to_opensim`].
pub fn pelvis_angles(q: [f64; 4]) -> [f64; 3] {
    let r = quat_matrix(q);
    // M·R·Mᵀ with M = [[1,0,0],[0,0,1],[0,-1,0]]: rows/columns (x, z, −y).
    let idx = |i: usize| match i {
        0 => (0, 1.0),
        1 => (2, 1.0),
        _ => (1, -1.0),
    };
    let mut o = [[0.0; 3]; 3];
    for (i, row) in o.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            let (a, sa) = idx(i);
            let (b, sb) = idx(j);
            *v = sa * sb * r[a][b];
        }
    }
    // Rz(a)·Rx(b)·Ry(c): o[2][1] = sin b, o[0][1] = −sin a cos b, o[1][1] = cos a cos b,
    // o[2][0] = −cos b sin c, o[2][2] = cos b cos c.
    let list = o[2][1].clamp(-1.0, 1.0).asin();
    if o[0][1].hypot(o[1][1]) < 1e-12 {
        // Gimbal lock (list = ±90°): only tilt ± rotation is defined; put it all in the tilt.
        return [o[1][0].atan2(o[0][0]), list, 0.0];
    }
    let tilt = (-o[0][1]).atan2(o[1][1]);
    let rotation = (-o[2][0]).atan2(o[2][2]);
    [tilt, list, rotation]
}

/// Rz(a)·Rx(b)·Ry(c) (for tests and checks).
pub fn zxy_matrix(a: f64, b: f64, c: f64) -> [[f64; 3]; 3] {
    let (sa, ca) = a.sin_cos();
    let (sb, cb) = b.sin_cos();
    let (sc, cc) = c.sin_cos();
    [
        [ca * cc - sa * sb * sc, -sa * cb, ca * sc + sa * sb * cc],
        [sa * cc + ca * sb * sc, ca * cb, sa * sc - ca * sb * cc],
        [-cb * sc, sb, cb * cc],
    ]
}

fn unwrap(v: &mut [f64]) {
    let tau = std::f64::consts::TAU;
    for i in 1..v.len() {
        let d = v[i] - v[i - 1];
        if d.abs() > std::f64::consts::PI {
            v[i] -= (d / tau).round() * tau;
        }
    }
}

fn storage(name: &str, rows: usize, labels: &[String], in_degrees: bool, notes: &[&str]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{name}");
    let _ = writeln!(s, "version=1");
    let _ = writeln!(s, "nRows={rows}");
    let _ = writeln!(s, "nColumns={}", labels.len());
    let _ = writeln!(s, "inDegrees={}", if in_degrees { "yes" } else { "no" });
    for n in notes {
        debug_assert!(!n.contains('='), "header notes must not look like key=value metadata");
        let _ = writeln!(s, "{n}");
    }
    let _ = writeln!(s, "endheader");
    let _ = writeln!(s, "{}", labels.join("\t"));
    s
}

fn push_row(s: &mut String, vals: &[f64]) {
    for (i, v) in vals.iter().enumerate() {
        if i > 0 {
            s.push('\t');
        }
        // `+ 0.0` writes −0 as 0.
        s.push_str(&format_f64(*v + 0.0));
    }
    s.push('\n');
}

const FRAME_NOTE: &str = "Frame: OpenSim ground, X forward, Y up, Z right (sprintlab world x, z, -y).";

/// `kinematics.mot` text.
pub fn kinematics_mot(ts: &Table, model: &ModelFile) -> Result<String, Error> {
    let t = ts.check_time(columns::TIME)?;
    let n = t.len();
    let p = ts.cols(&columns::PELVIS_POSITION)?;
    let q = ts.cols(&columns::PELVIS_ORIENTATION)?;
    let names = dofs(model);
    let cols = names
        .iter()
        .map(|d| ts.col(&columns::dof_angle(d)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ang = [vec![0.0; n], vec![0.0; n], vec![0.0; n]];
    for i in 0..n {
        let a = pelvis_angles([q[0][i], q[1][i], q[2][i], q[3][i]]);
        for k in 0..3 {
            ang[k][i] = a[k];
        }
    }
    unwrap(&mut ang[0]);
    unwrap(&mut ang[2]);
    let mut labels: Vec<String> = [
        "time",
        "pelvis_tilt",
        "pelvis_list",
        "pelvis_rotation",
        "pelvis_tx",
        "pelvis_ty",
        "pelvis_tz",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    labels.extend(names.iter().cloned());
    let mut s = storage(
        "kinematics",
        n,
        &labels,
        true,
        &[
            "Written by sprintlab from timeseries.csv. Units: s, deg (rotations), m (translations).",
            FRAME_NOTE,
            "Pelvis: body-fixed Rz(tilt) Rx(list) Ry(rotation); pelvis_t* is the hip-joint midpoint.",
            "Joint coordinates: the model's DOF names and signs (a positive angle is the named motion).",
        ],
    );
    let mut row = Vec::with_capacity(labels.len());
    for i in 0..n {
        row.clear();
        row.push(t[i]);
        row.extend(ang.iter().map(|a| a[i].to_degrees()));
        row.extend(to_opensim([p[0][i], p[1][i], p[2][i]]));
        row.extend(cols.iter().map(|c| c[i].to_degrees()));
        push_row(&mut s, &row);
    }
    Ok(s)
}

/// `grf.sto` text.
pub fn grf_sto(ts: &Table) -> Result<String, Error> {
    let t = ts.check_time(columns::TIME)?;
    let feet = feet(ts);
    let mut labels = vec!["time".to_string()];
    let mut cols = Vec::new();
    let mut tz: Vec<Option<&[f64]>> = Vec::new();
    for f in &feet {
        for s in ["force_vx", "force_vy", "force_vz", "force_px", "force_py", "force_pz"] {
            labels.push(format!("{f}_{s}"));
        }
        for s in ["torque_x", "torque_y", "torque_z"] {
            labels.push(format!("{f}_{s}"));
        }
        cols.push(ts.cols(&columns::grf_and_cop(f))?);
        tz.push(ts.get(&columns::free_moment(f)));
    }
    let mut s = storage(
        "grf",
        t.len(),
        &labels,
        false,
        &[
            "Written by sprintlab from timeseries.csv. Units: s, N, m, N m.",
            FRAME_NOTE,
            "Force of the ground on each foot at its centre of pressure (on the ground plane).",
            "Torque: the free moment about the centre of pressure, vertical (torque_y); torque_x = torque_z = 0.",
            "An unloaded foot has force 0 and its centre of pressure at the origin.",
        ],
    );
    let mut row = Vec::with_capacity(labels.len());
    for i in 0..t.len() {
        row.clear();
        row.push(t[i]);
        for (c, m) in cols.iter().zip(&tz) {
            let f = [c[0][i], c[1][i], c[2][i]];
            let (cx, cy) = (c[3][i], c[4][i]);
            let loaded = cx.is_finite() && cy.is_finite();
            let f = if loaded { f } else { [0.0; 3] };
            let p = if loaded { [cx, cy, 0.0] } else { [0.0; 3] };
            row.extend(to_opensim(f));
            row.extend(to_opensim(p));
            // Vertical free moment (sprintlab z = OpenSim Y); 0 when unloaded or not recorded.
            let mz = m.map_or(0.0, |m| m[i]);
            row.extend([0.0, if loaded && mz.is_finite() { mz } else { 0.0 }, 0.0]);
        }
        push_row(&mut s, &row);
    }
    Ok(s)
}

/// Writes `kinematics.mot` and `grf.sto` into a run folder, each atomically; returns the files written and the
/// errors of the ones that could not be (each names the input file).
pub fn export(dir: &Path, ts: &Table, model: Option<&ModelFile>) -> (Vec<PathBuf>, Vec<Error>) {
    let mut written = Vec::new();
    let mut errors = Vec::new();
    let mut put = |name: &str, text: Result<String, Error>| match text {
        Ok(s) => {
            let p = dir.join(name);
            match crate::io::write_atomic(&p, s.as_bytes()) {
                Ok(()) => written.push(p),
                Err(e) => errors.push(e),
            }
        }
        Err(e) => errors.push(e),
    };
    if let Some(m) = model {
        put("kinematics.mot", kinematics_mot(ts, m));
    }
    put("grf.sto", grf_sto(ts));
    (written, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn osim_of(q: [f64; 4]) -> [[f64; 3]; 3] {
        let r = quat_matrix(q);
        let m = [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]];
        let mut o = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                for a in 0..3 {
                    for b in 0..3 {
                        o[i][j] += m[i][a] * r[a][b] * m[j][b];
                    }
                }
            }
        }
        o
    }

    #[test]
    fn pelvis_angles_rebuild_the_orientation() {
        let qs = [
            [1.0, 0.0, 0.0, 0.0],
            [0.9, 0.1, -0.3, 0.2],
            [0.2, -0.7, 0.1, 0.5],
            [0.5, 0.5, 0.5, -0.5],
        ];
        for q in qs {
            let a = pelvis_angles(q);
            let m = zxy_matrix(a[0], a[1], a[2]);
            let o = osim_of(q);
            for i in 0..3 {
                for j in 0..3 {
                    assert!((m[i][j] - o[i][j]).abs() < 1e-12, "{q:?}: {m:?} vs {o:?}");
                }
            }
        }
        // A pure pitch about sprintlab's +y (nose down) is a rotation about OpenSim's −Z: negative tilt.
        let h = 0.1f64;
        let a = pelvis_angles([(h / 2.0).cos(), 0.0, (h / 2.0).sin(), 0.0]);
        assert!(
            (a[0] + h).abs() < 1e-12 && a[1].abs() < 1e-12 && a[2].abs() < 1e-12,
            "{a:?}"
        );
    }

    #[test]
    fn unwrap_keeps_angles_continuous() {
        let mut v = vec![3.0, 3.1, -3.1, -3.0];
        unwrap(&mut v);
        assert!((v[2] - (std::f64::consts::TAU - 3.1)).abs() < 1e-12);
    }
}
