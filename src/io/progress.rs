//! Progress of long commands (optimize, sweep, the studies through optimize): a bar on a terminal; off a
//! terminal (Slurm logs, `nohup`, a pipe) one line with the elapsed time and an ETA at a set interval, so a batch
//! log shows how far a job is and when it will end.
//!
//! The interval off a terminal is `SPRINTLAB_PROGRESS`: `30s` (default: a line every 30 s), `5m`, or `5%` (a line
//! at every 5 % of the work). The first and the last unit of work always print.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The environment variable that sets the interval of progress lines off a terminal.
pub const ENV: &str = "SPRINTLAB_PROGRESS";

/// When a progress line is printed off a terminal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Every {
    /// At most one line per this wall time.
    Time(Duration),
    /// One line each time this fraction (0–1] of the total is crossed.
    Fraction(f64),
}

impl Default for Every {
    fn default() -> Self {
        Every::Time(Duration::from_secs(30))
    }
}

impl Every {
    /// Parses `30s`, `2m`, `1h` or `5%`; `None` for anything else (or a zero interval).
    pub fn parse(text: &str) -> Option<Every> {
        let t = text.trim();
        if let Some(p) = t.strip_suffix('%') {
            let p: f64 = p.trim().parse().ok()?;
            return (p > 0.0 && p <= 100.0).then_some(Every::Fraction(p / 100.0));
        }
        let (num, scale) = match t.chars().last()? {
            's' => (&t[..t.len() - 1], 1.0),
            'm' => (&t[..t.len() - 1], 60.0),
            'h' => (&t[..t.len() - 1], 3600.0),
            _ => return None,
        };
        let x: f64 = num.trim().parse().ok()?;
        (x > 0.0 && x.is_finite()).then(|| Every::Time(Duration::from_secs_f64(x * scale)))
    }

    /// From [`ENV`]: the default when unset; an unreadable value is reported once and the default used.
    pub fn from_env() -> Every {
        match std::env::var(ENV) {
            Ok(v) => Every::parse(&v).unwrap_or_else(|| {
                eprintln!("warning: {ENV}={v:?} is not an interval like 30s, 5m or 5%; using 30s");
                Every::default()
            }),
            Err(_) => Every::default(),
        }
    }
}

/// Seconds as `1h 02m`, `3m 05s` or `42s` (rounded: a log line, not a measurement).
pub fn duration_text(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "?".into();
    }
    let s = secs.round() as u64;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m {s:02}s"),
        (h, m, _) => format!("{h}h {m:02}m"),
    }
}

/// What the off-terminal lines need to remember.
#[derive(Debug)]
struct Lines {
    every: Every,
    /// Work done when this session started (a resumed run): the ETA uses only this session's rate.
    start_done: u64,
    /// When the last line was printed, and at what count.
    last: Option<(Instant, u64)>,
}

/// A progress display for `total` units of work (`unit`: `evals`, `points`).
#[derive(Debug)]
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    lines: Option<Mutex<Lines>>,
    label: String,
    unit: &'static str,
    total: u64,
    start: Instant,
}

impl Progress {
    /// A bar on a terminal, else lines at [`Every::from_env`]; `done` of `total` are done already (a resumed
    /// run). `label` starts each line (`shard 0/1`, a run folder); `enabled = false` shows nothing.
    pub fn new(label: impl Into<String>, unit: &'static str, total: u64, done: u64, enabled: bool) -> Self {
        let label = label.into();
        let tty = std::io::stderr().is_terminal();
        let bar = (enabled && tty).then(|| {
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template(&format!(
                    "{{prefix}} {{elapsed_precise}} [{{bar:25}}] {{pos}}/{{len}} {unit} ETA {{eta}} {{wide_msg}}"
                ))
                .expect("template")
                .progress_chars("=> "),
            );
            b.set_prefix(label.clone());
            b.set_position(done);
            b
        });
        let lines = (enabled && !tty).then(|| {
            Mutex::new(Lines {
                every: Every::from_env(),
                start_done: done,
                last: None,
            })
        });
        Progress {
            bar,
            lines,
            label,
            unit,
            total,
            start: Instant::now(),
        }
    }

    /// Work done is now `done`; `msg` says what just finished (shown in the bar, and in a line off a terminal
    /// when one is due). `force` prints a line off a terminal even when the interval has not passed.
    pub fn set(&self, done: u64, msg: &str, force: bool) {
        if let Some(b) = &self.bar {
            b.set_position(done);
            b.set_message(msg.to_string());
        }
        let Some(lines) = &self.lines else { return };
        let mut l = lines.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let due = match (l.every, l.last) {
            (_, None) => true,
            (Every::Time(d), Some((t, _))) => now.duration_since(t) >= d,
            (Every::Fraction(f), Some((_, n))) => {
                let step = (f * self.total as f64).max(1.0);
                (done as f64 / step).floor() > (n as f64 / step).floor()
            }
        };
        if !(due || force || done >= self.total) {
            return;
        }
        l.last = Some((now, done));
        let elapsed = self.start.elapsed().as_secs_f64();
        let this_session = done.saturating_sub(l.start_done);
        let eta = if this_session == 0 {
            "?".to_string()
        } else {
            duration_text(elapsed / this_session as f64 * self.total.saturating_sub(done) as f64)
        };
        let pct = if self.total == 0 {
            100.0
        } else {
            100.0 * done as f64 / self.total as f64
        };
        eprintln!(
            "{}: {done}/{} {} ({pct:.0} %), elapsed {}, ETA {eta}{}{msg}",
            self.label,
            self.total,
            self.unit,
            duration_text(elapsed),
            if msg.is_empty() { "" } else { ": " }
        );
    }

    /// Prints a line on stderr above the bar (or as is off a terminal): never on the bar's own line.
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Removes the bar (the work is finished).
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// Stops the bar where it is and moves to a new line, so that whatever is printed next (the Ctrl-C message)
    /// starts on a line of its own.
    pub fn abandon(&self) {
        if let Some(b) = &self.bar {
            b.abandon();
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_as_written_and_refuse_nonsense() {
        assert_eq!(Every::parse("30s"), Some(Every::Time(Duration::from_secs(30))));
        assert_eq!(Every::parse(" 2m "), Some(Every::Time(Duration::from_secs(120))));
        assert_eq!(Every::parse("1h"), Some(Every::Time(Duration::from_secs(3600))));
        assert_eq!(Every::parse("5%"), Some(Every::Fraction(0.05)));
        for bad in ["", "30", "0s", "-5%", "150%", "xs", "5 %%", "nan s"] {
            assert_eq!(Every::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn durations_are_rounded_to_what_a_log_needs() {
        assert_eq!(duration_text(4.4), "4s");
        assert_eq!(duration_text(185.0), "3m 05s");
        assert_eq!(duration_text(3725.0), "1h 02m");
        assert_eq!(duration_text(f64::NAN), "?");
    }
}
