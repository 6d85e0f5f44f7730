package io.jvmm.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvmm.agent.console.ConsoleClient;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * console NAME: through the API server (node-agent/README.md, "Console"): a WebSocket to the
 * subresource virtualmachines/console (virtualmachines/consoleview with --read-only) of
 * subresources.jvmm.io, authenticated by kube-apiserver like any request of this user and
 * served by jvmm's console API, which relays it to the node agent that runs the VM. No
 * credential of the user goes anywhere but to the API server.
 */
@Command(name = "console", description = "Attaches to the VM's console (hvc0, else the serial port); virsh console."
    + "%nOn a terminal: raw mode, Ctrl-] leaves. Otherwise stdin and stdout are piped, and it leaves when stdin has"
    + " ended and the console has been quiet for --linger. A dropped connection is made again.")
final class ConsoleCommand implements Callable<Integer> {
  @CommandLine.ParentCommand
  KubectlVm root;

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(names = "--read-only", description = "Watch only: virtualmachines/consoleview, which a user may be"
      + " granted without virtualmachines/console")
  boolean readOnly;

  @Option(names = "--serial", description = "The serial port even when the VM has a virtio console")
  boolean serial;

  @Option(names = "--no-reconnect", description = "Exit 1 when the connection drops instead of connecting again")
  boolean noReconnect;

  @Option(names = "--linger", defaultValue = "2s", description = "Without a terminal: after stdin ends, leave once the"
      + " console has been quiet this long; -1 stays until the connection ends (default ${DEFAULT-VALUE})")
  String linger;

  @Override
  public Integer call() throws Exception {
    long lingerMillis = linger.equals("-1") ? -1 : Durations.parse(linger, "--linger").toMillis();
    KubeAccess access = root.access();
    String namespace = access.namespace();
    boolean terminal = System.console() != null && root.stdin == System.in;
    try (KubernetesClient client = access.client()) {
      ConsoleSession.Connector connector = () -> ApiConsole.open(client, namespace, name, readOnly, serial);
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
        root.err().println("error: cannot reach the console of " + KubectlVm.RESOURCE + "/" + name + ": "
            + ApiErrors.rootMessage(e));
        return 1;
      }
    }
  }
}
