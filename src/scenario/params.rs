//! Optimisable parameters written where they are used (SCONE's inline ranges): any number in a scenario can be
//! replaced by `{ init = 0.8, min = 0.0, max = 1.0, std = 0.1 }`. The parameter is named by its dotted path
//! (`controller.torques.hip_flex_r`). Loading a scenario substitutes `init`; an optimiser substitutes its own
//! values; a parameter overlay (`best.toml`, `--params`) substitutes fixed numbers at dotted paths.
//!
//! Substitution edits the TOML document ([`super::edit`], `toml_edit`): only the substituted values change, every
//! line stays where it was, so every later error still points at the right line of the user's file.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::edit::{toml_float, Document, FieldPath, Missing};
use super::{invalid, line_col};
use crate::error::{Error, Location};

/// One free parameter of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct FreeParam {
    /// Dotted path where it is written.
    pub name: String,
    /// Initial value (the value used when not optimising).
    pub init: f64,
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
    /// Initial search spread (same unit as the value). Default `(max − min) / 5`.
    pub std: f64,
    /// Byte span of the `{ … }` table in the scenario text.
    pub span: Range<usize>,
    /// The keys of its path (a key may contain a dot when quoted).
    pub keys: Vec<String>,
}

impl FreeParam {
    /// Where it is written, for editing.
    fn path(&self) -> FieldPath {
        FieldPath {
            keys: self.keys.clone(),
            index: None,
        }
    }
}

const KEYS: [&str; 4] = ["init", "min", "max", "std"];

fn number(v: &DeValue<'_>) -> Option<f64> {
    let s = match v {
        DeValue::Integer(i) => i.as_str().replace('_', ""),
        DeValue::Float(f) => f.as_str().replace('_', ""),
        _ => return None,
    };
    let s = s.trim_start_matches('+');
    match s {
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" | "-nan" => Some(f64::NAN),
        _ => {
            if let Some(h) = s.strip_prefix("0x") {
                i64::from_str_radix(h, 16).ok().map(|x| x as f64)
            } else if let Some(o) = s.strip_prefix("0o") {
                i64::from_str_radix(o, 8).ok().map(|x| x as f64)
            } else if let Some(b) = s.strip_prefix("0b") {
                i64::from_str_radix(b, 2).ok().map(|x| x as f64)
            } else {
                s.parse::<f64>().ok()
            }
        }
    }
}

/// Whether a table is written as a parameter range (only `init`, `min`, `max`, `std` keys, with `init`).
fn is_param(t: &DeTable<'_>) -> bool {
    t.iter().any(|(k, _)| k.get_ref().as_ref() == "init") && t.iter().all(|(k, _)| KEYS.contains(&k.get_ref().as_ref()))
}

/// Finds every free parameter in scenario text, in document order, validating each range.
pub fn find(text: &str, file: &Path) -> Result<Vec<FreeParam>, Error> {
    let Ok(doc) = DeTable::parse(text) else {
        return Ok(Vec::new()); // syntax errors are reported by the normal parse
    };
    let mut out = Vec::new();
    walk(doc.get_ref(), "", &[], text, file, &mut out)?;
    out.sort_by_key(|p| p.span.start);
    Ok(out)
}

/// `base.key`, or `key` at the top level.
fn child_path(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

fn walk(
    t: &DeTable<'_>,
    base: &str,
    keys: &[String],
    text: &str,
    file: &Path,
    out: &mut Vec<FreeParam>,
) -> Result<(), Error> {
    for (k, v) in t.iter() {
        let name = child_path(base, k.get_ref());
        let keys = [keys, &[k.get_ref().to_string()]].concat();
        match v.get_ref() {
            DeValue::Table(inner) if is_param(inner) => out.push(param(&name, keys, inner, v.span(), text, file)?),
            DeValue::Table(inner) => walk(inner, &name, &keys, text, file, out)?,
            DeValue::Array(a) => {
                for e in a.iter() {
                    if matches!(e.get_ref(), DeValue::Table(t) if is_param(t)) {
                        return Err(invalid(
                            file,
                            text,
                            &name,
                            "parameter ranges inside arrays are not supported",
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn param(
    name: &str,
    keys: Vec<String>,
    t: &DeTable<'_>,
    span: Range<usize>,
    text: &str,
    file: &Path,
) -> Result<FreeParam, Error> {
    let get = |key: &str| -> Result<Option<f64>, Error> {
        match t.iter().find(|(k, _)| k.get_ref().as_ref() == key) {
            None => Ok(None),
            Some((_, v)) => number(v.get_ref())
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| invalid(file, text, &format!("{name}.{key}"), "must be a finite number")),
        }
    };
    let need = |key: &str| -> Result<f64, Error> {
        get(key)?.ok_or_else(|| {
            invalid(
                file,
                text,
                name,
                format!("a parameter range needs `{key}`: {{ init, min, max, std }}"),
            )
        })
    };
    let (init, min, max) = (need("init")?, need("min")?, need("max")?);
    if !text[span.clone()].trim_start().starts_with('{') {
        return Err(invalid(
            file,
            text,
            name,
            "write a parameter range as an inline table { init, min, max, std }",
        ));
    }
    if !(min < max) {
        return Err(invalid(
            file,
            text,
            &format!("{name}.min"),
            format!("min must be < max; got min = {min}, max = {max}"),
        ));
    }
    if !(min <= init && init <= max) {
        return Err(invalid(
            file,
            text,
            &format!("{name}.init"),
            format!("init must lie in [min, max] = [{min}, {max}]; got {init}"),
        ));
    }
    let std = get("std")?.unwrap_or((max - min) / 5.0);
    if !(std > 0.0) {
        return Err(invalid(
            file,
            text,
            &format!("{name}.std"),
            format!("std must be > 0; got {std}"),
        ));
    }
    Ok(FreeParam {
        name: name.to_string(),
        init,
        min,
        max,
        std,
        span,
        keys,
    })
}

/// Sets each written number or parameter range at `edits`' paths to its value, keeping every line where it was
/// (so that later errors still point at the right line of the user's file). Without edits the text is returned
/// as it is (even when it is not valid TOML: the normal parse reports that).
fn substitute(text: &str, edits: &[(FieldPath, f64)]) -> Result<String, String> {
    if edits.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc = Document::parse(text)?;
    for (path, v) in edits {
        doc.set(path, &toml_float(*v), Missing::Refuse)?;
    }
    Ok(doc.to_string())
}

/// Text with every free parameter replaced by the given values (in [`find`] order).
pub fn instantiate(text: &str, file: &Path, params: &[FreeParam], values: &[f64]) -> Result<String, Error> {
    let edits: Vec<(FieldPath, f64)> = params.iter().zip(values).map(|(p, &v)| (p.path(), v)).collect();
    substitute(text, &edits).map_err(|m| invalid(file, text, params.first().map_or("(syntax)", |p| &p.name), m))
}

/// A parameter overlay: dotted path → value, read from a TOML file whose tables mirror the scenario
/// (`[controller.torques] hip_flex_r = 12.5`), as `best.toml` is written.
pub fn read_overlay(path: &Path) -> Result<BTreeMap<String, f64>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Invalid {
        location: Location {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
        },
        path: "(file)".into(),
        msg: format!("cannot read the parameter file: {e}"),
    })?;
    let doc = DeTable::parse(&text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
        Error::Invalid {
            location: Location {
                file: path.to_path_buf(),
                line,
                column,
            },
            path: "(syntax)".into(),
            msg: e.message().trim().to_string(),
        }
    })?;
    let mut out = BTreeMap::new();
    flatten(doc.get_ref(), "", &text, path, &mut out)?;
    Ok(out)
}

fn flatten(t: &DeTable<'_>, base: &str, text: &str, file: &Path, out: &mut BTreeMap<String, f64>) -> Result<(), Error> {
    for (k, v) in t.iter() {
        let name = child_path(base, k.get_ref());
        match v.get_ref() {
            DeValue::Table(inner) => flatten(inner, &name, text, file, out)?,
            other => {
                let x = number(other)
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| invalid(file, text, &name, "a parameter value must be a finite number"))?;
                out.insert(name, x);
            }
        }
    }
    Ok(())
}

/// Applies an overlay to scenario text: each dotted path must name a number or a parameter range in the
/// scenario; it is replaced by the overlay's value.
pub fn apply_overlay(
    text: &str,
    scenario_file: &Path,
    overlay: &BTreeMap<String, f64>,
    overlay_file: &Path,
) -> Result<String, Error> {
    let mut edits = Vec::new();
    for (path, &v) in overlay {
        let field = FieldPath::parse(path).ok().filter(|p| p.index.is_none());
        let written = field
            .as_ref()
            .is_some_and(|p| substitute(text, &[(p.clone(), v)]).is_ok());
        let Some(field) = field.filter(|_| written) else {
            let otext = std::fs::read_to_string(overlay_file).unwrap_or_default();
            return Err(invalid(
                overlay_file,
                &otext,
                path,
                format!(
                    "`{path}` is not a number or parameter range in {}",
                    scenario_file.display()
                ),
            ));
        };
        edits.push((field, v));
    }
    substitute(text, &edits).map_err(|_| invalid(scenario_file, text, "(syntax)", "not valid TOML"))
}

/// Writes values at dotted paths as a TOML overlay whose tables mirror the scenario.
pub fn overlay_toml(values: &BTreeMap<String, f64>) -> String {
    let mut root = toml::Table::new();
    for (path, &v) in values {
        let parts: Vec<&str> = path.split('.').collect();
        let mut t = &mut root;
        for p in &parts[..parts.len() - 1] {
            t = t
                .entry(p.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .expect("paths do not end inside a number");
        }
        t.insert(parts[parts.len() - 1].to_string(), toml::Value::Float(v));
    }
    toml::to_string(&root).expect("serialisable")
}
