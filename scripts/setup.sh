#!/usr/bin/env bash
# Sets up avlab on a fresh machine, idempotently: Debian packages (Jupyter, Chromium, scikit-learn
# for the metric cross-checks), npm dependencies, the tslab Jupyter kernel, and the compiled library.
# Usage: scripts/setup.sh [--quiet] [--bench]   (--bench adds PyTorch for the reference timings)
set -euo pipefail
cd "$(dirname "$0")/.."
QUIET=0
BENCH=0
for arg in "$@"; do
  case "$arg" in
    --quiet) QUIET=1 ;;
    --bench) BENCH=1 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done
say() { [[ $QUIET == 1 ]] || echo "setup: $*"; }

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?1:0)')
if [[ "$node_ok" != 1 ]]; then
  echo "setup: avlab needs Node.js >= 20.19 (found $(node --version))" >&2
  exit 1
fi

# Debian packages, installed only when missing.
APT_PACKAGES=(jupyter-nbconvert python3-nbclient python3-ipykernel python3-sklearn python3-numpy chromium libopenblas-dev)
[[ $BENCH == 1 ]] && APT_PACKAGES+=(python3-torch libopenblas0-pthread)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) == 0 ]] || SUDO="sudo"
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies, reinstalled when the lock file changed since the last install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

# `npx avlab ...` inside this checkout: npm links other packages' bins, not the project's own.
ln -sf ../../scripts/avlab.cjs node_modules/.bin/avlab

# The tslab kernel, started through scripts/tslab-kernel.cjs (tslab with its sockets bound before they
# receive), registered for this user when absent or pointing at another launcher.
KERNEL_LAUNCHER="$PWD/scripts/tslab-kernel.cjs"
kernel_launcher=$(/usr/bin/python3 - <<'PY' 2>/dev/null || true
from jupyter_client.kernelspec import KernelSpecManager
try:
    spec = KernelSpecManager().get_kernel_spec("tslab")
    print(spec.argv[1] if len(spec.argv) > 1 else "")
except Exception:
    print("")
PY
)
if [[ "$kernel_launcher" != "$KERNEL_LAUNCHER" ]]; then
  say "registering the tslab Jupyter kernel"
  spec_dir=$(mktemp -d)
  cat >"$spec_dir/kernel.json" <<JSON
{"argv": ["$(command -v node)", "$KERNEL_LAUNCHER", "--config-path", "{connection_file}"],
 "display_name": "TypeScript", "language": "typescript"}
JSON
  jupyter kernelspec install --user --replace --name tslab "$spec_dir" >/dev/null 2>&1
  rm -rf "$spec_dir"
fi

# The native kernels of the wasm backend (lib/backend/native: OpenBLAS matmul and conv, LSTM, batch
# norm, Adam). Optional: when they cannot be built, avlab runs on tfjs's own kernels and says so in its
# backend line.
ADDON=lib/backend/native/build/Release/avlab_blas.node
if [[ ! -f $ADDON || -n $(find lib/backend/native -maxdepth 1 \( -name '*.[ch]' -o -name binding.gyp \) -newer $ADDON) ]]; then
  GYP="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
  [[ -f $GYP ]] || GYP=""
  NODEDIR=()
  [[ -f /usr/include/node/node_api.h ]] && NODEDIR=(--nodedir=/usr)
  say "building the native kernels (OpenBLAS)"
  if ! (cd lib/backend/native && if [[ -n $GYP ]]; then node "$GYP" rebuild "${NODEDIR[@]}"; else npx --yes node-gyp rebuild "${NODEDIR[@]}"; fi) >/tmp/avlab-native-build.log 2>&1; then
    echo "setup: the native kernels could not be built (see /tmp/avlab-native-build.log); using the wasm kernels" >&2
  fi
fi

# The compiled library the notebooks import (../dist), rebuilt when lib/ is newer.
if [[ ! -f dist/index.js ]] || [[ -n $(find lib -newer dist/index.js -name '*.ts' -print -quit) ]]; then
  say "compiling lib/ to dist/"
  rm -rf dist
  npx tsc -p tsconfig.json
fi
say "ready"
