#!/usr/bin/env bash
# The main job on the embedded default: local sandbox API -> map-marketing-leads -> SQLite store,
# run by Meltano exactly as a scheduled run would be, then the import history.
# Called by `make demo` with the project's virtualenv first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

export MELTANO_SEND_ANONYMOUS_USAGE_STATS=false
export MELTANO_CLI_DISABLE_VERSION_CHECK=true
export MELTANO_ENVIRONMENT=dev
port=8765
workdir=$(mktemp -d)
trap 'kill "${sandbox_pid:-}" 2>/dev/null || true; rm -rf "$workdir"' EXIT

echo "== Starting the local Zoho Invoice sandbox on 127.0.0.1:$port"
zoho-invoice-sandbox --port "$port" --port-file "$workdir/port" --rate-limit-per-minute 6000 \
  >"$workdir/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do [ -s "$workdir/port" ] && break; sleep 0.1; done
[ -s "$workdir/port" ] || { cat "$workdir/sandbox.log"; echo "sandbox did not start"; exit 1; }

echo "== meltano install (custom plugins from this repository, uv backend)"
meltano install >"$workdir/install.log" 2>&1 || { cat "$workdir/install.log"; exit 1; }

echo "== meltano run india-customers-newsletter"
meltano run india-customers-newsletter

echo "== HTML report: marketing-leads-report.html (open it in a browser; works offline)"
marketing-leads --database-url sqlite:///marketing_leads.db report --output marketing-leads-report.html

echo "== Import history (marketing-leads history)"
marketing-leads --database-url sqlite:///marketing_leads.db history
