#!/usr/bin/env bash
# One node of bin/jvmm-cluster, run in the node's KVM sandbox (bin/jvmm-sandbox):
#
#   cluster-node.sh IMAGE EXEC_PORT SECRET_FILE -- AGENT ARGS...
#
# puts the test guest image where examples/ expect a node's VM files (/var/lib/jvmm/guest),
# lays out the seed's VM (its files and runnable domain in /var/lib/jvmm/seed, bin/lib/seed-vm.sh)
# with the bridge qbr0 its NIC names, as a node's administrator would, serves
# `bin/jvmm-cluster exec` on EXEC_PORT (node_exec.py), and becomes the node agent.
set -euo pipefail
[[ $# -ge 5 && $4 == -- ]] || { echo "usage: cluster-node.sh IMAGE EXEC_PORT SECRET_FILE -- AGENT ARGS..." >&2; exit 2; }
image=$1 port=$2 secret=$3
shift 4
# In a sandbox the root is a throw-away overlay; run directly, it is this machine's own
# /var/lib/jvmm, where the guest is only put if we may.
if ! install -D -m 0644 -t /var/lib/jvmm/guest "$image/vmlinuz" "$image/initramfs.img" 2>/dev/null; then
  echo "cluster-node: cannot write /var/lib/jvmm/guest; examples/guest-vm.yaml will not find its kernel here" >&2
fi
# Only in a sandbox: run directly, this machine's own network and /var/lib are not ours to change.
if [[ -n ${JVMM_SANDBOX_GUEST:-} ]]; then
  "$(dirname "$(readlink -f "$0")")/seed-vm.sh" /var/lib/jvmm/seed >/dev/null \
    || echo "cluster-node: cannot lay out the seed VM in /var/lib/jvmm/seed" >&2
  modprobe bridge 2>/dev/null || true
  { ip link add qbr0 type bridge && ip addr add 192.168.100.1/24 dev qbr0 && ip link set qbr0 up; } \
    || echo "cluster-node: cannot make the bridge qbr0" >&2
fi
# The forwarded port reaches a sandbox at 10.0.2.15; run directly, nobody but this host may ask.
address=127.0.0.1
[[ -n ${JVMM_SANDBOX_GUEST:-} ]] && address=0.0.0.0
python3 "$(dirname "$(readlink -f "$0")")/node_exec.py" serve "$address" "$port" "$secret" </dev/null &
# Started again whenever it exits, as the kubelet restarts a DaemonSet's container: a JVM now
# and then crashes under the sandbox's software emulation.
while :; do
  "$@" && status=0 || status=$?
  echo "cluster-node: the agent exited with status $status; starting it again" >&2
  sleep 2
done
