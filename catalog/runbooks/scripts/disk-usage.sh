#!/bin/sh
# Report file systems fuller than a threshold
# Lists mounted file systems whose use is at or above $THRESHOLD percent and exits 1 when
# there is any, so a runbook can branch on it.
set -u
df -P -x tmpfs -x devtmpfs -x overlay 2>/dev/null | awk -v limit="$THRESHOLD" '
  NR > 1 { use = $5; sub(/%/, "", use); if (use + 0 >= limit + 0) { print $6 " " $5; full = 1 } }
  END { exit full ? 1 : 0 }'
