#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine with python3:
#   ./run.sh report   set up (first time only) and build reports/report.pdf from the demo defaults
#   ./run.sh test     set up (first time only) and run the test suite
# Extra arguments after `report` go to snakemake (e.g. ./run.sh report --configfile my.yaml).
set -euo pipefail
cd "$(dirname "$0")"

UV_VERSION=0.13.9
APT_REPORT=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
APT_TEST=(poppler-utils r-base-core r-cran-survey)

say() { printf '[run.sh] %s\n' "$*" >&2; }

ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_python_env() {
  # The environment is rebuilt only when uv.lock changes (a stamp records the lock's hash and
  # the install options). Bytecode is compiled at install time: with PYTHONDONTWRITEBYTECODE
  # set (as on these machines) every job would otherwise recompile pandas, matplotlib and
  # Snakemake itself from source, about 1 s per job and 2 s of every Snakemake start.
  local stamp=.venv/.lock-sha256 want
  want="$(sha256sum uv.lock | cut -d' ' -f1) compile-bytecode"
  if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  if [ ! -x .tools/bin/uv ]; then
    say "installing uv $UV_VERSION into .tools/"
    python3 -m venv .tools 2>/dev/null || { ensure_apt python3-venv; python3 -m venv .tools; }
    .tools/bin/python -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
  fi
  say "creating .venv from uv.lock"
  UV_PYTHON_DOWNLOADS=never .tools/bin/uv sync --frozen --compile-bytecode --python "$(command -v python3)" -q
  echo "$want" > "$stamp"
}

cmd=${1:-}
shift || true
case "$cmd" in
  report)
    ensure_apt "${APT_REPORT[@]}"
    ensure_python_env
    export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 1638316800)}
    PYTHONPATH=src .venv/bin/python -m analysis.core.locks .   # a killed build's lock, if nothing runs
    exec .venv/bin/snakemake --cores "${CORES:-2}" "$@"
    ;;
  test)
    ensure_apt "${APT_REPORT[@]}" "${APT_TEST[@]}"
    ensure_python_env
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: ./run.sh report [snakemake args...] | ./run.sh test [pytest args...]" >&2
    exit 2
    ;;
esac
