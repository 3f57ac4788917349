#!/usr/bin/env bash
# A real Slurm test: installs Debian's Slurm and munge, starts a single-node cluster on 127.0.0.1, submits the job
# array that `sprintlab slurm` prints for a small sweep (6 points, 3 shards), waits for it and its merge job, and
# checks that the merged sweep.csv is byte-identical to
#   - the same sweep run locally in one process (2 threads), and
#   - the same sweep run locally as 3 shards (1 thread each), one of them killed with SIGKILL mid-way and resumed.
# Every daemon it starts is stopped on exit (trap); any failure prints the logs and exits non-zero.
#
# Needs root (apt-get, daemons) on Debian 12 or similar. Run from anywhere: tests/slurm/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
T0=$(date +%s)
say() { echo "slurm-test: $*"; }
die() { echo "slurm-test: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (installs packages and starts slurmctld, slurmd, munged)"

cargo build --release --quiet --bin sprintlab
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/sprintlab
[ -x "$BIN" ] || die "no $BIN"

# --- Packages -------------------------------------------------------------------------------------------------
if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
  && command -v munged >/dev/null; then
  say "slurmctld, slurmd, slurm-client and munge already installed"
else
  say "installing slurmctld slurmd slurm-client munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

# --- Everything this script starts lives here and is stopped on exit ------------------------------------------
WORK=$(mktemp -d /tmp/sprintlab-slurm.XXXXXX)
export SLURM_CONF=$WORK/slurm.conf
STARTED_MUNGED=""
ARRAY=""
MERGE=""
cleanup() {
  local rc=$?
  set +e
  if [ -n "$ARRAY$MERGE" ] && [ -f "$WORK/slurmctld.pid" ]; then
    scancel ${ARRAY:+"$ARRAY"} ${MERGE:+"$MERGE"} 2>/dev/null
  fi
  for d in slurmd slurmctld; do
    if [ -f "$WORK/$d.pid" ]; then
      pid=$(cat "$WORK/$d.pid")
      kill "$pid" 2>/dev/null
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    fi
  done
  if [ -n "$STARTED_MUNGED" ]; then
    kill "$STARTED_MUNGED" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$STARTED_MUNGED" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ "$rc" != 0 ]; then
    echo "slurm-test: FAILED (exit $rc); logs in $WORK:" >&2
    for f in "$WORK"/log/slurmctld.log "$WORK"/log/slurmd.log "$WORK"/slurm-out/logs/*; do
      [ -f "$f" ] && { echo "----- $f" >&2; tail -n 30 "$f" >&2; }
    done
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; then
  die "a slurmctld or slurmd is already running on this machine; this script does not touch it"
fi

# --- munge ----------------------------------------------------------------------------------------------------
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  say "using the munged that is already running"
else
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
  fi
  rm -f /run/munge/munged.pid
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
  STARTED_MUNGED=$(cat /run/munge/munged.pid)
  munge -n | unmunge >/dev/null || die "munge authentication does not work"
fi

# --- A single-node cluster on 127.0.0.1 -------------------------------------------------------------------------
H=$(hostname -s)
MEM=$(( $(awk '/MemTotal/{print int($2/1024)}' /proc/meminfo) - 512 ))
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/log"
cat > "$SLURM_CONF" <<EOF
ClusterName=sprintlab-ci
SlurmctldHost=${H}(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/builtin
SchedulerParameters=sched_min_interval=0,batch_sched_delay=0,sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=${H} NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=${MEM} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld
slurmd
for i in $(seq 60); do
  sinfo -h -o %T 2>/dev/null | grep -q idle && break
  [ "$i" = 60 ] && die "the node did not become idle within 30 s"
  sleep 0.5
done
say "cluster up ($(sinfo -h -o '%N %T %c CPUs'), slurm $(sinfo -V | awk '{print $2}')) after $(( $(date +%s) - T0 )) s"

# --- The sweep ----------------------------------------------------------------------------------------------------
SC=$WORK/drop.toml
cat > "$SC" <<'EOF'
# 6 points: the default athlete dropped from 0 or 3 cm, holding its posture with three push strengths (1 s).
[initial]
angles = { knee_r = 0.2, knee_l = 0.2, hip_flex_r = 0.1, hip_flex_l = 0.1, ankle_r = 0.1, ankle_l = 0.1 }
[controller]
kind = "hold-posture"
[run]
duration = 1.0
sample_every = 0.01
[sweep]
[[sweep.vary]]
path = "initial.drop_height"
values = [0.0, 0.03]
[[sweep.vary]]
path = "strength.push"
values = [0.0, 0.6, 1.0]
EOF
"$BIN" sweep "$SC" --plan

# 1. On Slurm: the printed script, run with bash, submits the array and the merge after it.
"$BIN" slurm "$SC" --shards 3 --out "$WORK/slurm-out" --time 10 --partition debug > "$WORK/job.sh"
SUBMITTED=$(bash "$WORK/job.sh")
echo "$SUBMITTED"
ARRAY=$(echo "$SUBMITTED" | sed -n 's/^submitted job array \([0-9]*\) .*/\1/p')
MERGE=$(echo "$SUBMITTED" | sed -n 's/.*and merge job \([0-9]*\);.*/\1/p')
[ -n "$ARRAY" ] && [ -n "$MERGE" ] || die "could not read the job ids from: $SUBMITTED"
for i in $(seq 300); do
  [ -z "$(squeue -h -j "$ARRAY,$MERGE" 2>/dev/null)" ] && break
  [ "$i" = 300 ] && { squeue; die "the jobs did not finish within 150 s"; }
  sleep 0.5
done
say "array $ARRAY and merge $MERGE done after $(( $(date +%s) - T0 )) s"
for k in 0 1 2; do
  log=$WORK/slurm-out/logs/${ARRAY}_$k.out
  [ -f "$log" ] || die "no log $log"
  grep -q "shard $k of 3: 2 points (0 done before, 2 run now" "$log" || { cat "$log"; die "task $k did not run its 2 points"; }
  grep -q "\"array_task_id\": \"$k\"" "$WORK/slurm-out/shard-000$k-of-0003.json" || die "task $k: no Slurm ids in the provenance"
done
# The tasks ran the binary's copy made at submission, recorded with its SHA-256.
cmp -s "$BIN" "$WORK/slurm-out/bin/sprintlab" || die "no copy of the binary in the output folder"
(cd "$WORK/slurm-out/bin" && sha256sum -c --quiet sprintlab.sha256) || die "the binary's recorded SHA-256 does not match"
MLOG=$(ls "$WORK"/slurm-out/logs/merge_*.out)
grep -q "merged 6 points from 3 shard file(s)" "$MLOG" || { cat "$MLOG"; die "the merge job did not merge"; }
# Merging again by hand gives the same file.
cp "$WORK/slurm-out/sweep.csv" "$WORK/slurm-merge-job.csv"
"$BIN" merge "$WORK/slurm-out"
cmp "$WORK/slurm-out/sweep.csv" "$WORK/slurm-merge-job.csv" || die "merging again changed sweep.csv"

# 2. Locally, one process, 2 threads.
RAYON_NUM_THREADS=2 "$BIN" sweep "$SC" --out "$WORK/local-one" 2>/dev/null
"$BIN" merge "$WORK/local-one"

# 3. Locally, 3 shards of 1 thread; shard 1 killed with SIGKILL after its first point, then resumed.
for k in 0 2; do RAYON_NUM_THREADS=1 "$BIN" sweep "$SC" --out "$WORK/local-three" --shard $k --shards 3 2>/dev/null; done
RAYON_NUM_THREADS=1 "$BIN" sweep "$SC" --out "$WORK/local-three" --shard 1 --shards 3 2>/dev/null &
PID=$!
CSV=$WORK/local-three/shard-0001-of-0003.csv
for i in $(seq 3000); do
  [ -f "$CSV" ] && [ "$(wc -l < "$CSV")" -ge 2 ] && break
  [ "$i" = 3000 ] && die "shard 1 wrote no row within 30 s"
  sleep 0.01
done
kill -9 "$PID"
wait "$PID" 2>/dev/null || true
ROWS=$(( $(wc -l < "$CSV") - 1 ))
[ "$ROWS" -lt 2 ] || die "the kill came too late: shard 1 had finished ($ROWS rows)"
if "$BIN" merge "$WORK/local-three" 2>"$WORK/merge-missing.err"; then die "merge succeeded with a point missing"; fi
grep -q "1 of 6 points missing" "$WORK/merge-missing.err" || { cat "$WORK/merge-missing.err"; die "merge did not list the missing point"; }
say "shard 1 killed with $ROWS of 2 rows written; merge refused and listed the missing point"
RAYON_NUM_THREADS=1 "$BIN" sweep "$SC" --out "$WORK/local-three" --shard 1 --shards 3 2>/dev/null
"$BIN" merge "$WORK/local-three"

# --- The same bytes everywhere -----------------------------------------------------------------------------------
cmp "$WORK/slurm-out/sweep.csv" "$WORK/local-one/sweep.csv" || die "Slurm and one local process differ"
cmp "$WORK/slurm-out/sweep.csv" "$WORK/local-three/sweep.csv" || die "Slurm and 3 local shards (killed, resumed) differ"
[ "$(wc -l < "$WORK/slurm-out/sweep.csv")" = 7 ] || die "sweep.csv should have 6 rows"
say "sweep.csv byte-identical: Slurm array (3 tasks) = 1 local process = 3 local shards with a kill -9 and resume"
say "sha256 $(sha256sum "$WORK/slurm-out/sweep.csv" | cut -c1-16)…, statuses: $(cut -d, -f7 "$WORK/slurm-out/sweep.csv" | tail -n +2 | sort | uniq -c | tr -s ' ' | paste -sd, -)"
say "passed in $(( $(date +%s) - T0 )) s"
