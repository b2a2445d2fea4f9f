#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine with python3 (./run.sh --help lists the commands).
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

uses_cluster() {
  # true when the snakemake arguments select the SLURM profile or executor
  local prev=""
  for a in "$@"; do
    case "$prev $a" in
      "--profile "*slurm* | "--executor slurm" | *--profile=*slurm* | *--executor=slurm) return 0 ;;
    esac
    prev=$a
  done
  return 1
}

ensure_python_env() {
  # The environment is rebuilt only when uv.lock changes (a stamp records the lock's hash and
  # the install options). Bytecode is compiled at install time: with PYTHONDONTWRITEBYTECODE
  # set (as on these machines) every job would otherwise recompile pandas, matplotlib and
  # Snakemake itself from source, about 1 s per job and 2 s of every Snakemake start.
  # With the SLURM profile the executor plugin (the optional `cluster` extra) is added; without
  # it, it is left out again (Snakemake imports every installed executor plugin at start-up, and
  # this one costs about a second on every call).
  local stamp=.venv/.lock-sha256 want extra=()
  if uses_cluster "$@"; then extra=(--extra cluster); fi
  want="$(sha256sum uv.lock | cut -d' ' -f1) compile-bytecode ${extra[*]}"
  if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  if [ ! -x .tools/bin/uv ]; then
    say "installing uv $UV_VERSION into .tools/"
    python3 -m venv .tools 2>/dev/null || { ensure_apt python3-venv; python3 -m venv .tools; }
    .tools/bin/python -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
  fi
  say "creating .venv from uv.lock"
  UV_PYTHON_DOWNLOADS=never .tools/bin/uv sync --frozen --compile-bytecode "${extra[@]}" --python "$(command -v python3)" -q
  echo "$want" > "$stamp"
}

usage() {
  cat <<'EOF'
usage: ./run.sh COMMAND [arguments]

Commands (the first run of any of them installs what is missing: Debian packages, uv, .venv):
  report [snakemake args]   build reports/report.pdf, .html, tables, figures, reproduction.csv
                            and provenance.json (the demo unless a config says demo: false), e.g.
                              ./run.sh report --configfile my.yaml
                              ./run.sh report --config run=en language=en
                              ./run.sh report --profile profiles/slurm   (adds the SLURM plugin)
  test [pytest args]        run the whole test suite, as CI does (e.g. ./run.sh test -q tests/test_config.py)
  test quick [pytest args]  only the tests that need no Snakemake build, R or network
  env [snakemake args]      only set up the environment (.venv) those arguments need
  --help                    this text

Most used configuration keys (--config KEY=VALUE, or in a --configfile; every key, its default
and its description: workflow/schemas/config.schema.yaml):
EOF
  local keys=(demo language run inputs.register "inputs.survey_<YYYY>" "inputs.survey_frame_<YYYY>"
    inputs.kostra_12012 protection.enabled protection.threshold seed study_years register_end
    kommune_structure survey_waves kostra.fetch)
  if [ -x .venv/bin/python ]; then
    PYTHONPATH=src .venv/bin/python -m analysis.core.config workflow/schemas/config.schema.yaml "${keys[@]}"
  else
    printf '  %s\n' "${keys[@]}"
    echo "  (descriptions and defaults appear here once ./run.sh has set up .venv)"
  fi
}

cmd=${1:-}
shift || true
case "$cmd" in
  report)
    ensure_apt "${APT_REPORT[@]}"
    ensure_python_env "$@"
    export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 1638316800)}
    .venv/bin/python tools/locks.py .   # a killed build's lock, if nothing runs
    exec .venv/bin/snakemake --cores "${CORES:-2}" "$@"
    ;;
  test)
    ensure_apt "${APT_REPORT[@]}" "${APT_TEST[@]}"
    ensure_python_env
    # Two workers (pytest-xdist), each given whole test modules (their module fixtures build
    # once); `-n 0` in the arguments runs in one process (docs/decisions/0141).
    xdist_args=(-n "${TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder)
    if [ "${1:-}" = quick ]; then
      shift
      exec .venv/bin/python -m pytest "${xdist_args[@]}" -m "not e2e and not r and not network" "$@"
    fi
    exec .venv/bin/python -m pytest "${xdist_args[@]}" "$@"
    ;;
  env)
    ensure_apt "${APT_REPORT[@]}"
    ensure_python_env "$@"
    ;;
  -h | --help | help)
    usage
    ;;
  *)
    usage >&2
    exit 2
    ;;
esac
