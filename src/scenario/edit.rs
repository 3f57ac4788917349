//! Setting numbers at dotted paths of a scenario's TOML document, keeping everything else as written
//! (`toml_edit`: comments, order and formatting survive; only the edited values change).
//!
//! A field written in the file (a number, a `{ init, min, max, std }` range, or an element of a number array) is
//! replaced where it stands, keeping the whitespace and comment around it. A field that is not written (so it has
//! its default) is inserted as the first entry of the deepest table on its path that exists (with dotted keys
//! for the missing tables: `torques.hip_flex_r = 12.5` below `[controller]`, `strength.push = 2.5` at the top of
//! the file when there is no `[strength]`). Free parameter ranges elsewhere in the file stay as they are (an
//! `optimize` sweep still has them).

use toml_edit::{Array, DocumentMut, InlineTable, Item, Key, Table, TableLike, Value};

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

/// A number as a TOML float literal (shortest round-trip form, `.0` added to integral values), as free parameters
/// and overlays are written into a scenario.
pub fn toml_float(x: f64) -> String {
    let mut s = format_f64(x);
    if !s.contains(['.', 'e', 'E']) {
        s.push_str(".0");
    }
    s
}

/// What an edit does when the field is not written in the document.
#[derive(Clone, Copy)]
pub enum Missing<'a> {
    /// Refuse: only written numbers and ranges may be replaced (overlays, free parameters).
    Refuse,
    /// Insert it; `default_array` gives the current value of an array field that is not written (to insert one
    /// element of it).
    Insert(&'a dyn Fn(&[String]) -> Option<Vec<f64>>),
}

/// A scenario's TOML document, parsed for editing.
#[derive(Debug, Clone)]
pub struct Document(DocumentMut);

impl Document {
    /// Parses TOML text.
    pub fn parse(text: &str) -> Result<Self, String> {
        text.parse::<DocumentMut>()
            .map(Self)
            .map_err(|e| format!("the scenario is not valid TOML: {}", e.message().trim()))
    }

    /// Sets the number at `path` to `literal` (a TOML number as written, e.g. `2.5` or a u64 seed).
    pub fn set(&mut self, path: &FieldPath, literal: &str, missing: Missing<'_>) -> Result<(), String> {
        let value: Value = literal
            .parse()
            .map_err(|_| format!("`{literal}` is not a TOML value"))?;
        set_in(Node::Table(self.0.as_table_mut()), path, 0, value, missing)
    }
}

impl Document {
    /// Whether the document writes a value or table at `keys` (`["controller", "sprint", "arm_excitation"]`).
    pub fn contains(&self, keys: &[&str]) -> bool {
        let mut item = self.0.as_item();
        for k in keys {
            match item.get(k) {
                Some(i) => item = i,
                None => return false,
            }
        }
        true
    }

    /// Writes `entries` (key, TOML literal) as the first entries of the table at `table` (`["controller",
    /// "sprint"]`), in order, removing any entry of the same key (with the comment lines above it); every other
    /// line keeps its place and form. A missing table is an error unless `append`: then it is written as a new
    /// `[table]` at the end of the document, after a blank line.
    pub fn set_first(&mut self, table: &[&str], entries: &[(&str, &str)], append: bool) -> Result<(), String> {
        let shown = table.join(".");
        let values = entries
            .iter()
            .map(|(k, lit)| {
                lit.parse::<Value>()
                    .map(|v| (*k, v))
                    .map_err(|_| format!("`{lit}` is not a TOML value"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut t = self.0.as_table_mut();
        for (d, k) in table.iter().enumerate() {
            if !t.contains_key(k) && append {
                let mut new = Table::new();
                new.decor_mut().set_prefix("\n");
                t.insert(k, Item::Table(new));
            }
            t = match t.get_mut(k) {
                Some(Item::Table(inner)) => inner,
                Some(_) => return Err(format!("`{}` is not written as a [table]", table[..=d].join("."))),
                None => return Err(format!("there is no [{shown}] table")),
            };
        }
        for (k, _) in &values {
            t.remove(k);
        }
        insert_first(t, values.into_iter().map(|(k, v)| (k.to_string(), Item::Value(v))));
        Ok(())
    }
}

impl std::fmt::Display for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
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
    let mut doc = Document::parse(text)?;
    doc.set(path, value, Missing::Insert(default_array))?;
    Ok(doc.to_string())
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Integer(_) | Value::Float(_))
}

/// A `{ init, min, max, std }` range (as [`crate::scenario::params`] recognises them).
fn is_range(t: &dyn TableLike) -> bool {
    const KEYS: [&str; 4] = ["init", "min", "max", "std"];
    t.contains_key("init") && t.iter().all(|(k, _)| KEYS.contains(&k))
}

fn type_name(item: &Item) -> &'static str {
    match item {
        Item::Value(Value::String(_)) => "a string",
        Item::Value(Value::Integer(_) | Value::Float(_)) => "a number",
        Item::Value(Value::Boolean(_)) => "a boolean",
        Item::Value(Value::Datetime(_)) => "a date-time",
        Item::Value(Value::Array(_)) | Item::ArrayOfTables(_) => "an array",
        Item::Value(Value::InlineTable(t)) if is_range(t) => "a parameter range",
        Item::Value(Value::InlineTable(_)) | Item::Table(_) | Item::None => "a table",
    }
}

/// `new` in place of `old`, with `old`'s surrounding whitespace and comment; the line breaks of a multi-line `old`
/// (an inline table) follow it, so every later line stays where it was.
fn replace(old: &mut Value, mut new: Value) {
    let mut decor = old.decor().clone();
    let breaks = old.clone().decorated("", "").to_string().matches('\n').count();
    if breaks > 0 {
        let suffix = decor.suffix().and_then(|s| s.as_str()).unwrap_or("").to_string();
        decor.set_suffix("\n".repeat(breaks) + &suffix);
    }
    *new.decor_mut() = decor;
    *old = new;
}

/// A table on the path: written with a header (or dotted keys, or the root), or inline.
enum Node<'a> {
    Table(&'a mut Table),
    Inline(&'a mut InlineTable),
}

fn set_in(node: Node<'_>, path: &FieldPath, d: usize, value: Value, missing: Missing<'_>) -> Result<(), String> {
    let shown = path.keys[..=d].join(".");
    let last = d + 1 == path.keys.len();
    let found = match &node {
        Node::Table(t) => t.contains_key(&path.keys[d]),
        Node::Inline(t) => t.contains_key(&path.keys[d]),
    };
    if !found {
        return match missing {
            Missing::Insert(default_array) => insert(node, &path.keys[d..], value, path, default_array),
            Missing::Refuse => Err(format!("`{shown}` is not written in the scenario")),
        };
    }
    let item = match node {
        Node::Table(t) => t.get_mut(&path.keys[d]),
        Node::Inline(t) => TableLike::get_mut(t, &path.keys[d]),
    }
    .expect("found above");
    let ranged = item.as_table_like().is_some_and(is_range);
    match (item, last, path.index) {
        (Item::Value(v), true, None) if is_number(v) || ranged => {
            replace(v, value);
            Ok(())
        }
        (Item::Value(Value::Array(a)), true, Some(i)) => {
            let n = a.len();
            let Some(e) = a.get_mut(i) else {
                return Err(format!("`{shown}` has {n} elements; index {i} is out of range"));
            };
            if !is_number(e) {
                let what = type_name(&Item::Value(e.clone()));
                return Err(format!("`{shown}[{i}]` is {what}, not a number"));
            }
            replace(e, value);
            Ok(())
        }
        (x, true, Some(_)) => Err(format!("`{shown}` is {}, not an array", type_name(x))),
        (Item::Table(t), false, _) => set_in(Node::Table(t), path, d + 1, value, missing),
        (Item::Value(Value::InlineTable(t)), false, _) if !ranged => {
            set_in(Node::Inline(t), path, d + 1, value, missing)
        }
        (x, _, _) => {
            let wanted = if last { "a number" } else { "a table" };
            Err(format!("`{shown}` is {}, not {wanted}", type_name(x)))
        }
    }
}

/// Inserts the missing keys `rest` (the tail of `path`) as the first entry of `node`, the deepest table on the path
/// that exists: `rest[0].rest[1]… = value` with dotted keys.
fn insert(
    node: Node<'_>,
    rest: &[String],
    value: Value,
    path: &FieldPath,
    default_array: &dyn Fn(&[String]) -> Option<Vec<f64>>,
) -> Result<(), String> {
    let value = match path.index {
        None => value,
        Some(i) => {
            let shown = path.keys.join(".");
            let a = default_array(&path.keys)
                .ok_or_else(|| format!("`{shown}` is not an array of numbers in the scenario"))?;
            if i >= a.len() {
                return Err(format!("`{shown}` has {} elements; index {i} is out of range", a.len()));
            }
            let items: Array = a
                .iter()
                .enumerate()
                .map(|(k, &x)| match k == i {
                    true => value.clone(),
                    false => toml_number(x).parse::<Value>().expect("a TOML number"),
                })
                .collect();
            Value::Array(items)
        }
    };
    match node {
        Node::Table(t) => {
            let mut item = Item::Value(value);
            for k in rest[1..].iter().rev() {
                let mut inner = Table::new();
                inner.set_dotted(true);
                inner.insert(k, item);
                item = Item::Table(inner);
            }
            insert_first(t, [(rest[0].clone(), item)]);
        }
        Node::Inline(t) => {
            let mut entry = value;
            for k in rest[1..].iter().rev() {
                let mut inner = InlineTable::new();
                inner.set_dotted(true);
                inner.insert(k, entry);
                entry = Value::InlineTable(inner);
            }
            let old: Vec<(Key, Value)> = keys_of(t.iter().map(|(k, _)| k))
                .iter()
                .filter_map(|k| t.remove_entry(k))
                .collect();
            t.insert(&rest[0], entry);
            for (k, v) in old {
                t.insert_formatted(&k, v);
            }
        }
    }
    Ok(())
}

/// Inserts `entries` before the entries of `t`, in order; the old entries keep their form (key decor, comments).
fn insert_first(t: &mut Table, entries: impl IntoIterator<Item = (String, Item)>) {
    let old: Vec<(Key, Item)> = keys_of(t.iter().map(|(k, _)| k))
        .iter()
        .filter_map(|k| t.remove_entry(k))
        .collect();
    for (k, v) in entries {
        t.insert(&k, v);
    }
    for (k, v) in old {
        t.insert_formatted(&k, v);
    }
}

fn keys_of<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<String> {
    keys.map(str::to_string).collect()
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
    fn a_multi_line_range_keeps_the_lines_below_it() {
        let t = "[a]\nx = { init = 1, min = 0,\n  max = 2 } # r\ny = 3\n";
        let mut doc = Document::parse(t).unwrap();
        let p = FieldPath::parse("a.x").unwrap();
        doc.set(&p, &toml_float(1.5), Missing::Refuse).unwrap();
        assert_eq!(doc.to_string(), "[a]\nx = 1.5\n # r\ny = 3\n");
        let missing = FieldPath::parse("a.z").unwrap();
        assert!(doc
            .set(&missing, "1", Missing::Refuse)
            .unwrap_err()
            .contains("`a.z` is not written"));
    }

    #[test]
    fn set_first_writes_first_entries_and_appends_a_missing_table() {
        let first = |text: &str, table: &[&str], entries: &[(&str, &str)], append: bool| {
            let mut doc = Document::parse(text).unwrap();
            doc.set_first(table, entries, append).map(|()| doc.to_string())
        };
        // Existing table: first entries, an older entry of the same key removed, the rest as written.
        let t = "[a]\nx = 1\n[optimize]\nmax_evals = 9 # keep\nstart = \"old\"\n[run]\n";
        assert_eq!(
            first(t, &["optimize"], &[("start", "\"new\"")], true).unwrap(),
            "[a]\nx = 1\n[optimize]\nstart = \"new\"\nmax_evals = 9 # keep\n[run]\n"
        );
        // Nested table with a comment under its header: the entries go above the comment, in order.
        let t = "[controller.sprint]\n# why\ngain = 2\n";
        assert_eq!(
            first(t, &["controller", "sprint"], &[("a", "1.0"), ("b", "0.0")], false).unwrap(),
            "[controller.sprint]\na = 1.0\nb = 0.0\n# why\ngain = 2\n"
        );
        // Missing table: appended after a blank line, or refused.
        assert_eq!(
            first("[a]\nx = 1\n", &["optimize"], &[("start", "\"p\"")], true).unwrap(),
            "[a]\nx = 1\n\n[optimize]\nstart = \"p\"\n"
        );
        assert!(first("[a]\nx = 1\n", &["controller", "sprint"], &[("a", "1")], false)
            .unwrap_err()
            .contains("no [controller.sprint] table"));
        assert!(first("a = 1\n", &["a"], &[("b", "1")], true)
            .unwrap_err()
            .contains("`a` is not written as a [table]"));
        let doc = Document::parse("[controller.sprint]\ngain = 2\n").unwrap();
        assert!(doc.contains(&["controller", "sprint", "gain"]) && !doc.contains(&["controller", "gain"]));
    }

    #[test]
    fn numbers_are_written_to_fit_integer_fields() {
        assert_eq!(toml_number(3.0), "3");
        assert_eq!(toml_number(-2.0), "-2");
        assert_eq!(toml_number(0.25), "0.25");
        assert_eq!(toml_number(1e20), "1e20");
        assert_eq!(toml_number(5e5), "500000");
        assert_eq!(toml_number(1e-7), "1e-7");
        assert_eq!(
            (toml_float(3.0), toml_float(0.25), toml_float(1e20)),
            ("3.0".into(), "0.25".into(), "1e20".into())
        );
    }
}
