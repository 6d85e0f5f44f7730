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
  private volatile ConsoleEndpoint console;

  /** Where the node's agent serves consoles, as clients reach it, and its certificate's pin (null without TLS). */
  public record ConsoleEndpoint(String endpoint, String certSha256) {
  }

  public KubernetesStatusSink(KubernetesClient client) {
    this.client = client;
  }

  /** From now on, each status names the console endpoint too. */
  public void publishConsole(ConsoleEndpoint console) {
    this.console = console;
  }

  @Override
  public void report(VirtualMachine vm, AgentStatus status) {
    ConsoleEndpoint c = console;
    if (c != null) {
      status.consoleEndpoint = c.endpoint();
      status.consoleCertSha256 = c.certSha256();
    }
    apply(vm, status);
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

  private void apply(VirtualMachine vm, AgentStatus status) {
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
