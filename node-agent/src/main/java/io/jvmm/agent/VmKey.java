package io.jvmm.agent;

import io.jvmm.crds.v1alpha1.VirtualMachine;

/** A VirtualMachine's identity on the node: namespace and name. */
public record VmKey(String namespace, String name) implements Comparable<VmKey> {
  public static VmKey of(VirtualMachine vm) {
    String ns = vm.getMetadata().getNamespace();
    return new VmKey(ns == null || ns.isBlank() ? "default" : ns, vm.getMetadata().getName());
  }

  @Override
  public int compareTo(VmKey o) {
    int c = namespace.compareTo(o.namespace);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
