#!/usr/bin/env bash
# Installs (Debian's package) and starts a throwaway PostgreSQL on 127.0.0.1:5432 for the store tests.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q online; then
  pg_ctlcluster "$ver" main start || { pg_createcluster "$ver" main && pg_ctlcluster "$ver" main start; }
fi
su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres';\""
su postgres -c "psql -qtc \"SELECT 1 FROM pg_database WHERE datname='marketing_leads_test'\"" | grep -q 1 \
  || su postgres -c "createdb marketing_leads_test"
echo "MARKETING_LEADS_TEST_PG_URL=postgresql+psycopg://postgres:postgres@127.0.0.1:5432/marketing_leads_test"
