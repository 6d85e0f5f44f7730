package io.jvmm.agent.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.agent.VmKey;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class VmmLauncherCommandTest {
  private final StateDirectory state = new StateDirectory(Path.of("/var/lib/jvmm/vms"), new VmKey("team-a", "web.1"));
  private final List<String> vmm = List.of("/opt/jvmm/bin/jvmm", "-machine", "q35", "-m", "256M");

  @Test
  void aSessionOfItsOwn() {
    List<String> argv = VmmSupervisor.launcherCommand(VmmDetachment.SESSION, state, vmm, 0);

    assertThat(argv).startsWith("setsid", "sh", "-c", VmmSupervisor.LAUNCHER, "jvmm-launcher",
        state.path().toString()).endsWith(vmm.toArray(String[]::new)).hasSize(6 + vmm.size());
  }

  @Test
  void aSystemdScopeOutsideTheAgentsCgroupAroundTheSameLauncher() {
    long launched = 1_700_000_000_000L;
    List<String> argv = VmmSupervisor.launcherCommand(VmmDetachment.SYSTEMD_SCOPE, state, vmm, launched);

    String unit = "--unit=jvmm-team-a-web.1-" + Long.toString(launched, 36);
    assertThat(argv).startsWith("setsid", "systemd-run", "--scope", "--quiet", "--collect", unit,
        "--description=jvmm VM team-a/web.1", "--");
    assertThat(argv.subList(8, argv.size())).isEqualTo(
        VmmSupervisor.launcherCommand(VmmDetachment.SESSION, state, vmm, launched).subList(1, 6 + vmm.size()));
  }

  @Test
  void unitNamesKeepOnlyWhatSystemdTakes() {
    assertThat(VmmDetachment.unitName("ns", "a b/c", 35)).isEqualTo("jvmm-ns-a_b_c-z");
  }
}
