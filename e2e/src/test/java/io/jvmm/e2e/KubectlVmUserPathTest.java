package io.jvmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jvmm.agent.kube.AgentInSandbox;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.KubeControlPlane;
import io.jvmm.cluster.Kubectl;
import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 8's end-to-end path, as a user walks it with the real {@code kubectl} and the plugin
 * {@code bin/kubectl-vm} run as a process: examples/guest-vm.yaml applied and Ready, its shell
 * typed into through {@code kubectl vm console}, suspended (the guest's clock stops) and resumed,
 * destroyed (its VMM gone on the node); a manifest the CRD's CEL rules refuse; a VM too big for
 * any node; a domain XML exported and created again with {@code kubectl vm create}. One cluster
 * for the class: {@link KvmCluster} (the node agent in a KVM sandbox, its console endpoint
 * forwarded to this host, which {@code bin/jvmm-cluster up --nodes N} does not do).
 */
@KubeClusterTest
@Tag("sandbox")
@ExtendWith(SandboxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlVmUserPathTest {
  private static final String NS = "e2e-user";
  private static final String VM = "guest";
  private static final Duration BOOT = Duration.ofMinutes(6);
  private static final int PAUSE_SECONDS = 20;

  private Path files;

  private final long suiteStart = System.nanoTime();
  private KvmCluster cluster;
  private Kubectl kubectl;
  private String token;
  private String fingerprint;
  private InetSocketAddress endpoint;
  private int tags;

  @BeforeAll
  void startTheCluster(KubeControlPlane plane, KvmSandbox sandbox, GuestImage image) throws Exception {
    files = Files.createTempDirectory("jvmm-e2e-user-");
    cluster = KvmCluster.start(plane, sandbox, image, NS, List.of("--heartbeat", "5", "--reserve-vcpus", "0"));
    kubectl = cluster.kubectl;
    endpoint = cluster.consoleEndpoint;
    // The admin kubeconfig holds a client certificate, which the console cannot forward to the
    // node agent (kubectl-plugin/README.md): the user is a service account with a token.
    kubectl.run("create", "serviceaccount", "alice").orThrow();
    kubectl.run("create", "clusterrolebinding", "alice-admin", "--clusterrole=cluster-admin",
        "--serviceaccount=" + NS + ":alice").orThrow();
    token = kubectl.run("create", "token", "alice", "--duration=3h").orThrow().stdout().strip();
  }

  @AfterAll
  void stopTheCluster() {
    if (cluster != null) {
      cluster.close();
    }
    System.out.printf("E2E: the whole suite (cluster boot included): %d s%n",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - suiteStart));
  }

  @Test
  @Order(1)
  void theExampleGuestAppliedWithKubectlBecomesReadyAndShowsItsReadyMarkerOnTheConsole() throws Exception {
    Path manifest = exampleGuest(VM);
    Instant applied = Instant.now();
    long t0 = System.nanoTime();
    kubectl.run("apply", "-f", manifest.toString()).orThrow();

    // The console as a user polls it: the marker live, or in the scroll-back of a later attempt.
    long marker = await().atMost(BOOT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
        .until(() -> console(VM, "", "JVMM-GUEST-READY").seenAt, at -> at > 0);
    waitReady(VM);
    String readyAt = kubectl.run("get", "vm", VM, "-o",
        "jsonpath={.status.conditions[?(@.type==\"Ready\")].lastTransitionTime}").orThrow().stdout().strip();
    System.out.printf("E2E: kubectl apply -> Ready %d s (condition time, 1 s resolution); "
        + "kubectl apply -> JVMM-GUEST-READY on kubectl vm console %d ms%n",
        Duration.between(applied, Instant.parse(readyAt)).toSeconds(),
        TimeUnit.NANOSECONDS.toMillis(marker - t0));
    assertThat(kubectl.run("get", "vm", VM, "-o", "jsonpath={.status.nodeName}").orThrow().stdout())
        .isEqualTo(KvmCluster.KVM_NODE);
  }

  @Test
  @Order(2)
  void aCommandTypedIntoTheConsoleRunsInTheGuest() {
    String answer = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
        .until(() -> console(VM, "echo R=$((6*7))\n", "R=42").text, text -> text.contains("R=42"));
    assertThat(answer).contains("R=42");
  }

  @Test
  @Order(3)
  void suspendPausesTheGuestsClockAndResumeRunsItAgain() throws Exception {
    Reading before = uptime();
    vm("suspend", VM);
    waitCondition(VM, "Paused", "True");
    long paused = System.nanoTime();
    // Typed while paused: the guest does not answer (its vCPUs are stopped); it does once resumed.
    Console whilePaused = console(VM, "echo P=$((1+1))\n", "P=2");
    assertThat(whilePaused.text).as("the paused guest answered").doesNotContain("P=2");
    Thread.sleep(Math.max(0, PAUSE_SECONDS * 1000L - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - paused)));
    vm("resume", VM);
    await().atMost(BOOT).pollInterval(Duration.ofSeconds(1)).until(() -> kubectl.run("get", "vm", VM, "-o",
        "jsonpath={.status.phase}/{.status.conditions[?(@.type==\"Paused\")].status}").stdout().strip(),
        s -> s.startsWith("Running/") && !s.endsWith("True"));
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
        .until(() -> console(VM, "", "P=2").seenAt, at -> at > 0);
    Reading after = uptime();

    double wall = (after.at - before.at) / 1e9;
    double guest = after.seconds - before.seconds;
    // bin/jvmm holds the guest's kvmclock across stop/cont (KVM_GET_CLOCK at stop, KVM_SET_CLOCK
    // at cont, as QEMU does): the pause is no time to the guest. Generous: half the pause.
    System.out.printf("E2E: suspended %d s: %.1f s passed here between the two reads, the guest's uptime "
        + "advanced %.1f s%n", PAUSE_SECONDS, wall, guest);
    assertThat(guest).as("the guest's clock").isPositive();
    assertThat(guest).as("the guest's uptime across a %d s suspend, %.1f s here", PAUSE_SECONDS, wall)
        .isLessThan(wall - PAUSE_SECONDS / 2.0);
  }

  @Test
  @Order(4)
  void destroyEndsTheVmmOnTheNodeAndDeletesTheVm() throws Exception {
    // Exported first, for the domain XML step below.
    String xml = vm("export", VM).stdout;
    Files.writeString(files.resolve("guest.xml"), xml
        .replaceFirst("<name>" + VM + "</name>", "<name>guest-xml</name>")
        .replaceFirst("\\s*<uuid>[^<]*</uuid>", ""));
    String pid = kubectl.run("get", "vm", VM, "-o", "jsonpath={.status.agent.pid}").orThrow().stdout().strip();
    assertThat(pid).matches("\\d+");
    assertThat(cluster.kvmNode.sh("test -d /proc/" + pid + " && echo alive || echo gone").output()).contains("alive");

    vm("destroy", VM);

    assertThat(cluster.kvmNode.sh("test -d /proc/" + pid + " && echo alive || echo gone").output()).contains("gone");
    Kubectl.Result get = kubectl.run("get", "vm", VM);
    assertThat(get.exitCode()).isNotZero();
    assertThat(get.stderr()).contains("NotFound");
  }

  @Test
  @Order(5)
  void aManifestTheCelRulesRefuseIsRefusedByKubectlApplyWithTheRulesMessage() throws Exception {
    Path bad = files.resolve("no-acpi.yaml");
    Files.writeString(bad, Files.readString(exampleGuest("no-acpi")).replace("acpi: true", "acpi: false"));
    Kubectl.Result refused = kubectl.run("apply", "-f", bad.toString());
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr()).contains("acpi must be true");
    assertThat(kubectl.run("get", "vm", "no-acpi").exitCode()).isNotZero();
  }

  @Test
  @Order(6)
  void aVmTooBigForAnyNodeIsUnschedulable() throws Exception {
    Path huge = files.resolve("huge.yaml");
    Files.writeString(huge, Files.readString(exampleGuest("huge")).replace("memory: 256MiB", "memory: 64GiB")
        .replace("vcpu: 1", "vcpu: 32"));
    kubectl.run("apply", "-f", huge.toString()).orThrow();
    String jsonpath = "jsonpath={.status.conditions[?(@.type==\"Scheduled\")].reason}";
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
        .until(() -> kubectl.run("get", "vm", "huge", "-o", jsonpath).stdout().strip(), "Unschedulable"::equals);
    assertThat(kubectl.run("get", "vm", "huge", "-o",
        "jsonpath={.status.conditions[?(@.type==\"Scheduled\")].message}").orThrow().stdout())
        .contains(KvmCluster.KVM_NODE + ": needs 32 vCPUs");
    kubectl.run("delete", "vm", "huge", "--wait=false").orThrow();
  }

  @Test
  @Order(7)
  void aDomainXmlCreatedWithKubectlVmCreateBoots() {
    vm("create", files.resolve("guest.xml").toString());
    waitReady("guest-xml");
    await().atMost(BOOT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
        .until(() -> console("guest-xml", "", "JVMM-GUEST-READY").seenAt, at -> at > 0);
    vm("destroy", "guest-xml");
  }

  /** examples/guest-vm.yaml, its kernel and initramfs the test image's (an allowed root of the node). */
  private Path exampleGuest(String name) throws IOException {
    String example = Files.readString(ProjectRoot.path().resolve("examples/guest-vm.yaml"));
    assertThat(example).contains("/var/lib/jvmm/guest/vmlinuz", "/var/lib/jvmm/guest/initramfs.img");
    Path manifest = files.resolve(name + ".yaml");
    Files.writeString(manifest, example
        .replace("/var/lib/jvmm/guest/vmlinuz", cluster.image.kernel().toString())
        .replace("/var/lib/jvmm/guest/initramfs.img", cluster.image.initramfs().toString())
        .replace("name: guest", "name: " + name));
    return manifest;
  }

  private void waitReady(String name) {
    waitCondition(name, "Ready", "True");
  }

  private void waitCondition(String name, String type, String status) {
    // kubectl wait, in slices shorter than the Kubectl helper's own time limit.
    await().atMost(BOOT).pollInterval(Duration.ofSeconds(1)).until(() -> kubectl.run("wait",
        "--for=condition=" + type + "=" + status, "virtualmachine/" + name, "--timeout=60s").exitCode() == 0);
  }

  private record Run(int exitCode, String stdout) {
  }

  /** bin/kubectl-vm VERB ARGS... as a process; fails unless it exits 0. */
  private Run vm(String... args) {
    try {
      Path out = Files.createTempFile(files, "kubectl-vm-", ".out");
      List<String> command = new ArrayList<>(List.of(ProjectRoot.bin("kubectl-vm").toString(),
          "--kubeconfig", kubectl.kubeconfig().toString()));
      command.addAll(List.of(args));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      process.getOutputStream().close();
      assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
      Run run = new Run(process.exitValue(), Files.readString(out));
      assertThat(run.exitCode).as(String.join(" ", command) + ": " + run.stdout).isZero();
      return run;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private record Console(String text, long seenAt) {
  }

  private record Reading(double seconds, long at) {
  }

  /** The guest's uptime, read by typing into its shell, and when its answer came (nanoTime). */
  private Reading uptime() {
    return await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
      String tag = "U" + (++tags);
      Console c = console(VM, "echo " + tag + "=$(cut -d' ' -f1 /proc/uptime)\n", tag + "=\\d+\\.\\d+");
      Matcher m = Pattern.compile(tag + "=(\\d+\\.\\d+)").matcher(c.text);
      return m.find() ? new Reading(Double.parseDouble(m.group(1)), c.seenAt) : null;
    }, r -> r != null);
  }

  /**
   * {@code printf INPUT | kubectl vm console NAME} with no terminal: what it printed, and when
   * (nanoTime) {@code expect} first showed in it, 0 if never. The console endpoint and its
   * certificate are given explicitly: the agent's endpoint is inside the sandbox, forwarded here.
   */
  private Console console(String name, String input, String expect) throws Exception {
    if (fingerprint == null) {
      fingerprint = kubectl.run("get", "node", KvmCluster.KVM_NODE, "-o",
          "jsonpath={.metadata.annotations.jvmm\\.io/console-cert-sha256}").orThrow().stdout().strip();
    }
    Process process = new ProcessBuilder(ProjectRoot.bin("kubectl-vm").toString(), "--kubeconfig",
        kubectl.kubeconfig().toString(), "--token", token, "console", name, "--linger", "4s", "--no-reconnect",
        "--endpoint", endpoint.getHostString() + ":" + endpoint.getPort(), "--fingerprint", fingerprint)
        .redirectErrorStream(true).start();
    java.util.concurrent.CompletableFuture.delayedExecutor(2, TimeUnit.MINUTES).execute(process::destroyForcibly);
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    }
    Pattern pattern = Pattern.compile(expect);
    StringBuilder text = new StringBuilder();
    long seenAt = 0;
    byte[] buffer = new byte[8192];
    try (InputStream out = process.getInputStream()) {
      int n;
      while ((n = out.read(buffer)) > 0) {
        text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        if (seenAt == 0 && pattern.matcher(text).find()) {
          seenAt = System.nanoTime();
        }
      }
    } finally {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    return new Console(text.toString(), seenAt);
  }
}
