//! `sprintlab slurm`: an sbatch script running a sweep as a Slurm job array (one array task per shard), and the
//! merge after it.

use std::path::{Path, PathBuf};

use super::plan::{usage, Plan};
use crate::error::Error;

/// Options of the generated job array: the `sprintlab slurm` command line (flattened into it by clap; the field
/// docs are its `--help` text). Time limits are in Slurm's format (`MM`, `HH:MM:SS`, `D-HH:MM`, …), memory in
/// Slurm's (`4G`, `500M`, …); the merge job reads the shard files only, so minutes are plenty for it.
#[derive(Debug, Clone, clap::Args)]
pub struct SlurmOptions {
    /// Number of shards = array tasks.
    #[arg(long)]
    pub shards: u64,
    /// The sweep's output folder (absolute in the script).
    #[arg(long)]
    pub out: PathBuf,
    /// CPUs per array task (its shard's threads).
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: u32,
    /// Time limit per array task (Slurm format).
    #[arg(long, default_value = "01:00:00")]
    pub time: String,
    /// Partition (default: the cluster's default).
    #[arg(long)]
    pub partition: Option<String>,
    /// Job name (default: sprintlab-<scenario stem>).
    #[arg(long)]
    pub job_name: Option<String>,
    /// Account to charge (#SBATCH --account), if the cluster requires one.
    #[arg(long)]
    pub account: Option<String>,
    /// Memory per array task (#SBATCH --mem: 4G, 500M, …).
    #[arg(long)]
    pub mem: Option<String>,
    /// Time limit of the merge job (Slurm format).
    #[arg(long, default_value = "00:15:00")]
    pub merge_time: String,
    /// Another #SBATCH option for the array, passed through as written (repeatable): --sbatch=--qos=long
    #[arg(long, allow_hyphen_values = true)]
    pub sbatch: Vec<String>,
}

/// Quotes a string for POSIX sh.
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn absolute(p: &Path) -> Result<PathBuf, Error> {
    std::path::absolute(p).map_err(|e| Error::io(p, e))
}

/// Whether `t` has the shape of a Slurm time limit (`MM`, `HH:MM:SS`, `D-HH:MM`, …).
fn is_time(t: &str) -> bool {
    !t.is_empty()
        && t.chars().all(|c| c.is_ascii_digit() || c == ':' || c == '-')
        && t.starts_with(|c: char| c.is_ascii_digit())
}

/// The script. `binary` is the sprintlab executable the tasks run; `scenario` the scenario file.
pub fn script(scenario: &Path, plan: &Plan, binary: &Path, o: &SlurmOptions) -> Result<String, Error> {
    if o.shards == 0 {
        return Err(usage("--shards", "must be ≥ 1"));
    }
    if o.cpus_per_task == 0 {
        return Err(usage("--cpus-per-task", "must be ≥ 1"));
    }
    if plan.points < o.shards {
        return Err(usage(
            "--shards",
            format!(
                "must be ≤ the plan's {} point(s): {} shards would leave {} array task(s) with nothing to do",
                plan.points,
                o.shards,
                o.shards - plan.points
            ),
        ));
    }
    for (flag, t) in [("--time", &o.time), ("--merge-time", &o.merge_time)] {
        if !is_time(t) {
            return Err(usage(
                flag,
                format!("`{t}` is not a Slurm time limit (minutes, HH:MM:SS, D-HH:MM, …)"),
            ));
        }
    }
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c));
    for (flag, v, what) in [
        ("--partition", &o.partition, "a partition"),
        ("--account", &o.account, "an account"),
    ] {
        if let Some(p) = v {
            if !plain(p) {
                return Err(usage(flag, format!("`{p}` is not {what} name")));
            }
        }
    }
    if let Some(m) = &o.mem {
        let digits = m.trim_end_matches(['K', 'M', 'G', 'T']);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || m.len() - digits.len() > 1 {
            return Err(usage(
                "--mem",
                format!("`{m}` is not a Slurm memory size (e.g. 4G, 500M)"),
            ));
        }
    }
    for extra in &o.sbatch {
        // One option per #SBATCH line; a newline would smuggle shell lines into the script.
        let ok = extra.starts_with('-') && !extra.contains(['\n', '\r']);
        if !ok {
            return Err(usage(
                "--sbatch",
                format!("`{extra}` is not one sbatch option (e.g. --qos=long)"),
            ));
        }
    }
    let scenario = absolute(scenario)?;
    let out = absolute(&o.out)?;
    let binary = absolute(binary)?;
    let out_s = out.to_string_lossy().into_owned();
    // #SBATCH lines are not parsed by a shell, and Slurm expands `%` in file names.
    if out_s.contains(|c: char| c.is_whitespace() || c == '%' || c == '\'' || c == '"') {
        return Err(usage(
            &out,
            "the output folder of a Slurm sweep must not contain spaces, quotes or `%` (it goes into #SBATCH \
             --output)",
        ));
    }
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    let default_name = format!(
        "sprintlab-{}",
        stem.chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            })
            .collect::<String>()
    );
    let name = o.job_name.clone().unwrap_or(default_name);
    if !plain(&name) {
        return Err(usage("--job-name", format!("`{name}` is not a plain job name")));
    }
    let n = o.shards;
    let partition_line = o
        .partition
        .as_ref()
        .map(|p| format!("#SBATCH --partition={p}\n"))
        .unwrap_or_default();
    let mut extra_lines = String::new();
    for (flag, v) in [("account", &o.account), ("mem", &o.mem)] {
        if let Some(v) = v {
            extra_lines.push_str(&format!("#SBATCH --{flag}={v}\n"));
        }
    }
    for extra in &o.sbatch {
        extra_lines.push_str(&format!("#SBATCH {}\n", extra.trim()));
    }
    let mut merge_args = String::new();
    for (flag, v) in [("partition", &o.partition), ("account", &o.account)] {
        if let Some(v) = v {
            merge_args.push_str(&format!(" --{flag}={v}"));
        }
    }
    let merge_cmd = format!("{}/bin/sprintlab merge {}", sh_quote(&out_s), sh_quote(&out_s));
    let per_shard = plan.points.div_ceil(n);
    Ok(format!(
        r#"#!/bin/bash
# sprintlab sweep as a Slurm job array: {describe}
# {n} shards (array tasks 0-{last}); shard K runs points K, K+{n}, K+{two_n}, … (≤ {per_shard} points each),
# {cpus} CPU(s) per task. Generated by sprintlab {version} ({git}) from {bin_q}.
#
# Submit with bash, not sbatch:                bash THIS_SCRIPT
#   It creates {out_q}/logs/, copies the sprintlab binary to {out_q}/bin/sprintlab (with its SHA-256
#   beside it; the tasks and the merge run that copy, so rebuilding sprintlab during the sweep changes nothing
#   under them), then submits the array and, after it, the merge.
# A task that failed or was killed is resubmitted alone and resumes (finished points are kept):
#                                              sbatch --array=K THIS_SCRIPT
# The merge by hand, once every task has ended: {merge_cmd}
# Logs: {out_q}/logs/<array job>_<task>.out; results: {out_q}/sweep.csv after the merge.
#SBATCH --job-name={name}
#SBATCH --array=0-{last}
#SBATCH --ntasks=1
#SBATCH --cpus-per-task={cpus}
#SBATCH --time={time}
{partition_line}{extra_lines}#SBATCH --output={out_s}/logs/%A_%a.out
set -euo pipefail
SPRINTLAB={bin_q}
SCENARIO={scenario_q}
OUT={out_q}
SHARDS={n}
if [ -z "${{SLURM_ARRAY_TASK_ID:-}}" ]; then
  # Run with bash, not as a job: the logs folder, the binary's copy, then the array and the merge once every task
  # has ended (afterany, so that the merge runs and lists the missing points if a task failed).
  mkdir -p "$OUT/logs" "$OUT/bin"
  if [ -e "$OUT/bin/sprintlab" ]; then
    if ! cmp -s "$SPRINTLAB" "$OUT/bin/sprintlab"; then
      echo "note: $OUT/bin/sprintlab, copied when this sweep was first submitted, differs from $SPRINTLAB;" \
        "the sweep keeps its copy so that its points come from one binary (use a new output folder for the new build)" >&2
    fi
  else
    cp "$SPRINTLAB" "$OUT/bin/.sprintlab.$$"
    mv "$OUT/bin/.sprintlab.$$" "$OUT/bin/sprintlab"
    (cd "$OUT/bin" && sha256sum sprintlab > sprintlab.sha256)
  fi
  array=$(sbatch --parsable "$0")
  array=${{array%%;*}}
  merge=$(sbatch --parsable --job-name={name}-merge --dependency=afterany:"$array" --ntasks=1 --cpus-per-task=1 \
    --time={merge_time}{merge_args} --output="$OUT/logs/merge_%j.out" --wrap={merge_wrap})
  echo "submitted job array $array (shards 0-{last}) and merge job ${{merge%%;*}}; results: $OUT/sweep.csv"
  exit 0
fi
if [ ! -x "$OUT/bin/sprintlab" ]; then
  echo "error: $OUT/bin/sprintlab is missing: submit the sweep with \`bash THIS_SCRIPT\`, which copies the binary there" >&2
  exit 1
fi
export RAYON_NUM_THREADS="${{SLURM_CPUS_PER_TASK:-1}}"
echo "shard $SLURM_ARRAY_TASK_ID of $SHARDS on $(hostname) with $RAYON_NUM_THREADS thread(s)"
exec "$OUT/bin/sprintlab" sweep "$SCENARIO" --out "$OUT" --shards "$SHARDS"
"#,
        describe = plan.describe(),
        last = n - 1,
        two_n = 2 * n,
        cpus = o.cpus_per_task,
        time = o.time,
        merge_time = o.merge_time,
        version = env!("CARGO_PKG_VERSION"),
        git = env!("SPRINTLAB_GIT"),
        out_q = sh_quote(&out_s),
        bin_q = sh_quote(&binary.to_string_lossy()),
        scenario_q = sh_quote(&scenario.to_string_lossy()),
        merge_wrap = sh_quote(&merge_cmd),
    ))
}

#[cfg(test)]
mod tests {
    use super::sh_quote;

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("/a/b-c.toml"), "/a/b-c.toml");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote(""), "''");
    }
}
