#!/usr/bin/env bash
# Creates (once) the Python virtual environment the QMP tests run in, with QEMU's own QMP
# client (PyPI qemu.qmp) at the version requirements.txt pins. Prints the venv's python.
#   vmm-core/src/test/python/setup-venv.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${JVMM_CACHE:-$HOME/.cache/jvmm}/venv
stamp=$venv/.requirements-$(sha256sum "$here/requirements.txt" | cut -c1-12)
if [[ ! -e $stamp ]]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt" >&2
  touch "$stamp"
fi
echo "$venv/bin/python"
