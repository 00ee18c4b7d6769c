#!/usr/bin/env bash
# The admin UI's whole test run, for the repository's scripts/test:
# type check (codegen from the contract), component tests, and the browser
# tests against a built leadforge binary (LEADFORGE_BIN, default
# ../target/debug/leadforge). Installs Debian's chromium when it is missing.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v npm >/dev/null; then
  echo "admin-ui: npm not found; install Node.js 20+ with npm to test the UI" >&2
  exit 1
fi
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_BIN:-}" ]; then
  echo "admin-ui: installing Debian's chromium for the browser tests" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run typecheck
npm test
npm run test:e2e
