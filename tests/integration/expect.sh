# Sourced by the CLI-level integration tests: `check NAME EXPECTED_RC PATTERN -- command...` runs
# the command, and counts a failure in $failures unless it exits EXPECTED_RC and its output
# (stdout + stderr) matches the extended regex PATTERN.
failures=0
check() {
  local name=$1 want=$2 pattern=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [[ $rc -ne $want ]] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: rc=$rc (want $want), output lacks /$pattern/:"
    echo "$out" | tail -12
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}
# `check_err NAME EXPECTED_RC PATTERN -- command...`: like check, but PATTERN must be on stderr
# and not on stdout (errors go to stderr; stdout carries results only).
check_err() {
  local name=$1 want=$2 pattern=$3
  shift 4
  local out err rc errfile
  errfile=$(mktemp)
  out=$("$@" 2>"$errfile")
  rc=$?
  err=$(cat "$errfile")
  rm -f "$errfile"
  if [[ $rc -ne $want ]] || ! grep -qE -- "$pattern" <<<"$err" || grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: rc=$rc (want $want), stderr lacks /$pattern/ or stdout has it:"
    echo "-- stdout:"; echo "$out" | tail -6
    echo "-- stderr:"; echo "$err" | tail -6
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}
