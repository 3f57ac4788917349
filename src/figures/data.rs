//! What figures derive from a run folder's files (read through [`crate::export::read`]): stance detection from
//! the exported ground reaction forces; the muscle groups and contributors of each DOF.

use crate::error::Error;
use crate::export::read::{feet, Table};
use crate::model::file::ModelFile;
use crate::model::generators::{default_groups, Contributor};

/// Stance detector thresholds: the same rule as `summary.json`'s measures (`src/measure/push.rs`).
pub const TOUCHDOWN_BW: f64 = 0.1;
/// Lift-off threshold (body weights).
pub const LIFTOFF_BW: f64 = 0.05;
/// How long a touchdown or lift-off condition must hold before it counts (s).
pub const MIN_HOLD: f64 = 0.003;

/// One stance of one foot, as rows of the timeseries.
#[derive(Debug, Clone, PartialEq)]
pub struct StanceSpan {
    /// Foot segment name.
    pub foot: String,
    /// First row of the stance (its force exceeded the touchdown threshold).
    pub start: usize,
    /// Row of the lift-off (first row below the lift-off threshold for good), or the number of rows if the run
    /// ended in contact.
    pub end: usize,
    /// Touchdown time (s): start of the step of row `start`.
    pub touchdown: f64,
    /// Lift-off time (s), if seen.
    pub lift_off: Option<f64>,
}

impl StanceSpan {
    /// Whether both touchdown and lift-off were seen.
    pub fn complete(&self) -> bool {
        self.lift_off.is_some()
    }
}

/// Detects the stances of one foot from its vertical force (N) with hysteresis: touchdown above
/// [`TOUCHDOWN_BW`], lift-off below [`LIFTOFF_BW`], each held for [`MIN_HOLD`]; times are dated back to the start
/// of the first step that met the condition (each row's force acts over the step that ends at its time).
pub fn detect_stances(foot: &str, t: &[f64], fz: &[f64], bw: f64) -> Vec<StanceSpan> {
    let on = TOUCHDOWN_BW * bw;
    let off = LIFTOFF_BW * bw;
    let hold = MIN_HOLD - 1e-9;
    let dt = |i: usize| if i > 0 { t[i] - t[i - 1] } else { 0.0 };
    let mut out = Vec::new();
    let mut current: Option<usize> = None;
    let mut pending: Option<(usize, f64)> = None;
    for (i, &f) in fz.iter().enumerate().take(t.len()) {
        match current {
            None => {
                if f > on {
                    let (p0, acc) = pending.unwrap_or((i, 0.0));
                    let acc = acc + dt(i);
                    if acc >= hold {
                        current = Some(p0);
                        pending = None;
                    } else {
                        pending = Some((p0, acc));
                    }
                } else {
                    pending = None;
                }
            }
            Some(s) => {
                if f < off || f.is_nan() {
                    let (p0, acc) = pending.unwrap_or((i, 0.0));
                    let acc = acc + dt(i);
                    if acc >= hold {
                        out.push(StanceSpan {
                            foot: foot.to_string(),
                            start: s,
                            end: p0,
                            touchdown: t[s] - dt(s),
                            lift_off: Some(t[p0] - dt(p0)),
                        });
                        current = None;
                        pending = None;
                    } else {
                        pending = Some((p0, acc));
                    }
                } else {
                    pending = None;
                }
            }
        }
    }
    if let Some(s) = current {
        out.push(StanceSpan {
            foot: foot.to_string(),
            start: s,
            end: t.len(),
            touchdown: t[s] - dt(s),
            lift_off: None,
        });
    }
    out
}

/// Every stance of every foot, ordered by touchdown time (then foot order).
pub fn all_stances(ts: &Table, bw: f64) -> Result<Vec<StanceSpan>, Error> {
    let t = ts.col("t")?;
    let mut all = Vec::new();
    for foot in feet(ts) {
        let fz = ts.col(&format!("grf_{foot}_z"))?;
        all.extend(detect_stances(&foot, t, fz, bw));
    }
    all.sort_by(|a, b| a.touchdown.total_cmp(&b.touchdown));
    Ok(all)
}

/// Body side of a segment or DOF, from its name suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `_r`
    Right,
    /// `_l`
    Left,
    /// Neither (pelvis, torso, lumbar).
    Centre,
}

impl Side {
    /// The side of a name (`…_r`, `…_l`, else centre).
    pub fn of(name: &str) -> Self {
        if name.ends_with("_r") {
            Self::Right
        } else if name.ends_with("_l") {
            Self::Left
        } else {
            Self::Centre
        }
    }

    /// `R`, `L` or empty.
    pub fn letter(self) -> &'static str {
        match self {
            Self::Right => "R",
            Self::Left => "L",
            Self::Centre => "",
        }
    }
}

/// One muscle group of one DOF: the DOF's positive- or negative-direction generator.
#[derive(Debug, Clone, PartialEq)]
pub struct MuscleGroup {
    /// DOF name (`hip_flex_r`).
    pub dof: String,
    /// DOF name without the side suffix (`hip_flex`).
    pub dof_base: String,
    /// Positive-direction group (column `<dof>_act_pos`), else negative (`<dof>_act_neg`).
    pub positive: bool,
    /// Generator-table group name (`hip_ext`).
    pub group: String,
    /// Contributor of the group.
    pub contributor: Contributor,
    /// Side of the DOF.
    pub side: Side,
}

impl MuscleGroup {
    /// The activation column of the group.
    pub fn column(&self) -> String {
        format!("{}_act_{}", self.dof, if self.positive { "pos" } else { "neg" })
    }

    /// A short label without side: `hip ext`, or `lumbar bend +` when both groups of a DOF share a name.
    pub fn label(&self, groups_share_name: bool) -> String {
        let mut s = self.group.replace('_', " ");
        if groups_share_name {
            s.push_str(if self.positive { " +" } else { " −" });
        }
        s
    }
}

/// The two muscle groups of every DOF (the model's `generators` when given, else the names derived from the DOF
/// name, as the simulator does), in DOF order, positive group first.
pub fn muscle_groups(model: &ModelFile) -> Vec<MuscleGroup> {
    let mut out = Vec::new();
    for seg in &model.segments {
        for d in &seg.joint.dofs {
            let names: Option<[String; 2]> = d
                .generators
                .clone()
                .or_else(|| default_groups(&d.name).map(|g| [g[0].to_string(), g[1].to_string()]));
            let Some(names) = names else { continue };
            let side = Side::of(&d.name);
            let base = d
                .name
                .strip_suffix("_r")
                .or_else(|| d.name.strip_suffix("_l"))
                .unwrap_or(&d.name)
                .to_string();
            for (k, g) in names.iter().enumerate() {
                out.push(MuscleGroup {
                    dof: d.name.clone(),
                    dof_base: base.clone(),
                    positive: k == 0,
                    group: g.clone(),
                    contributor: Contributor::of_group(g),
                    side,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stance_hysteresis_with_hold() {
        let t: Vec<f64> = (0..20).map(|i| i as f64 * 0.001).collect();
        let mut fz = vec![0.0; 20];
        // 0.2 BW from row 3 to row 12 with a 1-row dip to 0 at row 8 (shorter than the hold), a 1-row blip at 16.
        for f in fz.iter_mut().take(13).skip(3) {
            *f = 0.2;
        }
        fz[8] = 0.0;
        fz[16] = 0.5;
        let s = detect_stances("foot_r", &t, &fz, 1.0);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].start, s[0].end), (3, 13));
        assert!((s[0].touchdown - 0.002).abs() < 1e-12);
        assert!((s[0].lift_off.unwrap() - 0.012).abs() < 1e-12);
    }
}
