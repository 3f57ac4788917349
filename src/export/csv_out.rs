//! Tidy CSV with floats that round-trip exactly (shortest representation, `ryu`).

use std::io::Write;

use crate::error::Error;

/// Formats a float so that parsing it gives back the same bits (`NaN`, `inf`, `-inf` for non-finite).
pub fn format_f64(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else {
        let mut b = ryu::Buffer::new();
        b.format_finite(x).to_string()
    }
}

/// Writes a header and rows of floats as CSV.
pub fn write_table(path: &std::path::Path, columns: &[String], rows: &[Vec<f64>]) -> Result<(), Error> {
    let f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = std::io::BufWriter::new(f);
    let io = |e| Error::io(path, e);
    writeln!(w, "{}", columns.join(",")).map_err(io)?;
    let mut line = String::new();
    for r in rows {
        line.clear();
        for (i, x) in r.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(&format_f64(*x));
        }
        line.push('\n');
        w.write_all(line.as_bytes()).map_err(io)?;
    }
    w.flush().map_err(io)?;
    Ok(())
}
