#!/usr/bin/env bash
# Sets up a machine for Niêm: system packages (when root and missing), the project's
# Node 24, npm dependencies from the lockfile. Idempotent; safe to run again.
# Source scripts/env.sh afterwards to put that Node 24 first on PATH.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

need=()
[[ -e /usr/lib/softhsm/libsofthsm2.so ]] || need+=(softhsm2)
command -v pkcs11-tool >/dev/null 2>&1 || need+=(opensc)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
# Vietnamese glyphs for the UI and the e2e screenshots.
[[ -d /usr/share/fonts/truetype/dejavu ]] || need+=(fonts-dejavu-core)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v bsdtar >/dev/null 2>&1 || need+=(libarchive-tools) # tar interop tests
command -v make >/dev/null 2>&1 || need+=(make)
command -v cc >/dev/null 2>&1 || need+=(gcc)
# the test-only fault-injecting PKCS#11 module is built against p11-kit's pkcs11.h
[[ -e /usr/include/p11-kit-1/p11-kit/pkcs11.h ]] || need+=(libp11-kit-dev)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v npm >/dev/null 2>&1 || need+=(npm)
# the exchange platform's PostgreSQL store is tested on a private PostgreSQL 15 server
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || need+=(postgresql)
command -v curl >/dev/null 2>&1 || need+=(curl) # the upload bench's peer
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Thiếu gói hệ thống / missing system packages: ${need[*]} (cài bằng apt với quyền root / install with apt as root)" >&2
    exit 1
  fi
  echo "apt: ${need[*]}" >&2
  if [[ -z "${NIEM_APT_UPDATED:-}" ]]; then apt-get update -qq; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

bin="$(bash scripts/node24.sh)"
export PATH="$bin:$PATH"
# node-gyp (pkcs11js) builds against Node 24's own headers, never the system's.
export npm_config_nodedir="$root/.tools/node24"
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
stamp=node_modules/.niem-lock-sha
want="$(sha256sum package-lock.json | cut -d' ' -f1) $(node --version)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
