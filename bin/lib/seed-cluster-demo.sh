#!/usr/bin/env bash
# The demo's cluster path (bin/jvmm-demo --cluster): the seed's VM through Kubernetes. Starts
# (or reuses) bin/jvmm-cluster with one node big enough for it, takes the runnable domain XML the
# node holds (/var/lib/jvmm/seed/seed.xml, bin/lib/seed-vm.sh), turns it into a VirtualMachine
# with `kubectl vm import`, applies it with kubectl, and puts its console on this terminal with
# `kubectl vm console` while a peer on the node talks to the guest over vsock (CID 3). Without
# --shell the guest powers off after its tour; restartPolicy Never (libvirt's on_poweroff
# destroy) keeps it Stopped, the console is closed, the VM deleted, and the script exits 0.
#
#   bin/lib/seed-cluster-demo.sh [--shell]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
shell=${1:-}
work=${JVMM_DEMO_WORK:-$(mktemp -d /tmp/jvmm-demo.XXXXXX)}
mkdir -p "$work"
say() { echo "jvmm-demo: $*" >&2; }

say "starting the cluster: bin/jvmm-cluster up --nodes 1 --node-cpus 5 --node-mem 10G"
kubeconfig=$("$here/bin/jvmm-cluster" up --nodes 1 --node-cpus 5 --node-mem 10G | tail -n1)
[[ $kubeconfig == KUBECONFIG=* ]] || { say "bin/jvmm-cluster up failed"; exit 1; }
export "$kubeconfig"
kubectl=$("$here/e2e/k8s/build.sh" --print-dir)/kubectl
"$here/bin/jvmm-cluster" exec jvmm-node-1 cat /var/lib/jvmm/seed/seed.xml > "$work/seed.xml"
[[ $shell == --shell ]] && sed -i 's#jvmm.script=/bin/jvmm-tour#& jvmm.shell=1#' "$work/seed.xml"
"$here/bin/kubectl-vm" import "$work/seed.xml" > "$work/seed.yaml"
say "kubectl vm import $work/seed.xml > $work/seed.yaml; kubectl apply -f $work/seed.yaml"
"$kubectl" delete vm stratovirt --ignore-not-found --wait=true >/dev/null
applied=$(date +%s)
"$kubectl" apply -f "$work/seed.yaml"

"$here/bin/jvmm-cluster" exec jvmm-node-1 python3 "$here/bin/lib/vsock-peer.py" 600 &
peer=$!
cleanup() { kill "$peer" 2>/dev/null || true; }
trap cleanup EXIT
"$kubectl" wait --for=condition=Ready virtualmachine/stratovirt --timeout=600s >/dev/null
say "Ready $(( $(date +%s) - applied )) s after kubectl apply; kubectl vm console stratovirt"
if [[ -t 0 ]]; then
  # On a terminal: the guest's shell, until `poweroff -f` in it or Ctrl-] here.
  "$here/bin/kubectl-vm" console stratovirt || true
  say "left the console; kubectl delete vm stratovirt ends the VM (KUBECONFIG=$KUBECONFIG)"
  exit 0
fi
# Without one: the console stays open across a VM's restarts; it is closed here once the VM is
# Stopped (the guest powers off after its tour).
"$here/bin/kubectl-vm" console stratovirt --linger -1 < /dev/null &
console=$!
until [[ $("$kubectl" get vm stratovirt -o 'jsonpath={.status.phase}' 2>/dev/null) == Stopped ]]; do
  kill -0 "$console" 2>/dev/null || break
  sleep 1
done
kill "$console" 2>/dev/null || true
wait "$console" 2>/dev/null || true
say "the guest powered off after $(( $(date +%s) - applied )) s; the VM is Stopped (restartPolicy Never)"
"$kubectl" get vm stratovirt
"$kubectl" delete vm stratovirt
say "the cluster keeps running (KUBECONFIG=$KUBECONFIG); bin/jvmm-cluster down stops it"
