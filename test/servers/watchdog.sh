#!/usr/bin/env bash
# Runs one server for the tests and stops it when the test process that started it goes away:
# that process holds this script's stdin open, so EOF on stdin means it exited, even when it was
# killed with SIGKILL and could not clean up. SIGTERM/SIGINT are passed on to the server.
exec 3<&0
"$@" </dev/null &
child=$!
stop() { kill -TERM "$child" 2>/dev/null; }
trap stop TERM INT HUP
{ cat <&3 >/dev/null; stop; } &
watcher=$!
status=0
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  status=$?
done
kill "$watcher" 2>/dev/null
exit "$status"
