package io.jvmm.agent.cli;

import io.jvmm.crds.health.HealthEndpoints;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jvmm.agent.AgentSettings;
import io.jvmm.agent.NodeAgent;
import io.jvmm.agent.console.ConsoleServer;
import io.jvmm.agent.console.ConsoleTls;
import io.jvmm.agent.kube.KubernetesEventSink;
import io.jvmm.agent.kube.KubernetesStatusSink;
import io.jvmm.agent.kube.KubernetesVmSource;
import io.jvmm.agent.node.NodeFacts;
import io.jvmm.agent.node.NodeProbe;
import io.jvmm.agent.node.NodePublisher;
import io.jvmm.agent.pki.ReloadingCaTrust;
import io.jvmm.agent.reconcile.RestartBackoff;
import io.jvmm.agent.standalone.ControlServer;
import io.jvmm.agent.standalone.ManifestDirectory;
import io.jvmm.agent.vmm.VmmDetachment;
import io.jvmm.agent.vmm.VmmPrivileges;
import io.jvmm.domain.MemorySize;
import io.jvmm.domain.NodePathPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * bin/jvmm-agent: the node agent. With a cluster (in a pod, or given a kubeconfig) it runs the
 * VMs the operator assigned to this node; without one it runs the VMs in a local directory and
 * answers bin/jvmm-virsh on a UNIX socket.
 */
@Command(name = "jvmm-agent", mixinStandardHelpOptions = true, version = "jvmm-agent 0.1.0",
    description = "Runs the jvmm VMs of one node: one VMM process per VM, driven over QMP, with its console served.%n"
        + "Standalone (the default without a cluster): the VMs are the manifests and domain XML files in --vm-dir;"
        + " bin/jvmm-virsh talks to it.%n"
        + "Kubernetes (in a pod, or with --kubeconfig): the VirtualMachines labelled jvmm.io/node=NODE.")
public final class AgentMain implements Callable<Integer> {

  enum Mode { auto, standalone, kubernetes }

  @Option(names = "--mode", description = "auto (default: kubernetes in a pod or with --kubeconfig, else"
      + " standalone), standalone or kubernetes")
  Mode mode = Mode.auto;

  @Option(names = "--node", description = "This node's name (default: $NODE_NAME, else the host name)")
  String node;

  @Option(names = "--home", description = "Base directory for the defaults below (default: $JVMM_HOME, else"
      + " /var/lib/jvmm as root, ~/.jvmm otherwise)")
  Path home;

  @Option(names = "--state-dir", description = "VM state directories: <dir>/<namespace>/<name>/ (default HOME/vms)")
  Path stateDir;

  @Option(names = "--vm-dir", description = "Standalone: the VMs to run, one manifest or domain XML per file"
      + " (default HOME/manifests)")
  Path vmDir;

  @Option(names = "--control-socket", description = "Standalone: bin/jvmm-virsh's socket (default HOME/agent.sock)")
  Path controlSocket;

  @Option(names = "--vmm", description = "The VMM for VMs whose spec names no emulator (default: jvmm on PATH)")
  String vmm = "jvmm";

  @Option(names = "--allow-root", description = "A directory VM files (kernel, disks...) may be in; repeat for"
      + " more (default: $JVMM_ALLOWED_ROOTS, ':'-separated, else /var/lib/jvmm and HOME)")
  List<String> allowRoots = new ArrayList<>();

  @Option(names = NodePathPolicy.EMULATOR_OPTION, paramLabel = "PROGRAM", description = "A program VMs may name as"
      + " spec.emulator besides the node's jvmm (--vmm); repeat for more (default: $JVMM_ALLOWED_EMULATORS,"
      + " ':'-separated, else none). Any other emulator is refused: it would run as the VM's user on this node")
  List<String> allowEmulators = new ArrayList<>();

  @Option(names = "--stop-grace", description = "Seconds a guest has to power down when stopped before the VMM"
      + " is quit (default 30)")
  long stopGraceSeconds = 30;

  @Option(names = "--restart-backoff", description = "First delay before restarting a VMM that ended, in ms;"
      + " it doubles up to 5 min (default 1000)")
  long backoffMillis = 1000;

  @Option(names = "--resync", description = "Milliseconds between looks at every VM without an event (default 2000)")
  long resyncMillis = 2000;

  enum VmmScope { auto, systemd, session }

  @Option(names = "--vmm-scope", description = "How VMMs are set apart to outlive the agent: systemd (a transient"
      + " systemd scope via systemd-run, so a container restart spares them), session (setsid only), or auto"
      + " (default: systemd in a pod where systemd runs the host, else session)")
  VmmScope vmmScope = VmmScope.auto;

  @Option(names = "--kubeconfig", description = "Kubernetes: the kubeconfig (default: in-cluster, $KUBECONFIG)")
  Path kubeconfig;

  @Option(names = "--namespace", description = "Kubernetes: namespace of the heartbeat Lease (default jvmm-system)")
  String namespace = "jvmm-system";

  @Option(names = "--heartbeat", description = "Kubernetes: seconds between Lease renewals (default 10)")
  long heartbeatSeconds = 10;

  @Option(names = "--reserve-vcpus", description = "CPUs kept for the host, not offered to VMs (default 1)")
  int reserveVcpus = 1;

  @Option(names = "--make-bridges", description = "Make the bridge an interface's source.bridge names when the node"
      + " has none (up, no address), and delete it when the last tap on it goes with its VM; without it such a VM"
      + " is refused")
  boolean makeBridges;

  @Option(names = "--reserve-memory", description = "Memory kept for the host (default 1GiB)")
  String reserveMemory = "1GiB";

  @Option(names = "--allocatable-vcpus", description = "Report this many vCPUs instead of probing")
  Integer allocatableVcpus;

  @Option(names = "--allocatable-memory", description = "Report this much memory instead of probing")
  String allocatableMemory;

  @Option(names = "--kvm", arity = "1", paramLabel = "true|false", description = "Report KVM as present (true) or absent (false) instead of probing /dev/kvm")
  Boolean kvm;

  @Option(names = "--console-listen", description = "Kubernetes: console endpoint address, host:port"
      + " (default 0.0.0.0:7443; port 0 picks one)")
  String consoleListen = "0.0.0.0:7443";

  @Option(names = "--health-listen", description = "Kubernetes: /healthz (the reconcile loop runs) and /readyz (the"
      + " Lease is current) for the DaemonSet's probes, host:port (default 0.0.0.0:7444; port 0 picks one)")
  String healthListen = "0.0.0.0:7444";

  @Option(names = "--console-advertise", description = "Kubernetes: the console endpoint as clients reach it,"
      + " published on the Node (default NODE:PORT)")
  String consoleAdvertise;

  @Option(names = "--console-tls", description = "Kubernetes: self-signed (default: made with keytool and kept in"
      + " the state dir), or a PKCS#12 key store path")
  String consoleTls = "self-signed";

  @Option(names = "--console-client-ca", paramLabel = "FILE", description = "Kubernetes: PEM CA of the console API's"
      + " client certificate (deploy/: the ConfigMap jvmm-console-client-ca, mounted); the console endpoint accepts"
      + " no other caller, and is not served without it. Read again when it changes")
  Path consoleClientCa;

  @Option(names = "--console-tls-password-file", description = "The PKCS#12 key store's password")
  Path consoleTlsPassword;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new AgentMain());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path base = home != null ? home : defaultHome();
    String nodeName = node != null ? node : System.getenv().getOrDefault("NODE_NAME", hostName());
    Path states = stateDir != null ? stateDir : base.resolve("vms");
    List<String> roots = new ArrayList<>(allowRoots);
    if (roots.isEmpty()) {
      String env = System.getenv("JVMM_ALLOWED_ROOTS");
      if (env != null) {
        Arrays.stream(env.split(":")).filter(s -> !s.isBlank()).forEach(roots::add);
      }
    }
    if (roots.isEmpty()) {
      roots.add(NodePathPolicy.DEFAULT_ROOT);
      roots.add(base.toAbsolutePath().toString());
    }
    List<String> emulators = new ArrayList<>(allowEmulators);
    if (emulators.isEmpty()) {
      String env = System.getenv("JVMM_ALLOWED_EMULATORS");
      if (env != null) {
        Arrays.stream(env.split(":")).filter(s -> !s.isBlank()).forEach(emulators::add);
      }
    }
    if (Path.of(vmm).isAbsolute()) {
      emulators.add(vmm); // naming the node's own VMM explicitly is the same as naming none
    }
    AgentSettings settings = new AgentSettings(nodeName, states.toAbsolutePath(), vmm,
        NodePathPolicy.allowing(roots).allowingEmulators(emulators),
        Duration.ofSeconds(stopGraceSeconds),
        new RestartBackoff(Duration.ofMillis(backoffMillis), Duration.ofMinutes(5), Duration.ofMinutes(10)),
        Duration.ofMillis(resyncMillis), 256 * 1024,
        detachment(vmmScope, System.getenv("KUBERNETES_SERVICE_HOST") != null, VmmDetachment.systemdAvailable()),
        VmmPrivileges.forThisAgent(states.toAbsolutePath(), makeBridges));
    boolean kubernetes = switch (mode) {
      case standalone -> false;
      case kubernetes -> true;
      case auto -> kubeconfig != null || System.getenv("KUBERNETES_SERVICE_HOST") != null;
    };
    Files.createDirectories(states);
    List<AutoCloseable> open = new ArrayList<>();
    if (kubernetes) {
      runKubernetes(settings, open);
    } else {
      ManifestDirectory dir = new ManifestDirectory(vmDir != null ? vmDir : base.resolve("manifests"), states);
      NodeAgent agent = new NodeAgent(settings, dir, (vm, status) -> { });
      agent.start();
      open.add(agent);
      open.add(new ControlServer(controlSocket != null ? controlSocket : base.resolve("agent.sock"), agent, dir));
      System.err.println("jvmm-agent: standalone on node " + nodeName + ", VMs from " + dir.directory()
          + ", state in " + states);
    }
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // VMMs keep running: the next agent adopts them.
      for (int i = open.size() - 1; i >= 0; i--) {
        try {
          open.get(i).close();
        } catch (Exception e) {
          // shutting down
        }
      }
      stop.countDown();
    }, "agent-stop"));
    stop.await();
    return 0;
  }

  private void runKubernetes(AgentSettings settings, List<AutoCloseable> open) throws Exception {
    Config config = kubeconfig != null ? Config.fromKubeconfig(Files.readString(kubeconfig)) : Config.autoConfigure(null);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    open.add(client);
    KubernetesStatusSink statuses = new KubernetesStatusSink(client);
    NodeAgent agent = new NodeAgent(settings, new KubernetesVmSource(client, settings.nodeName()), statuses,
        new KubernetesEventSink(client, settings.nodeName(), Clock.systemUTC()));
    Map<String, String> annotations = new LinkedHashMap<>();
    String consolesAt = "no consoles (no --console-client-ca)";
    if (consoleClientCa != null) {
      ConsoleTls tls = consoleTls.equals("self-signed")
          ? ConsoleTls.selfSigned(settings.stateRoot().resolve(".tls"), settings.nodeName())
          : ConsoleTls.load(Path.of(consoleTls), consoleTlsPassword == null ? new char[0]
              : Files.readString(consoleTlsPassword).trim().toCharArray());
      ConsoleServer consoles = new ConsoleServer(socketAddress("--console-listen", consoleListen),
          tls.serverContext(new ReloadingCaTrust(consoleClientCa)), agent::console, settings.nodeName());
      open.add(consoles);
      consolesAt = "consoles on port " + consoles.port();
      String consoleAt = consoleAdvertise != null ? consoleAdvertise : settings.nodeName() + ":" + consoles.port();
      annotations.put(NodeContract.CONSOLE_ENDPOINT_ANNOTATION, consoleAt);
      annotations.put(NodeContract.CONSOLE_CERT_ANNOTATION, tls.fingerprint());
      // Before the first status: every VM's status.agent says where its console is.
      statuses.publishConsole(new KubernetesStatusSink.ConsoleEndpoint(consoleAt, tls.fingerprint()));
    } else {
      System.err.println("jvmm-agent: warning: no --console-client-ca, so this node serves no consoles (kubectl vm"
          + " console reaches them through the console API, whose client certificate that CA issues)");
    }
    agent.start();
    open.add(agent);
    NodeProbe probe = NodeProbe.host(reserveVcpus, MemorySize.bytes(reserveMemory).longValueExact());
    NodePublisher publisher = new NodePublisher(client, settings.nodeName(), namespace,
        Duration.ofSeconds(heartbeatSeconds), () -> {
          NodeFacts f = probe.probe();
          return new NodeFacts(f.arch(), kvm != null ? kvm : f.kvm(),
              allocatableVcpus != null ? allocatableVcpus : f.allocatableVcpus(),
              allocatableMemory != null ? MemorySize.bytes(allocatableMemory).longValueExact() : f.allocatableMemory(),
              f.passthroughDevices());
        }, annotations, Clock.systemUTC());
    publisher.start();
    open.add(publisher);
    // Generous on liveness: a restart kills nothing (VMMs outlive the agent) but costs a JVM start.
    Duration stuck = settings.resync().multipliedBy(10).plus(Duration.ofMinutes(1));
    open.add(HealthEndpoints.serve(socketAddress("--health-listen", healthListen),
        () -> agent.loopAliveWithin(stuck), () -> publisher.publishedWithin(publisher.leaseDuration())));
    System.err.println("jvmm-agent: node " + settings.nodeName() + " on " + client.getMasterUrl()
        + ", " + consolesAt + ", state in " + settings.stateRoot() + ", VMMs in "
        + (settings.detachment() == VmmDetachment.SYSTEMD_SCOPE ? "systemd scopes" : "sessions of their own"));
  }

  /**
   * systemd scopes where asked, or by default in a pod (a container restart kills its cgroup)
   * where the host's systemd is reachable; a session otherwise.
   */
  static VmmDetachment detachment(VmmScope scope, boolean inPod, boolean systemdAvailable) {
    return switch (scope) {
      case session -> VmmDetachment.SESSION;
      case systemd -> {
        if (!systemdAvailable) {
          throw new CommandLine.ParameterException(new CommandLine(new AgentMain()),
              "--vmm-scope systemd: systemd does not run this host or systemd-run is not on PATH"
                  + " (in a pod: mount the host's /run/systemd, and ship systemd-run in the image)");
        }
        yield VmmDetachment.SYSTEMD_SCOPE;
      }
      case auto -> inPod && systemdAvailable ? VmmDetachment.SYSTEMD_SCOPE : VmmDetachment.SESSION;
    };
  }

  private static InetSocketAddress socketAddress(String option, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (RuntimeException e) {
      throw new CommandLine.ParameterException(new CommandLine(new AgentMain()),
          option + " " + hostPort + ": expected HOST:PORT, like 0.0.0.0:7443");
    }
  }

  /** The kernel's host name: no name service needed (getLocalHost fails where it cannot resolve itself). */
  static String hostName() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim().toLowerCase();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  static Path defaultHome() {
    String env = System.getenv("JVMM_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    return root ? Path.of("/var/lib/jvmm") : Path.of(System.getProperty("user.home"), ".jvmm");
  }
}
