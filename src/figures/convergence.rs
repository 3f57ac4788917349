//! Optimiser convergence from `history.csv` (generation, evaluations, best, median, sigma): best and median cost
//! per generation, and the CMA-ES step size σ (log scale), against the number of rollouts evaluated.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::error::Error;
use crate::export::Table;

/// The convergence figure.
pub struct ConvergenceFigure {
    evals: Vec<f64>,
    best: Vec<f64>,
    median: Vec<f64>,
    sigma: Vec<f64>,
}

impl ConvergenceFigure {
    /// Builds the figure from a `history.csv` table.
    pub fn build(h: &Table) -> Result<Self, Error> {
        let evals = h.check_time("evaluations")?.to_vec();
        Ok(Self {
            evals,
            best: h.col("best")?.to_vec(),
            median: h.col("median")?.to_vec(),
            sigma: h.col("sigma")?.to_vec(),
        })
    }
}

impl Figure for ConvergenceFigure {
    fn size_mm(&self) -> (f64, f64) {
        (SINGLE_MM, 95.0)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (_, h) = root.dim_in_pixel();
        let lh = legend_height(2, 2) + pt(4.0) as u32;
        let (plots, legend) = root.split_vertically(h - lh);
        let panels = plots.split_evenly((2, 1));
        let x0 = 0.0;
        let x1 = self.evals.last().copied().unwrap_or(1.0) * 1.03;
        let y = range_of(self.best.iter().chain(self.median.iter()), 0.08);
        let mut c = chart(&panels[0], x0..x1, y, "rollouts evaluated", "cost")?;
        let pts = |v: &[f64]| -> Vec<(f64, f64)> {
            self.evals
                .iter()
                .copied()
                .zip(v.iter().copied())
                .filter(|p| p.1.is_finite())
                .collect()
        };
        let best = pts(&self.best);
        let median = pts(&self.median);
        dashed_series(&mut c, &median, line(VERMILLION, 1.0), false)?;
        c.draw_series(LineSeries::new(best.iter().copied(), line(OI_BLUE, 1.0)))
            .map_err(de)?;
        let r = pt(1.4) as i32;
        c.draw_series(best.iter().map(|p| Circle::new(*p, r, OI_BLUE.filled())))
            .map_err(de)?;
        c.draw_series(median.iter().map(|p| Circle::new(*p, r, VERMILLION.filled())))
            .map_err(de)?;
        panel_letter(&panels[0], "a")?;

        let sig: Vec<(f64, f64)> = pts(&self.sigma).into_iter().filter(|p| p.1 > 0.0).collect();
        let (mut lo, mut hi) = sig
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
        if !lo.is_finite() {
            (lo, hi) = (0.1, 1.0);
        }
        let (lo, hi) = sigma_axis(lo, hi);
        let mut c = ChartBuilder::on(&panels[1])
            .margin_top(pt(9.0) as u32)
            .margin_right(pt(7.0) as u32)
            .margin_left(pt(2.0) as u32)
            .margin_bottom(pt(1.0) as u32)
            .x_label_area_size(pt(20.0) as u32)
            .y_label_area_size(pt(31.0) as u32)
            .build_cartesian_2d(x0..x1, (lo..hi).log_scale())
            .map_err(de)?;
        c.configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID.stroke_width(stroke(0.4)))
            .axis_style(BLACK.stroke_width(stroke(0.6)))
            .set_all_tick_mark_size(pt(2.5) as u32)
            .x_labels(6)
            .y_labels(5)
            .label_style(tick_font())
            .axis_desc_style(label_font())
            .x_desc("rollouts evaluated")
            .y_desc("step size σ (z units)")
            .x_label_formatter(&|v| tidy(*v))
            .y_label_formatter(&|v| tidy(*v))
            .draw()
            .map_err(de)?;
        c.draw_series(LineSeries::new(sig.iter().copied(), line(OI_GREEN, 1.0)))
            .map_err(de)?;
        c.draw_series(sig.iter().map(|p| Circle::new(*p, r, OI_GREEN.filled())))
            .map_err(de)?;
        panel_letter(&panels[1], "b")?;

        let legend = legend.margin(pt(2.0) as u32, 0, pt(6.0) as u32, 0);
        draw_legend(
            &legend,
            &[
                LegendEntry {
                    label: "best cost so far".into(),
                    kind: LegendKind::Line(line(OI_BLUE, 1.0)),
                },
                LegendEntry {
                    label: "median cost".into(),
                    kind: LegendKind::Dashed(line(VERMILLION, 1.0)),
                },
            ],
            2,
        )
    }
}

/// The σ axis (log scale) for step sizes from `lo` to `hi` (> 0): padded, at least a decade, and reaching below the
/// second power of ten under its top (the axis labels powers of ten, not its ends), so that a short run with σ
/// within one decade still shows two labelled ticks.
fn sigma_axis(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = ((lo / 1.5).min(hi / 10.0), hi * 1.5);
    (lo.min(10f64.powf(hi.log10().floor() - 1.0) / 1.3), hi)
}

#[cfg(test)]
mod tests {
    use super::sigma_axis;

    /// Powers of ten strictly inside (lo, hi).
    fn labelled(lo: f64, hi: f64) -> usize {
        (-12..12).map(|k| 10f64.powi(k)).filter(|p| *p > lo && *p < hi).count()
    }

    #[test]
    fn log_sigma_axis_of_a_short_run_has_more_than_one_tick() {
        // The 48-rollout stance_push run of tools/golden.sh: σ from 1.0 to 1.2 showed only the tick "1".
        for (lo, hi) in [(1.0, 1.2), (0.3, 0.4), (0.02, 0.05), (0.95, 0.99), (1e-3, 1.0)] {
            let (a, b) = sigma_axis(lo, hi);
            assert!(a < lo && b > hi, "[{lo}, {hi}] inside ({a}, {b})");
            assert!(labelled(a, b) >= 2, "[{lo}, {hi}] → ({a}, {b})");
        }
    }
}
