//! The house style of sprintlab's figures: journal sizes, an embedded font, the Okabe–Ito palette, line weights,
//! and the writer that renders one figure to SVG and to a 300-dpi PNG.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, RGBColor};

use crate::error::Error;

/// The embedded font: DejaVu Sans 2.37 (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`), from the
/// Debian package `fonts-dejavu-core` 2.37-6. No system fonts or fontconfig are used.
pub static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The family name under which the font is registered (plotters' default family).
pub const FAMILY: &str = "sans-serif";
/// What the SVG files name as the font family (viewers without DejaVu Sans fall back to any sans-serif).
pub const SVG_FAMILY: &str = "DejaVu Sans, sans-serif";

/// Resolution of the PNG files (dots per inch).
pub const DPI: f64 = 300.0;
/// Single-column width (mm).
pub const SINGLE_MM: f64 = 85.0;
/// Double-column width (mm).
pub const DOUBLE_MM: f64 = 175.0;

/// Okabe & Ito (2008) colour-blind-safe palette, "Color Universal Design".
pub mod okabe_ito {
    use plotters::style::RGBColor;
    /// Black.
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    /// Orange.
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    /// Sky blue.
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    /// Bluish green.
    pub const GREEN: RGBColor = RGBColor(0, 158, 115);
    /// Yellow (not used for lines on white: too light).
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    /// Blue.
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    /// Vermillion.
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    /// Reddish purple.
    pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
}
pub use okabe_ito::{BLUE as OI_BLUE, GREEN as OI_GREEN, ORANGE, PURPLE, SKY_BLUE, VERMILLION};

/// Line colours in order of use (the palette without yellow).
pub const SERIES: [RGBColor; 7] = [
    okabe_ito::BLUE,
    VERMILLION,
    okabe_ito::GREEN,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    okabe_ito::BLACK,
];
/// Right side of the body.
pub const RIGHT: RGBColor = okabe_ito::BLUE;
/// Left side of the body.
pub const LEFT: RGBColor = VERMILLION;
/// Midline segments.
pub const CENTRE: RGBColor = RGBColor(64, 64, 64);
/// Ground reaction force arrows.
pub const GRF: RGBColor = okabe_ito::GREEN;
/// Faint grid and ground lines.
pub const GRID: RGBColor = RGBColor(225, 225, 225);

/// Millimetres to pixels at [`DPI`].
pub fn mm(mm: f64) -> u32 {
    (mm / 25.4 * DPI).round() as u32
}

/// Points to pixels at [`DPI`].
pub fn pt(points: f64) -> f64 {
    points / 72.0 * DPI
}

/// A stroke width of `points` in pixels.
pub fn stroke(points: f64) -> u32 {
    pt(points).round().max(1.0) as u32
}

/// A text style of `points` size. plotters' ab_glyph renderer scales glyphs so that ascent − descent spans the
/// size; DejaVu's ascent − descent is 1.164 em, so the size is scaled to give an em of `points`.
pub fn font(points: f64) -> TextStyle<'static> {
    (FAMILY, pt(points) * 1.164).into_font().color(&BLACK)
}

/// Tick labels (7 pt).
pub fn tick_font() -> TextStyle<'static> {
    font(7.0)
}

/// Axis titles (8 pt).
pub fn label_font() -> TextStyle<'static> {
    font(8.0)
}

/// Panel letters and titles (8.5 pt).
pub fn title_font() -> TextStyle<'static> {
    font(8.5)
}

/// A line of `points` width.
pub fn line(color: RGBColor, points: f64) -> ShapeStyle {
    color.stroke_width(stroke(points))
}

/// Registers the embedded font with plotters once per process.
pub fn register_font() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
            .map_err(|_| "the embedded font (DejaVu Sans) could not be loaded".to_string())
    })
    .clone()
}

/// Turns any displayable drawing error into a message.
pub fn de<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A figure that can draw itself on any plotters backend.
pub trait Figure {
    /// Width and height (mm).
    fn size_mm(&self) -> (f64, f64);
    /// Draws on a white root area of the figure's pixel size.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Renders `fig` as `<dir>/<name>.svg` and `<dir>/<name>.png` (each written atomically). Returns the files.
pub fn render<F: Figure>(dir: &Path, name: &str, fig: &F) -> Result<Vec<PathBuf>, Error> {
    register_font().map_err(|m| Error::io(dir, std::io::Error::other(m)))?;
    let (wmm, hmm) = fig.size_mm();
    let (w, h) = (mm(wmm), mm(hmm));
    let fail = |what: &str, m: String| Error::io(dir.join(what), std::io::Error::other(m));
    let svg_name = format!("{name}.svg");
    let png_name = format!("{name}.png");

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&svg_name, de(e)))?;
        fig.draw(&root).map_err(|m| fail(&svg_name, m))?;
        root.present().map_err(|e| fail(&svg_name, de(e)))?;
    }
    let svg = physical_svg(&svg, w, h, wmm, hmm);
    crate::io::write_atomic(&dir.join(&svg_name), svg.as_bytes())?;

    let mut rgb = vec![255u8; (w as usize) * (h as usize) * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&png_name, de(e)))?;
        fig.draw(&root).map_err(|m| fail(&png_name, m))?;
        root.present().map_err(|e| fail(&png_name, de(e)))?;
    }
    let png = encode_png(&rgb, w, h).map_err(|m| fail(&png_name, m))?;
    crate::io::write_atomic(&dir.join(&png_name), &png)?;
    Ok(vec![dir.join(svg_name), dir.join(png_name)])
}

/// Gives the SVG its physical size (mm; the viewBox stays in 300-dpi pixels) and names the embedded font.
fn physical_svg(svg: &str, w: u32, h: u32, wmm: f64, hmm: f64) -> String {
    let from = format!("width=\"{w}\" height=\"{h}\"");
    let to = format!("width=\"{wmm}mm\" height=\"{hmm}mm\"");
    svg.replacen(&from, &to, 1).replace(
        &format!("font-family=\"{FAMILY}\""),
        &format!("font-family=\"{SVG_FAMILY}\""),
    )
}

/// Encodes 8-bit RGB pixels as PNG with a pHYs chunk saying [`DPI`].
pub fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let ppm = (DPI / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut wr = enc.write_header().map_err(de)?;
        wr.write_image_data(rgb).map_err(de)?;
        wr.finish().map_err(de)?;
    }
    Ok(out)
}

/// A legend entry drawn by [`draw_legend`].
pub struct LegendEntry {
    /// Text.
    pub label: String,
    /// What the sample looks like.
    pub kind: LegendKind,
}

/// The sample drawn before a legend label.
pub enum LegendKind {
    /// A line.
    Line(ShapeStyle),
    /// A dashed line.
    Dashed(ShapeStyle),
    /// A dotted line.
    Dotted(ShapeStyle),
    /// A filled box.
    Band(RGBAColor),
}

/// Draws legend entries in `cols` columns, row by row, from the top-left of `area`.
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    cols: usize,
) -> Result<(), String> {
    let (w, _) = area.dim_in_pixel();
    let cols = cols.max(1);
    let col_w = w as i32 / cols as i32;
    let row_h = (pt(7.0) * 1.45) as i32;
    let sample = pt(14.0) as i32;
    let f = tick_font();
    for (k, e) in entries.iter().enumerate() {
        let x = (k % cols) as i32 * col_w + 4;
        let y = (k / cols) as i32 * row_h + row_h / 2;
        match &e.kind {
            LegendKind::Line(s) => {
                area.draw(&PathElement::new(vec![(x, y), (x + sample, y)], *s))
                    .map_err(de)?;
            }
            LegendKind::Dashed(s) | LegendKind::Dotted(s) => {
                let (on, off) = if matches!(e.kind, LegendKind::Dashed(_)) {
                    (pt(3.5) as i32, pt(2.0) as i32)
                } else {
                    (pt(1.0) as i32, pt(1.5) as i32)
                };
                let mut x0 = x;
                while x0 < x + sample {
                    let x1 = (x0 + on).min(x + sample);
                    area.draw(&PathElement::new(vec![(x0, y), (x1, y)], *s)).map_err(de)?;
                    x0 = x1 + off;
                }
            }
            LegendKind::Band(c) => {
                let hh = row_h / 3;
                area.draw(&Rectangle::new([(x, y - hh), (x + sample, y + hh)], c.filled()))
                    .map_err(de)?;
            }
        }
        area.draw(&Text::new(
            e.label.clone(),
            (x + sample + pt(3.0) as i32, y),
            f.clone().pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            )),
        ))
        .map_err(de)?;
    }
    Ok(())
}

/// The number of legend rows [`draw_legend`] needs, times its row height (pixels).
pub fn legend_height(entries: usize, cols: usize) -> u32 {
    let rows = entries.div_ceil(cols.max(1));
    (rows as f64 * pt(7.0) * 1.45).ceil() as u32 + 4
}

/// Draws a dashed polyline (data coordinates) as separate segments of `on`/`off` pixel lengths.
pub fn dashed_series<DB, X, Y>(
    chart: &mut ChartContext<DB, Cartesian2d<X, Y>>,
    pts: &[(f64, f64)],
    style: ShapeStyle,
    dotted: bool,
) -> Result<(), String>
where
    DB: DrawingBackend,
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>,
{
    let (on, off) = if dotted {
        (pt(1.0) as u32, pt(1.5) as u32)
    } else {
        (pt(3.5) as u32, pt(2.0) as u32)
    };
    chart
        .draw_series(plotters::series::DashedLineSeries::new(
            pts.iter().copied(),
            on,
            off,
            style,
        ))
        .map_err(de)?;
    Ok(())
}

/// Draws a panel letter (`a`, `b`, …) at the top-left of `area`.
pub fn panel_letter<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, letter: &str) -> Result<(), String> {
    area.draw(&Text::new(
        letter.to_string(),
        (pt(1.5) as i32, pt(1.5) as i32),
        title_font(),
    ))
    .map_err(de)
}

/// A 2D chart of the house style on `area`: room for tick labels and axis titles, the axes drawn with titles
/// `x_desc` and `y_desc`, a faint major grid.
pub fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    x_desc: &str,
    y_desc: &str,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String> {
    let mut c = ChartBuilder::on(area)
        .margin_top(pt(9.0) as u32)
        .margin_right(pt(7.0) as u32)
        .margin_left(pt(2.0) as u32)
        .margin_bottom(pt(1.0) as u32)
        .x_label_area_size(pt(20.0) as u32)
        .y_label_area_size(pt(31.0) as u32)
        .build_cartesian_2d(x, y)
        .map_err(de)?;
    c.configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(stroke(0.4)))
        .axis_style(BLACK.stroke_width(stroke(0.6)))
        .set_all_tick_mark_size(pt(2.5) as u32)
        .x_labels(6)
        .y_labels(6)
        .label_style(tick_font())
        .axis_desc_style(label_font())
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| tidy(*v))
        .y_label_formatter(&|v| tidy(*v))
        .draw()
        .map_err(de)?;
    Ok(c)
}

/// A tick label: at most 3 significant digits, no trailing zeros, a true minus sign, powers of ten for very large
/// or small magnitudes (`20`, `0.05`, `−1.5`, `1e-4`).
pub fn tidy(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    if a < 1e-12 {
        return "0".into();
    }
    let s = if !(1e-3..1e5).contains(&a) {
        let s = format!("{v:.1e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = m.trim_end_matches('0').trim_end_matches('.');
        format!("{m}e{e}")
    } else {
        let decimals = (2 - a.log10().floor() as i32).clamp(0, 6) as usize;
        let s = format!("{v:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    match s.strip_prefix('-') {
        Some(r) if r.trim_matches(|c| c == '0' || c == '.').is_empty() => "0".into(),
        Some(r) => format!("\u{2212}{r}"),
        None => s,
    }
}

/// Estimated width (pixels) of `text` in `font(points)` as rendered (about 0.7 em per character).
pub fn text_width(text: &str, points: f64) -> f64 {
    text.chars().count() as f64 * pt(points) * 0.7
}

/// A data range with a margin, never empty: `[lo, hi]` of the finite values, padded by `pad` of its span.
pub fn range_of<'a>(values: impl IntoIterator<Item = &'a f64>, pad: f64) -> std::ops::Range<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in values {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() {
        return -1.0..1.0;
    }
    let span = hi - lo;
    let p = if span > 0.0 {
        span * pad
    } else {
        lo.abs().max(1.0) * 0.1
    };
    (lo - p)..(hi + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_are_tidy() {
        assert_eq!(tidy(20.0), "20");
        assert_eq!(tidy(0.15000000000000002), "0.15");
        assert_eq!(tidy(-0.0), "0");
        assert_eq!(tidy(-1.5), "\u{2212}1.5");
        assert_eq!(tidy(1e-4), "1e-4");
        assert_eq!(tidy(0.05), "0.05");
        assert_eq!(tidy(-100.0), "\u{2212}100");
    }

    #[test]
    fn journal_sizes_in_pixels() {
        assert_eq!(mm(SINGLE_MM), 1004);
        assert_eq!(mm(DOUBLE_MM), 2067);
    }
}
