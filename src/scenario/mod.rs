//! Scenario files: loading, validation with file:line:column and dotted paths, compilation into a simulator.

pub mod edit;
pub mod params;
mod studies;
mod types;

pub use params::FreeParam;
pub use studies::*;
pub use types::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::control::{Burst, Bursts, ConstantTorque, Controller, HoldPosture, Sprint};
use crate::error::{Error, Location};
use crate::model::file::ModelFile;
use crate::model::generators::GeneratorTable;
use crate::model::{deleva, units, ContactModel, Model};
use crate::sim::{Push, Simulator, State};

/// The peer body spec, embedded (source: `data/shared/peers/sprinter12_spec.json`).
pub const SPRINTER12_SPEC: &str = include_str!("../../data/shared/peers/sprinter12_spec.json");

/// A loaded and validated scenario, with its model file.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The scenario as written, defaults filled in.
    pub scenario: Scenario,
    /// Where it came from.
    pub path: PathBuf,
    /// SHA-256 of the scenario file's bytes (hex).
    pub sha256: String,
    /// The body as data (loaded or generated).
    pub model_file: ModelFile,
    /// The compiled model.
    pub model: Arc<Model>,
    /// The scenario text as written (free parameters still as ranges).
    pub source: String,
    /// The free parameters (`{ init, min, max, std }` ranges), in document order.
    pub params: Vec<FreeParam>,
    /// `[[optimize.variant]]`: the scenario in each of its variants, with the same free parameters (empty for a
    /// scenario without variants, and for a variant itself).
    pub variants: Vec<Loaded>,
}

/// Byte offset → 1-based (line, column).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Finds the span of a dotted path in a TOML document: the value if present, else the deepest existing table.
fn span_of(text: &str, path: &str) -> Option<std::ops::Range<usize>> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut span = None;
    let mut table = doc.get_ref();
    let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        let key = part.split('[').next().unwrap_or(part);
        let Some((k, v)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == key) else {
            break;
        };
        span = Some(if i + 1 == parts.len() { v.span() } else { k.span() });
        // `gravity[2]`: the element, when the array has it.
        let mut v = v;
        for index in part.split('[').skip(1) {
            let element = index
                .trim_end_matches(']')
                .parse::<usize>()
                .ok()
                .and_then(|n| match v.get_ref() {
                    toml::de::DeValue::Array(a) => a.get(n),
                    _ => None,
                });
            let Some(e) = element else { break };
            v = e;
            span = Some(v.span());
        }
        match v.get_ref() {
            toml::de::DeValue::Table(t) => table = t,
            _ => {
                span = Some(v.span());
                break;
            }
        }
    }
    span
}

/// An `Error::Invalid` for `path` in the scenario `file`/`text`.
pub fn invalid(file: &Path, text: &str, path: &str, msg: impl Into<String>) -> Error {
    let (line, column) = span_of(text, path).map_or((1, 1), |s| line_col(text, s.start));
    Error::Invalid {
        location: Location {
            file: file.to_path_buf(),
            line,
            column,
        },
        path: path.to_string(),
        msg: msg.into(),
    }
}

/// Reads a scenario file: its text (UTF-8 checked) and the SHA-256 of its bytes.
pub fn read_file(path: &Path) -> Result<(String, String), Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Invalid {
        location: Location {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
        },
        path: "(file)".into(),
        msg: format!("cannot read the scenario file: {e}"),
    })?;
    Ok((decode(&bytes, path)?, hex(&Sha256::digest(&bytes))))
}

/// Bytes → UTF-8 text, refusing binary and empty files with a location.
fn decode(bytes: &[u8], path: &Path) -> Result<String, Error> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(e) => {
            let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            let (line, column) = line_col(good, good.len());
            return Err(Error::Invalid {
                location: Location {
                    file: path.to_path_buf(),
                    line,
                    column,
                },
                path: "(file)".into(),
                msg: "not UTF-8 text: a scenario is a TOML file".into(),
            });
        }
    };
    if text.trim().is_empty() {
        return Err(Error::Invalid {
            location: Location {
                file: path.to_path_buf(),
                line: 1,
                column: 1,
            },
            path: "(file)".into(),
            msg: "empty scenario: at least [controller] (kind) and [run] (duration) are required".into(),
        });
    }
    Ok(text)
}

/// Parses scenario text (syntax, unknown keys, types).
pub fn parse_str(text: &str, path: &Path) -> Result<Scenario, Error> {
    let de = toml::Deserializer::parse(text).map_err(|e| toml_error(path, text, "(syntax)", &e))?;
    serde_path_to_error::deserialize::<_, Scenario>(de).map_err(|e| {
        let p = e.path().to_string();
        let inner = e.into_inner();
        // A missing required field is named by its own path (`run`, `controller.kind`), located at its table.
        let missing = inner
            .message()
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
            .map(str::to_string);
        let p = match (p.as_str(), missing) {
            (".", Some(m)) => m,
            (".", None) => "(top level)".to_string(),
            (_, Some(m)) => format!("{p}.{m}"),
            (_, None) => p,
        };
        if looks_like_parameter_file(text) {
            return Error::Invalid {
                location: Location {
                    file: path.to_path_buf(),
                    line: 1,
                    column: 1,
                },
                path: "(file)".into(),
                msg: format!(
                    "this is a parameter file (an optimisation's best.toml: values only), not a scenario; replay it \
                     with `sprintlab simulate SCENARIO --params {}`",
                    path.display()
                ),
            };
        }
        let mut e = toml_error(path, text, &p, &inner);
        if let Error::Invalid { msg, .. } = &mut e {
            if let Some(plain) = plain_type_error(&p, msg) {
                *msg = plain;
            }
        }
        e
    })
}

/// A serde "invalid type/value" message in plain words, quoting what the field allows from [`RANGES`] (or the
/// sprint controller's own ranges): `expected a number in [30, 200] kg; got the string "75 kg"`. `None` for
/// other messages.
fn plain_type_error(path: &str, msg: &str) -> Option<String> {
    let rest = msg
        .strip_prefix("invalid type: ")
        .or_else(|| msg.strip_prefix("invalid value: "))?;
    let (got, serde_expected) = rest.rsplit_once(", expected ")?;
    let expected = match (range_of(path), path.strip_prefix("controller.sprint.")) {
        (Some(a), _) => a.describe(),
        (None, Some(name)) if !name.contains('.') => crate::control::SprintParams::allowed(name).2.to_string(),
        _ => match serde_expected {
            "f64" | "f32" => "a number".to_string(),
            "usize" | "u64" | "u32" | "u16" | "u8" => "a whole number ≥ 0".to_string(),
            "a boolean" => "true or false".to_string(),
            other => other.to_string(),
        },
    };
    let unquote = |s: &str| s.trim_matches('`').to_string();
    let got = if let Some(x) = got.strip_prefix("string ") {
        format!("the string {x}")
    } else if let Some(x) = got.strip_prefix("boolean ") {
        format!("the boolean {}", unquote(x))
    } else if let Some(x) = got.strip_prefix("integer ") {
        format!("the integer {}", unquote(x))
    } else if let Some(x) = got.strip_prefix("floating point ") {
        format!("the number {}", unquote(x))
    } else {
        match got {
            "sequence" => "an array".to_string(),
            "map" => "a table".to_string(),
            other => other.to_string(),
        }
    };
    Some(format!("expected {expected}; got {got}"))
}

/// Whether scenario text that failed to parse is a parameter overlay (an optimisation's `best.toml`): no `[run]`
/// or `[controller] kind`, and every value a number.
fn looks_like_parameter_file(text: &str) -> bool {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return false;
    };
    fn numbers_only(t: &toml::Table) -> bool {
        t.values().all(|v| match v {
            toml::Value::Table(t) => numbers_only(t),
            v => v.is_float() || v.is_integer(),
        })
    }
    !doc.is_empty() && !doc.contains_key("run") && numbers_only(&doc)
}

fn toml_error(file: &Path, text: &str, path: &str, e: &toml::de::Error) -> Error {
    let (line, column) = match e.span() {
        Some(s) => line_col(text, s.start),
        None => span_of(text, path).map_or((1, 1), |s| line_col(text, s.start)),
    };
    let mut path = path.to_string();
    let mut msg = e.message().trim().to_string();
    if let Some(key) = e
        .span()
        .filter(|_| msg == "duplicate key")
        .and_then(|s| duplicate_key(text, s.start))
    {
        msg = format!("duplicate key `{key}`: each key may appear only once in a table; delete one of them");
        path = key;
    }
    Error::Invalid {
        location: Location {
            file: file.to_path_buf(),
            line,
            column,
        },
        path,
        msg,
    }
}

/// The dotted path of the key (or `[table]` header) that a "duplicate key" error points at, byte offset `at`:
/// the key's text there, prefixed by the table header above it.
fn duplicate_key(text: &str, at: usize) -> Option<String> {
    let rest = text.get(at..)?;
    let token = |s: &str| -> String { s.split(['=', ']', '\n']).next().unwrap_or("").trim().to_string() };
    if let Some(header) = rest.strip_prefix('[') {
        let h = token(header.trim_start_matches('['));
        return (!h.is_empty()).then_some(h);
    }
    let key = token(rest);
    if key.is_empty() {
        return None;
    }
    let table = text[..at]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| token(l.trim_start_matches('[')));
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `[strength.units.*]` (series-elastic and two-joint settings): known names, ranges, and shares that leave every
/// single-joint group a non-negative strength.
fn check_units(s: &Scenario, file: &Path, text: &str, table: &GeneratorTable) -> Result<(), Error> {
    let two = units::two_joint_table();
    let is_unit = |g: &str| two.iter().any(|r| r.unit == g);
    let within = |p: &str, x: f64, [lo, hi]: [f64; 2], lo_open: bool, unit: &str| -> Result<(), Error> {
        let ok = x.is_finite() && (if lo_open { x > lo } else { x >= lo }) && x <= hi;
        if ok {
            return Ok(());
        }
        let l = if lo_open { "(" } else { "[" };
        Err(invalid(
            file,
            text,
            p,
            format!("must be a number in {l}{lo}, {hi}]{unit}; got {x}"),
        ))
    };
    let names: Vec<&str> = two.iter().map(|r| r.unit.as_str()).collect();
    for (g, u) in &s.strength.units {
        let p = format!("strength.units.{g}");
        if !table.groups.contains_key(g) && !is_unit(g) {
            let mut allowed: Vec<&str> = table.groups.keys().map(String::as_str).collect();
            allowed.extend(&names);
            return Err(invalid(
                file,
                text,
                &p,
                format!(
                    "unknown muscle group or two-joint unit; allowed: {}",
                    allowed.join(", ")
                ),
            ));
        }
        if let Some(x) = u.stretch {
            within(&format!("{p}.stretch"), x, units::STRETCH_RANGE, false, " rad")?;
        }
        if is_unit(g) {
            if u.series_elastic.is_some() {
                return Err(invalid(
                    file,
                    text,
                    &format!("{p}.series_elastic"),
                    "two-joint units always have a tendon (set its `stretch`); switch them off with \
                     [strength] two_joint = false",
                ));
            }
            if let Some(x) = u.ratio {
                within(&format!("{p}.ratio"), x, units::RATIO_RANGE, true, "")?;
            }
            if let Some(x) = u.share {
                within(&format!("{p}.share"), x, units::SHARE_RANGE, false, "")?;
            }
            if let Some(x) = u.reference {
                within(&format!("{p}.reference"), x, units::REFERENCE_RANGE, false, " rad")?;
            }
        } else {
            for (key, set) in [
                ("ratio", u.ratio.is_some()),
                ("share", u.share.is_some()),
                ("reference", u.reference.is_some()),
            ] {
                if set {
                    return Err(invalid(
                        file,
                        text,
                        &format!("{p}.{key}"),
                        format!("`{key}` is a two-joint setting; allowed only for {}", names.join(", ")),
                    ));
                }
            }
        }
    }
    if s.strength.two_joint == Some(true) {
        // T_iso taken out of each single-joint group (N·m/kg), and the unit that took the most.
        let mut removed: BTreeMap<&str, (f64, &str)> = BTreeMap::new();
        let rows = units::two_joint_rows(&s.strength.units);
        for r in &rows {
            let t = r.share * table.groups[&r.primary_group].t_iso_nm_per_kg;
            for (g, x) in [(&r.primary_group, t), (&r.secondary_group, r.ratio * t)] {
                let e = removed.entry(g.as_str()).or_insert((0.0, r.unit.as_str()));
                e.0 += x;
                e.1 = r.unit.as_str();
            }
        }
        for (g, (x, unit)) in removed {
            let have = table.groups[g].t_iso_nm_per_kg;
            if x > have {
                let p = if s.strength.units.contains_key(unit) {
                    format!("strength.units.{unit}")
                } else {
                    "strength.two_joint".to_string()
                };
                return Err(invalid(
                    file,
                    text,
                    &p,
                    format!(
                        "the two-joint units take {x:.3} N·m/kg out of `{g}`, which has {have}: lower their share \
                         or ratio (share·ratio·T_iso of the primary group is taken from the secondary one)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A numeric field's allowed values, declared once in [`RANGES`]: [`check_ranges`] enforces them and a value of
/// the wrong type is answered with them.
#[derive(Debug, Clone, Copy)]
struct Allowed {
    lo: f64,
    /// Upper end; +∞ for none.
    hi: f64,
    /// `(lo, hi]` instead of `[lo, hi]`.
    lo_open: bool,
    /// A whole number (the field is an integer).
    integer: bool,
    /// Unit after the range, with its leading space (`" kg"`), or empty.
    unit: &'static str,
}

const fn num(lo: f64, hi: f64, lo_open: bool, unit: &'static str) -> Allowed {
    Allowed {
        lo,
        hi,
        lo_open,
        integer: false,
        unit,
    }
}

const fn int(lo: f64, hi: f64) -> Allowed {
    Allowed {
        lo,
        hi,
        lo_open: false,
        integer: true,
        unit: "",
    }
}

impl Allowed {
    /// `a number in [30, 200] kg`, `an integer in [1, 16]`, `an integer ≥ 1`.
    fn describe(&self) -> String {
        let l = if self.lo_open { "(" } else { "[" };
        match (self.integer, self.hi.is_finite()) {
            (true, true) => format!("an integer in [{}, {}]", self.lo, self.hi),
            (true, false) => format!("an integer ≥ {}", self.lo),
            (false, _) => format!("a number in {l}{}, {}]{}", self.lo, self.hi, self.unit),
        }
    }

    fn admits(&self, x: f64) -> bool {
        x.is_finite() && (if self.lo_open { x > self.lo } else { x >= self.lo }) && x <= self.hi
    }
}

/// The declared ranges of scenario fields, by dotted path (`[]`: any index, `*`: any key). `run.sample_every`
/// (up to `run.duration`) and the DOF maps (by joint limits) are checked where the scenario is compiled.
const RANGES: &[(&str, Allowed)] = &[
    ("athlete.height_m", num(1.2, 2.3, false, " m")),
    ("athlete.mass_kg", num(30.0, 200.0, false, " kg")),
    ("world.gravity[]", num(-100.0, 100.0, false, " m/s² per component")),
    ("world.dt", num(0.0, 0.01, true, " s")),
    ("world.substeps", int(1.0, 16.0)),
    ("contact.stiffness", num(1e4, 1e9, false, " N/m^1.5")),
    ("contact.dissipation", num(0.0, 10.0, false, " s/m")),
    ("contact.friction", num(0.0, 3.0, false, "")),
    ("contact.slip_velocity", num(0.0, 1.0, true, " m/s")),
    ("contact.rapier_natural_frequency", num(0.0, 1e4, true, " Hz")),
    ("contact.rapier_damping_ratio", num(0.0, 1e3, false, "")),
    ("contact.newton_passes", int(1.0, 10.0)),
    ("strength.push", num(0.0, 10.0, false, "")),
    ("strength.swing", num(0.0, 10.0, false, "")),
    ("strength.arms", num(0.0, 10.0, false, "")),
    ("strength.torso", num(0.0, 10.0, false, "")),
    ("strength.velocity", num(0.1, 10.0, false, "")),
    ("strength.groups.*", num(0.0, 10.0, false, "")),
    ("activation.tau_act", num(0.0, 1.0, true, " s")),
    ("activation.tau_deact", num(0.0, 1.0, true, " s")),
    ("initial.drop_height", num(0.0, 2.0, false, " m")),
    ("initial.velocity[]", num(-20.0, 20.0, false, " m/s")),
    // The per-DOF maps: their magnitude bounds are enforced with the maps (`check_dof_names`); declared here so a
    // value of the wrong type is answered with unit and range too.
    (
        "initial.angles.*",
        num(-std::f64::consts::PI, std::f64::consts::PI, false, " rad"),
    ),
    ("initial.rates.*", num(-50.0, 50.0, false, " rad/s")),
    ("controller.torques.*", num(-1000.0, 1000.0, false, " N·m")),
    (
        "controller.targets.*",
        num(-std::f64::consts::PI, std::f64::consts::PI, false, " rad"),
    ),
    ("controller.kp.*", num(-1e5, 1e5, false, " N·m/rad")),
    ("controller.kd.*", num(-1e4, 1e4, false, " N·m·s/rad")),
    ("run.duration", num(0.0, 3600.0, true, " s")),
    ("perturbation[].force[]", num(-1e4, 1e4, false, " N per component")),
    ("perturbation[].duration", num(0.0, 10.0, true, " s")),
    ("perturbation[].start", num(0.0, 3600.0, false, " s")),
    ("perturbation[].start_between[]", num(0.0, 3600.0, false, " s")),
    ("run.seed", int(0.0, f64::INFINITY)),
    ("controller.bursts.*.onset", num(-10.0, 10.0, false, " s")),
    ("controller.bursts.*.duration", num(0.0, 10.0, false, " s")),
    ("controller.bursts.*.amplitude", num(0.0, 1.0, false, "")),
    ("optimize.max_evals", int(1.0, f64::INFINITY)),
    ("optimize.population", int(2.0, f64::INFINITY)),
    ("optimize.checkpoint_every", int(1.0, f64::INFINITY)),
    ("optimize.progress_every", int(1.0, f64::INFINITY)),
    ("optimize.sigma0", num(0.0, 10.0, true, "")),
    ("optimize.restart_sigma0", num(0.0, 10.0, true, "")),
    ("optimize.max_restarts", int(1.0, f64::INFINITY)),
    ("optimize.stop.tol_fun", num(0.0, f64::MAX, false, "")),
    ("optimize.stop.tol_fun_hist", num(0.0, f64::MAX, false, "")),
    ("optimize.stop.tol_x", num(0.0, f64::MAX, false, "")),
    ("optimize.stop.tol_fac_up_x", num(0.0, f64::MAX, true, "")),
    ("optimize.stop.tol_up_sigma", num(0.0, f64::MAX, true, "")),
    ("optimize.stop.tol_condition_cov", num(0.0, f64::MAX, true, "")),
    ("optimize.stop.tol_stagnation", int(1.0, f64::INFINITY)),
    ("optimize.stop.max_iter", int(1.0, f64::INFINITY)),
    ("objective.*", num(-1e9, 1e9, false, "")),
];

/// The declared range of a dotted path (see [`RANGES`]).
fn range_of(path: &str) -> Option<Allowed> {
    let matches = |pattern: &str| {
        let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('.').collect(), path.split('.').collect());
        p.len() == q.len()
            && p.iter().zip(&q).all(|(p, q)| match p.strip_suffix("[]") {
                Some(base) => q.strip_prefix(base).is_some_and(|i| {
                    i.starts_with('[') && i.ends_with(']') && i[1..i.len() - 1].parse::<usize>().is_ok()
                }),
                None => *p == "*" || p == q,
            })
    };
    RANGES.iter().find(|(p, _)| matches(p)).map(|(_, a)| *a)
}

/// Range checks: `Err` names the first offending field.
fn check_ranges(s: &Scenario, file: &Path, text: &str) -> Result<(), Error> {
    let bad = |p: &str, m: String| Err(invalid(file, text, p, m));
    let declared =
        |p: &str| range_of(p).ok_or_else(|| invalid(file, text, p, "internal error: no declared range for this field"));
    // The declared range of `p`, enforced: `must be a number in [30, 200] kg; got 0`.
    let within = |p: &str, x: f64| -> Result<(), Error> {
        let a = declared(p)?;
        if a.admits(x) {
            Ok(())
        } else {
            Err(invalid(file, text, p, format!("must be {}; got {x}", a.describe())))
        }
    };
    let within_int = |p: &str, n: u64| within(p, n as f64);
    if s.model.file.is_some() && s.model.builtin.is_some() {
        return bad("model.builtin", "give either `file` or `builtin`, not both".into());
    }
    within("athlete.height_m", s.athlete.height_m)?;
    within("athlete.mass_kg", s.athlete.mass_kg)?;
    for (i, g) in s.world.gravity.into_iter().enumerate() {
        let p = format!("world.gravity[{i}]");
        within(&p, g)?;
    }
    within("world.dt", s.world.dt)?;
    within_int("world.substeps", s.world.substeps as u64)?;
    within("contact.stiffness", s.contact.stiffness)?;
    within("contact.dissipation", s.contact.dissipation)?;
    within("contact.friction", s.contact.friction)?;
    within("contact.slip_velocity", s.contact.slip_velocity)?;
    within("contact.rapier_natural_frequency", s.contact.rapier_natural_frequency)?;
    within("contact.rapier_damping_ratio", s.contact.rapier_damping_ratio)?;
    within_int("contact.newton_passes", s.contact.newton_passes as u64)?;
    for (name, x) in [
        ("push", s.strength.push),
        ("swing", s.strength.swing),
        ("arms", s.strength.arms),
        ("torso", s.strength.torso),
    ] {
        within(&format!("strength.{name}"), x)?;
    }
    within("strength.velocity", s.strength.velocity)?;
    if s.athlete.toe == Some(true) {
        if s.model.file.is_some() || s.model.builtin == Some(Builtin::Sprinter12) {
            return bad(
                "athlete.toe",
                "the toe segment is built on the default athlete only; a model file or sprinter12 keeps its own \
                 body (allowed: toe = false, or the default athlete)"
                    .to_string(),
            );
        }
        if s.contact.model == ContactModel::Rapier {
            return bad(
                "athlete.toe",
                "the toe's contact spheres need the compliant contact model (allowed: toe = false, or \
                 contact.model = \"compliant\")"
                    .to_string(),
            );
        }
    }
    let table = GeneratorTable::priors();
    for (g, &x) in &s.strength.groups {
        let p = format!("strength.groups.{g}");
        if !table.groups.contains_key(g) {
            let allowed: Vec<&str> = table.groups.keys().map(String::as_str).collect();
            return bad(&p, format!("unknown muscle group; allowed: {}", allowed.join(", ")));
        }
        within(&p, x)?;
    }
    check_units(s, file, text, &table)?;
    within("activation.tau_act", s.activation.tau_act)?;
    within("activation.tau_deact", s.activation.tau_deact)?;
    within("initial.drop_height", s.initial.drop_height)?;
    within("run.duration", s.run.duration)?;
    for (i, pt) in s.perturbation.iter().enumerate() {
        for (c, f) in pt.force.iter().enumerate() {
            within(&format!("perturbation[{i}].force[{c}]"), *f)?;
        }
        within(&format!("perturbation[{i}].duration"), pt.duration)?;
        if let Some(t) = pt.start {
            within(&format!("perturbation[{i}].start"), t)?;
        }
        match (pt.start, pt.start_between) {
            (None, None) => {
                return bad(
                    &format!("perturbation[{i}]"),
                    "give `start` (s) or `start_between = [earliest, latest]` (s)".into(),
                )
            }
            (start, Some([lo, hi])) => {
                within(&format!("perturbation[{i}].start_between[0]"), lo)?;
                within(&format!("perturbation[{i}].start_between[1]"), hi)?;
                if lo > hi {
                    return bad(
                        &format!("perturbation[{i}].start_between"),
                        format!("must be [earliest, latest] with earliest ≤ latest; got [{lo}, {hi}]"),
                    );
                }
                if let Some(t) = start.filter(|t| !(lo..=hi).contains(t)) {
                    return bad(
                        &format!("perturbation[{i}].start"),
                        format!("must lie in start_between = [{lo}, {hi}] s; got {t}"),
                    );
                }
            }
            _ => {}
        }
    }
    if let Some(se) = s.run.sample_every {
        if !(se > 0.0 && se <= s.run.duration) {
            return bad(
                "run.sample_every",
                format!("must be a number in (0, {}] s; got {se}", s.run.duration),
            );
        }
        let k = se / s.world.dt;
        if k < 1.0 - 1e-9 || (k - k.round()).abs() > 1e-6 * k {
            return bad(
                "run.sample_every",
                format!("must be a multiple of world.dt = {} s; got {se}", s.world.dt),
            );
        }
    }
    let c = &s.controller;
    let wrong = |field: &str, kind: &str| {
        Err(invalid(
            file,
            text,
            &format!("controller.{field}"),
            format!("not used by kind = \"{kind}\""),
        ))
    };
    match c.kind {
        ControllerKind::ConstantTorque => {
            for (f, present) in [
                ("targets", c.targets.is_some()),
                ("kp", c.kp.is_some()),
                ("kd", c.kd.is_some()),
            ] {
                if present {
                    return wrong(f, "constant-torque");
                }
            }
        }
        ControllerKind::HoldPosture => {
            if c.torques.is_some() {
                return wrong("torques", "hold-posture");
            }
            if c.bursts.is_some() {
                return wrong("bursts", "hold-posture");
            }
        }
        ControllerKind::Sprint => {
            for (f, present) in [
                ("torques", c.torques.is_some()),
                ("targets", c.targets.is_some()),
                ("kp", c.kp.is_some()),
                ("kd", c.kd.is_some()),
                ("bursts", c.bursts.is_some()),
            ] {
                if present {
                    return wrong(f, "sprint");
                }
            }
        }
        ControllerKind::Bursts => {
            for (f, present) in [
                ("torques", c.torques.is_some()),
                ("targets", c.targets.is_some()),
                ("kp", c.kp.is_some()),
                ("kd", c.kd.is_some()),
            ] {
                if present {
                    return wrong(f, "bursts");
                }
            }
            for (name, b) in c.bursts.iter().flatten() {
                let p = format!("controller.bursts.{name}");
                within(&format!("{p}.onset"), b.onset)?;
                within(&format!("{p}.duration"), b.duration)?;
                within(&format!("{p}.amplitude"), b.amplitude)?;
            }
        }
    }
    for (k, v) in s.initial.velocity.iter().enumerate() {
        within(&format!("initial.velocity[{k}]"), *v)?;
    }
    let o = &s.optimize;
    within_int("optimize.max_evals", o.max_evals as u64)?;
    if let Some(l) = o.population {
        within_int("optimize.population", l as u64)?;
    }
    within_int("optimize.checkpoint_every", o.checkpoint_every as u64)?;
    within_int("optimize.progress_every", o.progress_every as u64)?;
    within("optimize.sigma0", o.sigma0)?;
    if let Some(s0) = o.restart_sigma0 {
        within("optimize.restart_sigma0", s0)?;
    }
    if let Some(n) = o.max_restarts {
        within_int("optimize.max_restarts", n as u64)?;
    }
    if let Some(n) = o.runs {
        if !(1..=10_000).contains(&n) {
            return bad("optimize.runs", format!("must be an integer in [1, 10000]; got {n}"));
        }
        if n > 1 && o.solver != SolverKind::CmaEs {
            return bad("optimize.runs", "best-of-N (runs > 1) needs solver = \"cma-es\"".into());
        }
    }
    if let Some(t) = o.runs_tolerance {
        if !(t >= 0.0 && t.is_finite()) {
            return bad(
                "optimize.runs_tolerance",
                format!("must be a finite number ≥ 0; got {t}"),
            );
        }
    }
    if let Some(st) = &o.stop {
        for (name, v) in [
            ("tol_fun", st.tol_fun),
            ("tol_fun_hist", st.tol_fun_hist),
            ("tol_x", st.tol_x),
        ] {
            within(&format!("optimize.stop.{name}"), v)?;
        }
        for (name, v) in [
            ("tol_fac_up_x", st.tol_fac_up_x),
            ("tol_up_sigma", st.tol_up_sigma),
            ("tol_condition_cov", st.tol_condition_cov),
        ] {
            within(&format!("optimize.stop.{name}"), v)?;
        }
        for (name, v) in [("tol_stagnation", st.tol_stagnation), ("max_iter", st.max_iter)] {
            if let Some(n) = v {
                within_int(&format!("optimize.stop.{name}"), n)?;
            }
        }
    }
    let ob = &s.objective;
    for (name, w) in [
        ("propulsive_impulse", ob.propulsive_impulse),
        ("net_horizontal_impulse", ob.net_horizontal_impulse),
        ("braking_impulse", ob.braking_impulse),
        ("stance_vertical_force", ob.stance_vertical_force),
        ("speed_gained", ob.speed_gained),
        ("effort", ob.effort),
        ("speed_error", ob.speed_error),
        ("target_speed", ob.target_speed),
        ("final_speed_error", ob.final_speed_error),
        ("height_loss", ob.height_loss),
        ("trunk_pitch_error", ob.trunk_pitch_error),
        ("trunk_pitch", ob.trunk_pitch),
        ("step_asymmetry", ob.step_asymmetry),
        ("balance", ob.balance),
    ] {
        within(&format!("objective.{name}"), w)?;
    }
    Ok(())
}

/// Loads, validates and compiles a scenario file (and its model file). Nothing is written.
pub fn load(path: &Path) -> Result<Loaded, Error> {
    let (text, sha256) = read_file(path)?;
    load_source(&text, sha256, path)
}

/// Loads scenario text that is not in a file (e.g. the built-in quickstart); `path` names it in errors and
/// is the base for relative model paths.
pub fn load_text(text: &str, path: &Path) -> Result<Loaded, Error> {
    let text = decode(text.as_bytes(), path)?;
    let sha = hex(&Sha256::digest(text.as_bytes()));
    load_source(&text, sha, path)
}

/// Loads scenario source text: finds its free parameters, substitutes their `init` values, then parses,
/// validates and compiles.
fn load_source(source: &str, sha256: String, path: &Path) -> Result<Loaded, Error> {
    let loaded = load_ranges(source, sha256, path)?;
    let mut loaded = match loaded.scenario.optimize.start.clone() {
        Some(start) => loaded.with_start(&start)?,
        None => loaded,
    };
    loaded.variants = build_variants(&loaded)?;
    Ok(loaded)
}

/// The current value of an array field by its keys (`["initial", "velocity"]`), from the loaded scenario with its
/// defaults: what an edit of one element of an unwritten array starts from.
pub fn array_defaults(loaded: &Loaded) -> impl Fn(&[String]) -> Option<Vec<f64>> + '_ {
    move |keys: &[String]| {
        let v = toml::Value::try_from(&loaded.scenario).ok()?;
        let mut cur = &v;
        for k in keys {
            cur = cur.get(k)?;
        }
        cur.as_array()?
            .iter()
            .map(|x| x.as_float().or(x.as_integer().map(|i| i as f64)))
            .collect()
    }
}

/// Each `[[optimize.variant]]` as a scenario of its own: the source with the variant's numbers set and its pushes
/// appended, loaded with the same free parameters. An error is located at the variant's entry.
fn build_variants(loaded: &Loaded) -> Result<Vec<Loaded>, Error> {
    let (path, text) = (&loaded.path, &loaded.source);
    let defaults = array_defaults(loaded);
    let mut out = Vec::new();
    for (i, v) in loaded.scenario.optimize.variant.iter().enumerate() {
        let at = format!("optimize.variant[{i}]");
        let fail = |msg: String| invalid(path, text, &at, format!("variant `{}`: {msg}", v.name));
        let mut source = text.clone();
        for (key, &x) in &v.set {
            if loaded.params.iter().any(|p| &p.name == key) {
                return Err(fail(format!(
                    "`{key}` is a free parameter; a variant may only change fixed numbers"
                )));
            }
            let field = edit::FieldPath::parse(key).map_err(|m| fail(format!("`{key}`: {m}")))?;
            source = edit::set_number(&source, &field, x, &defaults).map_err(|m| fail(format!("`{key}`: {m}")))?;
        }
        for p in &v.perturbation {
            #[derive(serde::Serialize)]
            struct Pushes<'a> {
                perturbation: [&'a PerturbationSection; 1],
            }
            let t = toml::to_string(&Pushes { perturbation: [p] }).map_err(|e| fail(e.to_string()))?;
            source = format!("{}\n{t}", source.trim_end());
        }
        // The variant's own text is generated: name the field, not a place in it.
        let mut l = load_ranges(&source, loaded.sha256.clone(), path).map_err(|e| match e {
            Error::Invalid { path, msg, .. } => fail(format!("`{path}`: {msg}")),
            e => fail(e.to_string()),
        })?;
        let names = |l: &Loaded| l.params.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        if names(&l) != names(loaded) {
            return Err(fail("its free parameters differ from the scenario's".into()));
        }
        l.scenario.optimize.variant.clear();
        out.push(l);
    }
    Ok(out)
}

/// [`load_source`] without `[optimize] start` (already applied, or overridden by an overlay).
fn load_ranges(source: &str, sha256: String, path: &Path) -> Result<Loaded, Error> {
    let free = params::find(source, path)?;
    let inits: Vec<f64> = free.iter().map(|p| p.init).collect();
    resolve(source, free, &inits, sha256, path)
}

fn resolve(source: &str, free: Vec<FreeParam>, values: &[f64], sha256: String, path: &Path) -> Result<Loaded, Error> {
    let text = params::instantiate(source, path, &free, values)?;
    let scenario = parse_str(&text, path)?;
    let mut loaded = finish_load(scenario, &text, sha256, path)?;
    loaded.source = source.to_string();
    loaded.params = free;
    Ok(loaded)
}

fn finish_load(mut scenario: Scenario, text: &str, sha256: String, path: &Path) -> Result<Loaded, Error> {
    let text = text.to_string();
    body_defaults(&mut scenario);
    check_ranges(&scenario, path, &text)?;
    let model_file = load_model(&scenario, path, &text)?;
    let at = if scenario.model.file.is_some() {
        "model.file"
    } else {
        "model"
    };
    let model = Model::compile(
        &model_file,
        &scenario.strength,
        &GeneratorTable::for_profile(scenario.athlete.profile),
        scenario.contact,
    )
    .map_err(|e| invalid(path, &text, at, e.to_string()))?;
    check_dof_names(&scenario, &model, path, &text)?;
    resolve_perturbations(&mut scenario, &model, path, &text)?;
    Ok(Loaded {
        scenario,
        path: path.to_path_buf(),
        sha256,
        model_file,
        model: Arc::new(model),
        source: text,
        params: Vec::new(),
        variants: Vec::new(),
    })
}

/// Each push's segment must exist; a start left to the seed is drawn now (uniform in `start_between`, from
/// `run.seed` and the push's index), so that every rollout of the scenario — each candidate of an optimisation —
/// meets the same push and the resolved scenario says when it came.
fn resolve_perturbations(s: &mut Scenario, model: &Model, path: &Path, text: &str) -> Result<(), Error> {
    let seed = s.run.seed;
    for (i, pt) in s.perturbation.iter_mut().enumerate() {
        if model.segment_index(&pt.segment).is_none() {
            let names: Vec<&str> = model.segments.iter().map(|g| g.name.as_str()).collect();
            return Err(invalid(
                path,
                text,
                &format!("perturbation[{i}].segment"),
                format!(
                    "no segment `{}` in the model; segments: {}",
                    pt.segment,
                    names.join(", ")
                ),
            ));
        }
        if let (None, Some([lo, hi])) = (pt.start, pt.start_between) {
            let mut rng = crate::rng::SplitMix(seed ^ PUSH_STREAM ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            pt.start = Some(lo + (hi - lo) * rng.uniform());
        }
    }
    Ok(())
}

/// Stream tag of the perturbation draws (independent of the optimiser's and the sweeps' streams).
const PUSH_STREAM: u64 = 0x7075_7368_5f74_696d; // "push_tim"

/// Issue 16: the built-in default athlete is the body that can sprint — series-elastic hip, knee and ankle
/// extensors, two-joint units and toes (with the compliant contact, which the toe spheres need) — unless the
/// scenario says otherwise; a model file or sprinter12 keeps its own body (rigid, no units, no toe). Filled in
/// before the checks (a default never fails them: the toe only where it can be built) so that the loaded scenario
/// says what was built and the two-joint shares are checked whether or not the switch was written.
fn body_defaults(s: &mut Scenario) {
    let default_athlete = s.model.file.is_none() && s.model.builtin.unwrap_or_default() == Builtin::DefaultAthlete;
    s.strength.series_elastic.get_or_insert(default_athlete);
    s.strength.two_joint.get_or_insert(default_athlete);
    s.athlete
        .toe
        .get_or_insert(default_athlete && s.contact.model == ContactModel::Compliant);
}

/// A shipped scenario's text without the lines `tools/pin_rigid_body.py` added when issue 16 changed the default
/// body: the text the committed checkpoints were made from (tests that pin hashes of edited study texts).
#[cfg(test)]
pub(crate) fn without_rigid_body_pins(text: &str) -> String {
    text.replace(
        "# The first wave's body: rigid generators, no two-joint units (issue 16 made them the default athlete's).\n\
         series_elastic = false\ntwo_joint = false\n",
        "",
    )
    .replace(
        "\n[athlete]\n# The first wave's one-piece foot (issue 16 gave the default athlete toes).\ntoe = false\n",
        "",
    )
}

fn load_model(s: &Scenario, path: &Path, text: &str) -> Result<ModelFile, Error> {
    match (&s.model.file, s.model.builtin.unwrap_or_default()) {
        (Some(f), _) => {
            let base = path.parent().unwrap_or(Path::new("."));
            let full = base.join(f);
            let mtext = std::fs::read_to_string(&full).map_err(|e| {
                invalid(
                    path,
                    text,
                    "model.file",
                    format!(
                        "cannot read model file `{}` ({e}); give a JSON model file relative to the scenario, or \
                         builtin = \"default-athlete\" | \"sprinter12\"",
                        full.display()
                    ),
                )
            })?;
            parse_model_json(&mtext, &full)
        }
        (None, Builtin::Sprinter12) => parse_model_json(SPRINTER12_SPEC, Path::new("<builtin sprinter12>")),
        (None, Builtin::DefaultAthlete) if s.athlete.toe == Some(true) => {
            Ok(deleva::default_athlete_with_toes(s.athlete.height_m, s.athlete.mass_kg))
        }
        (None, Builtin::DefaultAthlete) => Ok(deleva::default_athlete(s.athlete.height_m, s.athlete.mass_kg)),
    }
}

/// Parses a JSON model file, with file:line:column and the dotted path on error.
pub fn parse_model_json(text: &str, path: &Path) -> Result<ModelFile, Error> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, ModelFile>(de).map_err(|e| {
        // A syntax error inside an object ends in an unknown (`?`) path segment; the root is `.`.
        let p = match e.path().to_string().trim_end_matches(".?") {
            "." | "?" => "(top level)".to_string(),
            p => p.to_string(),
        };
        let inner = e.into_inner();
        // serde_json counts columns from 0 at a line start (e.g. end of file after a newline); its message repeats
        // the position.
        let (line, column) = (inner.line().max(1), inner.column().max(1));
        let msg = inner.to_string();
        let suffix = format!(" at line {} column {}", inner.line(), inner.column());
        Error::Invalid {
            location: Location {
                file: path.to_path_buf(),
                line,
                column,
            },
            path: p,
            msg: msg.strip_suffix(&suffix).unwrap_or(&msg).to_string(),
        }
    })
}

fn check_dof_names(s: &Scenario, model: &Model, file: &Path, text: &str) -> Result<(), Error> {
    let allowed = || {
        model
            .dofs
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // (dotted base path, the map if given, largest allowed magnitude)
    type NamedMap<'a> = (&'a str, Option<&'a BTreeMap<String, f64>>, f64);
    let maps: [NamedMap; 6] = [
        ("controller.torques", s.controller.torques.as_ref(), 1000.0),
        (
            "controller.targets",
            s.controller.targets.as_ref(),
            std::f64::consts::PI,
        ),
        ("controller.kp", s.controller.kp.as_ref(), 1e5),
        ("controller.kd", s.controller.kd.as_ref(), 1e4),
        ("initial.angles", Some(&s.initial.angles), std::f64::consts::PI),
        ("initial.rates", Some(&s.initial.rates), 50.0),
    ];
    if s.controller.kind == ControllerKind::Sprint {
        let p = s.controller.sprint.clone().unwrap_or_default();
        p.validate()
            .map_err(|(field, m)| invalid(file, text, &format!("controller.sprint.{field}"), m))?;
        Sprint::new(model, p).map_err(|m| invalid(file, text, "controller.kind", m))?;
    }
    for (name, b) in s.controller.bursts.iter().flatten() {
        if model.dof_index(&b.dof).is_none() {
            let p = format!("controller.bursts.{name}.dof");
            return Err(invalid(
                file,
                text,
                &p,
                format!("unknown DOF `{}`; the model's DOFs are: {}", b.dof, allowed()),
            ));
        }
    }
    for (base, map, lim) in maps {
        let Some(map) = map else { continue };
        for (name, &x) in map {
            let p = format!("{base}.{name}");
            if model.dof_index(name).is_none() {
                return Err(invalid(
                    file,
                    text,
                    &p,
                    format!("unknown DOF `{name}`; the model's DOFs are: {}", allowed()),
                ));
            }
            let lo = if base.ends_with("kp") || base.ends_with("kd") {
                0.0
            } else {
                -lim
            };
            if !(x.is_finite() && x >= lo && x <= lim) {
                return Err(invalid(
                    file,
                    text,
                    &p,
                    format!("must be a number in [{lo}, {lim}]; got {x}"),
                ));
            }
        }
    }
    Ok(())
}

/// Default hold-posture gains for a DOF (N·m/rad, N·m·s/rad): the sprinter12 standing gains, scaled by body
/// mass / 75 kg.
pub fn default_gains(dof: &str, mass: f64) -> [f64; 2] {
    let base = dof.strip_suffix("_r").or_else(|| dof.strip_suffix("_l")).unwrap_or(dof);
    let g = match base {
        "lumbar_flex" | "lumbar_bend" | "hip_flex" | "hip_add" => [1000.0, 50.0],
        "lumbar_rot" => [500.0, 20.0],
        "hip_rot" => [300.0, 10.0],
        "knee" => [1000.0, 30.0],
        "ankle" => [1000.0, 5.0],
        "shoulder_flex" | "shoulder_abd" => [200.0, 10.0],
        "elbow" => [50.0, 2.0],
        _ => [100.0, 5.0],
    };
    let k = mass / 75.0;
    [g[0] * k, g[1] * k]
}

impl Loaded {
    /// SHA-256 of the body the rollouts run on: the model (`model.json`'s content) and the `[strength]` and
    /// `[athlete]` settings after defaults. An optimisation's resume compares it as well as the scenario text's
    /// hash, so a changed default body (issue 16 changed the default athlete's) cannot continue a checkpoint on
    /// another body while the text stays the same.
    pub fn body_sha256(&self) -> String {
        let mut h = Sha256::new();
        h.update(serde_json::to_string(&self.model_file).unwrap_or_default());
        h.update(toml::to_string(&self.scenario.strength).unwrap_or_default());
        h.update(toml::to_string(&self.scenario.athlete).unwrap_or_default());
        hex(&h.finalize())
    }

    /// The same scenario with its free parameters set to `values` (in [`Loaded::params`] order).
    pub fn with_values(&self, values: &[f64]) -> Result<Loaded, Error> {
        resolve(
            &self.source,
            self.params.clone(),
            values,
            self.sha256.clone(),
            &self.path,
        )
    }

    /// The same scenario with an overlay applied (dotted path → value; `best.toml`, `--params`): those
    /// numbers or ranges become fixed values; the remaining ranges stay free.
    pub fn with_overlay(&self, overlay: &BTreeMap<String, f64>, overlay_file: &Path) -> Result<Loaded, Error> {
        let source = params::apply_overlay(&self.source, &self.path, overlay, overlay_file)?;
        // The overlay's values win over a warm start's: the start only seeds the inits of what stays free.
        let mut loaded = load_ranges(&source, self.sha256.clone(), &self.path)?;
        for p in loaded.params.iter_mut() {
            if let Some(q) = self.params.iter().find(|q| q.name == p.name) {
                p.init = q.init;
            }
        }
        let inits = loaded.param_inits();
        loaded.with_values(&inits)
    }

    /// Applies `[optimize] start`: the start file's values become the `init` of matching free parameters (and
    /// replace matching plain numbers); its SHA-256 is folded into `sha256`.
    fn with_start(mut self, start: &str) -> Result<Loaded, Error> {
        let file = self.path.parent().unwrap_or(Path::new(".")).join(start);
        if let Err(e) = std::fs::metadata(&file) {
            return Err(invalid(
                &self.path,
                &self.source,
                "optimize.start",
                format!("cannot read the start file {}: {e}", file.display()),
            ));
        }
        let overlay = params::read_overlay(&file)?;
        let otext = std::fs::read_to_string(&file).unwrap_or_default();
        let mut fixed = BTreeMap::new();
        for (name, &v) in &overlay {
            match self.params.iter_mut().find(|p| &p.name == name) {
                Some(p) if v < p.min || v > p.max => {
                    return Err(invalid(
                        &file,
                        &otext,
                        name,
                        format!(
                            "start value {v} lies outside this scenario's range [{}, {}]",
                            p.min, p.max
                        ),
                    ))
                }
                Some(p) => p.init = v,
                None => {
                    fixed.insert(name.clone(), v);
                }
            }
        }
        let source = params::apply_overlay(&self.source, &self.path, &fixed, &file)?;
        let free = params::find(&source, &self.path)?;
        // Same ranges (the overlay only fixed plain numbers), with the start values as inits.
        let free: Vec<FreeParam> = free
            .into_iter()
            .map(|mut f| {
                if let Some(p) = self.params.iter().find(|p| p.name == f.name) {
                    f.init = p.init;
                }
                f
            })
            .collect();
        let inits: Vec<f64> = free.iter().map(|p| p.init).collect();
        let sha = hex(&Sha256::digest(
            format!("{}\nstart {}\n{}", self.sha256, start, otext).as_bytes(),
        ));
        self.sha256 = sha;
        resolve(&source, free, &inits, self.sha256.clone(), &self.path)
    }

    /// Output sampling in rollout steps: `run.sample_every` (s) over `world.dt` (s), at least every step.
    pub fn sample_steps(&self) -> u64 {
        let dt = self.scenario.world.dt;
        self.scenario
            .run
            .sample_every
            .map_or(1, |s| (s / dt).round().max(1.0) as u64)
    }

    /// Initial values, bounds and spreads of the free parameters.
    pub fn param_inits(&self) -> Vec<f64> {
        self.params.iter().map(|p| p.init).collect()
    }

    /// The simulator for this scenario.
    pub fn simulator(&self) -> Simulator {
        let pushes = self.scenario.perturbation.iter().map(|p| Push {
            segment: self.model.segment_index(&p.segment).expect("checked at load"),
            force: p.force,
            start: p.start.expect("resolved at load"),
            duration: p.duration,
        });
        Simulator::new(self.model.clone(), self.scenario.world, self.scenario.activation).with_pushes(pushes.collect())
    }

    /// The initial state of this scenario for its simulator: `initial.angles`, placed `initial.drop_height`
    /// above the ground, moving with `initial.velocity`.
    pub fn initial_state(&self, sim: &Simulator) -> State {
        let mut s = sim.initial_state_with(&self.initial_angles(), self.scenario.initial.drop_height);
        sim.set_velocity(&mut s, self.scenario.initial.velocity);
        let rates: Vec<f64> = self
            .model
            .dofs
            .iter()
            .map(|d| self.scenario.initial.rates.get(&d.name).copied().unwrap_or(0.0))
            .collect();
        sim.set_joint_rates(&mut s, &rates);
        s
    }

    /// Initial joint angles (rad) per DOF: model defaults overridden by `initial.angles`.
    pub fn initial_angles(&self) -> Vec<f64> {
        self.model
            .dofs
            .iter()
            .map(|d| {
                self.scenario
                    .initial
                    .angles
                    .get(&d.name)
                    .copied()
                    .unwrap_or(d.initial_angle)
            })
            .collect()
    }

    /// The controller for this scenario.
    pub fn controller(&self) -> Box<dyn Controller> {
        let m = &self.model;
        let c = &self.scenario.controller;
        let per_dof = |map: &Option<BTreeMap<String, f64>>, default: &dyn Fn(usize) -> f64| -> Vec<f64> {
            (0..m.dofs.len())
                .map(|i| {
                    map.as_ref()
                        .and_then(|mm| mm.get(&m.dofs[i].name).copied())
                        .unwrap_or_else(|| default(i))
                })
                .collect()
        };
        match c.kind {
            ControllerKind::ConstantTorque => Box::new(ConstantTorque {
                torques: per_dof(&c.torques, &|_| 0.0),
            }),
            ControllerKind::Sprint => {
                Box::new(Sprint::new(m, c.sprint.clone().unwrap_or_default()).expect("validated when loading"))
            }
            ControllerKind::Bursts => Box::new(Bursts {
                bursts: c
                    .bursts
                    .iter()
                    .flatten()
                    .map(|(_, b)| Burst {
                        dof: m.dof_index(&b.dof).expect("validated"),
                        group: match b.direction {
                            Direction::Positive => 0,
                            Direction::Negative => 1,
                        },
                        onset: b.onset,
                        duration: b.duration,
                        amplitude: b.amplitude,
                    })
                    .collect(),
            }),
            ControllerKind::HoldPosture => {
                let init = self.initial_angles();
                let gains = |i: usize| {
                    m.dofs[i]
                        .pd_standing
                        .unwrap_or_else(|| default_gains(&m.dofs[i].name, m.mass))
                };
                Box::new(HoldPosture {
                    target: per_dof(&c.targets, &|i| init[i]),
                    kp: per_dof(&c.kp, &|i| gains(i)[0]),
                    kd: per_dof(&c.kd, &|i| gains(i)[1]),
                })
            }
        }
    }
}
