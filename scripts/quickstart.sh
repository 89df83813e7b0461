#!/usr/bin/env bash
# Verk quick start. Usage (from the repository root):
#   bash scripts/quickstart.sh demo   # install, build, start a private Redis, run the demo
#   bash scripts/quickstart.sh test   # install, build, lint, typecheck and run every test suite
# Needs only Node.js >= 20. Installs pnpm (through npx) and the workspace dependencies; uses
# REDIS_URL when set, else starts a private redis-server (installing Debian's package when it is
# missing and we are root or have passwordless sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "Node.js >= 20 is required (https://nodejs.org); 'node' was not found."
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' \
  || die "Node.js >= 20 is required; found $(node --version)."

if command -v pnpm >/dev/null && [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" = "10" ]; then
  PNPM=(pnpm)
else
  PNPM=(npx --yes "pnpm@${PNPM_VERSION}")
fi

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}

# apt_install PKG... : install Debian packages when missing, if we may.
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || return 1
  say "installing ${missing[*]} (Debian packages)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || return 1
}

ensure_redis_server() {
  command -v redis-server >/dev/null && return 0
  apt_install redis-server && command -v redis-server >/dev/null && return 0
  die "redis-server is not installed and cannot be installed from here.
  Either install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis),
  or point REDIS_URL at a Redis >= 6.2 you own, e.g. REDIS_URL=redis://127.0.0.1:6379 bash scripts/quickstart.sh demo"
}

# The Redis Cluster tests create their clusters with redis-cli (Debian: redis-tools, which
# Debian's redis-server package pulls in).
ensure_redis_cli() {
  command -v redis-cli >/dev/null && return 0
  apt_install redis-tools && command -v redis-cli >/dev/null && return 0
  die "redis-cli is not installed and cannot be installed from here; the Redis Cluster tests need it.
  Install it (Debian/Ubuntu: sudo apt-get install redis-tools; macOS: brew install redis)."
}

install_and_build() {
  say "installing dependencies with pnpm ${PNPM_VERSION}"
  if [ -n "${CI:-}" ]; then "${PNPM[@]}" install --frozen-lockfile; else "${PNPM[@]}" install --prefer-offline; fi
  say "building the packages"
  "${PNPM[@]}" build
}

case "${1:-}" in
  demo)
    shift
    [ -n "${REDIS_URL:-}" ] || ensure_redis_server
    install_and_build
    say "running the demo"
    exec node scripts/with-redis.mjs node packages/cli/dist/bin.js demo "$@"
    ;;
  test)
    ensure_redis_server
    ensure_redis_cli
    # The Sidekiq interoperability suite runs the real Sidekiq (Debian's ruby-sidekiq 6.4.1).
    apt_install ruby-sidekiq ruby-rack ruby-webrick puma || say "could not install ruby-sidekiq; the Sidekiq suite will say so"
    # The @verk/web browser tests drive Debian's Chromium, headless.
    apt_install chromium || say "could not install chromium; the @verk/web browser tests will say so"
    install_and_build
    say "lint"
    "${PNPM[@]}" lint
    say "typecheck"
    "${PNPM[@]}" typecheck
    say "tests"
    log=$(mktemp)
    set +e
    "${PNPM[@]}" test 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    # One closing line summing every package's vitest summary ("Tests  N passed | M failed (T)").
    summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E ':test:[[:space:]]+Tests[[:space:]]')
    count() { printf '%s\n' "$summary" | grep -oE "[0-9]+ $1" | awk '{ n += $1 } END { print n + 0 }'; }
    rm -f "$log"
    echo "tests: $(count passed) passed, $(count failed) failed, $(count skipped) skipped"
    exit "$status"
    ;;
  *)
    die "usage: bash scripts/quickstart.sh demo|test"
    ;;
esac
