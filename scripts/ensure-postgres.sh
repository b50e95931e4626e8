#!/usr/bin/env bash
# Make sure the local PostgreSQL answers on 127.0.0.1:5432 (the test suite runs on it too).
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    exit 0
fi
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
    sleep 1
done
echo "PostgreSQL is not reachable on 127.0.0.1:5432; set BRIEFROOM_TEST_PG_URL or start it" >&2
exit 1
