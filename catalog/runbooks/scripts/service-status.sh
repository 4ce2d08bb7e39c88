#!/bin/sh
# Show a systemd unit's state
# Prints the unit's ActiveState and exits 0 when it is active, 3 when it is not, 4 when
# there is no such unit. Reads the unit's name from $SERVICE.
set -u
if ! command -v systemctl >/dev/null 2>&1; then
  echo "systemctl is not installed on $(hostname)" >&2
  exit 4
fi
state=$(systemctl show -p ActiveState --value -- "$SERVICE" 2>/dev/null)
load=$(systemctl show -p LoadState --value -- "$SERVICE" 2>/dev/null)
if [ "$load" = "not-found" ]; then
  echo "no unit $SERVICE on $(hostname)" >&2
  exit 4
fi
echo "$state"
[ "$state" = "active" ] || exit 3
