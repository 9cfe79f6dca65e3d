#!/usr/bin/env bash
# The README's test command: sets everything up, then runs every suite (lint, typecheck,
# unit, token on SoftHSM2, security, e2e in Chromium).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
source "$root/scripts/env.sh"
cd "$root"
exec npm test
