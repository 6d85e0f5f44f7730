package io.jvmm.agent.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jvmm.agent.TestVms;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.ManifestYaml;
import io.jvmm.testkit.ProjectRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jvmm-agent and bin/jvmm-virsh as people run them, on bin/jvmm and KVM (inside the KVM
 * sandbox, {@link io.jvmm.agent.AgentTestsOnJvmmSandboxTest}): the agent is killed with SIGKILL mid-run
 * and started again, and the guest goes on under the same VMM.
 */
@EnabledIfSystemProperty(named = TestVms.JVMM_PROPERTY, matches = "true")
class AgentProcessTest {
  /** Every JVM and every guest is slow in the nested sandbox. */
  private static final Duration BOOT = Duration.ofMinutes(3);

  @TempDir
  Path dir;
  private Process agent;
  private final List<Long> vmms = new ArrayList<>();

  private Process startAgent() throws IOException {
    List<String> command = new ArrayList<>(List.of(ProjectRoot.bin("jvmm-agent").toString(),
        "--mode", "standalone", "--home", dir.toString(), "--vmm", TestVms.vmm(dir).toString(),
        "--resync", "300", "--restart-backoff", "500"));
    for (String root : TestVms.allowedRoots(dir)) {
      command.add("--allow-root");
      command.add(root);
    }
    Files.deleteIfExists(dir.resolve("agent.sock"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile())).start();
    await().atMost(BOOT).until(() -> Files.exists(dir.resolve("agent.sock")) || !p.isAlive());
    assertThat(p.isAlive()).as("agent log:\n%s", log()).isTrue();
    return p;
  }

  private String log() throws IOException {
    return Files.readString(dir.resolve("agent.log"));
  }

  private String virsh(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ProjectRoot.bin("jvmm-virsh").toString(),
        "-c", dir.resolve("agent.sock").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("jvmm-virsh %s: %s", String.join(" ", args), out).isZero();
    return out;
  }

  /** The pid column of the VM's line in jvmm-virsh list once it reads STATE and QMP. */
  private long awaitListed(String name, String state, String qmp) {
    Pattern row = Pattern.compile("(?m)^" + name + " +" + state + " +" + qmp + " +(\\d+) ");
    String out = await().atMost(BOOT).pollInterval(Duration.ofMillis(500)).until(() -> virsh("list"),
        o -> row.matcher(o).find());
    Matcher m = row.matcher(out);
    m.find();
    return Long.parseLong(m.group(1));
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.destroyForcibly();
    }
    for (long pid : vmms) {
      ProcessHandle.of(pid).ifPresent(h -> {
        h.destroyForcibly();
        // The launcher writes into the state directory after the VMM ends; JUnit deletes it next.
        await().atMost(Duration.ofSeconds(10)).until(() -> !h.isAlive());
      });
    }
    await().pollDelay(Duration.ofMillis(300)).until(() -> true);
  }

  @Test
  void theGuestOutlivesAnAgentKilledWithSigkill() throws Exception {
    agent = startAgent();
    VirtualMachine vm = TestVms.guest("default", "proc");
    vm.setApiVersion(VirtualMachine.API_VERSION);
    vm.setKind(VirtualMachine.KIND);
    vm.getMetadata().setNamespace(null);
    vm.getMetadata().setGeneration(null);
    Path manifest = Files.writeString(dir.resolve("proc.yaml"), ManifestYaml.write(vm));

    assertThat(virsh("create", manifest.toString())).contains("Domain 'proc' created");
    long pid = awaitListed("proc", "Running", "running");
    vmms.add(pid);

    agent.destroyForcibly().waitFor();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    agent = startAgent();
    assertThat(awaitListed("proc", "Running", "running")).isEqualTo(pid);
    assertThat(log()).contains("adopted running VMM pid " + pid);

    assertThat(virsh("suspend", "proc")).contains("Domain 'proc' suspended");
    assertThat(awaitListed("proc", "Paused", "paused")).isEqualTo(pid);
    assertThat(virsh("resume", "proc")).contains("Domain 'proc' resumed");
    assertThat(awaitListed("proc", "Running", "running")).isEqualTo(pid);

    assertThat(virsh("destroy", "proc")).contains("Domain 'proc' destroyed");
    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    // Each jvmm-virsh is a JVM start, seconds in the nested sandbox: as patient as the other waits.
    await().atMost(BOOT).until(() -> !virsh("list").contains("proc"));
  }
}
