package io.jvmm.operator.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.domain.NodeExclusiveResources.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VmSchedulerTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final long GIB = 1L << 30;
    private final VmScheduler scheduler = new VmScheduler();

    private static NodeReport node(String name, int vcpus, long memory) {
        return new NodeReport(name, "x86_64", true, vcpus, memory, Map.of("zone", "a"),
                Optional.of(NOW.minusSeconds(5)), Duration.ofSeconds(40));
    }

    private static VmDemand vm(int vcpus, long memory) {
        return new VmDemand("x86_64", vcpus, memory, Optional.empty(), Map.of());
    }

    @Test
    void takesTheFittingNodeWithTheMostFreeMemory() {
        List<NodeReport> nodes = List.of(node("a", 8, 8 * GIB), node("b", 8, 16 * GIB), node("c", 8, 16 * GIB));
        Map<String, NodeUsage> usage = Map.of("b", new NodeUsage(2, 4 * GIB));

        assertThat(scheduler.place(vm(2, 2 * GIB), nodes, usage, NOW)).isEqualTo(new Placement.OnNode("c"));
    }

    @Test
    void givesOneReasonPerNodeWhenNothingFits() {
        List<NodeReport> nodes = List.of(
                node("small", 2, 1 * GIB),
                node("busy", 8, 16 * GIB),
                new NodeReport("nokvm", "x86_64", false, 64, 64 * GIB, Map.of(), Optional.of(NOW), Duration.ofSeconds(40)),
                new NodeReport("arm", "aarch64", true, 64, 64 * GIB, Map.of(), Optional.of(NOW), Duration.ofSeconds(40)),
                new NodeReport("silent", "x86_64", true, 64, 64 * GIB, Map.of(), Optional.of(NOW.minusSeconds(300)), Duration.ofSeconds(40)),
                new NodeReport("noagent", "x86_64", true, 64, 64 * GIB, Map.of(), Optional.empty(), Duration.ofSeconds(40)));
        Map<String, NodeUsage> usage = Map.of("busy", new NodeUsage(6, 2 * GIB));

        Placement placement = scheduler.place(vm(4, 2 * GIB), nodes, usage, NOW);

        assertThat(placement).isInstanceOf(Placement.Unschedulable.class);
        Map<String, String> reasons = ((Placement.Unschedulable) placement).reasonByNode();
        assertThat(reasons).containsOnlyKeys("small", "busy", "nokvm", "arm", "silent", "noagent");
        assertThat(reasons.get("small")).isEqualTo("needs 4 vCPUs, 2 of 2 free");
        assertThat(reasons.get("busy")).isEqualTo("needs 4 vCPUs, 2 of 8 free");
        assertThat(reasons.get("nokvm")).isEqualTo("no KVM");
        assertThat(reasons.get("arm")).isEqualTo("arch is aarch64, the VM needs x86_64");
        assertThat(reasons.get("silent")).startsWith("node agent silent since 2026-11-24T11:55:00Z");
        assertThat(reasons.get("noagent")).isEqualTo("no node agent heartbeat");
        assertThat(((Placement.Unschedulable) placement).message())
                .startsWith("no node fits: arm: arch is aarch64").contains("; busy: needs 4 vCPUs");
    }

    @Test
    void memoryIsCountedAfterWhatPlacedVmsHold() {
        Map<String, NodeUsage> usage = Map.of("a", NodeUsage.NONE.plus(vm(1, 3 * GIB)));

        Placement placement = scheduler.place(vm(1, 2 * GIB), List.of(node("a", 4, 4 * GIB)), usage, NOW);

        assertThat(((Placement.Unschedulable) placement).reasonByNode())
                .containsEntry("a", "needs 2048 MiB memory (guest RAM and VMM overhead), 1024 of 4096 MiB free");
    }

    @Test
    void honoursNodeNameAndNodeSelector() {
        List<NodeReport> nodes = List.of(node("a", 8, 8 * GIB), node("b", 8, 8 * GIB));
        VmDemand pinned = new VmDemand("x86_64", 1, GIB, Optional.of("b"), Map.of());
        VmDemand selective = new VmDemand("x86_64", 1, GIB, Optional.empty(), Map.of("zone", "b"));

        assertThat(scheduler.place(pinned, nodes, Map.of(), NOW)).isEqualTo(new Placement.OnNode("b"));
        assertThat(((Placement.Unschedulable) scheduler.place(selective, nodes, Map.of(), NOW)).reasonByNode())
                .containsEntry("a", "label zone=b of spec.nodeSelector is 'a'");
    }

    @Test
    void aVsockCidATapOrAHostDeviceHeldOnANodeKeepsTheVmOffIt() {
        List<NodeReport> nodes = List.of(node("a", 8, 8 * GIB), node("b", 8, 8 * GIB));
        Resource cid = new Resource("vsock CID 3", "spec.devices.vsock.cid.address");
        Resource tap = new Resource("tap vnet0", "spec.devices.interfaces[0].target.dev");
        Resource pci = new Resource("host PCI device 0000:03:00.0", "spec.devices.hostdevs[0].source.address");
        VmDemand held = new VmDemand("x86_64", 1, GIB, Optional.empty(), Map.of(), "default/first", List.of(cid, tap, pci));
        Map<String, NodeUsage> usage = Map.of("a", NodeUsage.NONE.plus(held));

        for (Resource wanted : List.of(cid, tap, pci)) {
            VmDemand second = new VmDemand("x86_64", 1, GIB, Optional.empty(), Map.of(), "default/second", List.of(wanted));
            assertThat(scheduler.place(second, nodes, usage, NOW)).isEqualTo(new Placement.OnNode("b"));
            VmDemand pinned = new VmDemand("x86_64", 1, GIB, Optional.of("a"), Map.of(), "default/second", List.of(wanted));
            assertThat(((Placement.Unschedulable) scheduler.place(pinned, nodes, usage, NOW)).reasonByNode())
                    .containsEntry("a", wanted.field() + ": " + wanted.name()
                            + " is held by VM default/first on this node; choose another or stop that VM");
        }
        VmDemand other = new VmDemand("x86_64", 1, GIB, Optional.of("a"), Map.of(), "default/third",
                List.of(new Resource("vsock CID 4", "spec.devices.vsock.cid.address")));
        assertThat(scheduler.place(other, nodes, usage, NOW)).isEqualTo(new Placement.OnNode("a"));
    }

    @Test
    void noNodesAtAllSaysThereIsNoAgent() {
        Placement placement = scheduler.place(vm(1, GIB), List.of(), Map.of(), NOW);

        assertThat(((Placement.Unschedulable) placement).message()).isEqualTo("no node runs a jvmm node agent");
    }
}
