package io.jvmm.agent.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvmm.agent.VmKey;
import io.jvmm.agent.VmSource;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The VMs the operator assigned to this node: an informer on VirtualMachines in every namespace
 * with the label jvmm.io/node=NODE (custom resources cannot be watched by a status field). A VM
 * whose label moves to another node leaves the informer's cache, which the agent treats as gone.
 */
public final class KubernetesVmSource implements VmSource {
  private final KubernetesClient client;
  private final String nodeName;
  private SharedIndexInformer<VirtualMachine> informer;

  public KubernetesVmSource(KubernetesClient client, String nodeName) {
    this.client = client;
    this.nodeName = nodeName;
  }

  @Override
  public void start(Consumer<VmKey> changed) {
    informer = client.resources(VirtualMachine.class).inAnyNamespace()
        .withLabel(NodeContract.NODE_LABEL, nodeName)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(VirtualMachine vm) {
            changed.accept(VmKey.of(vm));
          }

          @Override
          public void onUpdate(VirtualMachine old, VirtualMachine vm) {
            changed.accept(VmKey.of(vm));
          }

          @Override
          public void onDelete(VirtualMachine vm, boolean finalStateUnknown) {
            changed.accept(VmKey.of(vm));
          }
        }, 0);
    // The agent must not act before it has the whole list: a VM missing from a partial view
    // would look deleted, and its VMM would be quit.
    while (!informer.hasSynced()) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while listing VirtualMachines", e);
      }
    }
  }

  @Override
  public Optional<VirtualMachine> get(VmKey key) {
    return Optional.ofNullable(informer.getStore().getByKey(key.namespace() + "/" + key.name()));
  }

  @Override
  public Collection<VmKey> keys() {
    if (informer == null) {
      return List.of();
    }
    return informer.getStore().list().stream().map(VmKey::of).toList();
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}
