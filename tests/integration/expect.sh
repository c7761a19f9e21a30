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
