package io.jvmm.consoleapi;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvmm.agent.console.ConsoleClient;
import io.jvmm.agent.pki.Pem;
import io.jvmm.agent.console.ConsoleRequest;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import javax.net.ssl.KeyManager;

/**
 * The way from the console API to a VM's console: the node that runs it (the VM's status), the
 * agent's endpoint and certificate fingerprint there (the VM's status.agent, else the Node's
 * annotations), and a mutual-TLS connection: the agent's certificate must have the published
 * fingerprint, and this component presents the client certificate that agents accept from it
 * alone.
 */
public final class AgentConsoles {
  private final KubernetesClient client;
  private final KeyManager[] identity;

  public AgentConsoles(KubernetesClient client, KeyManager[] identity) {
    this.client = client;
    this.identity = identity;
  }

  /** Where the VM's console is now; refused when there is no such VM or it runs nowhere. */
  public Target locate(String namespace, String name) throws ApiRefusal {
    VirtualMachine vm = client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).get();
    if (vm == null) {
      throw ApiRefusal.notFound("virtualmachines.jvmm.io", name);
    }
    String nodeName = vm.getStatus() == null ? null : vm.getStatus().nodeName;
    if (nodeName == null) {
      throw ApiRefusal.unavailable("virtualmachines/" + name + " runs on no node yet (phase "
          + (vm.getStatus() == null || vm.getStatus().phase == null ? "Pending" : vm.getStatus().phase)
          + "): wait until it is scheduled, e.g. kubectl wait --for=condition=Ready vm/" + name);
    }
    AgentStatus agent = vm.getStatus().agent;
    Map<String, String> published;
    if (agent != null && nodeName.equals(agent.nodeName) && agent.consoleEndpoint != null
        && agent.consoleCertSha256 != null) {
      published = Map.of(NodeContract.CONSOLE_ENDPOINT_ANNOTATION, agent.consoleEndpoint,
          NodeContract.CONSOLE_CERT_ANNOTATION, agent.consoleCertSha256);
    } else {
      Node node = client.nodes().withName(nodeName).get();
      published = node == null || node.getMetadata().getAnnotations() == null ? Map.of()
          : node.getMetadata().getAnnotations();
    }
    String at = published.get(NodeContract.CONSOLE_ENDPOINT_ANNOTATION);
    String pin = published.get(NodeContract.CONSOLE_CERT_ANNOTATION);
    if (at == null || pin == null) {
      throw ApiRefusal.unavailable("node " + nodeName + " publishes no console endpoint (annotations "
          + NodeContract.CONSOLE_ENDPOINT_ANNOTATION + " and " + NodeContract.CONSOLE_CERT_ANNOTATION
          + "): is the jvmm node agent running there with --console-client-ca?");
    }
    int colon = at.lastIndexOf(':');
    int port;
    try {
      port = Integer.parseInt(at.substring(colon + 1));
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      port = -1;
    }
    if (colon <= 0 || port < 1 || port > 65535) {
      throw ApiRefusal.unavailable("console endpoint \"" + at + "\" of node " + nodeName + " is not HOST:PORT");
    }
    String host = at.substring(0, colon).replace("[", "").replace("]", "");
    return new Target(nodeName, InetSocketAddress.createUnresolved(host, port), pin);
  }

  /** Opens the console on the agent; its refusals come as {@link ConsoleClient.ConsoleRefusedException}. */
  public ConsoleClient open(Target target, ConsoleRequest request) throws IOException {
    InetSocketAddress resolved = new InetSocketAddress(target.address().getHostString(), target.address().getPort());
    return ConsoleClient.remote(resolved, request, identity, target.fingerprint());
  }

  /** A node's console endpoint and its certificate's SHA-256. */
  public record Target(String node, InetSocketAddress address, String fingerprint) {
  }
}
