#!/usr/bin/env bash
# The main job: set up, execute every notebook headless on the embedded data (profile from
# AVLAB_PROFILE, default full), check notebook 01 in Jupyter Notebook in Chromium, then regenerate
# figures/ and report/.
# Usage: npm run main [-- --quick] [-- --fresh]
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  case "$arg" in
    --quick) export AVLAB_PROFILE=quick ;;
    --full) export AVLAB_PROFILE=full ;;
    --fresh) export AVLAB_FRESH_SINCE=$(date +%s) ;;
    *) echo "main: unknown option $arg (expected --quick, --full, --fresh)" >&2; exit 2 ;;
  esac
done
start=$(date +%s)
bash scripts/setup.sh
npx tsx scripts/run-notebooks.ts
# Notebook 01 once more, interactively: Jupyter Notebook in Chromium (figures/appendix/). A failure
# still lets the report be built, then fails the job.
jupyter_check=0
npx tsx scripts/jupyter-check.ts || jupyter_check=$?
npx tsx scripts/build-report.ts
if ((jupyter_check != 0)); then
  echo "main: FAILED: notebook 01 did not run cleanly in Jupyter Notebook in Chromium (see jupyter-check above); the report was built" >&2
  exit "$jupyter_check"
fi
echo "main: done in $(( $(date +%s) - start )) s (profile ${AVLAB_PROFILE:-full}); the report is report/index.html"
