//! Figures of the Whole-Body Push study (docs/design.md §5), each drawn from its study folder's table:
//! the plateau (`plateau.csv`), the contributions (`contributions.csv`) and the strength-mix search (`mixes.csv`).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::error::Error;
use crate::export::read::{Table, TextTable};

/// Net horizontal impulse axis title.
const NET: &str = "net horizontal impulse per stance (N·s)";

fn band(color: RGBColor) -> RGBAColor {
    color.mix(0.22)
}

/// Push against pushing-side strength for the two arms of the plateau experiment, with 95 % CI bands; levels
/// where a seed lost balance or used ≥ 90 % of a balance limit drawn as open markers.
pub struct PlateauFigure {
    /// Per arm (0 = a, 1 = b): (level, mean, ci, limited) for the push measure, then for the vertical force.
    arms: [Vec<[f64; 4]>; 2],
    vertical: [Vec<[f64; 4]>; 2],
}

impl PlateauFigure {
    /// Builds the figure from `plateau.csv`.
    pub fn build(t: &Table) -> Result<Self, Error> {
        let arm = t.col("arm")?;
        let level = t.col("level")?;
        let limited = t.col("balance_limited")?;
        let pick = |m: &str| -> Result<[Vec<[f64; 4]>; 2], Error> {
            let mean = t.col(&format!("{m}_mean"))?;
            let ci = t.col(&format!("{m}_ci95"))?;
            let mut out: [Vec<[f64; 4]>; 2] = [Vec::new(), Vec::new()];
            for r in 0..t.rows() {
                let a = if arm[r] == 0.0 { 0 } else { 1 };
                out[a].push([
                    level[r],
                    mean[r],
                    if ci[r].is_finite() { ci[r] } else { 0.0 },
                    limited[r],
                ]);
            }
            Ok(out)
        };
        Ok(Self {
            arms: pick("mean_net_horizontal_impulse")?,
            vertical: pick("mean_stance_vertical_force_bw")?,
        })
    }

    fn panel<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        data: &[Vec<[f64; 4]>; 2],
        y_desc: &str,
    ) -> Result<(), String> {
        let all: Vec<f64> = data.iter().flatten().flat_map(|p| [p[1] - p[2], p[1] + p[2]]).collect();
        let xs: Vec<f64> = data.iter().flatten().map(|p| p[0]).collect();
        let x = range_of(xs.iter(), 0.05);
        let mut c = chart(
            area,
            x,
            range_of(all.iter(), 0.1),
            "pushing-side strength (× prior)",
            y_desc,
        )?;
        let r = pt(2.0) as i32;
        for (k, pts) in data.iter().enumerate() {
            let color = [OI_BLUE, VERMILLION][k];
            let mut poly: Vec<(f64, f64)> = pts.iter().map(|p| (p[0], p[1] + p[2])).collect();
            poly.extend(pts.iter().rev().map(|p| (p[0], p[1] - p[2])));
            c.draw_series(std::iter::once(Polygon::new(poly, band(color).filled())))
                .map_err(de)?;
            c.draw_series(LineSeries::new(pts.iter().map(|p| (p[0], p[1])), line(color, 1.0)))
                .map_err(de)?;
            for p in pts {
                let style = if p[3] > 0.0 {
                    ShapeStyle::from(&WHITE).filled()
                } else {
                    color.filled()
                };
                c.draw_series(std::iter::once(Circle::new((p[0], p[1]), r, style)))
                    .map_err(de)?;
                c.draw_series(std::iter::once(Circle::new((p[0], p[1]), r, line(color, 0.8))))
                    .map_err(de)?;
            }
        }
        Ok(())
    }
}

impl Figure for PlateauFigure {
    fn size_mm(&self) -> (f64, f64) {
        (SINGLE_MM, 120.0)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (_, h) = root.dim_in_pixel();
        let lh = legend_height(4, 1) + pt(4.0) as u32;
        let (plots, legend) = root.split_vertically(h - lh);
        let panels = plots.split_evenly((2, 1));
        Self::panel(&panels[0], &self.arms, "net push (N·s per stance)")?;
        panel_letter(&panels[0], "a")?;
        Self::panel(&panels[1], &self.vertical, "mean stance vGRF (BW)")?;
        panel_letter(&panels[1], "b")?;
        let legend = legend.margin(pt(2.0) as u32, 0, pt(6.0) as u32, 0);
        draw_legend(
            &legend,
            &[
                LegendEntry {
                    label: "(a) pushing side only; swing leg, arms, torso at 1.0".into(),
                    kind: LegendKind::Line(line(OI_BLUE, 1.0)),
                },
                LegendEntry {
                    label: "(b) all contributors at the same level".into(),
                    kind: LegendKind::Line(line(VERMILLION, 1.0)),
                },
                LegendEntry {
                    label: "95 % CI of the mean over seeds".into(),
                    kind: LegendKind::Band(band(RGBColor(90, 90, 90))),
                },
                LegendEntry {
                    label: "open marker: balance lost or a limit ≥ 90 % used".into(),
                    kind: LegendKind::Dotted(line(RGBColor(90, 90, 90), 1.0)),
                },
            ],
            1,
        )
    }
}

/// Whole-Body Push, Pushing-Leg Force and the ablations: every seed's push as a dot (open when its best run lost
/// balance), the mean as a bar with its 95 % CI.
pub struct ContributionsFigure {
    /// (condition, [(seed value of net, propulsive, held)]).
    conditions: Vec<(String, Vec<[f64; 3]>)>,
}

impl ContributionsFigure {
    /// Builds the figure from `contributions.csv`.
    pub fn build(t: &TextTable) -> Result<Self, Error> {
        let names = t.text("condition")?;
        let net = t.num("mean_net_horizontal_impulse")?;
        let prop = t.num("mean_propulsive_impulse")?;
        let held = t.text("balance_held")?;
        let mut conditions: Vec<(String, Vec<[f64; 3]>)> = Vec::new();
        for (k, n) in names.iter().enumerate() {
            let v = [net[k], prop[k], if held[k] == "true" { 1.0 } else { 0.0 }];
            match conditions.iter_mut().find(|c| &c.0 == n) {
                Some(c) => c.1.push(v),
                None => conditions.push((n.clone(), vec![v])),
            }
        }
        Ok(Self { conditions })
    }

    fn panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, m: usize, y_desc: &str) -> Result<(), String> {
        let mut vals: Vec<f64> = self.conditions.iter().flat_map(|c| c.1.iter().map(|v| v[m])).collect();
        for c in &self.conditions {
            let s = crate::measure::stats::spread(&c.1.iter().map(|v| v[m]).collect::<Vec<_>>());
            if s.ci95.is_finite() {
                vals.extend([s.mean - s.ci95, s.mean + s.ci95]);
            }
        }
        let mut y = range_of(vals.iter().chain([0.0].iter()), 0.12);
        y.start = y.start.min(0.0);
        let n = self.conditions.len() as f64;
        let (_, h) = area.dim_in_pixel();
        let (top, bottom) = area.split_vertically(h - pt(16.0) as u32);
        let mut c = ChartBuilder::on(&top)
            .margin_top(pt(9.0) as u32)
            .margin_right(pt(7.0) as u32)
            .margin_left(pt(2.0) as u32)
            .y_label_area_size(pt(31.0) as u32)
            .build_cartesian_2d(-0.5..n - 0.5, y)
            .map_err(de)?;
        c.configure_mesh()
            .disable_x_mesh()
            .disable_x_axis()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID.stroke_width(stroke(0.4)))
            .axis_style(BLACK.stroke_width(stroke(0.6)))
            .y_labels(6)
            .label_style(tick_font())
            .axis_desc_style(label_font())
            .y_desc(y_desc)
            .y_label_formatter(&|v| tidy(*v))
            .draw()
            .map_err(de)?;
        c.draw_series(std::iter::once(PathElement::new(
            vec![(-0.5, 0.0), (n - 0.5, 0.0)],
            line(RGBColor(90, 90, 90), 0.6),
        )))
        .map_err(de)?;
        let r = pt(1.8) as i32;
        for (k, (_, seeds)) in self.conditions.iter().enumerate() {
            let x = k as f64;
            let color = SERIES[k % SERIES.len()];
            let s = crate::measure::stats::spread(&seeds.iter().map(|v| v[m]).collect::<Vec<_>>());
            c.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, 0.0), (x + 0.3, s.mean)],
                band(color).filled(),
            )))
            .map_err(de)?;
            c.draw_series(std::iter::once(PathElement::new(
                vec![(x - 0.3, s.mean), (x + 0.3, s.mean)],
                line(color, 1.2),
            )))
            .map_err(de)?;
            if s.ci95.is_finite() {
                let (lo, hi) = (s.mean - s.ci95, s.mean + s.ci95);
                c.draw_series(std::iter::once(PathElement::new(
                    vec![(x, lo), (x, hi)],
                    line(BLACK, 0.8),
                )))
                .map_err(de)?;
                for yy in [lo, hi] {
                    c.draw_series(std::iter::once(PathElement::new(
                        vec![(x - 0.08, yy), (x + 0.08, yy)],
                        line(BLACK, 0.8),
                    )))
                    .map_err(de)?;
                }
            }
            let ns = seeds.len().max(1) as f64;
            for (j, v) in seeds.iter().enumerate() {
                let dx = (j as f64 - (ns - 1.0) / 2.0) * 0.12;
                let fill = if v[2] > 0.0 {
                    color.filled()
                } else {
                    ShapeStyle::from(&WHITE).filled()
                };
                c.draw_series(std::iter::once(Circle::new((x + dx, v[m]), r, fill)))
                    .map_err(de)?;
                c.draw_series(std::iter::once(Circle::new((x + dx, v[m]), r, line(color, 0.8))))
                    .map_err(de)?;
            }
        }
        // Condition names under the bars.
        let (w, _) = bottom.dim_in_pixel();
        let left = pt(33.0);
        let span = (w as f64 - left - pt(7.0)) / n;
        for (k, (name, _)) in self.conditions.iter().enumerate() {
            let cx = left + span * (k as f64 + 0.5);
            bottom
                .draw(&Text::new(
                    name.clone(),
                    (cx as i32, pt(3.0) as i32),
                    tick_font().pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Top,
                    )),
                ))
                .map_err(de)?;
        }
        Ok(())
    }
}

impl Figure for ContributionsFigure {
    fn size_mm(&self) -> (f64, f64) {
        (DOUBLE_MM, 130.0)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (_, h) = root.dim_in_pixel();
        let lh = legend_height(2, 2) + pt(4.0) as u32;
        let (plots, legend) = root.split_vertically(h - lh);
        let panels = plots.split_evenly((2, 1));
        self.panel(&panels[0], 0, NET)?;
        panel_letter(&panels[0], "a")?;
        self.panel(&panels[1], 1, "propulsive impulse per stance (N·s)")?;
        panel_letter(&panels[1], "b")?;
        let legend = legend.margin(pt(2.0) as u32, 0, pt(6.0) as u32, 0);
        draw_legend(
            &legend,
            &[
                LegendEntry {
                    label: "bar: mean over seeds, whisker: 95 % CI".into(),
                    kind: LegendKind::Band(band(RGBColor(90, 90, 90))),
                },
                LegendEntry {
                    label: "dots: seeds (open: balance lost)".into(),
                    kind: LegendKind::Dotted(line(RGBColor(90, 90, 90), 1.0)),
                },
            ],
            2,
        )
    }
}

/// The strength-mix search: every evaluated mix on the (push, swing) factor plane coloured by its push, the
/// accepted path drawn, the best ringed; and push against evaluation number.
pub struct StrengthMixFigure {
    /// (push factor, swing factor, arms, torso, net impulse, accepted, parent index or −1, held).
    mixes: Vec<[f64; 8]>,
}

impl StrengthMixFigure {
    /// Builds the figure from `mixes.csv`.
    pub fn build(t: &TextTable) -> Result<Self, Error> {
        let cols: Vec<Vec<f64>> = ["push", "swing", "arms", "torso", "mean_net_horizontal_impulse"]
            .iter()
            .map(|c| t.num(c))
            .collect::<Result<_, _>>()?;
        let accepted = t.text("accepted")?;
        let parent = t.text("parent")?;
        let held = t.text("balance_held")?;
        let mixes = (0..t.rows.len())
            .map(|k| {
                [
                    cols[0][k],
                    cols[1][k],
                    cols[2][k],
                    cols[3][k],
                    cols[4][k],
                    if accepted[k] == "true" { 1.0 } else { 0.0 },
                    parent[k].parse::<f64>().unwrap_or(-1.0),
                    if held[k] == "true" { 1.0 } else { 0.0 },
                ]
            })
            .collect();
        Ok(Self { mixes })
    }
}

/// A colour-blind-safe sequential scale (light yellow → dark blue, after cividis) at `t` in [0, 1].
fn sequential(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let (a, b) = ((253.0, 231.0, 37.0), (0.0, 32.0, 81.0));
    let l = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
    RGBColor(l(a.0, b.0), l(a.1, b.1), l(a.2, b.2))
}

impl Figure for StrengthMixFigure {
    fn size_mm(&self) -> (f64, f64) {
        (DOUBLE_MM, 80.0)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (_, h) = root.dim_in_pixel();
        let lh = legend_height(3, 1) + pt(4.0) as u32;
        let (plots, legend) = root.split_vertically(h - lh);
        let panels = plots.split_evenly((1, 2));
        let push: Vec<f64> = self.mixes.iter().map(|m| m[4]).filter(|v| v.is_finite()).collect();
        let (lo, hi) = push
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
        let shade = |v: f64| sequential(if hi > lo { (v - lo) / (hi - lo) } else { 0.5 });
        let xs: Vec<f64> = self.mixes.iter().map(|m| m[0]).collect();
        let ys: Vec<f64> = self.mixes.iter().map(|m| m[1]).collect();
        let mut c = chart(
            &panels[0],
            range_of(xs.iter(), 0.1),
            range_of(ys.iter(), 0.1),
            "pushing-side strength (× prior)",
            "swing-side strength (× prior)",
        )?;
        for m in &self.mixes {
            if m[5] > 0.0 && m[6] >= 0.0 {
                let p = &self.mixes[m[6] as usize];
                c.draw_series(std::iter::once(PathElement::new(
                    vec![(p[0], p[1]), (m[0], m[1])],
                    line(BLACK, 0.8),
                )))
                .map_err(de)?;
            }
        }
        let r = pt(2.4) as i32;
        for m in &self.mixes {
            c.draw_series(std::iter::once(Circle::new((m[0], m[1]), r, shade(m[4]).filled())))
                .map_err(de)?;
            let edge = if m[7] > 0.0 {
                line(RGBColor(90, 90, 90), 0.5)
            } else {
                line(VERMILLION, 1.0)
            };
            c.draw_series(std::iter::once(Circle::new((m[0], m[1]), r, edge)))
                .map_err(de)?;
        }
        let best = self
            .mixes
            .iter()
            .filter(|m| m[5] > 0.0)
            .min_by(|a, b| b[4].total_cmp(&a[4]))
            .copied();
        if let Some(b) = best {
            c.draw_series(std::iter::once(Circle::new((b[0], b[1]), r * 2, line(BLACK, 1.0))))
                .map_err(de)?;
        }
        panel_letter(&panels[0], "a")?;
        let idx: Vec<f64> = (0..self.mixes.len()).map(|k| k as f64).collect();
        let mut c = chart(
            &panels[1],
            range_of(idx.iter(), 0.05),
            range_of(push.iter(), 0.1),
            "mix evaluated (order)",
            NET,
        )?;
        let mut best_so_far = Vec::new();
        let mut b = f64::NEG_INFINITY;
        for (k, m) in self.mixes.iter().enumerate() {
            if m[5] > 0.0 {
                b = b.max(m[4]);
            }
            best_so_far.push((k as f64, b));
            c.draw_series(std::iter::once(Circle::new((k as f64, m[4]), r, shade(m[4]).filled())))
                .map_err(de)?;
            c.draw_series(std::iter::once(Circle::new(
                (k as f64, m[4]),
                r,
                line(RGBColor(90, 90, 90), 0.5),
            )))
            .map_err(de)?;
        }
        c.draw_series(LineSeries::new(best_so_far, line(OI_BLUE, 1.0)))
            .map_err(de)?;
        panel_letter(&panels[1], "b")?;
        let legend = legend.margin(pt(2.0) as u32, 0, pt(6.0) as u32, 0);
        draw_legend(
            &legend,
            &[
                LegendEntry {
                    label: format!("colour: push, light {} → dark {} N·s", tidy(lo), tidy(hi)),
                    kind: LegendKind::Band(sequential(0.6).into()),
                },
                LegendEntry {
                    label: "line: accepted moves / best so far; ring: best".into(),
                    kind: LegendKind::Line(line(BLACK, 0.8)),
                },
                LegendEntry {
                    label:
                        "red edge: balance lost; (a) shows push and swing factors, arms and torso make up the budget"
                            .into(),
                    kind: LegendKind::Line(line(VERMILLION, 1.0)),
                },
            ],
            1,
        )
    }
}
