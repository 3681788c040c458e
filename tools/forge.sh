#!/usr/bin/env bash
# Runs Foundry's forge (from the pinned npm package @foundry-rs/forge) on this project with foundry.toml:
#   bash tools/forge.sh test                          # default profile (fast)
#   FOUNDRY_PROFILE=deep bash tools/forge.sh test     # the deep invariant campaign
# forge compiles with tools/solc-forge (the npm solc-js the Hardhat build uses), offline. Nothing is built with
# Hardhat here, and forge writes only to out/ and cache_forge/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform="linux-amd64" ;;
  Linux-aarch64 | Linux-arm64) platform="linux-arm64" ;;
  Darwin-x86_64) platform="darwin-amd64" ;;
  Darwin-arm64) platform="darwin-arm64" ;;
  *) platform="" ;;
esac

forge="node_modules/@foundry-rs/forge-${platform}/bin/forge"
if [[ -z "$platform" || ! -f "$forge" ]]; then
  echo "tools/forge.sh: no forge binary for $(uname -s)-$(uname -m) under node_modules/@foundry-rs/;" \
    "run \`npm ci\` (the platform package is an optional dependency of @foundry-rs/forge)." >&2
  exit 1
fi

# npm tarballs do not always keep the executable bit.
[[ -x "$forge" ]] || chmod +x "$forge"
[[ -x tools/solc-forge ]] || chmod +x tools/solc-forge

# An absolute compiler path, so that forge finds it whatever directory it resolves paths against.
export FOUNDRY_SOLC="$root/tools/solc-forge"

# The default profile replays a fixed seed (foundry.toml); the deep campaign explores new sequences on every run
# unless a seed is given (forge prints the seed it used, so a failure can be replayed with FOUNDRY_FUZZ_SEED).
if [[ "${FOUNDRY_PROFILE:-default}" == "deep" && -z "${FOUNDRY_FUZZ_SEED:-}" ]]; then
  FOUNDRY_FUZZ_SEED="0x$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  export FOUNDRY_FUZZ_SEED
  echo "tools/forge.sh: deep profile, fuzz seed $FOUNDRY_FUZZ_SEED" >&2
fi

exec "$forge" "$@"
