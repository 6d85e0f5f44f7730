package io.jvmm.agent.node;

import java.util.List;

/**
 * What the agent publishes about its node for the scheduler: the architecture in the VM spec's
 * naming, whether KVM is usable, and what it offers to VMs.
 *
 * @param arch               x86_64 or aarch64
 * @param kvm                /dev/kvm can be opened for reading and writing
 * @param allocatableVcpus   vCPUs offered to VMs (host CPUs less the reserve)
 * @param allocatableMemory  bytes offered to VMs (host memory less the reserve)
 * @param passthroughDevices PCI addresses of host devices bound to vfio-pci
 */
public record NodeFacts(String arch, boolean kvm, int allocatableVcpus, long allocatableMemory,
    List<String> passthroughDevices) {
}
