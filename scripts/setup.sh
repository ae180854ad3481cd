#!/usr/bin/env bash
# Sets up avlab on a fresh machine, idempotently: the Debian packages of scripts/debian-packages.txt
# (Jupyter with its Notebook front end, Chromium, scikit-learn, OpenBLAS, the compilers, the Vulkan
# loader), npm dependencies, the native kernels, lavapipe for the WebGPU tests, the compiled library,
# and a check that Jupyter finds this checkout's TypeScript kernel. A step that fails prints its
# name, the command's own output and the fix, and setup exits non-zero.
# Usage: scripts/setup.sh [--quiet] [--bench]   (--bench adds PyTorch for the reference timings)
set -euo pipefail
cd "$(dirname "$0")/.."
QUIET=0
BENCH=0
for arg in "$@"; do
  case "$arg" in
    --quiet) QUIET=1 ;;
    --bench) BENCH=1 ;;
    *) echo "setup: unknown option $arg (expected --quiet, --bench)" >&2; exit 2 ;;
  esac
done
say() { [[ $QUIET == 1 ]] || echo "setup: $*"; }
LOG_DIR=$(mktemp -d)
trap 'rm -rf "$LOG_DIR"' EXIT

# step NAME FIX COMMAND...: runs COMMAND with its output kept; on failure prints the step, the last
# lines of the output and the fix, then exits with the command's status.
step() {
  local name=$1 fix=$2; shift 2
  local log="$LOG_DIR/step.log" t0=$SECONDS status=0
  say "$name"
  "$@" >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    {
      echo "setup: FAILED: $name (exit status $status)"
      echo "setup: command: $*"
      echo "setup: its output (last 40 lines):"
      tail -n 40 "$log" | sed 's/^/  | /'
      echo "setup: fix: $fix"
    } >&2
    exit "$status"
  fi
  [[ $QUIET == 1 ]] || echo "setup:   done in $((SECONDS - t0)) s"
}

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?1:0)')
if [[ "$node_ok" != 1 ]]; then
  echo "setup: FAILED: avlab needs Node.js >= 20.19 (found $(node --version)); fix: install Node.js 20.19 or newer" >&2
  exit 1
fi

# Debian packages, installed only when missing.
packages=()
while read -r pkg rest; do
  [[ -z $pkg || $pkg == \#* ]] && continue
  [[ " $rest " == *" bench "* && $BENCH == 0 ]] && continue
  packages+=("$pkg")
done < scripts/debian-packages.txt
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>&1 | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=()
  [[ $(id -u) == 0 ]] || SUDO=(sudo)
  step "updating Debian's package lists" \
    "check that this machine reaches its Debian mirror (apt-get update) and that you are root or may use sudo" \
    "${SUDO[@]}" apt-get update
  step "installing Debian packages: ${missing[*]}" \
    "install them by hand: apt-get install ${missing[*]}" \
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# npm dependencies, reinstalled when the lock file changed since the last install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "installing npm dependencies" \
    "check that the npm registry is reachable, then run: npm ci" \
    npm ci --no-audit --no-fund --loglevel=error
fi

# `npx avlab ...` inside this checkout: npm links other packages' bins, not the project's own.
ln -sf ../../scripts/avlab.cjs node_modules/.bin/avlab

# The native kernels of the wasm backend (lib/backend/native: OpenBLAS matmul and conv, LSTM, batch
# norm, Adam). Optional: when they cannot be built, avlab runs on tfjs's own kernels, says so here
# with the compiler's errors, and says so again in every run's backend line.
ADDON=lib/backend/native/build/Release/avlab_blas.node
if [[ ! -f $ADDON || -n $(find lib/backend/native -maxdepth 1 \( -name '*.[ch]' -o -name binding.gyp \) -newer $ADDON) ]]; then
  GYP="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
  NODEDIR=()
  [[ -f /usr/include/node/node_api.h ]] && NODEDIR=(--nodedir=/usr)
  say "building the native kernels (OpenBLAS)"
  t0=$SECONDS
  build_log="$LOG_DIR/native.log"
  if [[ ! -f $GYP ]]; then
    echo "setup: the native kernels were not built: npm's node-gyp is missing ($GYP); using tfjs's wasm kernels" >&2
  elif ! (cd lib/backend/native && node "$GYP" rebuild "${NODEDIR[@]}") >"$build_log" 2>&1; then
    {
      echo "setup: the native kernels could not be built; avlab will use tfjs's slower wasm kernels. The build said:"
      grep -iE 'error|fatal' "$build_log" | head -n 20 | sed 's/^/  | /'
      echo "setup: fix: apt-get install libopenblas-pthread-dev g++ make, then run npm run setup again"
    } >&2
  else
    [[ $QUIET == 1 ]] || echo "setup:   done in $((SECONDS - t0)) s"
  fi
fi

# Mesa's lavapipe in .avlab/lavapipe: the WebGPU kernels' tests run on it where no GPU is.
step "fetching lavapipe (Mesa's CPU Vulkan driver, for the WebGPU tests)" \
  "check that this machine reaches deb.debian.org (bookworm-backports), then run scripts/lavapipe.sh" \
  bash scripts/lavapipe.sh

# The compiled library the notebooks import (../dist), rebuilt when lib/ is newer.
if [[ ! -f dist/index.js ]] || [[ -n $(find lib -newer dist/index.js -name '*.ts' -print -quit) ]]; then
  rm -rf dist
  step "compiling lib/ to dist/" "fix the TypeScript errors in the output above (npx tsc -p tsconfig.json shows them again)" npx tsc -p tsconfig.json
fi

# This checkout's TypeScript kernel, found by Jupyter through JUPYTER_PATH (as the headless runs and
# `npm run jupyter` use it); nothing is registered for the user, so checkouts never take each
# other's kernel.
check_kernel() {
  local kernels
  kernels=$(node -e 'process.stdout.write(require("./dist/notebook/execute").checkoutKernelPath())')
  JUPYTER_PATH="$kernels" jupyter kernelspec list --json | node -e '
    const specs = JSON.parse(require("fs").readFileSync(0, "utf8")).kernelspecs;
    const argv = specs.tslab && specs.tslab.spec.argv;
    if (!argv || argv[1] !== process.argv[1]) { console.error("tslab kernel:", JSON.stringify(specs.tslab || null)); process.exit(1); }
    console.log("tslab kernel:", argv.join(" "));' "$PWD/scripts/tslab-kernel.cjs"
}
step "checking that Jupyter finds this checkout's TypeScript kernel" \
  "apt-get install jupyter-client jupyter-core, then run npm run setup again" check_kernel
say "ready"
