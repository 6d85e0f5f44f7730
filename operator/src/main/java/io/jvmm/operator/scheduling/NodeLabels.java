package io.jvmm.operator.scheduling;

/**
 * What a node agent publishes about its node, and where: the contract between the node agent,
 * which writes these, and the scheduler, which reads them.  Labels are for selection (a
 * nodeSelector or a DaemonSet affinity may name them); sizes are annotations.
 */
public final class NodeLabels {
    /** Label: the node's architecture as the VM spec names it, x86_64 or aarch64. */
    public static final String ARCH = "jvmm.io/arch";
    /** Label: "true" where /dev/kvm is usable for VMs. */
    public static final String KVM = "jvmm.io/kvm";
    /** Annotation: vCPUs the agent offers to VMs, a whole number. */
    public static final String ALLOCATABLE_VCPUS = "jvmm.io/allocatable-vcpus";
    /** Annotation: memory the agent offers to VMs, in bytes. */
    public static final String ALLOCATABLE_MEMORY = "jvmm.io/allocatable-memory";
    /** Annotation: PCI addresses of host devices bound to vfio-pci, comma-separated. */
    public static final String PASSTHROUGH_DEVICES = "jvmm.io/passthrough-devices";
    /** The heartbeat Lease of node N's agent is named PREFIX + N, in the agent's namespace. */
    public static final String LEASE_PREFIX = "jvmm-agent-";

    private NodeLabels() {}
}
