#!/usr/bin/env bash
# Runs a command with Node.js >= 22.13 first on PATH. Hardhat 3 needs it; when the machine's node
# is older (or missing), node@22 is installed from the npm registry into ~/.cache/node22 once.
#
#   bash scripts/run.sh npm ci
#   bash scripts/run.sh npm run demo
set -euo pipefail

NODE22_PREFIX="${OPENLEDGER_NODE_CACHE:-$HOME/.cache/node22}"

node_is_recent() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)'
}

if ! node_is_recent; then
  export PATH="$NODE22_PREFIX/node_modules/.bin:$PATH"
  if ! node_is_recent; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "scripts/run.sh: npm is needed to fetch Node.js 22; install Node.js 22 or newer." >&2
      exit 1
    fi
    echo "scripts/run.sh: Node.js $(node --version 2>/dev/null || echo none) is older than 22.13; installing node@22 into $NODE22_PREFIX" >&2
    npm install --prefix "$NODE22_PREFIX" --no-save --no-package-lock --no-audit --no-fund node@22 >&2
    hash -r # bash remembered where `node` was before the install
    node_is_recent || { echo "scripts/run.sh: node@22 did not install correctly." >&2; exit 1; }
  fi
fi

exec "$@"
