package io.jvmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jvmm.agent.ConsoleTranscript;
import io.jvmm.agent.kube.AgentInCluster;
import io.jvmm.agent.kube.AgentInSandbox;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.KubeControlPlane;
import io.jvmm.cluster.Kubectl;
import io.jvmm.cluster.ThirdPartyJudges;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus.Phase;
import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
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
 * Issue 7's "done when", end to end: the real control plane; the operator as a local process
 * with its own RBAC; a node agent inside the KVM sandbox as a real node (its VMs boot the guest
 * image on bin/jvmm with KVM) and two agents outside it on simulated nodes, one without KVM and
 * one with little room. Every VM is applied with kubectl; everything that follows is what the
 * operator and the agents do. The sandbox boots once for the class and the steps run in order
 * on one VM, each step leaving it as the next expects. That VM runs on bin/jvmm; typing into a
 * guest's shell is shown on a second VM run by QEMU on the same node, as a bin/jvmm guest does
 * not take console input yet.
 */
@KubeClusterTest
@Tag("sandbox")
@ExtendWith(SandboxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VirtualMachineOnAKvmNodeTest {
  private static final String VMS = "e2e-vms";
  private static final String VM = "guest";
  /** Nested KVM on software emulation is slow: a guest boots in tens of seconds, sometimes minutes. */
  private static final Duration BOOT = Duration.ofMinutes(6);
  private static final Duration OPERATOR = Duration.ofMinutes(2);

  private KvmCluster cluster;
  private KubernetesClient admin;
  private Kubectl kubectl;
  private AgentInSandbox kvmNode;
  private Watch watch;
  /** Every version of every VM the API server sent, in order: transient states included. */
  private final List<VirtualMachine> history = new CopyOnWriteArrayList<>();
  private final List<String> deleted = new CopyOnWriteArrayList<>();

  private KubeControlPlane plane;

  @BeforeAll
  void startTheCluster(KubeControlPlane plane, KvmSandbox sandbox, GuestImage image) throws Exception {
    this.plane = plane;
    cluster = KvmCluster.start(plane, sandbox, image, VMS, List.of("--heartbeat", "5", "--reserve-vcpus", "0",
        "--stop-grace", "20", "--restart-backoff", "2000"));
    admin = cluster.admin;
    kubectl = cluster.kubectl;
    kvmNode = cluster.kvmNode;
    watch = admin.resources(VirtualMachine.class).inNamespace(VMS).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, VirtualMachine vm) {
        history.add(vm);
        if (action == Action.DELETED) {
          deleted.add(vm.getMetadata().getName());
        }
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    });
  }

  @AfterAll
  void stopTheCluster() {
    if (watch != null) {
      watch.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void anAppliedVmRunsOnTheKvmNodeAndItsGuestBoots() {
    long applied = System.nanoTime();
    kubectl.runWithStdin(cluster.manifest(VM, 1, "256MiB", "Always"), "apply", "-f", "-").orThrow();

    VirtualMachine ready = awaitVm(VM, BOOT, v -> isTrue(v, VirtualMachineStatus.CONDITION_READY));
    System.out.printf("apply to Ready: %d ms%n", (System.nanoTime() - applied) / 1_000_000);
    assertThat(ready.getStatus().phase).isEqualTo(Phase.RUNNING);
    assertThat(ready.getStatus().nodeName).isEqualTo(KvmCluster.KVM_NODE);
    assertThat(ready.getMetadata().getLabels()).containsEntry(NodeContract.NODE_LABEL, KvmCluster.KVM_NODE);
    assertThat(ready.getMetadata().getFinalizers()).contains(NodeContract.VMM_FINALIZER);
    assertThat(ready.getStatus().agent.qmpStatus).isEqualTo("running");
    await().atMost(BOOT).pollInterval(Duration.ofSeconds(2)).alias("the guest's ready marker in its console log")
        .until(() -> cluster.consoleLog(VM).contains("JVMM-GUEST-READY"));
    assertKstatusCurrent(fetch(VM));
    awaitAgentEvent("Started");
  }

  @Test
  @Order(2)
  void pausedStopsTheVcpusAndRunningResumesThem() {
    patchSpec(VM, "{\"runState\":\"Paused\"}");
    VirtualMachine paused = awaitVm(VM, OPERATOR, v -> isTrue(v, VirtualMachineStatus.CONDITION_PAUSED)
        && v.getStatus().observedGeneration.equals(v.getMetadata().getGeneration()));
    assertThat(paused.getStatus().qmpStatus).isEqualTo("paused");
    assertThat(paused.getStatus().phase).isEqualTo(Phase.PAUSED);
    assertKstatusCurrent(paused);

    patchSpec(VM, "{\"runState\":\"Running\"}");
    VirtualMachine resumed = awaitVm(VM, OPERATOR, v -> isTrue(v, VirtualMachineStatus.CONDITION_READY)
        && v.getStatus().observedGeneration.equals(v.getMetadata().getGeneration()));
    assertThat(resumed.getStatus().qmpStatus).isEqualTo("running");
    assertThat(condition(resumed, VirtualMachineStatus.CONDITION_PAUSED).getStatus()).isEqualTo("False");
    assertThat(resumed.getStatus().agent.pid).as("the same VMM throughout").isEqualTo(paused.getStatus().agent.pid);
  }

  @Test
  @Order(3)
  void theConsoleNeedsTheRbacPermissionAndThenGivesTheGuestsConsoleAndShell() throws Exception {
    for (String sa : List.of("stranger", "admin-person")) {
      admin.serviceAccounts().resource(new ServiceAccountBuilder().withNewMetadata().withName(sa).endMetadata()
          .build()).create();
    }
    admin.rbac().roleBindings().resource(new RoleBindingBuilder().withNewMetadata().withName("admin-person-console")
        .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
        .withName("jvmm-vm-console").endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName("admin-person").withNamespace(VMS).endSubject()
        .build()).create();

    // kubectl vm console, through the API server and the console API to the node agent in the sandbox.
    Process refused = console(VM, "stranger");
    assertThat(refused.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
    String refusal = new String(refused.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(refused.exitValue()).as(refusal).isEqualTo(1);
    assertThat(refusal).contains("Error from server (Forbidden)")
        .contains("User \"system:serviceaccount:" + VMS + ":stranger\" cannot get resource \"virtualmachines/console\"");

    Process console = console(VM, "admin-person");
    try {
      ConsoleTranscript transcript = new ConsoleTranscript(console.getInputStream(), console.getOutputStream());
      transcript.awaitText("JVMM-GUEST-READY", BOOT);
      // Live output after the scroll-back: the guest's uptime lines keep coming.
      int lines = transcript.text().split("UP=", -1).length;
      await().atMost(BOOT).until(() -> transcript.text().split("UP=", -1).length > lines + 1);
    } finally {
      console.destroy();
    }

    // Typing into the guest's shell: the same node, agent and console path, with the VM run by
    // QEMU on the node's KVM (spec.emulator), as a guest of bin/jvmm does not take input yet.
    kubectl.runWithStdin(cluster.shellManifest("shell"), "apply", "-f", "-").orThrow();
    awaitVm("shell", BOOT, v -> isTrue(v, VirtualMachineStatus.CONDITION_READY));
    Process shell = console("shell", "admin-person");
    try {
      ConsoleTranscript transcript = new ConsoleTranscript(shell.getInputStream(), shell.getOutputStream());
      assertThat(transcript.typeUntil("echo shell-$((7*6))", Pattern.compile("shell-(42)"), BOOT)).isEqualTo("42");
    } finally {
      shell.destroy();
    }
    kubectl.run("delete", "virtualmachine", "shell", "--timeout=300s").orThrow();
  }

  @Test
  @Order(4)
  void aKilledVmmIsFailedAndThenRestartedAsItsPolicySays() {
    AgentStatus before = fetch(VM).getStatus().agent;
    int seen = history.size();
    kvmNode.sh("kill -KILL " + before.pid).orThrow();

    VirtualMachine restarted = awaitVm(VM, BOOT, v -> isTrue(v, VirtualMachineStatus.CONDITION_READY)
        && v.getStatus().agent.restarts == before.restarts + 1);
    assertThat(restarted.getStatus().agent.pid).isNotEqualTo(before.pid);
    List<AgentStatus> since = history.subList(seen, history.size()).stream()
        .map(v -> v.getStatus() == null ? null : v.getStatus().agent).filter(a -> a != null).toList();
    assertThat(since).as("the agent's reports after the kill")
        .anySatisfy(a -> {
          assertThat(a.state).isEqualTo(VmmState.FAILED);
          assertThat(a.exitCode).as("SIGKILL").isEqualTo(128 + 9);
        });
    await().atMost(BOOT).pollInterval(Duration.ofSeconds(2))
        .until(() -> cluster.consoleLog(VM).split("JVMM-GUEST-READY", -1).length > 2);
    awaitAgentEvent("Failed");
    awaitAgentEvent("Restarted");
  }

  @Test
  @Order(5)
  void aStoppedAgentLosesItsNodeAndARestartedOneAdoptsTheGuest() {
    // Never: the VM waits for its node instead of being placed elsewhere (nowhere else fits).
    patchSpec(VM, "{\"restartPolicy\":\"Never\"}");
    VirtualMachine running = awaitVm(VM, OPERATOR, v -> isTrue(v, VirtualMachineStatus.CONDITION_READY)
        && v.getStatus().observedGeneration.equals(v.getMetadata().getGeneration()));
    double uptimeBefore = await().atMost(BOOT).until(() -> lastUptime(cluster.consoleLog(VM)), u -> u > 0);
    int boots = boots(cluster.consoleLog(VM));

    kvmNode.killAgent();
    VirtualMachine lost = awaitVm(VM, OPERATOR, v -> "NodeLost".equals(reason(v, VirtualMachineStatus.CONDITION_READY)));
    assertThat(lost.getStatus().phase).isEqualTo(Phase.FAILED);
    assertThat(condition(lost, "Stalled").getStatus()).isEqualTo("True");
    assertThat(kvmNode.sh("kill -0 " + running.getStatus().agent.pid).exitCode())
        .as("the VMM outlives its agent").isZero();

    kvmNode.startAgent();
    VirtualMachine adopted = awaitVm(VM, BOOT, v -> isTrue(v, VirtualMachineStatus.CONDITION_READY));
    assertThat(adopted.getStatus().agent.pid).isEqualTo(running.getStatus().agent.pid);
    assertThat(adopted.getStatus().agent.startedAt).isEqualTo(running.getStatus().agent.startedAt);
    assertThat(adopted.getStatus().agent.restarts).isEqualTo(running.getStatus().agent.restarts);
    // The new agent's console connection carries the guest's uptime on from where it was.
    await().atMost(BOOT).pollInterval(Duration.ofSeconds(2)).alias("the guest's uptime going on")
        .until(() -> lastUptime(cluster.consoleLog(VM)) > uptimeBefore + 4);
    assertThat(boots(cluster.consoleLog(VM))).as("no new boot").isEqualTo(boots);
    awaitAgentEvent("Adopted");
  }

  @Test
  @Order(6)
  void stoppedPowersTheGuestDownAndSettles() {
    long pid = fetch(VM).getStatus().agent.pid;
    patchSpec(VM, "{\"runState\":\"Stopped\"}");

    VirtualMachine stopped = awaitVm(VM, BOOT, v -> v.getStatus().phase == Phase.STOPPED
        && v.getStatus().observedGeneration.equals(v.getMetadata().getGeneration()));
    assertThat(stopped.getStatus().conditions).as("no running guest asked for: no Ready to wait on")
        .noneMatch(c -> c.getType().equals(VirtualMachineStatus.CONDITION_READY));
    assertThat(reason(stopped, "Reconciling")).isEqualTo("Stopped");
    assertThat(stopped.getStatus().agent.state).isEqualTo(VmmState.STOPPED);
    assertKstatusCurrent(stopped);
    assertThat(kvmNode.sh("kill -0 " + pid).exitCode()).as("the VMM is gone").isNotZero();
    awaitAgentEvent("Stopped");
  }

  @Test
  @Order(7)
  void deletionWaitsForTheVmmToExitBeforeTheFinalizerGoes() {
    patchSpec(VM, "{\"runState\":\"Running\"}");
    long pid = awaitVm(VM, BOOT, v -> isTrue(v, VirtualMachineStatus.CONDITION_READY)).getStatus().agent.pid;
    int seen = history.size();

    kubectl.run("delete", "virtualmachine", VM, "--wait=false").orThrow();
    await().atMost(OPERATOR).until(() -> deleted.contains(VM));

    List<VirtualMachine> deleting = history.subList(seen, history.size()).stream()
        .filter(v -> v.getMetadata().getDeletionTimestamp() != null).toList();
    assertThat(deleting).as("versions while deletion was pending").isNotEmpty();
    assertThat(deleting.get(0).getMetadata().getFinalizers()).contains(NodeContract.VMM_FINALIZER);
    assertThat(deleting.get(0).getStatus().agent.state).as("the VMM still ran when deletion began")
        .isIn(VmmState.RUNNING, VmmState.PAUSED);
    VirtualMachine last = deleting.get(deleting.size() - 1);
    assertThat(last.getStatus().agent.state).as("the agent's last word before the VM went").isEqualTo(VmmState.ABSENT);
    assertThat(kvmNode.sh("kill -0 " + pid).exitCode()).as("the VMM is gone").isNotZero();
    assertThat(kvmNode.sh("test -e " + AgentInSandbox.stateDir(VMS, VM)).exitCode())
        .as("its state directory is gone").isNotZero();
  }

  @Test
  @Order(8)
  void anInvalidVmGetsInvalidSpecWithEveryMessage() {
    kubectl.runWithStdin(cluster.manifest("bad", 1, "256MiB", "Always")
        .replace(cluster.image.kernel().toString(), "/etc/shadow-kernel")
        .replace("  features:", "  devices:\n    disks:\n    - name: data\n      type: file\n      device: disk\n"
            + "      source: {file: /home/user/disk.img}\n      target: {dev: vda, bus: virtio}\n  features:"),
        "apply", "-f", "-").orThrow();

    VirtualMachine bad = awaitVm("bad", OPERATOR, v -> v.getStatus().phase == Phase.FAILED);
    assertThat(reason(bad, VirtualMachineStatus.CONDITION_READY)).isEqualTo("InvalidSpec");
    assertThat(condition(bad, VirtualMachineStatus.CONDITION_READY).getMessage())
        .contains("spec.os.kernel").contains("spec.devices.disks[0].source.file");
    assertThat(bad.getStatus().nodeName).isNull();
  }

  @Test
  @Order(9)
  void aVmThatFitsNowhereIsUnschedulableWithOneReasonPerNode() {
    kubectl.runWithStdin(cluster.manifest("huge", 32, "64GiB", "Always"), "apply", "-f", "-").orThrow();

    VirtualMachine huge = awaitVm("huge", OPERATOR, v -> "Unschedulable".equals(reason(v,
        VirtualMachineStatus.CONDITION_SCHEDULED)));
    assertThat(huge.getStatus().phase).isEqualTo(Phase.PENDING);
    assertThat(condition(huge, VirtualMachineStatus.CONDITION_SCHEDULED).getMessage())
        .contains(KvmCluster.NO_KVM_NODE + ": no KVM")
        .contains(KvmCluster.SMALL_NODE + ": needs 32 vCPUs")
        .contains(KvmCluster.KVM_NODE + ": needs 32 vCPUs");
  }

  /**
   * bin/kubectl-vm console NAME as the service account {@code account} of the VMs' namespace
   * (a kubeconfig with its token), stdin and stdout piped; it stays until destroyed.
   */
  private Process console(String name, String account) throws Exception {
    java.nio.file.Path kubeconfig = plane.workDir().resolve(account + ".kubeconfig");
    java.nio.file.Files.writeString(kubeconfig, plane.tokenKubeconfig("127.0.0.1",
        AgentInCluster.token(admin, VMS, account), VMS));
    return new ProcessBuilder(ProjectRoot.bin("kubectl-vm").toString(), "--kubeconfig=" + kubeconfig, "console",
        name, "--linger", "-1").start();
  }

  /** The guest's last reported uptime in seconds ("UP=..." lines), 0 before the first. */
  private static double lastUptime(String console) {
    Matcher m = Pattern.compile("UP=(\\d+\\.\\d+)").matcher(console);
    double last = 0;
    while (m.find()) {
      last = Double.parseDouble(m.group(1));
    }
    return last;
  }

  /** How many times the guest booted, by its first marker. */
  private static int boots(String console) {
    return console.split("JVMM-GUEST-START", -1).length - 1;
  }

  /** Waits for an Event with {@code reason} that the node agent recorded on the VM. */
  private void awaitAgentEvent(String reason) {
    await().atMost(OPERATOR).alias("a " + reason + " event from the node agent on " + VM).until(() ->
        admin.v1().events().inNamespace(VMS).list().getItems().stream().anyMatch(e -> reason.equals(e.getReason())
            && VM.equals(e.getInvolvedObject().getName()) && e.getSource() != null
            && NodeContract.AGENT_FIELD_MANAGER.equals(e.getSource().getComponent())
            && KvmCluster.KVM_NODE.equals(e.getSource().getHost())));
  }

  private Resource<VirtualMachine> vm(String name) {
    return admin.resources(VirtualMachine.class).inNamespace(VMS).withName(name);
  }

  private VirtualMachine fetch(String name) {
    return vm(name).get();
  }

  private VirtualMachine awaitVm(String name, Duration within, Predicate<VirtualMachine> settled) {
    return await().atMost(within).pollInterval(Duration.ofMillis(500))
        .alias(name + " to settle; last seen: " + Optional.ofNullable(fetch(name)).map(v -> v.getStatus()).orElse(null))
        .until(() -> fetch(name), v -> v != null && v.getStatus() != null && v.getStatus().conditions != null
            && settled.test(v));
  }

  private void patchSpec(String name, String specJson) {
    vm(name).patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":" + specJson + "}");
  }

  private static Condition condition(VirtualMachine vm, String type) {
    return vm.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type + " in " + vm.getStatus().conditions));
  }

  private static boolean isTrue(VirtualMachine vm, String type) {
    return vm.getStatus().conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String reason(VirtualMachine vm, String type) {
    return vm.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).map(Condition::getReason)
        .findFirst().orElse(null);
  }

  /**
   * Settled, as the real clients read it: kstatus (Flux's health checks, kapply) says Current,
   * and Argo CD, running deploy/argocd/health.lua, says Healthy.
   */
  private static void assertKstatusCurrent(VirtualMachine vm) {
    assertThat(ThirdPartyJudges.kstatus(vm)).as("kstatus").extracting(ThirdPartyJudges.Verdict::status).isEqualTo("Current");
    assertThat(ThirdPartyJudges.argoCdHealth(ProjectRoot.path().resolve("deploy/argocd/health.lua"), List.of(vm)))
        .as("Argo CD").extracting(ThirdPartyJudges.Verdict::status).containsExactly("Healthy");
  }

}
