#!/usr/bin/env bash
# Fetches Mesa's lavapipe (a Vulkan driver that runs on the CPU) into .avlab/lavapipe, so that the
# WebGPU kernels are tested on every machine, GPU or not. Debian bookworm's own Mesa 22.3 is too old
# for Dawn; bookworm-backports' mesa-vulkan-drivers (with its libdrm) is unpacked with `dpkg -x`:
# nothing is installed system-wide, and nothing sees this driver unless a process is started with
# the environment `lavapipeEnv()` (lib/backend/lavapipe.ts) gives it. The libraries it links that
# bookworm provides (LLVM 15, xcb, wayland, the Vulkan loader) are in scripts/debian-packages.txt.
# Idempotent; a second run only checks. Usage: scripts/lavapipe.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-.avlab/lavapipe}
SOURCE=${AVLAB_LAVAPIPE_SOURCE:-deb http://deb.debian.org/debian bookworm-backports main}
LIB=$DIR/root/usr/lib/x86_64-linux-gnu
if [[ ! -f $DIR/lvp_icd.json ]]; then
  rm -rf "$DIR"
  mkdir -p "$DIR/apt/lists/partial" "$DIR/apt/cache" "$DIR/debs" "$DIR/root"
  echo "$SOURCE" > "$DIR/apt/sources.list"
  o=(-q -oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$PWD/$DIR/apt/lists"
     "-oDir::Cache=$PWD/$DIR/apt/cache" "-oDir::Etc::SourceList=$PWD/$DIR/apt/sources.list" -oDir::Etc::SourceParts=/nonexistent)
  [[ $(id -u) == 0 ]] && o+=(-oAPT::Sandbox::User=root)
  apt-get "${o[@]}" update
  (cd "$DIR/debs" && apt-get "${o[@]}" download mesa-vulkan-drivers libdrm2 libdrm-amdgpu1)
  for f in "$DIR"/debs/*.deb; do dpkg -x "$f" "$DIR/root"; done
  sed "s#\"library_path\": \"[^\"]*\"#\"library_path\": \"$PWD/$LIB/libvulkan_lvp.so\"#" \
    "$DIR/root/usr/share/vulkan/icd.d/lvp_icd.json" > "$DIR/lvp_icd.json.part"
  rm -rf "$DIR/apt" "$DIR/debs"
  mv "$DIR/lvp_icd.json.part" "$DIR/lvp_icd.json"
fi
missing=$(LD_LIBRARY_PATH=$LIB ldd "$LIB/libvulkan_lvp.so" | grep 'not found' || true)
if [[ -n $missing ]]; then
  echo "lavapipe needs libraries this machine lacks:" >&2
  echo "$missing" >&2
  exit 1
fi
echo "lavapipe: $(sed -n 's/.*"api_version": "\([^"]*\)".*/Vulkan \1/p' "$DIR/lvp_icd.json") in $DIR"
