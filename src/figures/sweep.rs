//! The figure of a merged sweep folder (`sweep.csv`): each outcome against each varied value, one point per run
//! (replicates as separate points), filled when the run completed, open when it lost balance or diverged.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::error::Error;
use crate::export::read::TextTable;

/// The outcomes drawn, one row of panels each: (sweep.csv column, axis title).
pub const OUTCOMES: [(&str, &str); 4] = [
    ("survived", "time balanced (s)"),
    ("peak_vertical_grf_bw", "peak vertical GRF (BW)"),
    ("mean_net_horizontal_impulse", "net push (N·s per stance)"),
    ("mean_speed", "mean forward speed (m/s)"),
];

/// At most this many varied paths get a column of panels (the first ones of the plan).
pub const MAX_VARIED: usize = 4;

/// Outcome against varied value for every run of a sweep.
pub struct SweepFigure {
    /// The varied paths (columns of panels).
    varied: Vec<String>,
    /// Per run: the varied values, the outcomes, whether it completed.
    runs: Vec<(Vec<f64>, Vec<f64>, bool)>,
}

impl SweepFigure {
    /// Builds the figure from a merged `sweep.csv`: the varied paths are its columns between `replicate` and
    /// `seed`.
    pub fn build(t: &TextTable) -> Result<Self, Error> {
        let col = |name: &str| {
            t.head.iter().position(|h| h == name).ok_or_else(|| Error::Data {
                file: t.file.display().to_string(),
                line: 1,
                msg: format!("no column `{name}` (not a merged sweep.csv)"),
            })
        };
        let (first, seed, status) = (col("replicate")? + 1, col("seed")?, col("status")?);
        let varied_cols: Vec<usize> = (first..seed).take(MAX_VARIED).collect();
        let outcome_cols: Vec<usize> = OUTCOMES.iter().map(|(c, _)| col(c)).collect::<Result<_, _>>()?;
        let mut runs = Vec::with_capacity(t.rows.len());
        for k in 0..t.rows.len() {
            // A value that is not a number (an `invalid` point's empty cell) is drawn as nothing.
            let num = |c: usize| t.number(k, c).unwrap_or(f64::NAN);
            runs.push((
                varied_cols.iter().map(|&c| num(c)).collect(),
                outcome_cols.iter().map(|&c| num(c)).collect(),
                t.rows[k][status] == "completed",
            ));
        }
        Ok(SweepFigure {
            varied: varied_cols.iter().map(|&c| t.head[c].clone()).collect(),
            runs,
        })
    }
}

impl Figure for SweepFigure {
    fn size_mm(&self) -> (f64, f64) {
        let w = if self.varied.len() > 1 { DOUBLE_MM } else { SINGLE_MM };
        (w, 12.0 + 42.0 * OUTCOMES.len() as f64)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (_, h) = root.dim_in_pixel();
        let lh = legend_height(2, 2) + pt(4.0) as u32;
        let (plots, legend) = root.split_vertically(h - lh);
        let cols = self.varied.len().max(1);
        let panels = plots.split_evenly((OUTCOMES.len(), cols));
        let r = pt(1.8) as i32;
        for (o, (_, y_desc)) in OUTCOMES.iter().enumerate() {
            for (v, path) in self.varied.iter().enumerate() {
                let area = &panels[o * cols + v];
                let xs: Vec<f64> = self.runs.iter().map(|r| r.0[v]).collect();
                let ys: Vec<f64> = self.runs.iter().map(|r| r.1[o]).collect();
                let mut c = chart(area, range_of(xs.iter(), 0.08), range_of(ys.iter(), 0.1), path, y_desc)?;
                for (x, y, done) in self.runs.iter().map(|r| (r.0[v], r.1[o], r.2)) {
                    if !(x.is_finite() && y.is_finite()) {
                        continue;
                    }
                    let shape = if done {
                        Circle::new((x, y), r, okabe_ito::BLUE.filled())
                    } else {
                        Circle::new((x, y), r, line(VERMILLION, 0.8))
                    };
                    c.draw_series(std::iter::once(shape)).map_err(de)?;
                }
                panel_letter(area, &((b'a' + (o * cols + v) as u8 % 26) as char).to_string())?;
            }
        }
        let legend = legend.margin(pt(2.0) as u32, 0, pt(6.0) as u32, 0);
        draw_legend(
            &legend,
            &[
                LegendEntry {
                    label: "run completed (each replicate a point)".into(),
                    kind: LegendKind::Band(okabe_ito::BLUE.mix(1.0)),
                },
                LegendEntry {
                    label: "open: balance lost or diverged".into(),
                    kind: LegendKind::Line(line(VERMILLION, 1.0)),
                },
            ],
            2,
        )
    }
}
