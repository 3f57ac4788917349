//! Sweep plans: grid, zip and Latin-hypercube designs, replicates, shards, the scenarios of points, and every
//! bad `[sweep]` section with its file:line:column and dotted path.

use std::collections::BTreeSet;
use std::path::PathBuf;

use sprintlab::scenario::{self, Loaded};
use sprintlab::sweep::plan::{self, latin_hypercube, Plan};
use sprintlab::sweep::resolve_shard;

const BASE: &str = "[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.2\n";

/// Writes `text` as a scenario file and loads it.
fn load(dir: &tempfile::TempDir, text: &str) -> (PathBuf, Result<Loaded, sprintlab::Error>) {
    let p = dir.path().join("s.toml");
    std::fs::write(&p, text).unwrap();
    let l = scenario::load(&p);
    (p, l)
}

fn plan_of(text: &str) -> (Loaded, Plan) {
    let dir = tempfile::tempdir().unwrap();
    let (_, l) = load(&dir, text);
    let l = l.unwrap_or_else(|e| panic!("{e}"));
    let p = plan::plan(&l).unwrap_or_else(|e| panic!("{e}"));
    (l, p)
}

fn values(p: &Plan) -> Vec<Vec<f64>> {
    (0..p.points).map(|i| p.point(i).values).collect()
}

#[test]
fn grid_is_the_cartesian_product_first_entry_slowest() {
    let text = format!(
        "{BASE}[sweep]\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = [0.5, 1.0]\n\
         [[sweep.vary]]\npath = \"athlete.mass_kg\"\nmin = 60\nmax = 90\nsteps = 3\n"
    );
    let (_, p) = plan_of(&text);
    assert_eq!(p.points, 6);
    assert_eq!(
        values(&p),
        vec![
            vec![0.5, 60.0],
            vec![0.5, 75.0],
            vec![0.5, 90.0],
            vec![1.0, 60.0],
            vec![1.0, 75.0],
            vec![1.0, 90.0]
        ]
    );
    assert_eq!(
        p.header(),
        [
            "point",
            "design",
            "replicate",
            "strength.push",
            "athlete.mass_kg",
            "seed"
        ]
    );
    assert_eq!(p.fields(&p.point(4)), ["4", "4", "0", "1.0", "75.0", "0"]);
    // A pure function of the index: any order, any number of times, same plan from a fresh load.
    let (_, again) = plan_of(&text);
    for i in [5, 0, 3, 3, 1] {
        assert_eq!(p.point(i), again.point(i));
    }
    assert_eq!(p.sha256(), again.sha256());
}

#[test]
fn log_steps_have_exact_ends_and_even_ratios() {
    let text = format!(
        "{BASE}[sweep]\n[[sweep.vary]]\npath = \"contact.stiffness\"\nmin = 1e5\nmax = 1e7\nsteps = 3\nscale = \"log\"\n"
    );
    let (_, p) = plan_of(&text);
    let v: Vec<f64> = values(&p).into_iter().map(|v| v[0]).collect();
    assert_eq!(v[0], 1e5);
    assert_eq!(v[2], 1e7);
    assert!((v[1] / 1e6 - 1.0).abs() < 1e-12, "{v:?}");
}

#[test]
fn zip_pairs_the_lists() {
    let text = format!(
        "{BASE}[sweep]\ndesign = \"zip\"\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = [0.5, 1.0, 1.5]\n\
         [[sweep.vary]]\npath = \"strength.swing\"\nvalues = [1.5, 1.0, 0.5]\n"
    );
    let (_, p) = plan_of(&text);
    assert_eq!(values(&p), vec![vec![0.5, 1.5], vec![1.0, 1.0], vec![1.5, 0.5]]);
}

#[test]
fn latin_hypercube_uses_every_stratum_once_and_depends_only_on_the_seed() {
    for (n, d, seed) in [(1, 1, 0), (7, 3, 1), (50, 4, 99), (200, 2, u64::MAX)] {
        let a = latin_hypercube(n, d, seed);
        assert_eq!(a, latin_hypercube(n, d, seed), "deterministic");
        assert_eq!(a.len(), d);
        for col in &a {
            assert_eq!(col.len(), n as usize);
            let strata: BTreeSet<u64> = col.iter().map(|&u| (u * n as f64).floor() as u64).collect();
            assert_eq!(strata.len(), n as usize, "each stratum exactly once");
            assert!(col.iter().all(|&u| (0.0..1.0).contains(&u)));
        }
        if n > 1 {
            assert_ne!(
                a,
                latin_hypercube(n, d, seed.wrapping_add(1)),
                "another seed, another design"
            );
        }
    }
    // Through a scenario: values inside [min, max], log scale included; seed from [sweep] or run.seed.
    let text = |seed: &str| {
        format!(
            "[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.2\nseed = 5\n[sweep]\ndesign = \"lhs\"\n\
             samples = 20\n{seed}[[sweep.vary]]\npath = \"strength.push\"\nmin = 0.5\nmax = 1.5\n\
             [[sweep.vary]]\npath = \"contact.stiffness\"\nmin = 1e5\nmax = 1e7\nscale = \"log\"\n"
        )
    };
    let (_, p) = plan_of(&text(""));
    assert_eq!(p.points, 20);
    for v in values(&p) {
        assert!((0.5..=1.5).contains(&v[0]) && (1e5..=1e7).contains(&v[1]), "{v:?}");
    }
    let logs: BTreeSet<u64> = values(&p)
        .iter()
        .map(|v| ((v[1] / 1e5).log10() / 2.0 * 20.0) as u64)
        .collect();
    assert_eq!(logs.len(), 20, "log strata");
    let (_, same) = plan_of(&text("seed = 5\n"));
    assert_eq!(values(&p), values(&same), "the master seed defaults to run.seed");
    let (_, other) = plan_of(&text("seed = 6\n"));
    assert_ne!(values(&p), values(&other));
    assert!(p.point(0).seed == 5 && other.point(0).seed == 6);
}

#[test]
fn replicates_set_run_seed() {
    let text = format!(
        "{BASE}[sweep]\nreplicates = 3\nseed = 10\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = [1, 2]\n"
    );
    let (l, p) = plan_of(&text);
    assert_eq!(p.points, 6);
    let pts: Vec<(u64, u64, u64)> = (0..6)
        .map(|i| p.point(i))
        .map(|q| (q.design, q.replicate, q.seed))
        .collect();
    assert_eq!(
        pts,
        [(0, 0, 10), (0, 1, 11), (0, 2, 12), (1, 0, 10), (1, 1, 11), (1, 2, 12)]
    );
    let s = plan::point_scenario(&l, &p, &p.point(5)).unwrap();
    assert_eq!((s.scenario.run.seed, s.scenario.strength.push), (12, 2.0));
    // Explicit seeds (u64 beyond 2^53 exactly), replicates only (no varied field).
    let text = format!("{BASE}[sweep]\nseeds = [7, 9007199254740993]\n");
    let (l, p) = plan_of(&text);
    assert_eq!(p.points, 2);
    let s = plan::point_scenario(&l, &p, &p.point(1)).unwrap();
    assert_eq!(s.scenario.run.seed, 9_007_199_254_740_993);
}

#[test]
fn shards_partition_the_points() {
    let text = format!("{BASE}[sweep]\n[[sweep.vary]]\npath = \"strength.push\"\nmin = 0\nmax = 2\nsteps = 11\n");
    let (_, p) = plan_of(&text);
    for n in [1, 2, 3, 4, 11, 12, 20] {
        let mut seen = BTreeSet::new();
        for k in 0..n {
            for i in p.shard(k, n) {
                assert_eq!(i % n, k, "strided");
                assert!(seen.insert(i), "point {i} in two shards of {n}");
            }
        }
        assert_eq!(seen, (0..11).collect(), "every point in a shard of {n}");
    }
}

#[test]
fn points_set_their_fields_written_or_not() {
    let text = "[strength]\nswing = 1.0\n[initial]\nangles = { knee_r = 0.2 }\n[controller]\nkind = \"constant-torque\"\n\
                [run]\nduration = 0.2\n[sweep]\ndesign = \"zip\"\n\
                vary = [\n  { path = \"strength.swing\", values = [2.0] },\n  { path = \"strength.push\", values = [3.0] },\n\
                  { path = \"athlete.mass_kg\", values = [90] },\n  { path = \"contact.stiffness\", values = [2e6] },\n\
                  { path = \"controller.torques.hip_flex_r\", values = [12.5] },\n  { path = \"initial.velocity[0]\", values = [-0.5] },\n\
                  { path = \"initial.angles.knee_l\", values = [0.3] },\n  { path = \"strength.groups.hip_ext\", values = [1.5] },\n\
                  { path = \"world.substeps\", values = [2] },\n]\n";
    let (l, p) = plan_of(text);
    let s = plan::point_scenario(&l, &p, &p.point(0)).unwrap();
    let sc = &s.scenario;
    assert_eq!(
        (sc.strength.swing, sc.strength.push, sc.athlete.mass_kg),
        (2.0, 3.0, 90.0)
    );
    assert_eq!(sc.contact.stiffness, 2e6);
    assert_eq!(sc.controller.torques.as_ref().unwrap()["hip_flex_r"], 12.5);
    assert_eq!(sc.initial.velocity, [-0.5, 0.0, 0.0]);
    assert_eq!((sc.initial.angles["knee_r"], sc.initial.angles["knee_l"]), (0.2, 0.3));
    assert_eq!((sc.strength.groups["hip_ext"], sc.world.substeps), (1.5, 2));
    assert!(
        (s.model.mass - 90.0).abs() < 1e-9,
        "the body is rebuilt for the mass: {}",
        s.model.mass
    );
    assert!(sc.sweep.is_none(), "a point is a plain scenario");
    assert_eq!(s.sha256, l.sha256, "a point keeps its scenario's identity");
}

#[test]
fn shard_arguments() {
    assert_eq!(resolve_shard(None, None, None).unwrap(), (0, 1));
    assert_eq!(resolve_shard(Some(2), Some(3), None).unwrap(), (2, 3));
    assert_eq!(resolve_shard(None, Some(3), Some("1")).unwrap(), (1, 3));
    assert_eq!(
        resolve_shard(Some(0), Some(3), Some("1")).unwrap(),
        (0, 3),
        "--shard wins"
    );
    let msg = |r: Result<(u64, u64), sprintlab::Error>| r.unwrap_err().to_string();
    assert!(msg(resolve_shard(Some(3), Some(3), None)).contains("must be < --shards = 3; got 3"));
    assert!(msg(resolve_shard(Some(0), Some(0), None)).contains("must be ≥ 1"));
    assert!(msg(resolve_shard(None, Some(2), None)).contains("give --shard K"));
    assert!(msg(resolve_shard(None, None, Some("4"))).contains("give --shards N explicitly"));
    assert!(msg(resolve_shard(None, Some(4), Some("x"))).contains("not a shard index"));
    assert!(msg(resolve_shard(None, Some(4), Some("4"))).contains("must be < --shards = 4; got 4"));
}

/// One bad `[sweep]` section: the error must say file:line:column, the dotted path and what is wrong.
struct Bad {
    sweep: &'static str,
    line: usize,
    column: usize,
    path: &'static str,
    says: &'static str,
}

const fn bad(sweep: &'static str, line: usize, column: usize, path: &'static str, says: &'static str) -> Bad {
    Bad {
        sweep,
        line,
        column,
        path,
        says,
    }
}

/// Lines 1–4 are [`BASE`]; the sweep starts on line 5.
#[rustfmt::skip]
const BAD: &[Bad] = &[
    bad("", 1, 1, "sweep", "no [sweep] section"),
    bad("[sweep]\n", 5, 1, "sweep", "empty plan"),
    bad("[sweep]\nreplicates = 1\n", 5, 1, "sweep", "empty plan"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"strength.pusj\"\nvalues = [1]\n", 7, 8, "sweep.vary[0].path", "unknown field `pusj`, expected one of `push`"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"stren gth\"\nvalues = [1]\n", 7, 8, "sweep.vary[0].path", "not a dotted path"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"controller.kind\"\nvalues = [1]\n", 7, 8, "sweep.vary[0].path", "is a string, not a number"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"world.gravity\"\nvalues = [1]\n", 8, 11, "sweep.vary[0].values[0]", "`world.gravity`: expected an array of length 3; got the integer 1"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"initial.velocity[3]\"\nvalues = [1]\n", 7, 8, "sweep.vary[0].path", "index 3 is out of range"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"strength.groups.hip_extt\"\nvalues = [1]\n", 7, 8, "sweep.vary[0].path", "unknown muscle group"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"controller.torques.hip_flex_r\"\nvalues = [1]\n", 7, 8, "sweep.vary[0].path", "not used by kind = \"hold-posture\""),
    bad("[sweep]\n[[sweep.vary]]\npath = \"run.seed\"\nvalues = [1]\n", 7, 8, "sweep.vary[0].path", "use sweep.replicates or sweep.seeds"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"sweep.seed\"\nvalues = [1]\n", 7, 8, "sweep.vary[0].path", "cannot vary its own [sweep] section"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = [1]\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = [2]\n", 10, 8, "sweep.vary[1].path", "already varied by sweep.vary[0]"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"athlete.mass_kg\"\nvalues = [70, 250]\n", 8, 15, "sweep.vary[0].values[1]", "must be a number in [30, 200] kg; got 250"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"world.dt\"\nmin = 0.001\nmax = 0.02\nsteps = 2\n", 9, 7, "sweep.vary[0].max", "must be a number in (0, 0.01] s"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = []\n", 8, 10, "sweep.vary[0].values", "empty list"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = [1, nan]\n", 8, 14, "sweep.vary[0].values[1]", "must be a finite number"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"strength.push\"\n", 6, 1, "sweep.vary[0]", "needs `values = [...]`, or `min`, `max` and `steps`"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = [1]\nsteps = 3\n", 9, 9, "sweep.vary[0].steps", "not both"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"strength.push\"\nmin = 1\nmax = 1\nsteps = 3\n", 9, 7, "sweep.vary[0].max", "must be > min = 1"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"strength.push\"\nmin = 0\nmax = 1\nsteps = 1\n", 10, 9, "sweep.vary[0].steps", "must be an integer in [2,"),
    bad("[sweep]\n[[sweep.vary]]\npath = \"strength.push\"\nmin = 0\nmax = 1\nsteps = 3\nscale = \"log\"\n", 8, 7, "sweep.vary[0].min", "needs min > 0"),
    bad("[sweep]\ndesign = \"zip\"\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = [1, 2]\n[[sweep.vary]]\npath = \"strength.swing\"\nvalues = [1, 2, 3]\n", 10, 1, "sweep.vary[1]", "same number of values: sweep.vary[0] (`strength.push`) has 2, this one (`strength.swing`) has 3"),
    bad("[sweep]\ndesign = \"lhs\"\n[[sweep.vary]]\npath = \"strength.push\"\nmin = 0\nmax = 1\n", 5, 1, "sweep", "needs `samples`"),
    bad("[sweep]\ndesign = \"lhs\"\nsamples = 0\n[[sweep.vary]]\npath = \"strength.push\"\nmin = 0\nmax = 1\n", 7, 11, "sweep.samples", "must be an integer in [1,"),
    bad("[sweep]\ndesign = \"lhs\"\nsamples = 4\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = [1]\nmin = 0\nmax = 1\n", 10, 10, "sweep.vary[0].values", "not used by design = \"lhs\""),
    bad("[sweep]\ndesign = \"lhs\"\nsamples = 4\n[[sweep.vary]]\npath = \"strength.push\"\nmin = 0\n", 8, 1, "sweep.vary[0]", "needs both `min` and `max`"),
    bad("[sweep]\nsamples = 4\n[[sweep.vary]]\npath = \"strength.push\"\nvalues = [1]\n", 6, 11, "sweep.samples", "only for design = \"lhs\""),
    bad("[sweep]\nreplicates = 0\n", 6, 14, "sweep.replicates", "must be an integer in [1,"),
    bad("[sweep]\nreplicates = 2\nseeds = [1, 2]\n", 7, 9, "sweep.seeds", "not both"),
    bad("[sweep]\nseeds = [1, 1]\n", 6, 13, "sweep.seeds[1]", "listed twice"),
    bad("[sweep]\nseeds = []\n", 6, 9, "sweep.seeds", "at least one seed"),
    bad("[sweep]\ntask = \"optimize\"\nreplicates = 2\n", 6, 8, "sweep.task", "needs free parameters"),
    bad("[sweep]\ndesign = \"random\"\n", 6, 10, "sweep.design", "unknown variant `random`, expected one of `grid`, `zip`, `lhs`"),
    bad("[sweep]\n[[sweep.vary]]\npth = \"x\"\n", 7, 1, "sweep.vary[0].pth", "unknown field `pth`"),
    bad("[sweep]\nreplicates = -1\n", 6, 14, "sweep.replicates", "expected a whole number ≥ 0; got the integer -1"),
];

#[test]
fn bad_sweep_sections_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for b in BAD {
        let text = format!("{BASE}{}", b.sweep);
        let (path, l) = load(&dir, &text);
        let e = match l {
            Ok(l) => plan::plan(&l).expect_err(b.sweep),
            Err(e) => e,
        };
        let want = format!("{}:{}:{}: `{}`: ", path.display(), b.line, b.column, b.path);
        let got = e.to_string();
        if !got.starts_with(&want) || !got.contains(b.says) {
            failures.push(format!("for\n{}want `{want}…{}…`\ngot  `{got}`", b.sweep, b.says));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_shipped_sweep_scenario_plans() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweep_drop.toml");
    let l = scenario::load(&path).unwrap();
    let p = plan::plan(&l).unwrap();
    assert_eq!(p.points, 12);
    assert_eq!(p.point(4).values, [0.5, 5e5], "log steps land on round numbers");
}
