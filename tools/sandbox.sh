#!/usr/bin/env bash
# Make a throw-away copy of this checkout for a separate Snakemake run (Snakemake locks its
# working directory, so two builds cannot share one). Prints the copy's path.
#   tools/sandbox.sh NAME  ->  /tmp/sandboxes/NAME/main  (with ../shared linked to the real one)
set -euo pipefail
name=${1:?usage: tools/sandbox.sh NAME}
here=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$here/../shared" && pwd)
dest=/tmp/sandboxes/$name
mkdir -p "$dest"
ln -sfn "$shared" "$dest/shared"
rsync -a --delete --exclude .venv --exclude .tools --exclude .snakemake --exclude reports \
  --exclude 'data/processed' --exclude 'data/raw' --exclude logs --exclude .pytest_cache \
  "$here/" "$dest/main/"
mkdir -p "$dest/main/reports" "$dest/main/data/raw" "$dest/main/data/processed"
ln -sfn "$here/.venv" "$dest/main/.venv"
echo "$dest/main"
