//! What figures derive from a run folder's files (read through [`crate::export::read`]): the measured stances
//! (`steps.csv`) as rows of the timeseries; the muscle groups and contributors of each DOF.

use crate::error::Error;
use crate::export::tables::StanceRecord;
use crate::export::Table;
use crate::model::file::ModelFile;
use crate::model::generators::{default_groups, Contributor};
use crate::sim::columns;

/// One stance of one foot, as rows of the timeseries.
#[derive(Debug, Clone, PartialEq)]
pub struct StanceSpan {
    /// Foot segment name.
    pub foot: String,
    /// First row of the stance (the first row whose step contains the touchdown).
    pub start: usize,
    /// Row of the lift-off (the first row whose step contains it), or the number of rows if the run ended in
    /// contact.
    pub end: usize,
    /// Touchdown time (s), on the rows' clock: start of the step of row `start`.
    pub touchdown: f64,
    /// Lift-off time (s) on the rows' clock, if seen.
    pub lift_off: Option<f64>,
}

impl StanceSpan {
    /// Whether both touchdown and lift-off were seen.
    pub fn complete(&self) -> bool {
        self.lift_off.is_some()
    }
}

/// The measured stances (`steps.csv`, in touchdown order) as rows of the timeseries with times `t` (s). A stance
/// starts at the first row whose step contains its touchdown and ends at the row whose step contains its lift-off
/// (touchdown + contact time); a lift-off at or after the last row is a stance still open when the record ended.
/// Times are the start of those rows' steps (each row's force acts over the step that ends at its time), so a
/// sampled timeseries (`run.sample_every`) dates them on its own clock.
pub fn stance_spans(t: &[f64], stances: &[StanceRecord]) -> Vec<StanceSpan> {
    // Well below any step (s): a touchdown exactly at a row's time belongs to the next row's step.
    const TOL: f64 = 1e-9;
    let row_after = |time: f64| t.partition_point(|&x| x <= time + TOL);
    let start_of = |i: usize| if i > 0 { t[i - 1] } else { t[0] };
    stances
        .iter()
        .filter_map(|st| {
            let start = row_after(st.touchdown);
            (start < t.len()).then(|| {
                let end = row_after(st.touchdown + st.contact_time).max(start + 1);
                let closed = end < t.len();
                StanceSpan {
                    foot: st.side.clone(),
                    start,
                    end: if closed { end } else { t.len() },
                    touchdown: start_of(start),
                    lift_off: closed.then(|| start_of(end)),
                }
            })
        })
        .collect()
}

/// Every measured stance of every foot as timeseries rows, in touchdown order (see [`stance_spans`]).
pub fn all_stances(ts: &Table, stances: &[StanceRecord]) -> Result<Vec<StanceSpan>, Error> {
    Ok(stance_spans(ts.col(columns::TIME)?, stances))
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
        columns::activation(&self.dof, self.positive)
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
    fn measured_stances_map_onto_the_rows_whose_steps_contain_them() {
        // Rows every 2 ms; a stance from 3.5 ms to 9 ms, one touching down exactly at a row's time (12 ms) and
        // still in contact when the record ends (18 ms).
        let t: Vec<f64> = (0..10).map(|i| i as f64 * 0.002).collect();
        let rec = |side: &str, touchdown: f64, contact_time: f64| StanceRecord {
            side: side.into(),
            touchdown,
            contact_time,
        };
        let s = stance_spans(&t, &[rec("foot_r", 0.0035, 0.0055), rec("foot_l", 0.012, 0.006)]);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].start, s[0].end), (2, 5));
        assert_eq!((s[0].touchdown, s[0].lift_off), (0.002, Some(0.008)));
        assert_eq!((s[1].foot.as_str(), s[1].start, s[1].end), ("foot_l", 7, 10));
        assert!(!s[1].complete());
    }
}
