package io.jvmm.consoleapi;

import io.jvmm.crds.v1alpha1.ConsoleSubresources;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * jvmm-console-api: the aggregated API server of {@value ConsoleSubresources#GROUP}, run as a
 * Deployment (deploy/console-api/). Its certificates come from files, or with
 * --certificates-from-namespace from the Secret it makes there on its first start.
 */
@Command(name = "jvmm-console-api", mixinStandardHelpOptions = true,
    description = "Serves virtualmachines/console and virtualmachines/consoleview (subresources.jvmm.io) behind"
        + " kube-apiserver's aggregation layer, relayed to the node agents over mutual TLS.")
public final class ConsoleApiMain implements Callable<Integer> {
  @Option(names = "--listen", description = "host:port (default ${DEFAULT-VALUE})")
  String listen = "0.0.0.0:8443";

  @Option(names = "--certificates-from-namespace", paramLabel = "NAMESPACE", description = "Make (first start) and"
      + " read the certificates in the Secret " + ConsoleCertificates.SECRET + " of NAMESPACE, publish the agents'"
      + " CA in ConfigMap " + ConsoleCertificates.CLIENT_CA_CONFIG_MAP + " and set the APIService's caBundle")
  String certificatesNamespace;

  @Option(names = "--service", description = "The Service kube-apiserver reaches this through (default"
      + " ${DEFAULT-VALUE}): its name is in the serving certificate")
  String service = "jvmm-console-api";

  @Option(names = "--tls-cert-file", description = "Serving certificate, PEM (instead of the Secret)")
  Path tlsCert;
  @Option(names = "--tls-key-file", description = "Serving key, PEM")
  Path tlsKey;
  @Option(names = "--agent-client-cert-file", description = "Client certificate for the node agents, PEM")
  Path agentCert;
  @Option(names = "--agent-client-key-file", description = "Its key, PEM")
  Path agentKey;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new ConsoleApiMain());
    // What went wrong with the cluster (a permission, the aggregation layer) in one line, not a trace.
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      command.getErr().println("jvmm-console-api: " + e.getMessage());
      return 1;
    });
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
    String servingCert;
    String servingKey;
    String clientCert;
    String clientKey;
    if (certificatesNamespace != null) {
      ConsoleCertificates.Material m = ConsoleCertificates.ensure(client, certificatesNamespace, service);
      servingCert = m.servingCert();
      servingKey = m.servingKey();
      clientCert = m.clientCert();
      clientKey = m.clientKey();
    } else if (tlsCert != null && tlsKey != null && agentCert != null && agentKey != null) {
      servingCert = Files.readString(tlsCert);
      servingKey = Files.readString(tlsKey);
      clientCert = Files.readString(agentCert);
      clientKey = Files.readString(agentKey);
    } else {
      throw new CommandLine.ParameterException(new CommandLine(this), "give --certificates-from-namespace, or all of"
          + " --tls-cert-file, --tls-key-file, --agent-client-cert-file and --agent-client-key-file");
    }
    int colon = listen.lastIndexOf(':');
    ConsoleApiServer server = ConsoleApiServer.start(
        new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))),
        client, servingCert, servingKey, clientCert, clientKey);
    System.err.println("jvmm-console-api: serving " + ConsoleSubresources.PREFIX + " on port " + server.port()
        + " for " + client.getMasterUrl());
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      client.close();
      stop.countDown();
    }, "console-api-stop"));
    stop.await();
    return 0;
  }
}
