#!/usr/bin/env bash
# Run the molecule scenarios (extensions/molecule/*) against a fresh azemu of their own:
#
#   scripts/molecule.sh                      molecule test --all
#   scripts/molecule.sh test -s network      any molecule command line
#
# azemu keeps its state in a temporary folder and is stopped, and the folder removed, on exit.
# The scenarios themselves only need the AZURE_* environment and REQUESTS_CA_BUNDLE, which
# `azemu env` prints; against Azure, export those instead and run molecule directly.
# Every ARM response azemu gave is checked against Azure's REST specs at the end
# (python -m azemu_specs check): a violation fails the script as a failed scenario does.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${VENV:-$root/.venv}
export AZEMU_STATE_DIR
AZEMU_STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/azemu-molecule.XXXXXX")

finish() {
    "$root/scripts/azemu-ctl" stop >/dev/null || true
    rm -rf "$AZEMU_STATE_DIR"
}
trap finish EXIT

capture=$AZEMU_STATE_DIR/responses.jsonl
"$root/scripts/azemu-ctl" start --capture-responses "$capture" >/dev/null
eval "$("$venv/bin/azemu" env --state-dir "$AZEMU_STATE_DIR")"
export PATH="$venv/bin:$PATH"
cd "$root"
if (($# == 0)); then
    set -- test --all
fi
status=0
molecule "$@" || status=$?
"$root/scripts/azemu-ctl" stop >/dev/null
"$venv/bin/python" -m azemu_specs check --label molecule "$capture" || status=$((status ? status : 1))
exit "$status"
