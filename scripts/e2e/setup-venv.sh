#!/usr/bin/env bash
# Create or refresh the git-ignored Python virtualenv used by the emulator tier (moto server)
# and the security scan (checkov).
#
#   bash scripts/e2e/setup-venv.sh          # idempotent: does nothing when up to date
#   E2E_VENV=/some/dir bash scripts/e2e/setup-venv.sh
#   PYTHON=python3.11 bash scripts/e2e/setup-venv.sh
#
# The venv is rebuilt in place when scripts/e2e/requirements.txt or the interpreter version changes
# (recorded in a stamp file inside the venv). The stamp is written only after the install and an
# import check succeeded, so an interrupted run is repeated next time. Any failure exits non-zero.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${E2E_VENV:-$root/.venv}"
req="$here/requirements.txt"
python="${PYTHON:-python3}"
stamp="$venv/.e2e-requirements.stamp"

log() { printf '[setup-venv] %s\n' "$*"; }
die() { printf '[setup-venv] ERROR: %s\n' "$*" >&2; exit 1; }

command -v "$python" >/dev/null 2>&1 || die "no '$python' on PATH (set PYTHON=...)"
[ -f "$req" ] || die "missing $req"

py_version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')" \
  || die "'$python' does not run"
case "$py_version" in
  3.9.*|3.1[0-9].*) ;;
  *) die "Python >= 3.9 needed for moto 5.2 / checkov 3.3, '$python' is $py_version" ;;
esac

want="python=$py_version sha256=$(sha256sum "$req" | cut -d' ' -f1)"

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log "up to date: $venv ($want)"
  exit 0
fi

if [ -x "$venv/bin/python" ]; then
  have_py="$("$venv/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || true)"
  if [ "$have_py" != "$py_version" ]; then
    log "interpreter changed ('$have_py' -> '$py_version'): removing $venv"
    rm -rf "$venv"
  else
    log "requirements changed or last install incomplete: reinstalling into $venv"
  fi
elif [ -e "$venv" ]; then
  log "$venv exists but has no working bin/python: removing it"
  rm -rf "$venv"
fi

if [ ! -x "$venv/bin/python" ]; then
  log "creating virtualenv $venv with $python ($py_version)"
  "$python" -m venv "$venv" || die "python -m venv failed (on Debian: apt-get install python3-venv)"
fi

rm -f "$stamp"
start=$(date +%s)
log "installing $(grep -Ev '^\s*(#|$)' "$req" | tr '\n' ' ')"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet -r "$req" \
  || die "pip install -r $req failed"

log "checking the installed tools"
"$venv/bin/python" - <<'PY' || die "import check failed"
import importlib.metadata as md
import moto.server  # noqa: F401  (flask/werkzeug etc. from the [server] extra)
import checkov.main  # noqa: F401
print("[setup-venv] moto %s, checkov %s" % (md.version("moto"), md.version("checkov")))
PY
[ -x "$venv/bin/moto_server" ] || die "moto_server entry point missing in $venv/bin"
[ -x "$venv/bin/checkov" ] || die "checkov entry point missing in $venv/bin"
"$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null \
  || log "warning: 'pip check' reports dependency conflicts (run '$venv/bin/python -m pip check')"

printf '%s\n' "$want" > "$stamp"
log "done in $(( $(date +%s) - start ))s: $venv"
