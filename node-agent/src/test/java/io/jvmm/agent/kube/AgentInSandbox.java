package io.jvmm.agent.kube;

import io.jvmm.cluster.KubeControlPlane;
import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real node: bin/jvmm-agent inside the KVM sandbox, joined to the test control plane on this
 * host (https://10.0.2.2:PORT, the sandbox's view of this host's loopback, TLS verified against
 * the server's certificate) as a service account, its VMs booting on bin/jvmm with KVM.
 *
 * <p>The sandbox has no inbound network, so the sandbox dials out: its command runs a small
 * shell loop connected to a socket of this class, which is how a test runs commands on the
 * node ({@link #sh}: start and kill the agent, read a VM's console log, kill a VMM), and how
 * {@link #forward} carries a TCP connection to a port inside (the agent's console endpoint),
 * as `kubectl port-forward` would. One sandbox boot serves a whole test class.
 */
public final class AgentInSandbox implements AutoCloseable {
  /** The agent's home inside the sandbox (its tmpfs root): state directories under HOME/vms. */
  public static final String HOME = "/tmp/jvmm-agent-k8s";
  /** Where the agent serves consoles inside the sandbox. */
  public static final int CONSOLE_PORT = 7443;

  private final ServerSocket control;
  private final CompletableFuture<ProcessOutcome> sandbox;
  private final Socket channel;
  private final BufferedReader replies;
  private final PrintWriter commands;
  private final String node;
  private final List<String> agentArgs;
  private InetSocketAddress consoleEndpoint;
  private final List<Closeable> forwards = new ArrayList<>();

  private AgentInSandbox(ServerSocket control, CompletableFuture<ProcessOutcome> sandbox, Socket channel,
      String node, List<String> agentArgs) throws IOException {
    this.control = control;
    this.sandbox = sandbox;
    this.channel = channel;
    this.replies = new BufferedReader(new InputStreamReader(channel.getInputStream(), StandardCharsets.UTF_8));
    this.commands = new PrintWriter(channel.getOutputStream(), true, StandardCharsets.UTF_8);
    this.node = node;
    this.agentArgs = agentArgs;
  }

  /**
   * Boots the sandbox, writes the agent's kubeconfig there (the service account's token, the
   * API server's certificate as CA) and starts the agent for {@code node}, its Lease in
   * {@code leaseNamespace}, VM files allowed under the guest image. {@code extraArgs} go to
   * bin/jvmm-agent as well (--heartbeat, --restart-backoff...). With {@code consoleClientCaPem}
   * (the console API's client CA) it serves consoles, advertised at a port of this host's
   * loopback forwarded into the sandbox ({@link #consoleEndpoint()}); without, none.
   */
  public static AgentInSandbox start(KvmSandbox sandbox, KubeControlPlane plane, String token, String node,
      String leaseNamespace, GuestImage image, String consoleClientCaPem, List<String> extraArgs)
      throws IOException {
    ServerSocket control = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    String loop = String.join("\n",
        "set -u",
        "mkdir -p " + HOME,
        "exec 3<>/dev/tcp/" + KubeControlPlane.SANDBOX_HOST_ADDRESS + "/" + control.getLocalPort() + " || exit 3",
        // One command per line, base64; the answer is its exit status and its output, base64.
        "while IFS= read -r line <&3; do",
        "  [ \"$line\" = exit ] && break",
        "  out=$(bash -c \"$(printf %s \"$line\" | base64 -d)\" 2>&1 </dev/null); rc=$?",
        "  printf '%s %s\\n' \"$rc\" \"$(printf %s \"$out\" | base64 -w0)\" >&3",
        "done",
        "echo '--- agent log (end)'",
        "tail -40 " + HOME + "/agent.log",
        "");
    CompletableFuture<ProcessOutcome> run = CompletableFuture.supplyAsync(() -> sandbox.shell(loop));
    Socket channel;
    control.setSoTimeout(1000);
    long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
    while (true) {
      try {
        channel = control.accept();
        break;
      } catch (SocketTimeoutException e) {
        if (run.isDone()) {
          control.close();
          throw new IllegalStateException("the sandbox ended before it connected: " + run.join());
        }
        if (System.nanoTime() > deadline) {
          control.close();
          throw new IllegalStateException("the sandbox did not connect within 6 minutes");
        }
      }
    }
    List<String> args = new ArrayList<>(List.of("--mode", "kubernetes", "--kubeconfig", HOME + "/kubeconfig",
        "--node", node, "--namespace", leaseNamespace, "--home", HOME,
        "--allow-root", image.directory().toString(), "--console-listen", "127.0.0.1:" + CONSOLE_PORT));
    args.addAll(extraArgs);
    AgentInSandbox agent = new AgentInSandbox(control, run, channel, node, args);
    agent.sh("cat > " + HOME + "/kubeconfig <<'KUBECONFIG'\n"
        + plane.tokenKubeconfig(KubeControlPlane.SANDBOX_HOST_ADDRESS, token, leaseNamespace) + "KUBECONFIG\n")
        .orThrow();
    if (consoleClientCaPem != null) {
      agent.sh("cat > " + HOME + "/console-client-ca.crt <<'PEM'\n" + consoleClientCaPem + "PEM\n").orThrow();
      agent.consoleEndpoint = agent.forward(CONSOLE_PORT);
      args.addAll(List.of("--console-client-ca", HOME + "/console-client-ca.crt",
          "--console-advertise", "127.0.0.1:" + agent.consoleEndpoint.getPort()));
    }
    agent.startAgent();
    return agent;
  }

  public String node() {
    return node;
  }

  /** Where this host reaches the agent's console endpoint, which the agent advertises; null without consoles. */
  public InetSocketAddress consoleEndpoint() {
    return consoleEndpoint;
  }

  /** The state directory of a VM inside the sandbox. */
  public static String stateDir(String namespace, String name) {
    return HOME + "/vms/" + namespace + "/" + name;
  }

  /**
   * Starts bin/jvmm-agent in the background, its output appended to HOME/agent.log, and starts
   * it again whenever it exits, as the kubelet restarts a DaemonSet's container: a JVM now and
   * then crashes under the sandbox's software emulation, which is not the agent's doing. Agent
   * and restart loop share a process group of their own (HOME/agent.pid), the VMMs do not.
   */
  public void startAgent() {
    StringBuilder line = new StringBuilder(ProjectRoot.bin("jvmm-agent").toString());
    agentArgs.forEach(a -> line.append(' ').append(quote(a)));
    String loop = "while :; do " + line + "; echo \"agent-in-sandbox: the agent exited with status $?;"
        + " starting it again\"; sleep 2; done";
    sh("setsid bash -c " + quote(loop) + " >>" + HOME + "/agent.log 2>&1 </dev/null & echo $! >" + HOME
        + "/agent.pid").orThrow();
  }

  /** Kills the agent with SIGKILL, as a crashed or evicted pod that stays down: its VMMs keep running. */
  public void killAgent() {
    sh(KILL_AGENT).orThrow();
  }

  private static final String KILL_AGENT = "pid=$(cat " + HOME + "/agent.pid); kill -KILL -- -$pid;"
      + " while kill -0 -- -$pid 2>/dev/null; do sleep 0.2; done";

  /** The result of {@link #sh}. */
  public record Result(int exitCode, String output) {
    public Result orThrow() {
      if (exitCode != 0) {
        throw new IllegalStateException("exit " + exitCode + " in the sandbox: " + output);
      }
      return this;
    }
  }

  /** Runs a bash script on the node and waits for it; its output is stdout and stderr together. */
  public synchronized Result sh(String script) {
    try {
      commands.println(Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8)));
      String reply = replies.readLine();
      if (reply == null) {
        throw new IllegalStateException("the sandbox closed its command channel: " + sandbox.getNow(null));
      }
      int space = reply.indexOf(' ');
      String out = space + 1 < reply.length()
          ? new String(Base64.getMimeDecoder().decode(reply.substring(space + 1)), StandardCharsets.UTF_8) : "";
      return new Result(Integer.parseInt(reply.substring(0, space)), out);
    } catch (IOException e) {
      throw new UncheckedIOException("the sandbox's command channel failed", e);
    }
  }

  /**
   * A local address whose connections reach {@code port} on the sandbox's loopback: for each,
   * the sandbox dials back to this host and bash's /dev/tcp and two cats join the two.
   */
  public InetSocketAddress forward(int port) throws IOException {
    ServerSocket local = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    ServerSocket back = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    forwards.add(local);
    forwards.add(back);
    Thread acceptor = new Thread(() -> {
      while (!local.isClosed()) {
        try {
          Socket client = local.accept();
          sh("( exec 3<>/dev/tcp/" + KubeControlPlane.SANDBOX_HOST_ADDRESS + "/" + back.getLocalPort()
              + " 4<>/dev/tcp/127.0.0.1/" + port + "; cat <&3 >&4 & a=$!; cat <&4 >&3 & b=$!;"
              + " wait -n; kill $a $b 2>/dev/null ) >/dev/null 2>&1 </dev/null &").orThrow();
          back.setSoTimeout(30_000);
          Socket inside = back.accept();
          pump(client, inside);
          pump(inside, client);
        } catch (IOException | RuntimeException e) {
          if (!local.isClosed()) {
            System.err.println("port forward to sandbox port " + port + ": " + e);
          }
        }
      }
    }, "sandbox-forward-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), local.getLocalPort());
  }

  private static void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "sandbox-forward-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing
    }
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /**
   * Quits every VMM of the node (a real agent's would outlive it, the test's must not), ends
   * the sandbox and returns its output, which ends with the agent's log.
   */
  public ProcessOutcome finish() {
    try {
      sh(KILL_AGENT + " 2>/dev/null; for f in " + HOME
          + "/vms/*/*/vmm.pid; do [ -f \"$f\" ] && kill -KILL $(cat \"$f\") 2>/dev/null; done; true");
      commands.println("exit");
      return sandbox.get(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      return sandbox.getNow(new ProcessOutcome(-1, "the sandbox did not end: " + e, Duration.ZERO));
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    forwards.forEach(AgentInSandbox::closeQuietly);
    closeQuietly(channel);
    closeQuietly(control);
  }
}
