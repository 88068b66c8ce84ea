#!/usr/bin/env bash
# One side of the CI comparison (.github/workflows/bench.yml): start `wsbench serve` from the given
# checkout on a free loopback port, run the smoke profile against it with the server's own pid
# sampled, stop the server (SIGTERM; it must exit 0), and exit with the load's exit code.
#
#   scripts/ci/smoke.sh <checkout> <name> <out dir> [more `wsbench load` flags...]
#
# Both sides use the smoke profile of the checkout this script is in, so a change to the profile
# cannot make base and head measure different loads. The server log goes to ./serve-<name>.log.
# SMOKE_SERVE_ARGS: more `wsbench serve` flags, split on spaces (the CI emulation slows a head down
# with it, e.g. --reply-delay 1ms, to see the gate fail).
set -euo pipefail
dir=$1 name=$2 out=$3
shift 3
profile="$(cd "$(dirname "$0")/../.." && pwd)/bench-profiles/smoke.json"
log="$PWD/serve-$name.log"

# `node bin/wsbench.js`, not `npx wsbench`: with npx, $! would be npm's pid, not the server's.
# shellcheck disable=SC2086 # split on purpose: several flags in one variable
node "$dir/bin/wsbench.js" serve --host 127.0.0.1 --port 0 --log-level warn ${SMOKE_SERVE_ARGS:-} >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT

url=
for _ in $(seq 1 100); do
  url=$(grep -oE 'ws://127\.0\.0\.1:[0-9]+/' "$log" | head -n 1 || true)
  [ -n "$url" ] && break
  if ! kill -0 "$server" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "::error::wsbench serve ($name) did not start; its log:"
  cat "$log"
  exit 1
fi
port=${url##*:}
port=${port%/}
# /healthz reports the pid of the process that listens (the primary with --workers): that is the
# process --server-pid must sample, whatever started it.
pid=$(node -e 'fetch(process.argv[1]).then((r) => r.json()).then((h) => console.log(h.pid))' "http://127.0.0.1:$port/healthz")
echo "$name: wsbench serve at $url, pid $pid (started as $server)"

status=0
node "$dir/bin/wsbench.js" load "$url" --profile "$profile" --server-pid "$pid" --name "$name" --out "$out" "$@" || status=$?

kill -TERM "$server"
served=0
wait "$server" || served=$?
trap - EXIT
echo "$name: load exited $status, the server stopped with exit code $served"
if [ "$served" -ne 0 ]; then
  echo "::warning::wsbench serve ($name) exited $served on SIGTERM; its log:"
  cat "$log"
fi
if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$served"
