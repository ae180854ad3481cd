#!/usr/bin/env bash
# The main job: set up, execute every notebook headless on the embedded data (profile from
# AVLAB_PROFILE, default full), then regenerate figures/ and report/.
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
npx tsx scripts/build-report.ts
echo "main: done in $(( $(date +%s) - start )) s (profile ${AVLAB_PROFILE:-full}); the report is report/index.html"
