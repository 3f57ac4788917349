//! `sprintlab._native`: the Python binding of sprintlab (issue 20). It sits on top of the crate's layers, as
//! `cli.rs` does: it calls the library and converts values and errors, and holds no physics. The Python package
//! (`python/sprintlab/__init__.py`) builds DataFrames from what this module returns.
//!
//! Every call into the library runs with the GIL released and behind `catch_unwind`, so a panic becomes a Python
//! exception instead of ending the interpreter; library errors become `ScenarioError` (file, line, column,
//! dotted path), `DataError` (file, line) or `SprintlabError`.

use std::collections::BTreeMap;
use std::ffi::{c_int, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use pyo3::exceptions::{PyBufferError, PyException, PyKeyboardInterrupt, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt};
use pyo3::{ffi, IntoPyObjectExt};

use sprintlab::error::Error;
use sprintlab::export::read::{Table, TextTable};
use sprintlab::optim::driver::{self, OptimizeOptions};
use sprintlab::optim::history::HistoryRow;
use sprintlab::optim::search::{Interrupt, OnGeneration};
use sprintlab::scenario::edit::{set_literal, set_number, FieldPath};
use sprintlab::scenario::{self, Loaded};

pyo3::create_exception!(
    _native,
    SprintlabError,
    PyException,
    "An error of the sprintlab library. Attributes: `file`, `line`, `column`, `path` (dotted field path), `msg` \
     (without the location); each None where it does not apply."
);
pyo3::create_exception!(
    _native,
    ScenarioError,
    SprintlabError,
    "A scenario or model file (or a `with_values` overlay) is invalid: `file`, `line`, `column` (1-based), `path` \
     (the dotted field path, e.g. `world.dt`) and `msg` (what is wrong and what is allowed)."
);
pyo3::create_exception!(
    _native,
    DataError,
    SprintlabError,
    "A data table (CSV) or JSON file is malformed: `file`, `line`."
);
pyo3::create_exception!(
    _native,
    Interrupted,
    PyKeyboardInterrupt,
    "An optimisation stopped by Ctrl-C after the generation in flight, its checkpoint written: `dir`, `generation`. \
     Call `optimize` again with the same arguments and `resume=True` to continue it."
);

/// The Python exception for a library error, with its location as attributes.
fn py_error(py: Python<'_>, e: &Error) -> PyErr {
    let text = e.to_string();
    let none = || py.None();
    let (err, file, line, column, path, msg) = match e {
        Error::Invalid { location, path, msg } => (
            ScenarioError::new_err(text),
            location.file.display().to_string().into_py_any(py),
            location.line.into_py_any(py),
            location.column.into_py_any(py),
            path.into_py_any(py),
            msg.into_py_any(py),
        ),
        Error::Data { file, line, msg } => (
            DataError::new_err(text),
            file.into_py_any(py),
            line.into_py_any(py),
            Ok(none()),
            Ok(none()),
            msg.into_py_any(py),
        ),
        Error::Interrupted { dir, generation } => {
            let err = Interrupted::new_err(text);
            let v = err.value(py);
            let _ = v.setattr("dir", dir.display().to_string());
            let _ = v.setattr("generation", *generation);
            return err;
        }
        Error::Io { path, source } => (
            SprintlabError::new_err(text),
            path.display().to_string().into_py_any(py),
            Ok(none()),
            Ok(none()),
            Ok(none()),
            source.to_string().into_py_any(py),
        ),
        _ => (
            SprintlabError::new_err(text.clone()),
            Ok(none()),
            Ok(none()),
            Ok(none()),
            Ok(none()),
            text.into_py_any(py),
        ),
    };
    let v = err.value(py);
    for (name, value) in [
        ("file", file),
        ("line", line),
        ("column", column),
        ("path", path),
        ("msg", msg),
    ] {
        let _ = v.setattr(name, value.unwrap_or_else(|_| py.None()));
    }
    err
}

/// A panic's message as an exception: a bug in sprintlab, reported instead of ending the interpreter.
fn panic_error(payload: Box<dyn std::any::Any + Send>) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    SprintlabError::new_err(format!("internal error in sprintlab (a bug; please report it): {what}"))
}

/// Runs a library call with the GIL released and panics caught.
fn call<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, Error> + Send) -> PyResult<T> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(py_error(py, &e)),
        Err(payload) => Err(panic_error(payload)),
    }
}

/// One column of a table, exported to NumPy without a copy through the buffer protocol
/// (`numpy.frombuffer(col, dtype=col.dtype)` views the Rust vector, which lives as long as the array).
#[pyclass(module = "sprintlab._native", frozen)]
struct Column {
    data: ColumnData,
    /// Buffer-protocol shape and stride (items, bytes), kept here so their addresses outlive every view.
    shape: [ffi::Py_ssize_t; 1],
    strides: [ffi::Py_ssize_t; 1],
}

enum ColumnData {
    F64(Vec<f64>),
    I64(Vec<i64>),
    U64(Vec<u64>),
}

impl Column {
    fn new(data: ColumnData) -> Self {
        let n = match &data {
            ColumnData::F64(v) => v.len(),
            ColumnData::I64(v) => v.len(),
            ColumnData::U64(v) => v.len(),
        };
        Self {
            data,
            shape: [n as ffi::Py_ssize_t],
            strides: [8],
        }
    }

    fn ptr_and_format(&self) -> (*const c_void, &'static CStr) {
        match &self.data {
            ColumnData::F64(v) => (v.as_ptr().cast(), c"d"),
            ColumnData::I64(v) => (v.as_ptr().cast(), c"q"),
            ColumnData::U64(v) => (v.as_ptr().cast(), c"Q"),
        }
    }
}

#[pymethods]
impl Column {
    /// NumPy dtype name of the values (`float64`, `int64` or `uint64`).
    #[getter]
    fn dtype(&self) -> &'static str {
        match self.data {
            ColumnData::F64(_) => "float64",
            ColumnData::I64(_) => "int64",
            ColumnData::U64(_) => "uint64",
        }
    }

    fn __len__(&self) -> usize {
        self.shape[0] as usize
    }

    /// Read-only, contiguous, 1-D buffer of 8-byte items.
    ///
    /// # Safety
    /// Called by the interpreter with a valid `view`; the column is frozen, so the vector never moves or changes
    /// while the view (which holds a reference to the column) lives.
    unsafe fn __getbuffer__(slf: Bound<'_, Self>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
        if view.is_null() {
            return Err(PyBufferError::new_err("a null view"));
        }
        if flags & ffi::PyBUF_WRITABLE == ffi::PyBUF_WRITABLE {
            return Err(PyBufferError::new_err("sprintlab columns are read-only"));
        }
        let col = slf.get();
        let (ptr, format) = col.ptr_and_format();
        // SAFETY: `view` is non-null and owned by the caller for the duration of this call; every pointer stored
        // in it points into `col`, which the view keeps alive through `obj`.
        unsafe {
            (*view).buf = ptr as *mut c_void;
            (*view).len = col.shape[0] * 8;
            (*view).readonly = 1;
            (*view).itemsize = 8;
            (*view).format = if flags & ffi::PyBUF_FORMAT == ffi::PyBUF_FORMAT {
                format.as_ptr() as *mut _
            } else {
                std::ptr::null_mut()
            };
            (*view).ndim = 1;
            (*view).shape = if flags & ffi::PyBUF_ND == ffi::PyBUF_ND {
                col.shape.as_ptr() as *mut _
            } else {
                std::ptr::null_mut()
            };
            (*view).strides = if flags & ffi::PyBUF_STRIDES == ffi::PyBUF_STRIDES {
                col.strides.as_ptr() as *mut _
            } else {
                std::ptr::null_mut()
            };
            (*view).suboffsets = std::ptr::null_mut();
            (*view).internal = std::ptr::null_mut();
            (*view).obj = slf.into_any().into_ptr();
        }
        Ok(())
    }

    /// Nothing to release: the view's reference to the column is dropped by the interpreter.
    ///
    /// # Safety
    /// Called by the interpreter with the view it got from `__getbuffer__`.
    unsafe fn __releasebuffer__(&self, _view: *mut ffi::Py_buffer) {}
}

/// A table as `(names, columns)`: every column a [`Column`] when all its fields are numbers (integers kept as
/// integers; an empty field is NaN in a float column), else a list of strings.
type Columns = (Vec<String>, Vec<Py<PyAny>>);

/// A numeric table (every field a float) as columns, without copying its vectors.
fn numeric_columns(py: Python<'_>, t: Table) -> PyResult<Columns> {
    let cols = t
        .cols
        .into_iter()
        .map(|c| Py::new(py, Column::new(ColumnData::F64(c))).map(Py::into_any))
        .collect::<PyResult<_>>()?;
    Ok((t.names, cols))
}

/// A column of text fields as the narrowest of int64, uint64, float64 (empty = NaN), else text.
fn typed_column(fields: Vec<String>) -> Result<ColumnData, Vec<String>> {
    if let Ok(v) = fields.iter().map(|s| s.parse::<i64>()).collect() {
        return Ok(ColumnData::I64(v));
    }
    if let Ok(v) = fields.iter().map(|s| s.parse::<u64>()).collect() {
        return Ok(ColumnData::U64(v));
    }
    let float = |s: &String| if s.is_empty() { Ok(f64::NAN) } else { s.parse::<f64>() };
    match fields.iter().map(float).collect() {
        Ok(v) if !fields.iter().all(String::is_empty) => Ok(ColumnData::F64(v)),
        _ => Err(fields),
    }
}

fn text_columns(py: Python<'_>, t: TextTable) -> PyResult<Columns> {
    let n = t.head.len();
    let mut fields: Vec<Vec<String>> = vec![Vec::with_capacity(t.rows.len()); n];
    for row in t.rows {
        for (j, f) in row.into_iter().enumerate() {
            fields[j].push(f);
        }
    }
    let cols = fields
        .into_iter()
        .map(|f| match typed_column(f) {
            Ok(data) => Py::new(py, Column::new(data)).map(Py::into_any),
            Err(text) => text.into_py_any(py),
        })
        .collect::<PyResult<_>>()?;
    Ok((t.head, cols))
}

/// Reads a CSV table of sprintlab's (a run folder's `timeseries.csv`, `steps.csv`, `history.csv`, a sweep's
/// `sweep.csv`, a study's tables) as `(names, columns)`. `numeric=True` demands a number in every field (the
/// time series' reader), else columns are typed one by one.
#[pyfunction]
#[pyo3(signature = (path, numeric=false))]
fn read_table(py: Python<'_>, path: PathBuf, numeric: bool) -> PyResult<Columns> {
    if numeric {
        let t = call(py, || Table::read(&path))?;
        numeric_columns(py, t)
    } else {
        let t = call(py, || TextTable::read(&path))?;
        text_columns(py, t)
    }
}

/// A scenario loaded and validated by the library (its model compiled); immutable.
#[pyclass(module = "sprintlab._native", frozen)]
struct Scenario {
    loaded: Arc<Loaded>,
}

/// Loads, validates and compiles a scenario file (and its model file). Raises `ScenarioError` with the file,
/// line, column and dotted path of the first problem.
#[pyfunction]
fn load(py: Python<'_>, path: PathBuf) -> PyResult<Scenario> {
    let loaded = call(py, || scenario::load(&path))?;
    Ok(Scenario {
        loaded: Arc::new(loaded),
    })
}

/// A value of `with_values` as a TOML literal: integers exactly (seeds), floats in shortest round-trip form.
enum Literal {
    Int(String),
    Float(f64),
}

fn literal(key: &str, v: &Bound<'_, PyAny>) -> PyResult<Literal> {
    if v.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "with_values: `{key}` must be a number; got a bool"
        )));
    }
    if v.is_instance_of::<PyInt>() {
        let i: i128 = v.extract()?;
        return Ok(Literal::Int(i.to_string()));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(Literal::Float(v.extract()?));
    }
    // NumPy scalars and other numbers: through `float()`.
    match v.call_method0("__float__").and_then(|f| f.extract::<f64>()) {
        Ok(x) => Ok(Literal::Float(x)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "with_values: `{key}` must be a number; got {}",
            v.get_type().name()?
        ))),
    }
}

/// Progress rows as a Python dict.
fn row_dict<'py>(py: Python<'py>, r: &HistoryRow, max_evals: usize) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("generation", r.generation)?;
    d.set_item("evaluations", r.evaluations)?;
    d.set_item("max_evals", max_evals)?;
    d.set_item("best", r.best)?;
    d.set_item("median", r.median)?;
    d.set_item("sigma", r.sigma)?;
    Ok(d)
}

#[pymethods]
impl Scenario {
    /// The scenario file (the base of relative model paths).
    #[getter]
    fn path(&self) -> String {
        self.loaded.path.display().to_string()
    }

    /// SHA-256 (hex) of the scenario's text (as in the run folder's manifest).
    #[getter]
    fn sha256(&self) -> &str {
        &self.loaded.sha256
    }

    /// The scenario text as written (free parameters still as `{ init, min, max, std }` ranges).
    #[getter]
    fn source(&self) -> &str {
        &self.loaded.source
    }

    /// The free parameters in document order: `(name, init, min, max, std)` (the parameter's own unit).
    #[getter]
    fn params(&self) -> Vec<(String, f64, f64, f64, f64)> {
        self.loaded
            .params
            .iter()
            .map(|p| (p.name.clone(), p.init, p.min, p.max, p.std))
            .collect()
    }

    /// The resolved scenario as the run folder's `scenario.toml` holds it (every default filled in).
    fn resolved_toml(&self, py: Python<'_>) -> PyResult<String> {
        let l = self.loaded.clone();
        call(py, move || sprintlab::export::resolved_scenario_toml(&l))
    }

    /// The same scenario with numbers set at dotted paths (`{"strength.push": 1.2, "run.seed": 7}`), written
    /// into the scenario's text where they stand (or inserted when not written) and loaded again with the same
    /// validation as a file: a bad path or value raises `ScenarioError`.
    fn with_values(&self, py: Python<'_>, values: &Bound<'_, PyDict>) -> PyResult<Scenario> {
        let mut edits = Vec::new();
        for (k, v) in values.iter() {
            let key: String = k
                .extract()
                .map_err(|_| PyTypeError::new_err("with_values: keys must be dotted paths (str)"))?;
            edits.push((key.clone(), literal(&key, &v)?));
        }
        let l = self.loaded.clone();
        let loaded = call(py, move || {
            let defaults = sprintlab::scenario::array_defaults(&l);
            let mut text = l.source.clone();
            for (key, value) in &edits {
                let bad = |m: String| scenario::invalid(&l.path, &text, key, m);
                let fp = FieldPath::parse(key).map_err(bad)?;
                let edited = match value {
                    Literal::Int(s) => set_literal(&text, &fp, s, &defaults),
                    Literal::Float(x) => set_number(&text, &fp, *x, &defaults),
                };
                text = edited.map_err(bad)?;
            }
            // Positions in the edited text would not match the file: locate the field in the file as written
            // (line 1, column 1 when it is not written there) and say where the bad value came from.
            scenario::load_text(&text, &l.path).map_err(|e| match e {
                Error::Invalid { location, path, msg } if location.file == l.path => {
                    let given = edits.iter().any(|(k, _)| *k == path);
                    let msg = if given {
                        format!("{msg} (given to with_values)")
                    } else {
                        msg
                    };
                    scenario::invalid(&l.path, &l.source, &path, msg)
                }
                e => e,
            })
        })?;
        Ok(Scenario {
            loaded: Arc::new(loaded),
        })
    }

    /// One rollout written as a new run folder at `out` (which must not exist), exactly as `sprintlab simulate
    /// SCENARIO --out OUT` writes it. Returns the folder.
    fn simulate(&self, py: Python<'_>, out: PathBuf) -> PyResult<String> {
        let l = self.loaded.clone();
        let (dir, _, _) = call(py, move || sprintlab::export::simulate(&l, &out))?;
        Ok(dir.display().to_string())
    }

    /// The points of the scenario's `[sweep]` plan as columns (`point`, `design`, `replicate`, one per varied
    /// path, `seed`), as `sprintlab sweep --plan` lists them.
    #[pyo3(signature = (max_points=10_000_000))]
    fn sweep_plan(&self, py: Python<'_>, max_points: u64) -> PyResult<Columns> {
        let l = self.loaded.clone();
        let plan = call(py, move || sprintlab::sweep::plan::plan(&l))?;
        if plan.points > max_points {
            return Err(PyValueError::new_err(format!(
                "the plan has {} points, more than max_points = {max_points}",
                plan.points
            )));
        }
        let n = plan.points as usize;
        let (mut index, mut design, mut replicate, mut seed) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let mut values = vec![Vec::with_capacity(n); plan.paths.len()];
        for i in 0..plan.points {
            let p = plan.point(i);
            index.push(p.index);
            design.push(p.design);
            replicate.push(p.replicate);
            seed.push(p.seed);
            for (col, v) in values.iter_mut().zip(&p.values) {
                col.push(*v);
            }
        }
        let mut cols = Vec::new();
        for c in [index, design, replicate] {
            cols.push(ColumnData::U64(c));
        }
        cols.extend(values.into_iter().map(ColumnData::F64));
        cols.push(ColumnData::U64(seed));
        let cols = cols
            .into_iter()
            .map(|c| Py::new(py, Column::new(c)).map(Py::into_any))
            .collect::<PyResult<_>>()?;
        Ok((plan.header(), cols))
    }

    /// Runs (or with `resume=True` continues) `sprintlab optimize` into `out` (default: a fresh folder under
    /// `results/`) on `threads` worker threads, with the GIL released. After every CMA-ES generation `progress`
    /// (if given) is called on this thread with a dict (`generation`, `evaluations`, `max_evals`, `best`,
    /// `median`, `sigma`); Ctrl-C (SIGINT) or an exception raised by `progress` stops the search after the
    /// generation in flight with its checkpoint written. Returns `(folder, best values by dotted path, the
    /// scenario with the best values)`.
    #[pyo3(signature = (out=None, *, max_evals=None, threads=None, seed=None, resume=false, progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn optimize(
        &self,
        py: Python<'_>,
        out: Option<PathBuf>,
        max_evals: Option<usize>,
        threads: Option<usize>,
        seed: Option<u64>,
        resume: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<(String, BTreeMap<String, f64>, Scenario)> {
        let interrupt = Interrupt::default();
        // Each generation's row goes to this thread. With a callback the search waits for it to return, so an
        // exception raised at generation k stops the search right after generation k.
        let (tx, rx) = mpsc::channel::<(HistoryRow, Option<mpsc::Sender<()>>)>();
        let wait = progress.is_some();
        let opts = OptimizeOptions {
            out,
            resume,
            seed,
            max_evals,
            interrupt: Some(interrupt.clone()),
            on_generation: Some(OnGeneration(Arc::new(move |row: &HistoryRow| {
                let (ack, done) = mpsc::channel();
                if tx.send((row.clone(), wait.then_some(ack))).is_ok() && wait {
                    let _ = done.recv();
                }
            }))),
        };
        let budget = max_evals.unwrap_or(self.loaded.scenario.optimize.max_evals);
        let l = self.loaded.clone();
        // The search runs on its own thread (inside its rayon pool); this thread, the caller's, delivers the
        // progress rows and watches for Ctrl-C, which Python only reports on the main thread.
        let worker = std::thread::spawn(move || {
            catch_unwind(AssertUnwindSafe(|| {
                sprintlab::sweep::with_threads(threads, || driver::run(&l, &opts))
            }))
        });
        let mut stop: Option<PyErr> = None;
        let mut rx = rx;
        loop {
            // The receiver is not `Sync`: it goes into the GIL-free closure and comes back.
            let (next, back) = py.detach(move || (rx.recv_timeout(Duration::from_millis(50)), rx));
            rx = back;
            match next {
                Ok((row, ack)) => {
                    if let (Some(cb), None) = (&progress, &stop) {
                        if let Err(e) = row_dict(py, &row, budget).and_then(|d| cb.call1(py, (d,))) {
                            stop = Some(e);
                            interrupt.set();
                        }
                    }
                    if let Some(ack) = ack {
                        let _ = ack.send(());
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if stop.is_none() {
                if let Err(e) = py.check_signals() {
                    stop = Some(e);
                    interrupt.set();
                }
            }
        }
        let result = py.detach(|| worker.join()).map_err(panic_error)?.map_err(panic_error)?;
        match (result, stop) {
            (Ok(o), None) => Ok((
                o.dir.display().to_string(),
                o.overlay,
                Scenario {
                    loaded: Arc::new(o.best),
                },
            )),
            // Ctrl-C: `Interrupted` (a KeyboardInterrupt) naming the folder, caused by the original.
            (Err(e @ Error::Interrupted { .. }), Some(cause)) if cause.is_instance_of::<PyKeyboardInterrupt>(py) => {
                let err = py_error(py, &e);
                err.set_cause(py, Some(cause));
                Err(err)
            }
            // The callback's own exception, after the checkpoint was written (or the run ended anyway).
            (_, Some(cause)) => Err(cause),
            (Err(e), None) => Err(py_error(py, &e)),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Scenario({:?}, {} free parameters)",
            self.loaded.path.display().to_string(),
            self.loaded.params.len()
        )
    }
}

/// Writes the figures, stride viewer and OpenSim files of a run or study folder from its files, as
/// `sprintlab figures DIR` does.
#[pyfunction]
fn figures(py: Python<'_>, dir: PathBuf) -> PyResult<()> {
    call(py, move || sprintlab::figures::figures_command(&dir, false))
}

/// `sprintlab plateau SWEEP_DIR`: the plateau experiment's `plateau.csv` and `plateau_summary.json` written into
/// a merged plateau sweep; returns the report the CLI prints.
#[pyfunction]
fn plateau(py: Python<'_>, sweep_dir: PathBuf) -> PyResult<String> {
    call(py, move || {
        let (_, findings) = sprintlab::study::plateau::plateau(&sweep_dir)?;
        Ok(sprintlab::study::plateau::report(&findings, &sweep_dir))
    })
}

/// Copies a run folder's files into a new folder `dst` (which must not exist), through the library's run-folder
/// writer: it appears whole or not at all.
#[pyfunction]
fn copy_run(py: Python<'_>, src: PathBuf, dst: PathBuf) -> PyResult<String> {
    call(py, move || {
        let folder = sprintlab::export::RunFolder::create(&dst)?;
        let entries = std::fs::read_dir(&src).map_err(|e| Error::io(&src, e))?;
        let mut names = Vec::new();
        for e in entries {
            let e = e.map_err(|e| Error::io(&src, e))?;
            if e.file_type().map_err(|err| Error::io(e.path(), err))?.is_file() {
                names.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        for n in names {
            let p = src.join(&n);
            folder.write(&n, &std::fs::read(&p).map_err(|e| Error::io(&p, e))?)?;
        }
        Ok(folder.commit()?.display().to_string())
    })
}

/// Panics inside a library call: for the test that a panic becomes `SprintlabError` and the interpreter lives on.
#[pyfunction]
fn _panic_for_test(py: Python<'_>) -> PyResult<()> {
    call(py, || -> Result<(), Error> { panic!("a test of the panic boundary") })
}

/// The library's version and the file names that make a folder a study folder.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("STUDY_TABLES", sprintlab::figures::STUDY_TABLES.to_vec())?;
    m.add("SprintlabError", py.get_type::<SprintlabError>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("Interrupted", py.get_type::<Interrupted>())?;
    m.add_class::<Scenario>()?;
    m.add_class::<Column>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(read_table, m)?)?;
    m.add_function(wrap_pyfunction!(figures, m)?)?;
    m.add_function(wrap_pyfunction!(plateau, m)?)?;
    m.add_function(wrap_pyfunction!(copy_run, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    Ok(())
}
