#!/usr/bin/env bash
# Runs a side-by-side benchmark, bench/SCRIPT.py, with jvmm's launcher and the guest image: in
# bin/jvmm-sandbox (2 vCPUs, 4 GiB, at most 50 minutes), which runs it directly where /dev/kvm
# here is hardware KVM. Each bench/*.sh that boots guests is this with its script's name.
#   bench/in-sandbox.sh SCRIPT.py [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[[ $# -ge 1 && -f $here/bench/$1 ]] || { echo "usage: bench/in-sandbox.sh SCRIPT.py [ARGS...] (a script in bench/)" >&2; exit 2; }
if [[ -z ${JVMM_BENCH_INSIDE:-} ]]; then
  export JVMM_BENCH_INSIDE=1
  exec "$here/bin/jvmm-sandbox" --cpus 2 --mem 4G --timeout 3000 -- "$here/bench/in-sandbox.sh" "$@"
fi
script=$1; shift
image=$("$here/bin/jvmm-guest-image" --print)
exec python3 "$here/bench/$script" --jvmm "$here/bin/jvmm" --image "$image" "$@"
