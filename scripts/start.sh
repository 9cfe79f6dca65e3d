#!/usr/bin/env bash
# The README's run command: sets everything up, then starts Niêm on the demo default
# (demo PKI, SoftHSM2 demo tokens). Opens the Electron window where the Electron binary
# is present; otherwise serves the same UI on a printed loopback address.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
source "$root/scripts/env.sh"
cd "$root"
exec node scripts/run-demo.ts "$@"
