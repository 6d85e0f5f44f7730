package io.jvmm.kubectl;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jvmm.agent.console.ConsoleClient;
import io.jvmm.agent.console.ConsoleRequest;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * console NAME: straight to the node agent that runs the VM (node-agent/README.md, "Console"):
 * the endpoint and certificate fingerprint come from the VM's status.agent (or, from agents that do not
 * write them there, its Node's annotations), the user's own bearer token
 * goes in the request, and the agent asks the API server (TokenReview, SubjectAccessReview of
 * get virtualmachines/console) whether this user may.
 */
@Command(name = "console", description = "Attaches to the VM's console (hvc0, else the serial port); virsh console."
    + "%nOn a terminal: raw mode, Ctrl-] leaves. Otherwise stdin and stdout are piped, and it leaves when stdin has"
    + " ended and the console has been quiet for --linger. A dropped connection is made again.")
final class ConsoleCommand implements Callable<Integer> {
  @CommandLine.ParentCommand
  KubectlVm root;

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(names = "--read-only", description = "Watch only")
  boolean readOnly;

  @Option(names = "--serial", description = "The serial port even when the VM has a virtio console")
  boolean serial;

  @Option(names = "--no-reconnect", description = "Exit 1 when the connection drops instead of connecting again")
  boolean noReconnect;

  @Option(names = "--linger", defaultValue = "2s", description = "Without a terminal: after stdin ends, leave once the"
      + " console has been quiet this long; -1 stays until the connection ends (default ${DEFAULT-VALUE})")
  String linger;

  @Option(names = "--endpoint", paramLabel = "HOST:PORT", description = "The agent's console endpoint, instead of the"
      + " VM's status.agent.consoleEndpoint or its Node's " + NodeContract.CONSOLE_ENDPOINT_ANNOTATION)
  String endpoint;

  @Option(names = "--fingerprint", paramLabel = "SHA256", description = "The endpoint certificate's SHA-256, instead of"
      + " the VM's status.agent.consoleCertSha256 or its Node's " + NodeContract.CONSOLE_CERT_ANNOTATION)
  String fingerprint;

  @Override
  public Integer call() throws Exception {
    long lingerMillis = linger.equals("-1") ? -1 : Durations.parse(linger, "--linger").toMillis();
    KubeAccess access = root.access();
    String token = access.bearerToken();
    if (token == null) {
      throw new UsageException(access.usesClientCertificate()
          ? "the kubeconfig's user authenticates with a client certificate, and the node agent authorizes consoles"
              + " by bearer token (TokenReview), which cannot check a certificate. Use a user with a token: --token,"
              + " or a kubeconfig user with token, tokenFile or an exec plugin (for a service account:"
              + " kubectl create token NAME)"
          : "the kubeconfig's user has no bearer token to send the node agent; use --token or a kubeconfig user with a"
              + " token");
    }
    String namespace = access.namespace();
    ConsoleRequest request = new ConsoleRequest(namespace, name, !readOnly, token);
    request.serial = serial;
    boolean terminal = System.console() != null && root.stdin == System.in;
    try (KubernetesClient client = access.client()) {
      String[] where = new String[1];
      ConsoleSession.Connector connector = () -> {
        Target target = target(client, namespace);
        where[0] = target.node;
        return ConsoleClient.remote(target.address, request, true, target.fingerprint);
      };
      ConsoleSession session = new ConsoleSession(connector, terminal, root.stdin, root.stdout, root.err(),
          !noReconnect, lingerMillis);
      try {
        return session.run("VM " + namespace + "/" + name);
      } catch (ConsoleClient.ConsoleRefusedException e) {
        root.err().println("error: the node agent refused the console: " + e.getMessage());
        return 1;
      } catch (ConsoleSession.GiveUp e) {
        root.err().println(e.getMessage());
        return 1;
      } catch (IOException e) {
        if (e instanceof KubernetesClientIOException k) {
          throw k.api;
        }
        root.err().println("error: cannot reach the console of " + KubectlVm.RESOURCE + "/" + name
            + (where[0] == null ? "" : " on node " + where[0]) + ": " + ApiErrors.rootMessage(e));
        return 1;
      }
    }
  }

  private record Target(String node, InetSocketAddress address, String fingerprint) {
  }

  /** Where the VM's console is now: its node's endpoint and certificate, or the options'. */
  private Target target(KubernetesClient client, String namespace) throws IOException {
    VirtualMachine vm;
    String nodeName;
    // Where the agent says its console is: status.agent, or the Node's annotations.
    Map<String, String> published = Map.of();
    try {
      vm = KubectlVm.vm(client, namespace, name).get();
      if (vm == null) {
        throw new ConsoleSession.GiveUp(KubectlVm.notFound(name));
      }
      nodeName = vm.getStatus() == null ? null : vm.getStatus().nodeName;
      if (nodeName == null) {
        throw new UsageException(KubectlVm.RESOURCE + "/" + name + " runs on no node yet (phase "
            + (vm.getStatus() == null || vm.getStatus().phase == null ? "Pending" : vm.getStatus().phase)
            + "): wait until it is scheduled, e.g. kubectl wait --for=condition=Ready vm/" + name);
      }
      // The agent running the VM names its console in status.agent; older agents only on the Node.
      AgentStatus agent = vm.getStatus().agent;
      if (agent != null && nodeName.equals(agent.nodeName) && agent.consoleEndpoint != null
          && agent.consoleCertSha256 != null) {
        published = Map.of(NodeContract.CONSOLE_ENDPOINT_ANNOTATION, agent.consoleEndpoint,
            NodeContract.CONSOLE_CERT_ANNOTATION, agent.consoleCertSha256);
      } else if (endpoint == null || fingerprint == null) {
        Node node = client.nodes().withName(nodeName).get();
        published = node == null || node.getMetadata().getAnnotations() == null ? Map.of()
            : node.getMetadata().getAnnotations();
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403 && e.getMessage() != null && e.getMessage().contains("nodes")) {
        throw new UsageException("cannot read Node " + (e.getStatus() == null ? "" : "(" + e.getStatus().getMessage()
            + ")") + " to find the console endpoint: pass --endpoint and --fingerprint (the Node's "
            + NodeContract.CONSOLE_ENDPOINT_ANNOTATION + " and " + NodeContract.CONSOLE_CERT_ANNOTATION
            + " annotations), or get permission to read Nodes");
      }
      throw new KubernetesClientIOException(e);
    }
    String at = endpoint != null ? endpoint : published.get(NodeContract.CONSOLE_ENDPOINT_ANNOTATION);
    String pin = fingerprint != null ? fingerprint : published.get(NodeContract.CONSOLE_CERT_ANNOTATION);
    if (at == null || pin == null) {
      throw new UsageException("node " + nodeName + " publishes no console endpoint (annotations "
          + NodeContract.CONSOLE_ENDPOINT_ANNOTATION + " and " + NodeContract.CONSOLE_CERT_ANNOTATION
          + "): is the jvmm node agent running there with TLS?");
    }
    int colon = at.lastIndexOf(':');
    if (colon <= 0) {
      throw new UsageException("console endpoint \"" + at + "\" of node " + nodeName + " is not HOST:PORT");
    }
    String host = at.substring(0, colon).replace("[", "").replace("]", "");
    return new Target(nodeName, new InetSocketAddress(host, Integer.parseInt(at.substring(colon + 1))), pin);
  }

  /** An API error met while connecting, carried through the connector's IOException signature. */
  static final class KubernetesClientIOException extends IOException {
    final KubernetesClientException api;

    KubernetesClientIOException(KubernetesClientException api) {
      super(api.getMessage(), api);
      this.api = api;
    }
  }
}
