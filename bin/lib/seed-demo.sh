#!/usr/bin/env bash
# The demo's main part, on hardware-style KVM as root (bin/jvmm-demo runs it in the KVM
# sandbox): a bridge qbr0 for the seed VM's NIC, the standalone agent, then the seed VM created
# from its domain XML as `virsh create` would, and its console on this terminal as
# `virsh console`. A host peer meanwhile talks to the guest over vsock (CID 3). The guest
# prints its tour of the devices; on a terminal (--shell) it then keeps a shell (poweroff -f
# ends it), otherwise it powers off. The domain is transient and has libvirt's lifecycle
# defaults: when the guest powers off, the VM ends and goes, and so does this script, 0.
#
#   bin/lib/seed-demo.sh [--shell]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
shell=${1:-}
# JVMM_DEMO_WORK: where the VM's files, the agent's home and its log go (default: a new /tmp dir).
work=${JVMM_DEMO_WORK:-$(mktemp -d /tmp/jvmm-demo.XXXXXX)}
mkdir -p "$work" && chmod 0755 "$work"
image=$("$here/bin/jvmm-guest-image" --print)
xml=$("$here/bin/lib/seed-vm.sh" "$work/files" $shell)
say() { echo "jvmm-demo: $*" >&2; }

modprobe bridge 2>/dev/null || true
ip link add qbr0 type bridge && ip addr add 192.168.100.1/24 dev qbr0 && ip link set qbr0 up
say "bridge qbr0 at 192.168.100.1/24 for the NIC's tap"

agent=()
cleanup() {
  if [[ ${#agent[@]} -gt 0 ]]; then
    kill "${agent[@]}" 2>/dev/null || true
    wait "${agent[@]}" 2>/dev/null || true
  fi
  ip link del qbr0 2>/dev/null || true
}
trap cleanup EXIT
"$here/bin/jvmm-agent" --mode standalone --home "$work/agent" --allow-root "$image" --allow-root "$work/files" \
  > "$work/agent.log" 2>&1 &
agent=($!)
virsh=("$here/bin/jvmm-virsh" -c "$work/agent/agent.sock")
for _ in $(seq 600); do [[ -S $work/agent/agent.sock ]] && break; kill -0 "${agent[0]}" || break; sleep 0.2; done
[[ -S $work/agent/agent.sock ]] || { say "the agent did not start:"; cat "$work/agent.log" >&2; exit 1; }
say "agent up (log: $work/agent.log); virsh create $xml"
"${virsh[@]}" create "$xml"

# The host's vsock peer: it connects to the guest's port 1024 once the guest listens.
python3 "$here/bin/lib/vsock-peer.py" &
agent+=($!)

"${virsh[@]}" console StratoVirt
# The console ends with the VM: the guest powered off, and the transient domain went.
for _ in $(seq 300); do "${virsh[@]}" list 2>/dev/null | grep -q StratoVirt || break; sleep 0.2; done
if "${virsh[@]}" list | grep -q StratoVirt; then
  say "the console closed but the VM is still listed:"; "${virsh[@]}" list >&2; exit 1
fi
say "the guest powered off; the transient VM ended and is gone (virsh list is empty)"
if [[ -n ${JVMM_DEMO_DEBUG:-} ]]; then cat "$work/agent.log" >&2; fi
