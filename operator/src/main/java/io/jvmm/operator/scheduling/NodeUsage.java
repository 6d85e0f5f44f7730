package io.jvmm.operator.scheduling;

/** The vCPUs and memory that the VMs already placed on a node hold. */
public record NodeUsage(int vcpus, long memoryBytes) {
    public static final NodeUsage NONE = new NodeUsage(0, 0);

    public NodeUsage plus(VmDemand vm) {
        return new NodeUsage(vcpus + vm.vcpus(), memoryBytes + vm.memoryBytes());
    }

    public NodeUsage plus(NodeUsage other) {
        return new NodeUsage(vcpus + other.vcpus, memoryBytes + other.memoryBytes);
    }
}
