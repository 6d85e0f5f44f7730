package io.jvmm.agent.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jvmm.agent.AgentSettings;
import io.jvmm.agent.ConsoleTranscript;
import io.jvmm.agent.NodeAgent;
import io.jvmm.agent.TestVms;
import io.jvmm.agent.console.ConsoleClient;
import io.jvmm.agent.console.ConsoleStreams;
import io.jvmm.agent.qmp.UnixSocketStreams;
import io.jvmm.agent.reconcile.RestartBackoff;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.ManifestYaml;
import io.jvmm.domain.NodePathPolicy;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone agent end to end on jvmm and KVM: bin/jvmm boots the test guest, and the
 * virsh-like control socket creates, suspends, resumes, attaches to and destroys it, while the
 * VMM is killed and the agent itself restarted in between. It runs inside the KVM sandbox, the
 * whole class in one boot ({@link io.jvmm.agent.AgentTestsOnJvmmSandboxTest}); not on this host, whose
 * /dev/kvm boots no stock kernel.
 */
@EnabledIfSystemProperty(named = TestVms.JVMM_PROPERTY, matches = "true")
class StandaloneAgentTest {
  /** Every JVM and every guest is slow in the nested sandbox. */
  private static final Duration BOOT = Duration.ofMinutes(3);

  @TempDir
  Path dir;
  private NodeAgent agent;
  /** Every status the agent reported: NAME STATE exit=CODE. */
  private final java.util.List<String> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
  private ControlServer control;
  private Path socket;

  @BeforeEach
  void startAgent() throws Exception {
    socket = dir.resolve("agent.sock");
    start();
  }

  private void start() throws Exception {
    AgentSettings settings = new AgentSettings("test-node", dir.resolve("vms"), TestVms.vmm(dir).toString(),
        NodePathPolicy.allowing(TestVms.allowedRoots(dir)), Duration.ofSeconds(2),
        new RestartBackoff(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofMinutes(10)),
        Duration.ofMillis(300), 64 * 1024);
    ManifestDirectory manifests = new ManifestDirectory(dir.resolve("manifests"), settings.stateRoot());
    agent = new NodeAgent(settings, manifests, (vm, status) -> reported.add(vm.getMetadata().getName() + " "
        + status.state + " exit=" + status.exitCode));
    agent.start();
    control = new ControlServer(socket, agent, manifests);
  }

  private void stopAgent() {
    control.close();
    agent.close();
  }

  @AfterEach
  void destroyEverything() throws Exception {
    ControlReply list = ask("list", null);
    for (ControlReply.VmLine vm : list.vms) {
      ask("destroy", vm.name);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> ask("list", null).vms.isEmpty());
    await().atMost(Duration.ofSeconds(15)).until(() -> !Files.exists(dir.resolve("vms/default")));
    stopAgent();
  }

  private ControlReply ask(String op, String name) throws IOException {
    ControlRequest r = new ControlRequest();
    r.op = op;
    r.name = name;
    return ask(r);
  }

  private ControlReply ask(ControlRequest r) throws IOException {
    try (SocketChannel ch = UnixSocketStreams.connect(socket)) {
      ConsoleStreams.writeLine(UnixSocketStreams.out(ch), r);
      return ConsoleStreams.read(ConsoleStreams.readLine(UnixSocketStreams.in(ch)), ControlReply.class);
    }
  }

  private ControlReply.VmLine vm(String name) throws IOException {
    return ask("list", null).vms.stream().filter(v -> v.name.equals(name)).findFirst().orElse(null);
  }

  private ControlReply.VmLine awaitVm(String name, Predicate<ControlReply.VmLine> condition) {
    try {
      return await().atMost(BOOT).pollInterval(Duration.ofMillis(200)).until(() -> vm(name),
          v -> v != null && condition.test(v));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n" + diagnosis(name), e);
    }
  }

  /** What the agent says of the VM, its VMM's threads as the kernel sees them, and its logs' ends. */
  private String diagnosis(String name) {
    StringBuilder out = new StringBuilder();
    try {
      ControlReply.VmLine v = vm(name);
      if (v != null) {
        out.append("agent: state ").append(v.state).append(", QMP ").append(v.qmpStatus).append(", pid ")
            .append(v.pid).append(", exit ").append(v.exitCode).append(", message ").append(v.message).append('\n');
        if (v.pid != null) {
          out.append(ProcessThreads.describe(v.pid));
        }
      }
    } catch (IOException e) {
      out.append("agent: no answer: ").append(e.getMessage()).append('\n');
    }
    Path vmDir = dir.resolve("vms/default").resolve(name);
    for (String file : new String[] {"vmm.log", "serial.log", "console.log"}) {
      try {
        String text = Files.readString(vmDir.resolve(file));
        out.append("--- ").append(file).append(" ends:\n").append(text.substring(Math.max(0, text.length() - 2000)))
            .append('\n');
      } catch (IOException e) {
        out.append("--- ").append(file).append(": ").append(e.getMessage()).append('\n');
      }
    }
    return out.toString();
  }

  private ControlReply create(VirtualMachine vm) throws IOException {
    ControlRequest r = new ControlRequest();
    r.op = "create";
    r.fileName = "vm.yaml";
    vm.setApiVersion(VirtualMachine.API_VERSION);
    vm.setKind(VirtualMachine.KIND);
    vm.getMetadata().setNamespace(null);
    vm.getMetadata().setGeneration(null);
    r.content = ManifestYaml.write(vm);
    return ask(r);
  }

  @Test
  void createConsoleSuspendResumeDestroy() throws Exception {
    assertThat(create(TestVms.guest("default", "alpha")).ok).isTrue();
    ControlReply.VmLine running = awaitVm("alpha", v -> "Running".equals(v.state) && "running".equals(v.qmpStatus));
    assertThat(running.pid).isPositive();

    ControlRequest attach = new ControlRequest();
    attach.op = "console";
    attach.name = "alpha";
    try (ConsoleClient writer = ConsoleClient.local(socket, attach);
        ConsoleClient watcher = ConsoleClient.local(socket, attach)) {
      assertThat(writer.isWriter()).isTrue();
      assertThat(watcher.isWriter()).as("one writer at a time").isFalse();
      ConsoleTranscript typing = new ConsoleTranscript(writer);
      ConsoleTranscript watching = new ConsoleTranscript(watcher);
      typing.awaitText("JVMM-GUEST-READY", BOOT);
      watching.awaitText("JVMM-GUEST-READY", BOOT);
      assertThat(typing.typeUntil("echo console-$((6*7))", Pattern.compile("console-(42)"), BOOT)).isEqualTo("42");
      watching.awaitText("console-42", Duration.ofSeconds(10));
    }

    assertThat(ask("suspend", "alpha").ok).isTrue();
    awaitVm("alpha", v -> "Paused".equals(v.state) && "paused".equals(v.qmpStatus));
    assertThat(ask("resume", "alpha").ok).isTrue();
    awaitVm("alpha", v -> "Running".equals(v.state) && "running".equals(v.qmpStatus));

    long pid = running.pid;
    assertThat(ask("destroy", "alpha").ok).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    await().atMost(Duration.ofSeconds(10)).until(() -> vm("alpha") == null);
    await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(dir.resolve("vms/default/alpha")));
  }

  @Test
  void aKilledVmmIsReportedFailedAndRestartedAndAnAgentRestartAdoptsIt() throws Exception {
    VirtualMachine vm = TestVms.guest("default", "beta");
    vm.getSpec().restartPolicy = RestartPolicy.ALWAYS;
    assertThat(create(vm).ok).isTrue();
    long first = awaitVm("beta", v -> "running".equals(v.qmpStatus)).pid;

    ProcessHandle.of(first).orElseThrow().destroyForcibly();
    ControlReply.VmLine failed = awaitVm("beta", v -> "Failed".equals(v.state));
    assertThat(failed.exitCode).isEqualTo(137);
    assertThat(failed.message).contains("137").contains("Always");
    ControlReply.VmLine restarted = awaitVm("beta", v -> "running".equals(v.qmpStatus) && v.pid != null
        && v.pid != first);
    assertThat(restarted.restarts).isEqualTo(1);

    // The agent goes away; the VMM must not.
    stopAgent();
    Thread.sleep(500);
    assertThat(ProcessHandle.of(restarted.pid).map(ProcessHandle::isAlive)).contains(true);
    start();
    ControlReply.VmLine adopted = awaitVm("beta", v -> "running".equals(v.qmpStatus));
    assertThat(adopted.pid).isEqualTo(restarted.pid);
    // The console still works, with the guest's earlier output in the scroll-back.
    ControlRequest attach = new ControlRequest();
    attach.op = "console";
    attach.name = "beta";
    try (ConsoleClient console = ConsoleClient.local(socket, attach)) {
      new ConsoleTranscript(console).awaitText("JVMM-GUEST-READY", BOOT);
    }
  }

  /**
   * A VMM that does not answer (here SIGSTOPped) when a new agent starts is adopted, not killed
   * and not started a second time; it answers again once it runs.
   */
  @Test
  void aStoppedVmmSurvivesAnAgentRestartWithoutASecondVmm() throws Exception {
    VirtualMachine vm = TestVms.guest("default", "frozen");
    assertThat(create(vm).ok).isTrue();
    long pid = awaitVm("frozen", v -> "running".equals(v.qmpStatus)).pid;
    stopAgent();
    new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
    try {
      start();
      // The new agent reports it once its QMP greeting times out; then a few more decisions.
      awaitVm("frozen", v -> v.pid != null && "Unknown".equals(v.state));
      Thread.sleep(8000);
      ControlReply.VmLine seen = vm("frozen");
      assertThat(seen.pid).as(seen.state + " " + seen.message).isEqualTo(pid);
      assertThat(seen.state).as(seen.message).isEqualTo("Unknown");
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
      // Its launcher shell (which waits for it) names the socket too; nothing else may.
      assertThat(ProcessHandle.allProcesses().filter(p -> p.pid() != pid && p.info().arguments()
          .map(a -> String.join(" ", a)).filter(a -> a.contains("vms/default/frozen/vmm/qmp.sock"))
          .filter(a -> !a.contains("jvmm-launcher")).isPresent()).count())
          .as("no second VMM for the VM").isZero();
    } finally {
      new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
    }
    assertThat(awaitVm("frozen", v -> "running".equals(v.qmpStatus)).pid).isEqualTo(pid);
  }

  @Test
  void aCreatedVmThatNeverRestartsIsTransientAndGoesWhenTheGuestPowersOff() throws Exception {
    VirtualMachine vm = TestVms.guest("default", "delta");
    vm.getSpec().os.cmdline = "console=ttyS0 quiet";
    vm.getSpec().restartPolicy = RestartPolicy.NEVER;
    assertThat(create(vm).ok).isTrue();
    await().atMost(BOOT).pollInterval(Duration.ofMillis(200)).until(() -> reported.contains("delta STOPPED exit=0"));
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> vm("delta") == null);
    assertThat(dir.resolve("manifests/delta.yaml")).doesNotExist();
    assertThat(dir.resolve("vms/default/delta")).as("nothing of it left on the node").doesNotExist();
  }

  @Test
  void aVmFileThatNeverRestartsStaysStoppedAfterTheGuestPowersOff() throws Exception {
    VirtualMachine vm = TestVms.guest("default", "gamma");
    vm.getSpec().os.cmdline = "console=ttyS0 quiet";
    vm.getSpec().restartPolicy = RestartPolicy.NEVER;
    vm.setApiVersion(VirtualMachine.API_VERSION);
    vm.setKind(VirtualMachine.KIND);
    vm.getMetadata().setNamespace(null);
    // Put into the directory by hand, not by virsh create: a defined VM, not a transient one.
    Files.writeString(dir.resolve("manifests/gamma.yaml"), ManifestYaml.write(vm));
    ControlReply.VmLine stopped = awaitVm("gamma", v -> "Stopped".equals(v.state));
    assertThat(stopped.exitCode).isZero();
    assertThat(stopped.pid).isNull();
    assertThat(Files.readString(dir.resolve("vms/default/gamma/serial.log"))).contains("JVMM-GUEST-READY");
  }

  @Test
  void aVmWithAVirtioConsoleGetsHvc0AsItsConsoleAndKeepsTheSerialPortApart() throws Exception {
    VirtualMachine vm = TestVms.guestWithVirtioConsole("default", "hvc");
    // The guest's virtio_console is a module, loaded by its /init: the boot log stays on
    // ttyS0, and a command after the ready marker speaks on hvc0, both ways.
    String script = "echo HVC-HELLO > /dev/hvc0; read -t 60 line < /dev/hvc0; echo \"HVC-GOT=$line\" > /dev/hvc0";
    vm.getSpec().os.cmdline = "console=ttyS0 quiet jvmm.cmd="
        + java.util.Base64.getEncoder().encodeToString(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    vm.getSpec().restartPolicy = RestartPolicy.NEVER;
    assertThat(create(vm).error).isNull();
    awaitVm("hvc", v -> v.pid != null);
    ControlRequest attach = new ControlRequest();
    attach.op = "console";
    attach.name = "hvc";
    ControlRequest serialAttach = new ControlRequest();
    serialAttach.op = "console";
    serialAttach.name = "hvc";
    serialAttach.serial = true;
    try (ConsoleClient console = ConsoleClient.local(socket, attach);
        ConsoleClient serial = ConsoleClient.local(socket, serialAttach)) {
      ConsoleTranscript hvc0 = new ConsoleTranscript(console);
      ConsoleTranscript ttyS0 = new ConsoleTranscript(serial);
      ttyS0.awaitText("JVMM-GUEST-READY", BOOT);
      hvc0.awaitText("HVC-HELLO", BOOT);
      console.input().write("ping\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      console.input().flush();
      hvc0.awaitText("HVC-GOT=ping", Duration.ofSeconds(30));
      assertThat(hvc0.text()).doesNotContain("JVMM-GUEST-READY");
    }
    // Created (virsh create) with restartPolicy Never: transient, it goes once the guest powers off.
    await().atMost(BOOT).pollInterval(Duration.ofMillis(200)).until(() -> vm("hvc") == null);
    assertThat(reported).contains("hvc STOPPED exit=0");
  }

  @Test
  void aVmNamingAnEmulatorTheNodeDoesNotAllowNeverRuns() throws Exception {
    VirtualMachine sh = TestVms.guest("default", "sh-emulator");
    sh.getSpec().emulator = "/bin/sh";
    ControlReply created = create(sh);
    assertThat(created.ok).isFalse();
    assertThat(created.error).contains("spec.emulator: '/bin/sh' is not a VMM this node allows");

    // Put into the VM directory behind the control socket's back: the agent checks again before
    // it starts anything, and says why in the VM's status.
    sh.setApiVersion(VirtualMachine.API_VERSION);
    sh.setKind(VirtualMachine.KIND);
    sh.getMetadata().setNamespace(null);
    sh.getMetadata().setGeneration(null);
    Files.writeString(dir.resolve("manifests/sh-emulator.yaml"), ManifestYaml.write(sh));
    ControlReply.VmLine refused = awaitVm("sh-emulator", v -> v.message != null);
    assertThat(refused.message).contains("spec.emulator: '/bin/sh' is not a VMM this node allows");
    assertThat(refused.pid).isNull();
    Thread.sleep(1000); // a second look: still nothing started
    assertThat(vm("sh-emulator").pid).isNull();
    assertThat(dir.resolve("vms/default/sh-emulator/vmm.log")).doesNotExist();
  }

  /** A manifest of the test guest (256 MiB, 1 vCPU, restartPolicy Always) with these lines under devices. */
  private static String guestManifest(String name, String cmdline, String... devices) {
    java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of(
        "apiVersion: jvmm.io/v1alpha1",
        "kind: VirtualMachine",
        "metadata:",
        "  name: " + name,
        "spec:",
        "  memory: 256MiB",
        "  vcpu: 1",
        "  os: {arch: x86_64, machine: q35, kernel: " + TestVms.image().kernel() + ", initrd: "
            + TestVms.image().initramfs() + ", cmdline: " + cmdline + "}",
        "  features: {acpi: true}",
        "  restartPolicy: Always",
        "  devices:"));
    lines.addAll(java.util.List.of(devices));
    lines.add("");
    return String.join("\n", lines);
  }

  /** A VM of the test guest with a disk of its own, as a manifest. */
  private static String guestWithDisk(String name, Path disk) {
    return guestManifest(name, "console=ttyS0 quiet",
        "    controllers: [{type: pci, index: 1, model: pcie-root-port}]",
        "    disks:",
        "    - {name: vda, type: file, device: disk, driver: {name: qemu, type: raw}, source: {file: " + disk + "},",
        "       target: {dev: vda, bus: virtio}, address: {domain: '0x000', bus: '0x01', slot: '0x00', function: '0x00'}}");
  }

  /** Runs a shell command as {@code uid} with no other group, as a VMM taken over by its guest would. */
  private static ProcessOutcomeLine asUser(long uid, String command) throws Exception {
    Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--", "sh", "-c", command)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    return new ProcessOutcomeLine(p.exitValue(), out);
  }

  private record ProcessOutcomeLine(int exit, String output) {}

  @Test
  void eachVmmRunsAsAUserOfItsOwnThatCannotReachAnotherVmsDiskOrSockets() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(ProcessStatus.of(ProcessHandle.current().pid()).uid() == 0,
        "the agent drops VMMs to users of their own only when it runs as root");
    Path diskA = dir.resolve("a.img");
    Path diskB = dir.resolve("b.img");
    for (Path disk : new Path[] {diskA, diskB}) {
      Files.write(disk, new byte[1 << 20]);
      Files.setPosixFilePermissions(disk, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }
    for (String[] vm : new String[][] {{"one", diskA.toString()}, {"two", diskB.toString()}}) {
      createFromYaml(vm[0], guestWithDisk(vm[0], Path.of(vm[1])));
    }
    ControlReply.VmLine one = awaitVm("one", v -> "running".equals(v.qmpStatus));
    ControlReply.VmLine two = awaitVm("two", v -> "running".equals(v.qmpStatus));

    ProcessStatus a = ProcessStatus.of(one.pid);
    ProcessStatus b = ProcessStatus.of(two.pid);
    for (ProcessStatus st : new ProcessStatus[] {a, b}) {
      assertThat(st.uid()).as(st.toString()).isGreaterThanOrEqualTo(2_100_000_000L);
      assertThat(st.field("CapEff")).as(st.toString()).isEqualTo("0000000000000000");
      assertThat(st.field("CapPrm")).as(st.toString()).isEqualTo("0000000000000000");
      assertThat(st.field("NoNewPrivs")).as(st.toString()).isEqualTo("1");
    }
    assertThat(a.uid()).isNotEqualTo(b.uid());
    assertThat(Files.getAttribute(diskA, "unix:uid")).isEqualTo((int) a.uid());
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(diskA)))
        .isEqualTo("rw-------");

    assertThat(asUser(a.uid(), "head -c 1 " + diskA + " >/dev/null && echo own-disk-read").output())
        .contains("own-disk-read");
    ProcessOutcomeLine otherDisk = asUser(a.uid(), "head -c 1 " + diskB);
    assertThat(otherDisk.exit()).isNotZero();
    assertThat(otherDisk.output()).contains("Permission denied");
    Path otherQmp = dir.resolve("vms/default/two/vmm/qmp.sock");
    assertThat(otherQmp).exists();
    ProcessOutcomeLine otherSocket = asUser(a.uid(), "python3 -c \"import socket; socket.socket(socket.AF_UNIX)"
        + ".connect('" + otherQmp + "')\"");
    assertThat(otherSocket.exit()).isNotZero();
    assertThat(otherSocket.output()).contains("PermissionError");

    assertThat(ask("destroy", "one").ok).isTrue();
    assertThat(ask("destroy", "two").ok).isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(dir.resolve("vms/default/one"))
        && !Files.exists(dir.resolve("vms/default/two")));
    // The disks are given back as they were.
    assertThat(Files.getAttribute(diskA, "unix:uid")).isEqualTo(0);
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(diskB)))
        .isEqualTo("rw-r--r--");
  }

  /** The test guest with a vsock device of CID {@code cid}, kept running on its shell. */
  private static String guestWithVsock(String name, long cid) {
    return guestManifest(name, "console=ttyS0 quiet jvmm.shell=1", "    vsock: {model: virtio, cid: {address: " + cid + "}}");
  }

  private void createFromYaml(String name, String yaml) throws IOException {
    ControlRequest r = new ControlRequest();
    r.op = "create";
    r.fileName = name + ".yaml";
    r.content = yaml;
    ControlReply reply = ask(r);
    assertThat(reply.ok).as(reply.error).isTrue();
  }

  /**
   * Two VMs of the node may not have the same vsock CID: the second is not started while the
   * first runs, and says which VM holds it; it starts once that VM is gone.
   */
  @Test
  void aVmWhoseVsockCidAnotherVmHoldsWaitsAndStartsOnceItIsFree() throws Exception {
    createFromYaml("cid-first", guestWithVsock("cid-first", 7));
    long first = awaitVm("cid-first", v -> "running".equals(v.qmpStatus)).pid;
    createFromYaml("cid-second", guestWithVsock("cid-second", 7));
    ControlReply.VmLine waiting = awaitVm("cid-second", v -> v.message != null && v.message.contains("held by"));
    assertThat(waiting.state).isEqualTo("Failed");
    assertThat(waiting.pid).isNull();
    assertThat(waiting.message).isEqualTo("the VM cannot run on this node now: spec.devices.vsock.cid.address:"
        + " vsock CID 7 is held by VM default/cid-first on this node; choose another or stop that VM");

    assertThat(ask("destroy", "cid-first").ok).isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(first).map(h -> !h.isAlive()).orElse(true));
    ControlReply.VmLine started = awaitVm("cid-second", v -> "running".equals(v.qmpStatus));
    assertThat(started.pid).isPositive();
  }

  @Test
  void refusesWhatItCannotRun() throws Exception {
    VirtualMachine outside = TestVms.guest("default", "delta");
    outside.getSpec().os.kernel = "/etc/passwd";
    ControlReply created = create(outside);
    assertThat(created.ok).isFalse();
    assertThat(created.error).contains("spec.os.kernel").contains("outside the allowed roots");
    assertThat(ask("suspend", "nobody").error).contains("no VM named nobody");
    ControlRequest attach = new ControlRequest();
    attach.op = "console";
    attach.name = "nobody";
    assertThatThrownBy(() -> ConsoleClient.local(socket, attach)).hasMessageContaining("no VM named nobody");
    assertThat(Optional.ofNullable(ask("list", null).vms)).get().asList().isEmpty();
  }
}
