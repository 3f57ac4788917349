//! `sprintlab figures`: every figure kind from small real runs (a shortened drop and a 24-evaluation optimisation),
//! valid SVG and PNG of journal sizes, deterministic output, and clear errors for missing or malformed inputs
//! while the other figures still render. Also `run` makes figures unless `--no-figures`.

use crate::figures_common;

use std::path::Path;

use figures_common::*;

/// 300 dpi in pixels per metre (the PNG pHYs chunk).
const PPM_300_DPI: u32 = 11811;

fn check_svg(path: &Path, width_mm: &str) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{} is not valid XML: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{}", path.display());
    assert_eq!(root.attribute("width"), Some(width_mm), "{}", path.display());
    assert!(root.attribute("viewBox").is_some());
    let texts = doc.descendants().filter(|n| n.has_tag_name("text")).count();
    let shapes = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") || n.has_tag_name("path") || n.has_tag_name("line"))
        .count();
    assert!(
        texts >= 5 && shapes >= 10,
        "{}: {texts} texts, {shapes} shapes",
        path.display()
    );
    assert!(!text.contains("NaN"), "{} has NaN coordinates", path.display());
}

fn check_png(path: &Path, width_px: u32) {
    let (w, h, ppm, px, ch) = png_info(path);
    assert_eq!(w, width_px, "{}", path.display());
    assert!(h > 300, "{}: height {h}", path.display());
    assert_eq!(ppm, Some(PPM_300_DPI), "{}: 300 dpi", path.display());
    let ink = px.chunks(ch).filter(|p| p[..3].iter().any(|&c| c < 200)).count();
    assert!(ink > 5000, "{}: only {ink} dark pixels", path.display());
}

#[test]
fn every_figure_kind_from_real_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let drop = drop_run(tmp.path());
    let opt = optimize_run(tmp.path());
    let o = ok(&["figures", drop.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("skipped"), "skipped kinds only with --verbose: {out}");
    let o = ok(&["figures", "--verbose", drop.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("skipped convergence: no history.csv"), "{out}");
    ok(&["figures", opt.to_str().unwrap()]);

    let single = ("85mm", 1004);
    let double = ("175mm", 2067);
    for (dir, kinds) in [
        (&drop, vec![("grf", single), ("stick", double), ("torques", double)]),
        (
            &opt,
            vec![
                ("grf", single),
                ("stick", double),
                ("torques", double),
                ("convergence", single),
            ],
        ),
    ] {
        for (name, (wmm, wpx)) in kinds {
            check_svg(&dir.join("figures").join(format!("{name}.svg")), wmm);
            check_png(&dir.join("figures").join(format!("{name}.png")), wpx);
        }
        for f in ["viewer.html", "kinematics.mot", "grf.sto"] {
            assert!(dir.join(f).metadata().unwrap().len() > 1000, "{f}");
        }
    }
    assert!(!drop.join("figures/convergence.svg").exists());

    // The GRF figure shows the measured bands and every stance: the drop lands, rebounds and lands again on both
    // feet (3 stances each, the last cut by the end of the run).
    let svg = std::fs::read_to_string(drop.join("figures/grf.svg")).unwrap();
    for s in [
        "right foot (3 stances)",
        "left foot (3 stances)",
        "2.0–2.5 BW",
        "3.4–4.4 BW",
        "cut by start/end",
    ] {
        assert!(svg.contains(s), "grf.svg lacks `{s}`");
    }
    // The drop has a stride (touchdown to the next touchdown of the same foot); a single stance (the stance task at
    // its initial parameters) does not.
    let stick = std::fs::read_to_string(drop.join("figures/stick.svg")).unwrap();
    assert!(
        stick.contains("one stride: right touchdown at 0.102 s"),
        "stick.svg of the drop"
    );
    let stance = stance_run(tmp.path());
    ok(&["figures", stance.to_str().unwrap()]);
    let stick = std::fs::read_to_string(stance.join("figures/stick.svg")).unwrap();
    assert!(
        stick.contains("evenly spaced over the run"),
        "stick.svg of a single stance"
    );
    let tq = std::fs::read_to_string(opt.join("figures/torques.svg")).unwrap();
    for s in [
        "leg joints",
        "push",
        "swing",
        "arms",
        "torso",
        "hip ext",
        "ankle pf",
        "activation",
        "torque (N·m)",
    ] {
        assert!(tq.contains(s), "torques.svg lacks `{s}`");
    }
    let cv = std::fs::read_to_string(opt.join("figures/convergence.svg")).unwrap();
    assert!(cv.contains("rollouts evaluated") && cv.contains("step size σ"));
}

#[test]
fn figures_are_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let opt = optimize_run(tmp.path());
    let copy = tmp.path().join("copy");
    copy_dir(&opt, &copy);
    ok(&["figures", opt.to_str().unwrap()]);
    let first: Vec<(String, Vec<u8>)> = ["grf.svg", "stick.svg", "torques.svg", "convergence.svg", "grf.png"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(opt.join("figures").join(f)).unwrap()))
        .collect();
    let side: Vec<Vec<u8>> = ["kinematics.mot", "grf.sto"]
        .iter()
        .map(|f| std::fs::read(opt.join(f)).unwrap())
        .collect();
    // Again in place (overwrites) and on a copy of the folder.
    ok(&["figures", opt.to_str().unwrap()]);
    ok(&["figures", copy.to_str().unwrap()]);
    for (f, bytes) in &first {
        assert!(
            std::fs::read(opt.join("figures").join(f)).unwrap() == *bytes,
            "{f} changed on rerun"
        );
        assert!(
            std::fs::read(copy.join("figures").join(f)).unwrap() == *bytes,
            "{f} differs on a copy"
        );
    }
    for (f, bytes) in ["kinematics.mot", "grf.sto"].iter().zip(&side) {
        assert!(std::fs::read(copy.join(f)).unwrap() == *bytes, "{f} differs on a copy");
    }
    // No temporary files are left behind.
    for d in [opt.clone(), opt.join("figures")] {
        for e in std::fs::read_dir(&d).unwrap() {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!n.starts_with('.'), "leftover {n} in {}", d.display());
        }
    }
}

#[test]
fn missing_or_malformed_csv_names_the_file_and_the_rest_still_render() {
    let tmp = tempfile::tempdir().unwrap();
    let opt = optimize_run(tmp.path());

    // timeseries.csv missing: an error naming it; the convergence figure (history.csv) still renders.
    let a = tmp.path().join("no_timeseries");
    copy_dir(&opt, &a);
    std::fs::remove_file(a.join("timeseries.csv")).unwrap();
    let o = sprintlab(&["figures", a.to_str().unwrap()]);
    assert!(!o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("timeseries.csv") && err.contains("No such file"),
        "{}",
        text(&o)
    );
    assert!(a.join("figures/convergence.svg").exists() && a.join("figures/convergence.png").exists());
    assert!(!a.join("figures/grf.svg").exists());

    // timeseries.csv malformed on line 5: file and line named; convergence still renders.
    let b = tmp.path().join("bad_timeseries");
    copy_dir(&opt, &b);
    let ts = std::fs::read_to_string(b.join("timeseries.csv")).unwrap();
    let mut lines: Vec<String> = ts.lines().map(str::to_string).collect();
    let mut fields: Vec<&str> = lines[4].split(',').collect();
    fields[1] = "oops";
    lines[4] = fields.join(",");
    std::fs::write(b.join("timeseries.csv"), lines.join("\n") + "\n").unwrap();
    let o = sprintlab(&["figures", b.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("timeseries.csv:5:") && err.contains("`oops` is not a number"),
        "{}",
        text(&o)
    );
    assert!(b.join("figures/convergence.svg").exists());

    // A truncated (ragged) last row is named too.
    let c = tmp.path().join("ragged");
    copy_dir(&opt, &c);
    let ts = std::fs::read_to_string(c.join("timeseries.csv")).unwrap();
    let cut = ts.trim_end().rfind(',').unwrap();
    std::fs::write(c.join("timeseries.csv"), &ts[..cut]).unwrap();
    let o = sprintlab(&["figures", c.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    let last_line = ts.trim_end().lines().count();
    assert!(
        err.contains(&format!("timeseries.csv:{last_line}:")) && err.contains("fields"),
        "{}",
        text(&o)
    );

    // history.csv malformed: named; every other figure, the viewer and the OpenSim files still render.
    let d = tmp.path().join("bad_history");
    copy_dir(&opt, &d);
    std::fs::write(
        d.join("history.csv"),
        "generation,evaluations,best,median,sigma\n1,12,x,0,1\n",
    )
    .unwrap();
    let o = sprintlab(&["figures", d.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("history.csv:2:") && err.contains("convergence"),
        "{}",
        text(&o)
    );
    assert!(
        err.contains(&format!("1 of {} outputs failed", sprintlab::figures::KINDS.len())),
        "{}",
        text(&o)
    );
    for f in [
        "figures/grf.svg",
        "figures/stick.png",
        "figures/torques.svg",
        "viewer.html",
        "kinematics.mot",
        "grf.sto",
    ] {
        assert!(d.join(f).exists(), "{f} not written");
    }
    assert!(!d.join("figures/convergence.svg").exists());

    // Not a folder at all.
    let o = sprintlab(&["figures", tmp.path().join("nope").to_str().unwrap()]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("nope"));
}

#[test]
fn run_makes_figures_unless_told_not_to() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = short_drop_scenario(tmp.path(), 0.15);
    let with = tmp.path().join("with");
    let o = ok(&["run", sc.to_str().unwrap(), "--out", with.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("grf.svg"));
    for f in [
        "figures/grf.svg",
        "figures/stick.png",
        "figures/torques.svg",
        "viewer.html",
        "grf.sto",
    ] {
        assert!(with.join(f).exists(), "{f}");
    }
    let without = tmp.path().join("without");
    ok(&[
        "run",
        sc.to_str().unwrap(),
        "--out",
        without.to_str().unwrap(),
        "--no-figures",
    ]);
    assert!(without.join("timeseries.csv").exists());
    assert!(!without.join("figures").exists() && !without.join("viewer.html").exists());
}
