#!/usr/bin/env bash
# Time from `kubectl apply` of a VirtualMachine to Ready, P50 and P95 over VMS VMs (default 10):
# the real control plane, the operator as a local process, the node agent in the KVM sandbox
# booting each VM on bin/jvmm (nested KVM on software emulation here: compare only with figures
# taken the same way). VMs are applied one after another, each deleted before the next.
# Prints a table. Needs e2e/k8s/build.sh's binaries and the guest image (bin/jvmm-setup).
#   bench/apply-latency.sh [VMS]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl vmm-core,e2e -am install -DskipTests >&2
mvn -B -pl e2e surefire:test -Dsurefire.excludedGroups= -Dgroups=benchmark -Dtest=ApplyLatencyBenchmark \
  -Dsurefire.failIfNoSpecifiedTests=false -Djvmm.bench.vms="${1:-10}" >&2
grep -E '^\||Ready after' e2e/target/surefire-reports/io.jvmm.e2e.ApplyLatencyBenchmark-output.txt
