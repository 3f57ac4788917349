//! Vertical and fore-aft ground reaction force over stance, in body weights, every stance of every foot
//! overlaid, with the measured ranges of sprinters at top speed as shaded bands.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{all_stances, Side};
use super::style::*;
use crate::export::tables::StanceRecord;
use crate::export::Table;
use crate::sim::columns;

/// Stance-averaged vertical GRF of sprinters at top speed (body weights): `data/shared/reference/sprint-targets.md`
/// row 5 — Weyand et al. 2010 J Appl Physiol 108:950 (2.08); Weyand & Davis 2005 J Exp Biol 208:2625 (2.32 at
/// 10 m/s).
pub const STANCE_MEAN_VGRF_BW: (f64, f64) = (2.0, 2.5);
/// Peak vertical GRF of sprinters at top speed (body weights): `sprint-targets.md` row 6 — Weyand et al. 2010
/// (3.62 ± 0.24); Čoh et al. 2018 Kinesiology 50:172 (4.2).
pub const PEAK_VGRF_BW: (f64, f64) = (3.4, 4.4);

/// One stance's curves.
#[derive(Debug, Clone)]
struct Curve {
    side: Side,
    complete: bool,
    /// Time from touchdown (ms) of each row.
    ms: Vec<f64>,
    fz: Vec<f64>,
    fx: Vec<f64>,
    /// Contact time (ms) and stance-averaged vertical force (BW) of a complete stance.
    mean: Option<(f64, f64)>,
}

/// The GRF figure, built from `timeseries.csv` and the body weight.
#[derive(Debug, Clone)]
pub struct GrfFigure {
    curves: Vec<Curve>,
}

impl GrfFigure {
    /// Builds the figure from the timeseries and the measured stances (`steps.csv`); `None` when the run has no
    /// stance.
    pub fn build(ts: &Table, steps: &[StanceRecord], bw: f64) -> Result<Option<Self>, crate::Error> {
        let t = ts.check_time(columns::TIME)?;
        let stances = all_stances(ts, steps)?;
        let mut curves = Vec::new();
        for s in &stances {
            let fz = ts.col(&columns::grf(&s.foot, 2))?;
            let fx = ts.col(&columns::grf(&s.foot, 0))?;
            // Rows of the stance, plus the lift-off row so the curve closes.
            let end = (s.end + 1).min(t.len());
            let rows = s.start..end;
            let mean = s.lift_off.map(|lo| {
                let mut imp = 0.0;
                for i in s.start..s.end {
                    let dt = if i > 0 { t[i] - t[i - 1] } else { 0.0 };
                    imp += fz[i] * dt;
                }
                let ct = lo - s.touchdown;
                (ct * 1e3, imp / ct / bw)
            });
            curves.push(Curve {
                side: Side::of(&s.foot),
                complete: s.complete(),
                ms: rows.clone().map(|i| (t[i] - s.touchdown) * 1e3).collect(),
                fz: rows.clone().map(|i| fz[i] / bw).collect(),
                fx: rows.map(|i| fx[i] / bw).collect(),
                mean,
            });
        }
        Ok((!curves.is_empty()).then_some(Self { curves }))
    }

    fn color(side: Side) -> RGBColor {
        match side {
            Side::Right => RIGHT,
            Side::Left => LEFT,
            Side::Centre => CENTRE,
        }
    }
}

impl Figure for GrfFigure {
    fn size_mm(&self) -> (f64, f64) {
        (SINGLE_MM, 115.0)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let mut entries = Vec::new();
        let sides: Vec<Side> = [Side::Right, Side::Left, Side::Centre]
            .into_iter()
            .filter(|s| self.curves.iter().any(|c| c.side == *s))
            .collect();
        for s in &sides {
            let n = self.curves.iter().filter(|c| c.side == *s).count();
            let name = match s {
                Side::Right => "right foot",
                Side::Left => "left foot",
                Side::Centre => "foot",
            };
            entries.push(LegendEntry {
                label: format!("{name} ({n} stance{})", if n == 1 { "" } else { "s" }),
                kind: LegendKind::Line(line(Self::color(*s), 1.0)),
            });
        }
        if self.curves.iter().any(|c| !c.complete) {
            entries.push(LegendEntry {
                label: "stance cut by start/end of run".into(),
                kind: LegendKind::Dashed(line(CENTRE, 1.0)),
            });
        }
        if self.curves.iter().any(|c| c.mean.is_some()) {
            entries.push(LegendEntry {
                label: "stance-averaged vertical GRF".into(),
                kind: LegendKind::Dotted(line(CENTRE, 1.0)),
            });
        }
        entries.push(LegendEntry {
            label: format!(
                "sprinters, stance average ({:.1}–{:.1} BW)",
                STANCE_MEAN_VGRF_BW.0, STANCE_MEAN_VGRF_BW.1
            ),
            kind: LegendKind::Band(SKY_BLUE.mix(0.35)),
        });
        entries.push(LegendEntry {
            label: format!("sprinters, peak ({:.1}–{:.1} BW)", PEAK_VGRF_BW.0, PEAK_VGRF_BW.1),
            kind: LegendKind::Band(ORANGE.mix(0.35)),
        });
        let cols = 1;
        let (_, h) = root.dim_in_pixel();
        let lh = legend_height(entries.len(), cols) + pt(4.0) as u32;
        let (plots, legend) = root.split_vertically(h - lh);
        let panels = plots.split_evenly((2, 1));

        let x_max = self
            .curves
            .iter()
            .flat_map(|c| c.ms.last().copied())
            .fold(0.0f64, f64::max)
            .max(1.0);
        let z_hi = self
            .curves
            .iter()
            .flat_map(|c| c.fz.iter())
            .fold(PEAK_VGRF_BW.1, |m, v| if v.is_finite() { m.max(*v) } else { m });
        let x_range = 0.0..x_max * 1.02;

        // a: vertical GRF with the measured bands.
        let mut c = chart(
            &panels[0],
            x_range.clone(),
            0.0..z_hi * 1.06,
            "time from touchdown (ms)",
            "vertical GRF (BW)",
        )?;
        for (band, color) in [(STANCE_MEAN_VGRF_BW, SKY_BLUE), (PEAK_VGRF_BW, ORANGE)] {
            c.draw_series(std::iter::once(Rectangle::new(
                [(0.0, band.0), (x_range.end, band.1)],
                color.mix(0.35).filled(),
            )))
            .map_err(de)?;
        }
        for cv in &self.curves {
            let pts: Vec<(f64, f64)> = cv.ms.iter().copied().zip(cv.fz.iter().copied()).collect();
            let style = line(Self::color(cv.side), 1.0);
            if cv.complete {
                c.draw_series(LineSeries::new(pts, style)).map_err(de)?;
            } else {
                dashed_series(&mut c, &pts, style, false)?;
            }
            if let Some((ct, mean)) = cv.mean {
                dashed_series(
                    &mut c,
                    &[(0.0, mean), (ct, mean)],
                    line(Self::color(cv.side), 1.0),
                    true,
                )?;
            }
        }
        panel_letter(&panels[0], "a")?;

        // b: fore-aft GRF (positive = propulsive, forward).
        let fx_range = range_of(self.curves.iter().flat_map(|c| c.fx.iter()), 0.08);
        let fx_hi = fx_range.end.max(0.1) + 0.12 * (fx_range.end - fx_range.start);
        let fx_range = fx_range.start.min(-0.1)..fx_hi;
        let mut c = chart(
            &panels[1],
            x_range.clone(),
            fx_range,
            "time from touchdown (ms)",
            "fore-aft GRF (BW)",
        )?;
        c.draw_series(std::iter::once(Text::new(
            "+ forward (propulsive)",
            (x_range.end * 0.98, fx_hi),
            tick_font().pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Right,
                plotters::style::text_anchor::VPos::Top,
            )),
        )))
        .map_err(de)?;
        c.draw_series(LineSeries::new([(0.0, 0.0), (x_range.end, 0.0)], line(CENTRE, 0.5)))
            .map_err(de)?;
        for cv in &self.curves {
            let pts: Vec<(f64, f64)> = cv.ms.iter().copied().zip(cv.fx.iter().copied()).collect();
            let style = line(Self::color(cv.side), 1.0);
            if cv.complete {
                c.draw_series(LineSeries::new(pts, style)).map_err(de)?;
            } else {
                dashed_series(&mut c, &pts, style, false)?;
            }
        }
        panel_letter(&panels[1], "b")?;

        let legend = legend.margin(pt(2.0) as u32, 0, pt(6.0) as u32, 0);
        draw_legend(&legend, &entries, cols)
    }
}
