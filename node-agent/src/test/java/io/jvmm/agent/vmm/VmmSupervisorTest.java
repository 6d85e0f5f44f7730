package io.jvmm.agent.vmm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jvmm.agent.TestVms;
import io.jvmm.agent.VmKey;
import io.jvmm.agent.console.ConsoleHub;
import io.jvmm.agent.qmp.QmpClient;
import io.jvmm.agent.qmp.QmpException;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.NodePathPolicy;
import io.jvmm.domain.VmmCommandLine;
import io.jvmm.domain.VmmLaunchOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor and QMP client. The tests that boot the test guest run jvmm on KVM, in the
 * sandbox ({@link io.jvmm.agent.AgentTestsOnJvmmSandboxTest}); the others run anywhere.
 */
class VmmSupervisorTest {
  @TempDir
  Path dir;
  private final List<VmmProcess> started = new ArrayList<>();
  private final List<StateDirectory> states = new ArrayList<>();
  private final VmmSupervisor supervisor = new VmmSupervisor();

  @AfterEach
  void killLeftovers() throws Exception {
    for (VmmProcess p : started) {
      supervisor.kill(p, true);
      p.exit().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    for (StateDirectory state : states) {
      awaitLauncherDone(state);
    }
  }

  /**
   * The launcher writes the exit status and then its last log line after the VMM ends, and the
   * exit future of an adopted VMM completes when the VMM is gone: wait for that line before
   * reading the log, or before JUnit deletes the directory under it.
   */
  private static void awaitLauncherDone(StateDirectory state) {
    await().atMost(Duration.ofSeconds(30)).until(() -> state.vmmLogTail(5, 1000).contains("exited with status"));
  }

  private VmmProcess start(StateDirectory state, VirtualMachine vm) throws Exception {
    VmmCommandLine line = VmmCommandLine.build(vm, VmmLaunchOptions.inStateDir(state.path(),
            NodePathPolicy.allowing(TestVms.allowedRoots(dir)))
        .withQmpSocket(state.qmpSocket())
        .withSerial("unix:" + state.serialSocket() + ",server,nowait"));
    List<String> argv = new ArrayList<>();
    argv.add(TestVms.vmm(dir).toString());
    argv.addAll(line.args());
    VmmProcess p = supervisor.start(state, argv);
    started.add(p);
    states.add(state);
    return p;
  }

  private static QmpClient qmp(StateDirectory state, List<String> events) {
    return await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(
        () -> QmpClient.connect(state.qmpSocket(), e -> events.add(e.path("event").asText()), Duration.ofSeconds(5)),
        c -> c != null);
  }

  @Test
  @EnabledIfSystemProperty(named = TestVms.JVMM_PROPERTY, matches = "true")
  void startsTheGuestDrivesItOverQmpAndRecordsItsExit() throws Exception {
    StateDirectory state = new StateDirectory(dir.resolve("vms"), new VmKey("default", "tcg-guest"));
    VmmProcess vmm = start(state, TestVms.guest("default", "tcg-guest"));
    assertThat(state.readPid()).contains(vmm.pid());

    ConsoleHub serial = new ConsoleHub("tcg-guest", state.serialLog(), 64 * 1024);
    serial.connect(state.serialSocket(), Duration.ofSeconds(10));
    List<String> events = new CopyOnWriteArrayList<>();
    try (QmpClient qmp = qmp(state, events)) {
      assertThat(qmp.greeting().path("version").isObject()).isTrue();
      assertThat(qmp.queryStatus()).isEqualTo("running");
      await().atMost(Duration.ofSeconds(60)).until(
          () -> new String(serial.scrollBack(), StandardCharsets.UTF_8).contains("JVMM-GUEST-READY"));

      qmp.execute("stop", null);
      assertThat(qmp.queryStatus()).isEqualTo("paused");
      qmp.execute("cont", null);
      assertThat(qmp.queryStatus()).isEqualTo("running");
      await().until(() -> events.containsAll(List.of("STOP", "RESUME")));

      try {
        qmp.execute("no-such-command", null);
        throw new AssertionError("an unknown command must fail");
      } catch (QmpException e) {
        assertThat(e.errorClass()).isEqualTo("CommandNotFound");
        assertThat(e.getMessage()).contains("no-such-command");
      }
      qmp.execute("quit", null);
    } catch (QmpException e) {
      // quit may close the socket before its reply arrives
    }
    assertThat(vmm.exit().get()).isZero();
    assertThat(state.readExitStatus()).contains(0);
    assertThat(state.consoleLog()).doesNotExist();
    assertThat(state.serialLog()).content().contains("JVMM-GUEST-START");
    serial.close();
  }

  @Test
  @EnabledIfSystemProperty(named = TestVms.JVMM_PROPERTY, matches = "true")
  void aNewSupervisorAdoptsTheRunningVmmAndSeesItKilled() throws Exception {
    StateDirectory state = new StateDirectory(dir.resolve("vms"), new VmKey("ns", "adopted"));
    VmmProcess first = start(state, TestVms.guest("ns", "adopted"));

    VmmSupervisor next = new VmmSupervisor();
    VmmProcess adopted = next.adopt(state).orElseThrow();
    assertThat(adopted.pid()).isEqualTo(first.pid());
    assertThat(adopted.adopted()).isTrue();
    try (QmpClient qmp = qmp(state, new CopyOnWriteArrayList<>())) {
      assertThat(qmp.queryStatus()).isEqualTo("running");
    }

    next.kill(adopted, true);
    assertThat(adopted.exit().get()).isEqualTo(128 + 9);
    assertThat(next.adopt(state)).isEmpty();
    awaitLauncherDone(state);
    assertThat(state.vmmLogTail(5, 1000)).contains("exited with status 137");
  }

  @Test
  void aPidFileNamingAnotherProcessIsNotAdopted() throws Exception {
    StateDirectory state = new StateDirectory(dir.resolve("vms"), new VmKey("ns", "stale"));
    state.create();
    StateDirectory.writeAtomically(state.pidFile(), Long.toString(ProcessHandle.current().pid()));
    assertThat(supervisor.adopt(state)).isEmpty();
  }

  /**
   * A pid recycled by a process that even names the VM's socket is not the VMM: its start time
   * is not the one recorded when the VMM started.
   */
  @Test
  void aRecycledPidIsNotAdoptedEvenWithTheSocketInItsCommandLine() throws Exception {
    StateDirectory state = new StateDirectory(dir.resolve("vms"), new VmKey("ns", "recycled"));
    state.create();
    Process impostor = new ProcessBuilder("sh", "-c", "sleep 300", "impostor", state.qmpSocket().toString()).start();
    try {
      StateDirectory.writeAtomically(state.pidFile(), Long.toString(impostor.pid()));
      ProcessIdentity real = ProcessIdentity.of(impostor.pid()).orElseThrow();
      StateDirectory.writeAtomically(state.file(ProcessIdentity.FILE),
          new ProcessIdentity(real.bootId(), real.startTicks() - 1).text());
      assertThat(supervisor.adopt(state)).isEmpty();
      StateDirectory.writeAtomically(state.file(ProcessIdentity.FILE),
          new ProcessIdentity("another-boot", real.startTicks()).text());
      assertThat(supervisor.adopt(state)).isEmpty();
      // The control: with its own identity recorded, the same process is taken for the VMM.
      StateDirectory.writeAtomically(state.file(ProcessIdentity.FILE), real.text());
      assertThat(supervisor.adopt(state)).map(VmmProcess::pid).contains(impostor.pid());
    } finally {
      impostor.destroyForcibly().waitFor();
    }
  }

  @Test
  void socketsOfADeepStateDirectoryGoSomewhereShorter() {
    String longName = "n".repeat(63);
    StateDirectory state = new StateDirectory(dir.resolve("vms"), new VmKey("x".repeat(63), longName));
    assertThat(state.qmpSocket().toString().length()).isLessThanOrEqualTo(StateDirectory.MAX_SOCKET_PATH);
    assertThat(state.qmpSocket()).isEqualTo(
        new StateDirectory(dir.resolve("vms"), new VmKey("x".repeat(63), longName)).qmpSocket());
    assertThat(new StateDirectory(dir.resolve("vms"), new VmKey("a", "b")).qmpSocket().getParent())
        .isEqualTo(dir.resolve("vms/a/b/vmm").toAbsolutePath());
  }
}
