package io.jvmm.agent.kube;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jvmm.agent.AgentStatusSink;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;

/**
 * Writes status.agent by server-side apply on the status subresource, as field manager
 * jvmm-node-agent: the agent owns exactly the fields it sends, the operator's fields beside
 * them are untouched, and a field the agent stops sending (pid after the VMM ended) goes away.
 */
public final class KubernetesStatusSink implements AgentStatusSink {
  private static final PatchContext APPLY = new PatchContext.Builder()
      .withPatchType(PatchType.SERVER_SIDE_APPLY)
      .withFieldManager(NodeContract.AGENT_FIELD_MANAGER)
      .withForce(true)
      .build();

  private final KubernetesClient client;

  public KubernetesStatusSink(KubernetesClient client) {
    this.client = client;
  }

  /** The apply configuration: identity and status.agent, nothing else. */
  static VirtualMachine applyConfiguration(VirtualMachine vm, AgentStatus status) {
    VirtualMachine patch = new VirtualMachine();
    patch.setMetadata(new ObjectMetaBuilder().withNamespace(vm.getMetadata().getNamespace())
        .withName(vm.getMetadata().getName()).build());
    patch.setStatus(new VirtualMachineStatus());
    patch.getStatus().agent = status;
    return patch;
  }

  @Override
  public void report(VirtualMachine vm, AgentStatus status) {
    VirtualMachine patch = applyConfiguration(vm, status);
    try {
      client.resources(VirtualMachine.class).inNamespace(vm.getMetadata().getNamespace())
          .withName(vm.getMetadata().getName()).subresource("status").patch(APPLY, patch);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        // Deleted meanwhile; nothing is left to report to.
        return;
      }
      throw e;
    }
  }
}
