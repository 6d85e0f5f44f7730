package io.jvmm.agent.vmm;

import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.MemorySize;
import io.jvmm.domain.VmmOverhead;
import java.util.List;

/** The resource limits of one VM's VMM, from its spec and {@link VmmOverhead}. */
public record VmmLimits(long memoryBytes, int tasks, long cpuQuotaMicros) {
  public static VmmLimits of(VirtualMachine vm) {
    long ram = MemorySize.bytes(vm.getSpec().memory).longValueExact();
    int vcpus = vm.getSpec().vcpu;
    int iothreads = vm.getSpec().iothreads == null ? 0 : vm.getSpec().iothreads;
    return new VmmLimits(VmmOverhead.memoryLimitBytes(ram, vcpus), VmmOverhead.taskLimit(vcpus, iothreads),
        VmmOverhead.cpuQuotaMicros(vcpus));
  }

  /** The same limits as systemd-run properties of the VMM's scope. */
  List<String> systemdProperties() {
    return List.of("--property=MemoryMax=" + memoryBytes, "--property=MemorySwapMax=0", "--property=TasksMax=" + tasks,
        "--property=CPUQuota=" + (cpuQuotaMicros * 100 / VmmOverhead.CPU_PERIOD_MICROS) + "%");
  }
}
