package io.jvmm.operator.reconcile;

import io.jvmm.crds.v1alpha1.Os;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineSpec;
import io.jvmm.domain.MemorySize;
import io.jvmm.domain.NodeExclusiveResources;
import io.jvmm.domain.VmmOverhead;
import io.jvmm.operator.scheduling.VmDemand;
import java.util.Map;
import java.util.Optional;

/**
 * A VirtualMachine's spec read as a scheduling demand: its guest RAM plus what its VMM may use
 * beyond it (the memory limit of its cgroup on the node, {@link VmmOverhead}). Only called on
 * specs that validated.
 */
final class VmDemands {
    private VmDemands() {}

    static VmDemand of(VirtualMachine vm) {
        VirtualMachineSpec spec = vm.getSpec();
        String arch = spec.os != null && spec.os.arch == Os.Arch.AARCH64 ? "aarch64" : "x86_64";
        return new VmDemand(arch, spec.vcpu,
                VmmOverhead.memoryLimitBytes(MemorySize.bytes(spec.memory).longValueExact(), spec.vcpu),
                Optional.ofNullable(spec.nodeName),
                spec.nodeSelector == null ? Map.of() : spec.nodeSelector,
                vm.getMetadata().getNamespace() + "/" + vm.getMetadata().getName(),
                NodeExclusiveResources.of(spec));
    }
}
