package io.jvmm.agent.standalone;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.crds.v1alpha1.VirtualMachine;

/** Deep copies of VMs, through their JSON form. */
final class ManifestCopies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ManifestCopies() {
  }

  static VirtualMachine copy(VirtualMachine vm) {
    return JSON.convertValue(vm, VirtualMachine.class);
  }
}
