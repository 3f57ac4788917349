//! Induced ground-force parts stacked over stance, from `induced.csv` (`sprintlab induced RUN_DIR`): vertical
//! and fore-aft, in body weights, against the percentage of stance, averaged over the run's stances; positive
//! parts stacked upwards from zero and negative parts downwards, with the measured force on top.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::error::Error;
use crate::export::tables::InducedRow;
use crate::export::Table;

/// The stacked groups: label and the `induced.csv` parts they sum.
const GROUPS: [(&str, &[&str]); 7] = [
    ("pushing leg", &["pushing_leg"]),
    ("stance leg, other groups", &["stance_leg_other"]),
    ("swing leg", &["swing_leg"]),
    ("arms and torso", &["arms", "torso"]),
    ("gravity", &["gravity"]),
    ("velocity terms and passive joints", &["velocity", "passive"]),
    ("foot motion in the ground", &["foot_motion"]),
];

/// Grid points over stance.
const GRID_N: usize = 51;

/// The induced-forces figure.
pub struct InducedFigure {
    /// Per axis (0 = fore-aft x, 1 = vertical z): per group the mean curve over stance (BW), then measured.
    curves: [Vec<Vec<f64>>; 2],
    measured: [Vec<f64>; 2],
    stances: usize,
}

impl InducedFigure {
    /// Builds the figure from `induced.csv` and the body weight (N). `None` without any stance of ≥ 10 samples.
    pub fn build(t: &Table, bw: f64) -> Result<Option<Self>, Error> {
        let time = t.col(InducedRow::T)?;
        let foot = t.col(InducedRow::FOOT)?;
        let stance = t.col(InducedRow::STANCE)?;
        let mut curves: [Vec<Vec<f64>>; 2] = [
            vec![vec![0.0; GRID_N]; GROUPS.len()],
            vec![vec![0.0; GRID_N]; GROUPS.len()],
        ];
        let mut measured = [vec![0.0; GRID_N], vec![0.0; GRID_N]];
        let mut count = 0usize;
        let mut r = 0;
        while r < t.rows() {
            let mut e = r;
            while e < t.rows() && foot[e] == foot[r] && stance[e] == stance[r] {
                e += 1;
            }
            // Rows of one stance are contiguous in time only per foot; gather this stance's rows.
            let rows: Vec<usize> = (0..t.rows())
                .filter(|&k| foot[k] == foot[r] && stance[k] == stance[r])
                .collect();
            let first_of_stance = rows[0] == r;
            r = e;
            if !first_of_stance || rows.len() < 10 {
                continue;
            }
            let (t0, t1) = (time[rows[0]], time[rows[rows.len() - 1]]);
            let at = |col: &[f64], g: usize| -> f64 {
                let s = t0 + (t1 - t0) * g as f64 / (GRID_N - 1) as f64;
                let k = rows.partition_point(|&i| time[i] < s).min(rows.len() - 1).max(1);
                let (a, b) = (rows[k - 1], rows[k]);
                let w = if time[b] > time[a] {
                    (s - time[a]) / (time[b] - time[a])
                } else {
                    0.0
                };
                col[a] + (col[b] - col[a]) * w.clamp(0.0, 1.0)
            };
            for (axis, a) in [0, 2].into_iter().enumerate() {
                for (gi, (_, parts)) in GROUPS.iter().enumerate() {
                    let cols: Vec<&[f64]> = parts
                        .iter()
                        .map(|p| t.col(&InducedRow::column(p, a)))
                        .collect::<Result<_, _>>()?;
                    for (g, v) in curves[axis][gi].iter_mut().enumerate() {
                        *v += cols.iter().map(|c| at(c, g)).sum::<f64>() / bw;
                    }
                }
                let m = t.col(&InducedRow::column(InducedRow::MEASURED, a))?;
                for (g, v) in measured[axis].iter_mut().enumerate() {
                    *v += at(m, g) / bw;
                }
            }
            count += 1;
        }
        if count == 0 {
            return Ok(None);
        }
        for axis in 0..2 {
            for c in curves[axis].iter_mut().chain(std::iter::once(&mut measured[axis])) {
                c.iter_mut().for_each(|v| *v /= count as f64);
            }
        }
        Ok(Some(Self {
            curves,
            measured,
            stances: count,
        }))
    }

    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        axis: usize,
        y_desc: &str,
    ) -> Result<(), String> {
        let pct: Vec<f64> = (0..GRID_N).map(|g| 100.0 * g as f64 / (GRID_N - 1) as f64).collect();
        // Cumulative stacks: positive parts upwards, negative downwards.
        let mut up = vec![0.0; GRID_N];
        let mut down = vec![0.0; GRID_N];
        let mut layers = Vec::new();
        for c in &self.curves[axis] {
            let lo: Vec<f64> = (0..GRID_N).map(|g| if c[g] >= 0.0 { up[g] } else { down[g] }).collect();
            for g in 0..GRID_N {
                if c[g] >= 0.0 {
                    up[g] += c[g];
                } else {
                    down[g] += c[g];
                }
            }
            let hi: Vec<f64> = (0..GRID_N).map(|g| lo[g] + c[g]).collect();
            layers.push((lo, hi));
        }
        let ext: Vec<f64> = up
            .iter()
            .chain(down.iter())
            .chain(self.measured[axis].iter())
            .copied()
            .collect();
        let mut ch = chart(area, 0.0..100.0, range_of(ext.iter(), 0.06), "stance (%)", y_desc)?;
        for (k, (lo, hi)) in layers.iter().enumerate() {
            let color = SERIES[k % SERIES.len()];
            let mut poly: Vec<(f64, f64)> = pct.iter().copied().zip(hi.iter().copied()).collect();
            poly.extend(pct.iter().copied().zip(lo.iter().copied()).rev());
            ch.draw_series(std::iter::once(Polygon::new(poly, color.mix(0.75).filled())))
                .map_err(de)?;
        }
        ch.draw_series(LineSeries::new(
            pct.iter().copied().zip(self.measured[axis].iter().copied()),
            line(BLACK, 1.2),
        ))
        .map_err(de)?;
        Ok(())
    }
}

impl Figure for InducedFigure {
    fn size_mm(&self) -> (f64, f64) {
        (DOUBLE_MM, 90.0)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (_, h) = root.dim_in_pixel();
        let lh = legend_height(GROUPS.len() + 1, 4) + pt(4.0) as u32;
        let (plots, legend) = root.split_vertically(h - lh);
        let panels = plots.split_evenly((1, 2));
        self.panel(
            &panels[0],
            1,
            &format!("vertical GRF (BW), mean of {} stances", self.stances),
        )?;
        panel_letter(&panels[0], "a")?;
        self.panel(&panels[1], 0, "fore-aft GRF (BW)")?;
        panel_letter(&panels[1], "b")?;
        let mut entries: Vec<LegendEntry> = GROUPS
            .iter()
            .enumerate()
            .map(|(k, (label, _))| LegendEntry {
                label: label.to_string(),
                kind: LegendKind::Band(SERIES[k % SERIES.len()].mix(0.75)),
            })
            .collect();
        entries.push(LegendEntry {
            label: "measured".into(),
            kind: LegendKind::Line(line(BLACK, 1.2)),
        });
        let legend = legend.margin(pt(2.0) as u32, 0, pt(6.0) as u32, 0);
        draw_legend(&legend, &entries, 4)
    }
}
