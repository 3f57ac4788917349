//! Joint torques and muscle-group activations over time, grouped by contributor of the sprint system: torques of
//! the leg joints (whose two groups are push and swing), arms, torso and the hip's frontal/transverse DOFs;
//! activations of the push (hip ext., knee ext., ankle PF), swing (hip flex., knee flex., ankle DF), arm and
//! torso groups.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{muscle_groups, MuscleGroup, Side};
use super::style::*;
use crate::error::Error;
use crate::export::Table;
use crate::model::file::ModelFile;
use crate::model::generators::Contributor;
use crate::sim::columns;

/// At most this many points per curve (longer runs are decimated evenly).
const MAX_POINTS: usize = 1500;

struct Series {
    color: RGBColor,
    side: Side,
    pts: Vec<(f64, f64)>,
}

struct Panel {
    title: String,
    y_desc: &'static str,
    y: std::ops::Range<f64>,
    series: Vec<Series>,
    legend: Vec<(String, RGBColor)>,
}

impl Panel {
    fn new(title: &str, y_desc: &'static str) -> Self {
        Self {
            title: title.into(),
            y_desc,
            y: 0.0..1.0,
            series: Vec::new(),
            legend: Vec::new(),
        }
    }

    fn add(&mut self, label: String, side: Side, pts: Vec<(f64, f64)>) {
        let k = match self.legend.iter().position(|(l, _)| *l == label) {
            Some(k) => k,
            None => {
                let c = SERIES[self.legend.len() % SERIES.len()];
                self.legend.push((label, c));
                self.legend.len() - 1
            }
        };
        self.series.push(Series {
            color: self.legend[k].1,
            side,
            pts,
        });
    }
}

/// The torque/activation figure.
pub struct TorqueFigure {
    x: std::ops::Range<f64>,
    rows: [Vec<Panel>; 2],
}

fn pretty(base: &str) -> String {
    base.replace('_', " ")
}

impl TorqueFigure {
    /// Builds the figure from `timeseries.csv` (`<dof>_torque`, `<dof>_act_pos`, `<dof>_act_neg`) and the model's
    /// DOFs and muscle groups.
    pub fn build(ts: &Table, model: &ModelFile) -> Result<Self, Error> {
        let t = ts.check_time(columns::TIME)?;
        let step = t.len().div_ceil(MAX_POINTS).max(1);
        let pts = |y: &[f64]| -> Vec<(f64, f64)> {
            (0..t.len())
                .step_by(step)
                .chain(std::iter::once(t.len() - 1).filter(|i| i % step != 0))
                .map(|i| (t[i], y[i]))
                .collect()
        };
        let groups = muscle_groups(model);
        let mut torque = [
            Panel::new("a  leg joints (push/swing)", "torque (N·m)"),
            Panel::new("b  arms", "torque (N·m)"),
            Panel::new("c  torso", "torque (N·m)"),
            Panel::new("d  hip ab/adduction, rotation", "torque (N·m)"),
        ];
        let mut act = [
            Panel::new("e  push", "activation"),
            Panel::new("f  swing", "activation"),
            Panel::new("g  arms", "activation"),
            Panel::new("h  torso", "activation"),
        ];
        let dofs: Vec<&MuscleGroup> = groups.iter().filter(|g| g.positive).collect();
        for d in dofs {
            let pair: Vec<&MuscleGroup> = groups.iter().filter(|g| g.dof == d.dof).collect();
            let cs: Vec<Contributor> = pair.iter().map(|g| g.contributor).collect();
            let k = if cs.contains(&Contributor::Push) || cs.contains(&Contributor::Swing) {
                0
            } else if cs.contains(&Contributor::Arms) {
                1
            } else if cs.contains(&Contributor::Torso) {
                2
            } else {
                3
            };
            let tq = ts.col(&columns::dof_torque(&d.dof))?;
            torque[k].add(pretty(&d.dof_base), d.side, pts(tq));
            let shared = pair.len() == 2 && pair[0].group == pair[1].group;
            for g in pair {
                let k = match g.contributor {
                    Contributor::Push => 0,
                    Contributor::Swing => 1,
                    Contributor::Arms => 2,
                    Contributor::Torso => 3,
                    Contributor::None => continue,
                };
                let a = ts.col(&g.column())?;
                act[k].add(g.label(shared), g.side, pts(a));
            }
        }
        for p in &mut torque {
            let r = range_of(p.series.iter().flat_map(|s| s.pts.iter().map(|q| &q.1)), 0.06);
            p.y = r.start.min(-1.0)..r.end.max(1.0);
        }
        for p in &mut act {
            p.y = 0.0..1.02;
        }
        let x = t[0]..t[t.len() - 1].max(t[0] + 1e-3);
        let torque: Vec<Panel> = torque.into_iter().filter(|p| !p.series.is_empty()).collect();
        let act: Vec<Panel> = act.into_iter().filter(|p| !p.series.is_empty()).collect();
        Ok(Self { x, rows: [torque, act] })
    }
}

impl Figure for TorqueFigure {
    fn size_mm(&self) -> (f64, f64) {
        let legend_mm = |row: &Vec<Panel>| {
            let n = row.iter().map(|p| p.legend.len()).max().unwrap_or(0);
            legend_height(n, 1) as f64 / DPI * 25.4 + 2.0
        };
        (
            DOUBLE_MM,
            2.0 * 52.0 + legend_mm(&self.rows[0]) + legend_mm(&self.rows[1]) + 9.5,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (_, h) = root.dim_in_pixel();
        let note_h = pt(26.0) as u32;
        let (body, note) = root.split_vertically(h - note_h);
        let plot_h = mm(52.0);
        let legend_h: Vec<u32> = self
            .rows
            .iter()
            .map(|row| legend_height(row.iter().map(|p| p.legend.len()).max().unwrap_or(0), 1) + mm(2.0))
            .collect();
        let (row0, row1) = body.split_vertically(plot_h + legend_h[0]);
        for (r, area) in [row0, row1].iter().enumerate() {
            let panels = &self.rows[r];
            if panels.is_empty() {
                continue;
            }
            let cells = area.split_evenly((1, panels.len()));
            for (p, cell) in panels.iter().zip(cells.iter()) {
                let (plot, legend) = cell.split_vertically(plot_h);
                let title_h = pt(10.0) as u32;
                let (title, plot) = plot.split_vertically(title_h);
                title
                    .draw(&Text::new(
                        p.title.clone(),
                        (pt(2.0) as i32, (title_h / 2) as i32),
                        title_font().pos(Pos::new(HPos::Left, VPos::Center)),
                    ))
                    .map_err(de)?;
                let mut c = chart(&plot, self.x.clone(), p.y.clone(), "time (s)", p.y_desc)?;
                if p.y.start < 0.0 {
                    c.draw_series(LineSeries::new(
                        [(self.x.start, 0.0), (self.x.end, 0.0)],
                        line(CENTRE, 0.4),
                    ))
                    .map_err(de)?;
                }
                // Left (dashed) first, right (solid) on top.
                for s in p.series.iter().filter(|s| s.side == Side::Left) {
                    dashed_series(&mut c, &s.pts, line(s.color, 0.8), false)?;
                }
                for s in p.series.iter().filter(|s| s.side != Side::Left) {
                    c.draw_series(LineSeries::new(s.pts.iter().copied(), line(s.color, 0.8)))
                        .map_err(de)?;
                }
                let entries: Vec<LegendEntry> = p
                    .legend
                    .iter()
                    .map(|(l, c)| LegendEntry {
                        label: l.clone(),
                        kind: LegendKind::Line(line(*c, 1.0)),
                    })
                    .collect();
                let legend = legend.margin(mm(1.0), 0, pt(30.0) as u32, 0);
                draw_legend(&legend, &entries, 1)?;
            }
        }
        let note = note.margin(0, 0, pt(4.0) as u32, 0);
        let (key, text) = note.split_horizontally(pt(80.0) as u32);
        let dash = |label: &str, dashed: bool| LegendEntry {
            label: label.into(),
            kind: if dashed {
                LegendKind::Dashed(line(CENTRE, 0.8))
            } else {
                LegendKind::Line(line(CENTRE, 0.8))
            },
        };
        draw_legend(&key, &[dash("right", false), dash("left", true)], 2)?;
        for (k, l) in [
            "torque > 0 in the direction the DOF is named after: flexion, dorsiflexion, hip adduction and internal",
            "rotation, shoulder abduction, lumbar bend to the right and rotation to the left",
        ]
        .iter()
        .enumerate()
        {
            text.draw(&Text::new(
                *l,
                (0, (pt(7.0) * 1.45 * (k as f64 + 0.5)) as i32),
                tick_font().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(de)?;
        }
        Ok(())
    }
}
