#!/usr/bin/env bash
# A real SLURM run of the demo build, on this machine:
#   1. starts a single-node SLURM cluster from Debian's slurm-wlm and munge packages (installed
#      with apt-get when missing; needs root): one partition `local` with every core of the machine,
#      its own config and state under $SLURM_DIR (default /tmp/slurm-local), nothing in /etc/slurm;
#   2. builds the demo twice from clean copies of this checkout: once locally (`snakemake --cores 2`)
#      and once through `--profile profiles/slurm`, timing both;
#   3. compares every output's sha256 (reports/, data/processed/, data/raw/demo/) between the two.
# Exit status 0 only when both builds succeed and every output is identical.
#
#   sudo tools/slurm_cluster.sh            # run, then stop the cluster
#   sudo tools/slurm_cluster.sh --keep     # leave slurmctld/slurmd/munged running afterwards
#   sudo tools/slurm_cluster.sh --stop     # stop a cluster left running
#
# Run by hand (minutes, root, system packages): CI does not run it. The measured result is in
# profiles/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
SLURM_DIR=${SLURM_DIR:-/tmp/slurm-local}
export SLURM_CONF=$SLURM_DIR/slurm.conf
keep=false

say() { printf '[slurm_cluster] %s\n' "$*" >&2; }

stop_cluster() {
  for d in slurmd slurmctld; do
    if [ -f "$SLURM_DIR/$d.pid" ]; then
      kill "$(cat "$SLURM_DIR/$d.pid")" 2>/dev/null || true
      rm -f "$SLURM_DIR/$d.pid"
    fi
  done
  if [ -L /etc/slurm/slurm.conf ] && [ "$(readlink /etc/slurm/slurm.conf)" = "$SLURM_CONF" ]; then
    rm -f /etc/slurm/slurm.conf
  fi
  if [ -f "$SLURM_DIR/munged.pid" ]; then
    kill "$(cat "$SLURM_DIR/munged.pid")" 2>/dev/null || true
    rm -f "$SLURM_DIR/munged.pid"
  fi
}

case "${1:-}" in
  --stop) stop_cluster; say "stopped"; exit 0 ;;
  --keep) keep=true ;;
  "") ;;
  *) echo "usage: sudo tools/slurm_cluster.sh [--keep | --stop]" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "tools/slurm_cluster.sh starts system daemons: run it as root" >&2; exit 2; }

# --- 1. packages -----------------------------------------------------------------------------
missing=()
for p in slurmctld slurmd slurm-client munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. munge (authentication between the SLURM daemons and clients) ---------------------------
mkdir -p "$SLURM_DIR"/{state,spool,log} /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
  say "creating /etc/munge/munge.key"
  mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
fi
if ! munge -n >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --pid-file="$SLURM_DIR/munged.pid.tmp" --force
  sleep 1
  cp "$SLURM_DIR/munged.pid.tmp" "$SLURM_DIR/munged.pid" 2>/dev/null || pgrep -n munged > "$SLURM_DIR/munged.pid"
fi
munge -n | unmunge >/dev/null

# --- 3. one-node cluster ---------------------------------------------------------------------
node=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
cat > "$SLURM_CONF" <<EOF
# Written by tools/slurm_cluster.sh: a single-node cluster for testing the SLURM profile.
ClusterName=local
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
# finished jobs stay visible to squeue for 10 minutes (the executor plugin's status queries)
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
# srun inside a job step finds no SLURM_CONF: give the default location a link when it is free
if [ ! -e /etc/slurm/slurm.conf ]; then
  mkdir -p /etc/slurm
  ln -s "$SLURM_CONF" /etc/slurm/slurm.conf
fi
if ! scontrol ping 2>/dev/null | grep -q UP; then
  say "starting slurmctld and slurmd ($cpus CPUs, $mem MB on $node)"
  /usr/sbin/slurmctld -f "$SLURM_CONF"
  /usr/sbin/slurmd -f "$SLURM_CONF"
fi
for _ in $(seq 60); do
  sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
  scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
  sleep 1
done
sinfo -h -o %t | grep -qE '^(idle|mix|alloc)' || { sinfo; echo "the node did not come up: $SLURM_DIR/log" >&2; exit 1; }
$keep || trap stop_cluster EXIT
say "cluster up: $(sinfo -h -o '%P %D %c %t')"

# --- 4. the environment with the executor plugin (the optional `cluster` extra) ----------------
./run.sh env --profile profiles/slurm

# --- 5. a local and a SLURM build from clean copies, then every output compared ----------------
work=$(mktemp -d /tmp/slurm-build.XXXXXX)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1638316800} SBATCH_ACCOUNT=local SBATCH_PARTITION=local
"$here/.venv/bin/python" - "$here" "$work" <<'EOF'
import subprocess, sys, time
from pathlib import Path

here, work = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(here / "tools"))
from double_build import clean_copy, compare, digests

runs = {
    "local": ["--cores", "2"],
    # this cluster has no accounting database, so the plugin asks squeue, not sacct, for job states
    "slurm": ["--profile", "profiles/slurm", "--slurm-status-command", "squeue"],
}
sums, wall = {}, {}
for name, args in runs.items():
    main = clean_copy(work / name)
    (main / ".venv").symlink_to(here / ".venv", target_is_directory=True)
    t0 = time.monotonic()
    with open(work / f"{name}.log", "w") as log:
        rc = subprocess.run([str(main / ".venv/bin/snakemake"), *args], cwd=main, stdout=log, stderr=subprocess.STDOUT).returncode
    wall[name] = time.monotonic() - t0
    print(f"{name} build: exit {rc}, {wall[name]:.1f} s wall (log {work / f'{name}.log'})")
    if rc:
        sys.exit(rc)
    sums[name] = digests(main)
problems = compare(sums["local"], sums["slurm"])
print(f"{len(sums['local'])} outputs compared (sha256): {len(problems)} differ")
for p in problems:
    print("  " + p)
print(f"cluster overhead: {wall['slurm'] - wall['local']:+.1f} s ({wall['slurm'] / wall['local']:.1f}x the local build)")
sys.exit(1 if problems else 0)
EOF
