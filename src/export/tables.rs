//! The tables (CSV) of run folders, optimisations, sweeps and studies, written through one place so that every
//! float keeps its exact text form ([`format_f64`]: shortest round-trip, `NaN`, `inf`).

use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::io::format_f64;
use crate::measure::steps::StepRow;

/// Writes a numeric table (`timeseries.csv`, `timing.csv`): a header and rows of floats.
pub fn write_table(path: &Path, columns: &[String], rows: &[Vec<f64>]) -> Result<(), Error> {
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

/// The bytes of `steps.csv`.
pub fn steps_csv(rows: &[StepRow]) -> Result<Vec<u8>, Error> {
    let (cols, rows) = crate::measure::steps::table(rows);
    let mut csv = cols.join(",") + "\n";
    for r in rows {
        csv.push_str(&r.join(","));
        csv.push('\n');
    }
    Ok(csv.into_bytes())
}
