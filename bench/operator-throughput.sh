#!/usr/bin/env bash
# Reconcile throughput of the operator: 1,000 VirtualMachines on 20 simulated nodes against the
# real API server (e2e/k8s/build.sh must have built it).  Prints a table.
#   bench/operator-throughput.sh [VMS]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl operator -am install -DskipTests >&2
mvn -B -pl operator test -Dsurefire.excludedGroups= -Dgroups=benchmark -Dtest=ReconcileThroughputBenchmark \
  -Dsurefire.failIfNoSpecifiedTests=false -Djvmm.bench.vms="${1:-1000}" \
  ${JVMM_BENCH_CRDS:+-Djvmm.kube.crds=$JVMM_BENCH_CRDS} >&2
grep -E '^\|' operator/target/surefire-reports/io.jvmm.operator.reconcile.ReconcileThroughputBenchmark-output.txt
