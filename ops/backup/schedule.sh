#!/bin/sh
# The backup sidecar's schedule: a full backup every day at 02:00 UTC, an incremental one every
# other hour (pgBackRest makes a full one when none exists yet), and expiry (30 days) after each.
# It runs beside PostgreSQL, sharing its data volume and socket; its log goes to stdout.
set -eu
until pg_isready -q -h /var/run/postgresql; do sleep 5; done
pgbackrest --stanza=gymgenius stanza-create   # idempotent: fine when the stanza exists
pgbackrest --stanza=gymgenius check           # WAL archiving works
while true; do
  if [ "$(date -u +%H)" = "02" ]; then type=full; else type=incr; fi
  pgbackrest --stanza=gymgenius --type="$type" backup || echo "backup ($type) failed" >&2
  sleep $((3600 - $(date -u +%s) % 3600))    # until the top of the next hour
done
