//! The stride viewer (`RUN_DIR/viewer.html`) in headless Chromium: it is self-contained, draws the body where
//! expected, follows the `#t=` hash, and playback advances. Needs `/usr/bin/chromium` (Debian package `chromium`;
//! `.ci/run` installs it); without it the test fails and says so.

use crate::figures_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use figures_common::*;

const CHROMIUM: &str = "/usr/bin/chromium";

fn require_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: the viewer test needs headless Chromium. Install it with \
         `apt-get install -y --no-install-recommends chromium` (.ci/run does this)."
    );
}

/// Runs headless Chromium with a fresh profile on `url` plus `extra` flags; returns stdout. Killed after 90 s.
fn chromium(profile: &Path, url: &str, extra: &[String]) -> String {
    let mut cmd = Command::new(CHROMIUM);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=800,600",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url);
    // Output to a file, not a pipe: the dumped DOM (with the embedded data) would fill a pipe and block.
    let out_path = profile.with_extension("stdout");
    cmd.stdout(Stdio::from(std::fs::File::create(&out_path).unwrap()))
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("starts chromium");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish in 90 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "chromium failed on {url}: {status:?}");
    std::fs::read_to_string(&out_path).unwrap()
}

fn screenshot(tmp: &Path, name: &str, url: &str) -> PathBuf {
    let png = tmp.join(format!("{name}.png"));
    chromium(
        &tmp.join(format!("profile-{name}")),
        url,
        &[
            format!("--screenshot={}", png.display()),
            "--virtual-time-budget=1500".into(),
        ],
    );
    png
}

/// Frame number the page shows after `budget_ms` of virtual time.
fn frame_after(tmp: &Path, name: &str, url: &str, budget_ms: u32) -> usize {
    let dom = chromium(
        &tmp.join(format!("profile-{name}")),
        url,
        &["--dump-dom".into(), format!("--virtual-time-budget={budget_ms}")],
    );
    let key = "<span id=\"frame\">";
    let i = dom
        .find(key)
        .unwrap_or_else(|| panic!("no frame element in the DOM:\n{dom}"))
        + key.len();
    let j = dom[i..].find('<').unwrap() + i;
    dom[i..j].parse().unwrap_or_else(|_| panic!("frame `{}`", &dom[i..j]))
}

/// Non-white pixels inside the box (x0..x1, y0..y1) of an RGB(A) screenshot, and the pixels themselves.
fn ink(png: &Path, x0: u32, x1: u32, y0: u32, y1: u32) -> (usize, Vec<[u8; 3]>) {
    let (w, h, _, px, ch) = png_info(png);
    assert_eq!((w, h), (800, 600), "screenshot size");
    let mut n = 0;
    let mut region = Vec::new();
    for y in y0..y1 {
        for x in x0..x1 {
            let k = ((y * w + x) as usize) * ch;
            let p = [px[k], px[k + 1], px[k + 2]];
            if p.iter().any(|&c| c < 235) {
                n += 1;
            }
            region.push(p);
        }
    }
    (n, region)
}

#[test]
fn viewer_draws_the_body_follows_the_hash_and_plays() {
    require_chromium();
    let tmp = tempfile::tempdir().unwrap();
    let run = stance_run(tmp.path());
    ok(&["figures", run.to_str().unwrap()]);
    let html_path = run.join("viewer.html");
    let html = std::fs::read_to_string(&html_path).unwrap();
    // Self-contained: no external scripts, styles, images or fetches.
    for bad in [
        "<script src",
        "<link",
        "http://",
        "https://",
        "fetch(",
        "XMLHttpRequest",
        "import(",
    ] {
        assert!(!html.contains(bad), "viewer.html contains `{bad}`");
    }
    let url = format!("file://{}", html_path.canonicalize().unwrap().display());

    // The body is drawn in the middle of the canvas (left of the 220 px activation panel, between the header and
    // the controls), at t = 0 and at t = 0.15 s; the two frames differ (the legs have moved).
    let a = screenshot(tmp.path(), "t0", &format!("{url}#t=0&view=sagittal"));
    let b = screenshot(tmp.path(), "t015", &format!("{url}#t=0.15&view=sagittal"));
    let (x0, x1, y0, y1) = (120, 460, 60, 520);
    let (ink_a, ra) = ink(&a, x0, x1, y0, y1);
    let (ink_b, rb) = ink(&b, x0, x1, y0, y1);
    let changed = ra.iter().zip(&rb).filter(|(p, q)| p != q).count();
    println!("viewer: {ink_a} and {ink_b} drawn pixels in the body region at t = 0 and 0.15 s; {changed} differ");
    assert!(ink_a > 4000 && ink_b > 4000, "body not drawn: {ink_a}, {ink_b} pixels");
    assert!(
        changed > 1000,
        "t = 0 and t = 0.15 s look the same ({changed} pixels differ)"
    );
    // The frontal view is a different picture of the same instant.
    let c = screenshot(tmp.path(), "front", &format!("{url}#t=0&view=frontal"));
    let (ink_c, rc) = ink(&c, x0, x1, y0, y1);
    assert!(ink_c > 2000 && ra.iter().zip(&rc).filter(|(p, q)| p != q).count() > 1000);

    // The hash sets the frame (paused): 0.15 s is frame 150 of this 1 ms run.
    assert_eq!(frame_after(tmp.path(), "hash", &format!("{url}#t=0.15"), 500), 150);
    // Playback advances with (virtual) time: at 0.1× speed, 0.3 s and 0.9 s of page time are about 30 and 90 ms
    // of the run.
    let play = format!("{url}#t=0&play&speed=0.1");
    let f1 = frame_after(tmp.path(), "p1", &play, 300);
    let f2 = frame_after(tmp.path(), "p2", &play, 900);
    println!("viewer: playback at frame {f1} after 0.3 s and {f2} after 0.9 s (0.1× speed, 1 ms frames)");
    assert!(f1 >= 5 && f2 > f1 + 20, "playback did not advance: {f1} then {f2}");
}
