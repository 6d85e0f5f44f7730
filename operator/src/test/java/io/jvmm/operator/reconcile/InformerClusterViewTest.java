package io.jvmm.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.ManifestYaml;
import io.jvmm.operator.scheduling.NodeUsage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InformerClusterViewTest {

    private static VirtualMachine vm(String name, int vcpus, String node) throws InvalidVirtualMachineException {
        VirtualMachine vm = ManifestYaml.read("""
                apiVersion: jvmm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: %s, namespace: ns}
                spec:
                    memory: 256MiB
                    vcpu: %d
                    os: {arch: x86_64, machine: q35, kernel: /var/lib/jvmm/vmlinuz}
                """.formatted(name, vcpus).getBytes(StandardCharsets.UTF_8));
        if (node != null) {
            vm.setStatus(new VirtualMachineStatus());
            vm.getStatus().nodeName = node;
        }
        return vm;
    }

    @Test
    void aPlacementTheCacheDoesNotShowYetCountsUntilItDoes() throws Exception {
        PlacementLedger ledger = new PlacementLedger();
        VirtualMachine a = vm("a", 2, null);
        ledger.record("ns", "a", "node-1", VmDemands.of(a));

        Map<String, NodeUsage> assumed = InformerClusterView.usage(List.of(a), ledger, "ns/other");
        assertThat(assumed.get("node-1").vcpus()).isEqualTo(2);

        Map<String, NodeUsage> seen = InformerClusterView.usage(List.of(vm("a", 2, "node-1")), ledger, "ns/other");
        assertThat(seen.get("node-1").vcpus()).as("counted once, from the cache").isEqualTo(2);
        assertThat(ledger.entries()).isEmpty();
    }

    @Test
    void theVsockCidOfAVmOnANodeIsHeldThereInItsName() throws Exception {
        VirtualMachine a = ManifestYaml.read("""
                apiVersion: jvmm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: a, namespace: ns}
                spec:
                    memory: 256MiB
                    vcpu: 1
                    os: {arch: x86_64, machine: q35, kernel: /var/lib/jvmm/vmlinuz}
                    devices:
                        vsock: {model: virtio, cid: {address: 7}}
                """.getBytes(StandardCharsets.UTF_8));
        a.setStatus(new VirtualMachineStatus());
        a.getStatus().nodeName = "node-1";

        assertThat(InformerClusterView.usage(List.of(a), new PlacementLedger(), "ns/b").get("node-1").heldBy())
                .containsExactly(Map.entry("vsock CID 7", "ns/a"));
        assertThat(InformerClusterView.usage(List.of(a), new PlacementLedger(), "ns/a")).doesNotContainKey("node-1");
    }

    @Test
    void aVmDeletedBeforeTheCacheShowedItsPlacementFreesItsRoom() throws Exception {
        PlacementLedger ledger = new PlacementLedger();
        ledger.record("ns", "gone", "node-1", VmDemands.of(vm("gone", 2, null)));

        Map<String, NodeUsage> usage = InformerClusterView.usage(List.of(vm("next", 1, null)), ledger, "ns/next");

        assertThat(usage).doesNotContainKey("node-1");
        assertThat(ledger.entries()).isEmpty();
    }
}
