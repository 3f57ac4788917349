//! Setting a number at a dotted path of a scenario's TOML text, keeping everything else as written.
//!
//! A field written in the file (a number, a `{ init, min, max, std }` range, or an element of a number array) is
//! replaced in place, on its exact span. A field that is not written (so it has its default) is inserted where
//! TOML allows it: into its table's header section, its inline table, beside the dotted keys that define the
//! table, or as a new `[table]` at the end when the table exists only implicitly. Free parameter ranges elsewhere
//! in the file stay as they are (an `optimize` sweep still has them).

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::io::format_f64;

/// A dotted path split into keys, with an optional array index on the last key (`initial.velocity[0]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// Table keys, outermost first; the last one names the field.
    pub keys: Vec<String>,
    /// Element of an array field.
    pub index: Option<usize>,
}

impl FieldPath {
    /// Parses `a.b.c` or `a.b.c[2]` (bare keys: letters, digits, `_`, `-`).
    pub fn parse(path: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "`{path}` is not a dotted path of bare keys (letters, digits, `_`, `-`), optionally ending in an array \
                 index like `initial.velocity[0]`"
            )
        };
        let (body, index) = match path.split_once('[') {
            Some((b, rest)) => {
                let i = rest
                    .strip_suffix(']')
                    .and_then(|s| s.parse::<usize>().ok())
                    .ok_or_else(bad)?;
                (b, Some(i))
            }
            None => (path, None),
        };
        let keys: Vec<String> = body.split('.').map(str::to_string).collect();
        let bare = |k: &String| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !keys.iter().all(bare) {
            return Err(bad());
        }
        Ok(Self { keys, index })
    }
}

/// A number as TOML: integral values (|x| < 2^53) as integers, so they also fit integer fields; others in
/// shortest round-trip form.
pub fn toml_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15 {
        format!("{}", x as i64)
    } else {
        format_f64(x)
    }
}

fn number(v: &DeValue<'_>) -> bool {
    matches!(v, DeValue::Integer(_) | DeValue::Float(_))
}

/// A `{ init, min, max, std }` range (as [`crate::scenario::params`] recognises them).
fn is_range(t: &DeTable<'_>) -> bool {
    const KEYS: [&str; 4] = ["init", "min", "max", "std"];
    t.iter().any(|(k, _)| k.get_ref().as_ref() == "init") && t.iter().all(|(k, _)| KEYS.contains(&k.get_ref().as_ref()))
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) | DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Returns `text` with the number at `path` set to `value`. `default_array` gives the current value of an array
/// field that is not written in the file (needed to insert one element of it).
pub fn set_number(
    text: &str,
    path: &FieldPath,
    value: f64,
    default_array: &dyn Fn(&[String]) -> Option<Vec<f64>>,
) -> Result<String, String> {
    set_literal(text, path, &toml_number(value), default_array)
}

/// As [`set_number`], with the number already written as a TOML literal (e.g. a u64 seed).
pub fn set_literal(
    text: &str,
    path: &FieldPath,
    value: &str,
    default_array: &dyn Fn(&[String]) -> Option<Vec<f64>>,
) -> Result<String, String> {
    let doc = DeTable::parse(text).map_err(|e| format!("the scenario is not valid TOML: {}", e.message().trim()))?;
    let shown = |n: usize| path.keys[..n].join(".");
    // Walk down; `chain` holds (key span, value span) of every table passed.
    let mut table = doc.get_ref();
    let mut chain: Vec<(Range<usize>, Range<usize>, bool)> = Vec::new(); // (key span, value span, non-empty)
    for (d, key) in path.keys.iter().enumerate() {
        let last = d + 1 == path.keys.len();
        let Some((k, v)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == key.as_str()) else {
            return insert(text, path, d, &chain, value, default_array);
        };
        match (v.get_ref(), last, path.index) {
            (x, true, None) if number(x) => return Ok(replace(text, v.span(), value)),
            (DeValue::Table(t), true, None) if is_range(t) => return Ok(replace(text, v.span(), value)),
            (DeValue::Array(a), true, Some(i)) => {
                let Some(e) = a.get(i) else {
                    return Err(format!(
                        "`{}` has {} elements; index {i} is out of range",
                        shown(d + 1),
                        a.len()
                    ));
                };
                if !number(e.get_ref()) {
                    return Err(format!(
                        "`{}[{i}]` is {}, not a number",
                        shown(d + 1),
                        type_name(e.get_ref())
                    ));
                }
                return Ok(replace(text, e.span(), value));
            }
            (DeValue::Table(t), false, _) if !is_range(t) => {
                chain.push((k.span(), v.span(), !t.is_empty()));
                table = t;
            }
            (x, true, Some(_)) => return Err(format!("`{}` is {}, not an array", shown(d + 1), type_name(x))),
            (x, _, _) => {
                let what = if matches!(x, DeValue::Table(t) if is_range(t)) {
                    "a parameter range"
                } else {
                    type_name(x)
                };
                let wanted = if last { "a number" } else { "a table" };
                return Err(format!("`{}` is {what}, not {wanted}", shown(d + 1)));
            }
        }
    }
    unreachable!("the loop returns at the last key")
}

fn replace(text: &str, span: Range<usize>, with: &str) -> String {
    let mut s = String::with_capacity(text.len() + with.len());
    s.push_str(&text[..span.start]);
    s.push_str(with);
    s.push_str(&text[span.end..]);
    s
}

fn insert_at(text: &str, at: usize, what: &str) -> String {
    replace(text, at..at, what)
}

/// Inserts the field: `chain[..depth]` are the existing tables on the path, `path.keys[depth..]` are missing.
fn insert(
    text: &str,
    path: &FieldPath,
    depth: usize,
    chain: &[(Range<usize>, Range<usize>, bool)],
    value: &str,
    default_array: &dyn Fn(&[String]) -> Option<Vec<f64>>,
) -> Result<String, String> {
    let value_text = match path.index {
        None => value.to_string(),
        Some(i) => {
            let a = default_array(&path.keys)
                .ok_or_else(|| format!("`{}` is not an array of numbers in the scenario", path.keys.join(".")))?;
            if i >= a.len() {
                return Err(format!(
                    "`{}` has {} elements; index {i} is out of range",
                    path.keys.join("."),
                    a.len()
                ));
            }
            let items: Vec<String> = a
                .iter()
                .enumerate()
                .map(|(k, &x)| if k == i { value.to_string() } else { toml_number(x) })
                .collect();
            format!("[{}]", items.join(", "))
        }
    };
    let rest = path.keys[depth..].join(".");
    if depth == 0 {
        // Root-level dotted keys must precede every table header: put the line first.
        return Ok(insert_at(text, 0, &format!("{rest} = {value_text}\n")));
    }
    // The nearest inline table on the path (a table written `{ … }` cannot be extended anywhere else).
    if let Some(a) = chain.iter().rposition(|(_, v, _)| text[v.clone()].starts_with('{')) {
        let (_, span, nonempty) = &chain[a];
        let below = path.keys[a + 1..].join(".");
        let entry = if a + 1 == depth && !nonempty {
            format!(" {below} = {value_text} ")
        } else {
            format!(" {below} = {value_text},")
        };
        return Ok(insert_at(text, span.start + 1, &entry));
    }
    let (key, span, _) = &chain[depth - 1];
    let line = format!("{rest} = {value_text}\n");
    if text[span.clone()].starts_with('[') {
        // `[table]` header: the new line goes right below it.
        return Ok(match text[span.end..].find('\n') {
            Some(nl) => insert_at(text, span.end + nl + 1, &line),
            None => format!("{text}\n{line}"),
        });
    }
    let line_start = text[..key.start].rfind('\n').map_or(0, |p| p + 1);
    let lead = text[line_start..key.start].trim_start();
    if lead.starts_with('[') {
        // Only implied by a sub-table header (`[controller.torques]` without `[controller]`): define it at the end.
        let header = path.keys[..depth].join(".");
        let sep = if text.ends_with('\n') || text.is_empty() {
            ""
        } else {
            "\n"
        };
        return Ok(format!("{text}{sep}[{header}]\n{line}"));
    }
    // Defined by dotted keys (`bursts.a.onset = 0.1`): one more dotted key beside them, same prefix as written.
    let prefix = text[line_start..key.end].trim_start();
    let indent = &text[line_start..line_start + (text[line_start..key.end].len() - prefix.len())];
    Ok(insert_at(text, line_start, &format!("{indent}{prefix}.{line}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str, path: &str, v: f64) -> Result<String, String> {
        let defaults = |keys: &[String]| (keys.join(".") == "initial.velocity").then(|| vec![0.0, 0.0, 0.0]);
        set_number(text, &FieldPath::parse(path).unwrap(), v, &defaults)
    }

    /// The document as a value tree, with `path` removed (to compare everything else).
    fn tree(text: &str) -> toml::Table {
        text.parse::<toml::Table>()
            .unwrap_or_else(|e| panic!("invalid TOML:\n{text}\n{e}"))
    }

    fn get<'a>(t: &'a toml::Table, path: &str) -> &'a toml::Value {
        let p = FieldPath::parse(path).unwrap();
        let mut v = t.get(&p.keys[0]).unwrap();
        for k in &p.keys[1..] {
            v = v.get(k).unwrap_or_else(|| panic!("{path} missing in {t:?}"));
        }
        match p.index {
            Some(i) => &v.as_array().unwrap()[i],
            None => v,
        }
    }

    /// Removes `path` if present.
    fn remove(t: &mut toml::Table, path: &str) {
        let p = FieldPath::parse(path).unwrap();
        let mut cur = t;
        for k in &p.keys[..p.keys.len() - 1] {
            match cur.get_mut(k).and_then(|v| v.as_table_mut()) {
                Some(n) => cur = n,
                None => return,
            }
        }
        cur.remove(p.keys.last().unwrap());
    }

    fn prune(v: &mut toml::Table) {
        v.retain(|_, x| match x {
            toml::Value::Table(t) => {
                prune(t);
                !t.is_empty()
            }
            _ => true,
        });
    }

    /// Sets `path` to 2.5 and checks: valid TOML, the value is there, nothing else changed.
    fn check(text: &str, path: &str) -> String {
        let out = set(text, path, 2.5).unwrap();
        let after = tree(&out);
        assert_eq!(get(&after, path).as_float(), Some(2.5), "{path} in\n{out}");
        let (mut a, mut b) = (tree(text), after);
        if FieldPath::parse(path).unwrap().index.is_none() {
            remove(&mut a, path);
            remove(&mut b, path);
            prune(&mut a);
            prune(&mut b);
            assert_eq!(a, b, "other fields changed:\n{out}");
        }
        out
    }

    #[test]
    fn replaces_written_numbers_ranges_and_elements() {
        let t = "[strength]\npush = 1.0 # keep\n[world]\ngravity = [0, 0, -9.81]\n";
        let out = check(t, "strength.push");
        assert_eq!(out, "[strength]\npush = 2.5 # keep\n[world]\ngravity = [0, 0, -9.81]\n");
        let out = set(t, "world.gravity[2]", -3.0).unwrap();
        assert_eq!(out, "[strength]\npush = 1.0 # keep\n[world]\ngravity = [0, 0, -3]\n");
        let r = "[controller.torques]\nhip_flex_r = { init = 1, min = 0, max = 2 }\n";
        assert_eq!(
            set(r, "controller.torques.hip_flex_r", 1.5).unwrap(),
            "[controller.torques]\nhip_flex_r = 1.5\n"
        );
    }

    #[test]
    fn inserts_where_toml_allows() {
        // Missing table at the root (before every header).
        let out = check("[run]\nduration = 1\n", "strength.push");
        assert!(out.starts_with("strength.push = 2.5\n"), "{out}");
        // Header section.
        let out = check("[strength]\nswing = 1 # c\n[run]\nduration = 1\n", "strength.push");
        assert_eq!(out, "[strength]\npush = 2.5\nswing = 1 # c\n[run]\nduration = 1\n");
        // Header without newline at the end of the file.
        check("[strength]", "strength.push");
        // Header section, deeper missing part: a dotted key in it.
        check(
            "[controller]\nkind = \"hold-posture\"\n[run]\nduration = 1\n",
            "controller.torques.hip_flex_r",
        );
        // Inline table (empty and not).
        check("initial = {}\n", "initial.drop_height");
        check("[initial]\nangles = { knee_r = 0.2 }\n", "initial.angles.knee_l");
        check("[strength]\ngroups = {}\n", "strength.groups.hip_ext");
        // Below an inline table, through dotted keys inside it.
        check(
            "[controller]\nbursts = { a.dof = \"knee_r\" }\n",
            "controller.bursts.a.onset",
        );
        check("x = { y = { z = 1 } }\n", "x.y.w");
        // Implied only by a sub-table header.
        check(
            "[controller.torques]\nhip_flex_r = 1\n[run]\nduration = 1\n",
            "controller.kp.knee_r",
        );
        check("[controller.torques]\nhip_flex_r = 1\n", "controller.sprint_gain");
        // Defined by dotted keys, at the root and in a section (indented).
        check("strength.swing = 1\n[run]\nduration = 1\n", "strength.push");
        check(
            "[controller]\n  bursts.a.dof = \"knee_r\"\n  bursts.a.onset = 0\n",
            "controller.bursts.a.amplitude",
        );
        check(
            "[controller]\nbursts.a.dof = \"knee_r\"\n",
            "controller.bursts.b.amplitude",
        );
        // A missing array: the default with one element replaced.
        let out = set("[run]\nduration = 1\n", "initial.velocity[0]", 8.0).unwrap();
        assert!(out.starts_with("initial.velocity = [8, 0, 0]\n"), "{out}");
        let out = set("[initial]\ndrop_height = 0\n", "initial.velocity[2]", -1.5).unwrap();
        assert_eq!(out, "[initial]\nvelocity = [0, 0, -1.5]\ndrop_height = 0\n");
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        let t = "[controller]\nkind = \"hold-posture\"\n[world]\ngravity = [0, 0, -9.81]\n";
        assert!(set(t, "controller.kind", 1.0)
            .unwrap_err()
            .contains("`controller.kind` is a string, not a number"));
        assert!(set(t, "controller.kind.x", 1.0)
            .unwrap_err()
            .contains("is a string, not a table"));
        assert!(set(t, "world.gravity", 1.0)
            .unwrap_err()
            .contains("is an array, not a number"));
        assert!(set(t, "world.gravity[3]", 1.0)
            .unwrap_err()
            .contains("index 3 is out of range"));
        assert!(set(t, "controller", 1.0)
            .unwrap_err()
            .contains("is a table, not a number"));
        assert!(set("[run]\n", "run.duration[0]", 1.0)
            .unwrap_err()
            .contains("not an array of numbers"));
        for bad in ["", "a..b", "a.b[", "a.b[x]", "a b", "a.\"b\""] {
            assert!(FieldPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_are_written_to_fit_integer_fields() {
        assert_eq!(toml_number(3.0), "3");
        assert_eq!(toml_number(-2.0), "-2");
        assert_eq!(toml_number(0.25), "0.25");
        assert_eq!(toml_number(1e20), "1e20");
        assert_eq!(toml_number(5e5), "500000");
        assert_eq!(toml_number(1e-7), "1e-7");
    }
}
