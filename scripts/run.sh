#!/usr/bin/env bash
# Runs a command with Node.js >= 22.18 first on PATH. Everything here needs it: Hardhat 3 runs the
# TypeScript config and scripts with Node's own type stripping, which 22.13 lacks for .ts files
# (ERR_UNKNOWN_FILE_EXTENSION). When the machine's node is older (or missing), node@22 is installed
# from the npm registry into ~/.cache/node22 once (OPENLEDGER_NODE_CACHE moves it).
#
#   bash scripts/run.sh npm ci
#   bash scripts/run.sh npm run demo
set -euo pipefail

NODE22_PREFIX="${OPENLEDGER_NODE_CACHE:-$HOME/.cache/node22}"
MIN_MAJOR=22
MIN_MINOR=18

# True when `node` is on PATH and at least MIN_MAJOR.MIN_MINOR (read from `node --version`, "v22.18.0").
node_is_recent() {
  local version major minor
  version="$(node --version 2>/dev/null)" || return 1
  IFS=. read -r major minor _ <<<"${version#v}"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  ((major > MIN_MAJOR || (major == MIN_MAJOR && minor >= MIN_MINOR)))
}

if ! node_is_recent; then
  export PATH="$NODE22_PREFIX/node_modules/.bin:$PATH"
  hash -r
  if ! node_is_recent; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "scripts/run.sh: npm is needed to fetch Node.js 22; install Node.js $MIN_MAJOR.$MIN_MINOR or newer." >&2
      exit 1
    fi
    echo "scripts/run.sh: Node.js $(node --version 2>/dev/null || echo none) is older than $MIN_MAJOR.$MIN_MINOR; installing node@22 into $NODE22_PREFIX" >&2
    npm install --prefix "$NODE22_PREFIX" --no-save --no-package-lock --no-audit --no-fund "node@>=$MIN_MAJOR.$MIN_MINOR <23" >&2
    hash -r # bash remembered where `node` was before the install
    node_is_recent || { echo "scripts/run.sh: node@22 did not install a Node.js $MIN_MAJOR.$MIN_MINOR or newer." >&2; exit 1; }
  fi
fi

exec "$@"
