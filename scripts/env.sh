# Source this file to run project commands on the project's Node 24:
#   source scripts/env.sh && npm test
_niem_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$_niem_root/.tools/node24/bin:$_niem_root/node_modules/.bin:$PATH"
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
unset _niem_root
