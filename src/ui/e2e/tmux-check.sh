#!/usr/bin/env bash
# End-to-end check of the trace viewer in a real terminal: tmux at 80x24.
#
#   src/ui/e2e/tmux-check.sh [TRACE.json]      the viewer entry (npx tsx src/ui/e2e/view-file.tsx)
#   RAFT_CHECK_E2E_CLI=1 src/ui/e2e/tmux-check.sh [TRACE.json]
#                                              `raft-check replay` itself (npx tsx src/cli/main.ts)
#
# Without a trace it writes the UI tests' fixture trace to a temporary directory. It opens the
# viewer, checks the first screen, sends Right, v, ? and q, checks that each key changed the
# screen as it should and that the viewer exits 0, and prints every captured screen.
# Without tmux it prints a note and exits 0 (skipped). It uses a tmux server of its own
# (-L), so it never touches your sessions.
set -euo pipefail

if ! command -v tmux >/dev/null 2>&1; then
  echo "tmux-check: skipped (tmux is not installed)"
  exit 0
fi

cd "$(dirname "$0")/../../.."

work="$(mktemp -d "${TMPDIR:-/tmp}/raft-check-e2e.XXXXXX")"
sock="raft-check-e2e-$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
  tm kill-server >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

trace="${1:-}"
if [ -z "$trace" ]; then
  trace="$work/fixture.json"
  npx tsx src/ui/e2e/write-fixture.ts "$trace"
fi
if [ "${RAFT_CHECK_E2E_CLI:-}" = "1" ]; then
  cmd="npx tsx src/cli/main.ts replay '$trace'"
else
  cmd="npx tsx src/ui/e2e/view-file.tsx '$trace'"
fi

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

capture() { tm capture-pane -p -t e2e; }

# Waits until the screen matches a pattern (grep -E), up to $2 seconds.
wait_for() {
  local pattern="$1" limit="${2:-20}" i=0
  while [ "$i" -lt $((limit * 10)) ]; do
    if capture 2>/dev/null | grep -Eq -- "$pattern"; then return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

show() {
  echo "---- $1 ----"
  cat "$2"
  echo "------------"
}

# The terminal must stay 80x24 whatever the shell window is.
tm new-session -d -s e2e -x 80 -y 24 "TERM=xterm-256color $cmd; echo \$? > '$work/exit'; sleep 30"
tm set-option -t e2e -g window-size manual >/dev/null 2>&1 || true
tm resize-window -t e2e -x 80 -y 24 >/dev/null 2>&1 || true

if ! wait_for 'step 0/' 60; then
  capture > "$work/first.txt" || true
  show "screen (the viewer did not start)" "$work/first.txt"
  exit 1
fi
sleep 0.3
capture > "$work/0-start.txt"
show "start" "$work/0-start.txt"

# Layout: a line wider than the pane would wrap and push everything down a row, so check
# that each part is on the row it belongs to: the header first, the status line fourth, the
# panels' top border fifth (or the node rows), the key line last.
rows=$(wc -l < "$work/0-start.txt")
[ "$rows" -eq 24 ] || fail "expected 24 rows, captured $rows"
sed -n 1p "$work/0-start.txt" | grep -q 'seed' || fail "row 1 is not the header"
sed -n 4p "$work/0-start.txt" | grep -q '^step 0/' || fail "row 4 is not the status line (something wrapped)"
sed -n 5p "$work/0-start.txt" | grep -Eq '^(╭|┏|▸)' || fail "row 5 is not the top of the node panels"
sed -n 24p "$work/0-start.txt" | grep -q 'step' || fail "row 24 is not the key line"
if locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$'; then
  widest=$(LC_ALL=C.UTF-8 wc -L < "$work/0-start.txt")
  [ "$widest" -le 80 ] || fail "a row is $widest columns wide"
fi

tm send-keys -t e2e Right
wait_for 'step 1/' 5 || fail "Right did not move to step 1"
capture > "$work/1-right.txt"
show "after Right" "$work/1-right.txt"
cmp -s "$work/0-start.txt" "$work/1-right.txt" && fail "the screen did not change on Right"

tm send-keys -t e2e v
if grep -q '✗' "$work/0-start.txt"; then
  wait_for 'VIOLATION' 5 || fail "v did not land on the violation"
  sleep 0.2
  capture > "$work/2-violation.txt"
  grep -q '!#' "$work/2-violation.txt" || grep -q '! named' "$work/2-violation.txt" || fail "no highlight marker at the violation"
else
  sleep 0.5
  capture > "$work/2-violation.txt"
fi
show "after v" "$work/2-violation.txt"
cmp -s "$work/1-right.txt" "$work/2-violation.txt" && fail "the screen did not change on v"

tm send-keys -t e2e '?'
wait_for '^Keys' 5 || fail "? did not open the help"
capture > "$work/3-help.txt"
tm send-keys -t e2e Escape
wait_for 'step ' 5 || fail "a key did not close the help"

tm send-keys -t e2e q
i=0
while [ ! -s "$work/exit" ] && [ "$i" -lt 100 ]; do
  sleep 0.1
  i=$((i + 1))
done
if [ ! -s "$work/exit" ]; then
  fail "q did not quit the viewer"
else
  code="$(cat "$work/exit")"
  # raft-check replay exits 1 when it reproduces a violation; the viewer entry exits 0.
  if [ "${RAFT_CHECK_E2E_CLI:-}" = "1" ]; then
    case "$code" in 0 | 1) ;; *) fail "raft-check replay exited $code" ;; esac
  else
    [ "$code" = "0" ] || fail "the viewer exited $code"
  fi
  capture > "$work/4-after-quit.txt"
  show "after q (the shell's screen is back)" "$work/4-after-quit.txt"
  grep -q 'step 1/' "$work/4-after-quit.txt" && fail "the viewer's screen was left behind after q"
fi

if [ "$failures" -gt 0 ]; then
  echo "tmux-check: $failures check(s) failed"
  exit 1
fi
echo "tmux-check: ok (start, Right, v, ?, q at 80x24)"
