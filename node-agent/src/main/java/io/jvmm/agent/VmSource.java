package io.jvmm.agent;

import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the agent learns which VMs its node should run and how: the API server (VMs labelled
 * for the node) or, standalone, a directory of manifests and domain XML files.
 */
public interface VmSource extends AutoCloseable {
  /** Starts delivering; {@code changed} is called with each VM whose desired state changed. */
  void start(Consumer<VmKey> changed) throws Exception;

  /** The VM as last seen; empty when it is gone or no longer meant for this node. */
  Optional<VirtualMachine> get(VmKey key);

  /** Every VM meant for this node now. */
  Collection<VmKey> keys();

  /**
   * The VM's VMM ended and its restart policy does not start it again. A source of transient
   * VMs (the standalone agent's virsh create) forgets the VM then; others keep it, Stopped.
   */
  default void ended(VmKey key) {
  }

  @Override
  default void close() {
  }
}
