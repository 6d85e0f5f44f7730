package io.jvmm.agent.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.agent.VmKey;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class VmmLauncherCommandTest {
  private final StateDirectory state = new StateDirectory(Path.of("/var/lib/jvmm/vms"), new VmKey("team-a", "web.1"));
  private final List<String> vmm = List.of("/opt/jvmm/bin/jvmm", "-machine", "q35", "-m", "256M");

  private final VmmLimits limits = new VmmLimits(512L << 20, 130, 200_000);

  @Test
  void aSessionOfItsOwnInACgroupOfItsOwn() {
    Path cgroup = Path.of("/sys/fs/cgroup/jvmm/team-a.web.1");
    List<String> argv = VmmSupervisor.launcherCommand(VmmDetachment.SESSION, state, vmm, 0, limits, cgroup);

    assertThat(argv).startsWith("setsid", "sh", "-c", VmmSupervisor.LAUNCHER, "jvmm-launcher",
        state.path().toString(), cgroup.toString()).endsWith(vmm.toArray(String[]::new)).hasSize(7 + vmm.size());
    assertThat(VmmSupervisor.launcherCommand(VmmDetachment.SESSION, state, vmm, 0, null, null).get(6)).isEmpty();
  }

  @Test
  void aSystemdScopeOutsideTheAgentsCgroupWithTheLimitsAroundTheSameLauncher() {
    long launched = 1_700_000_000_000L;
    List<String> argv = VmmSupervisor.launcherCommand(VmmDetachment.SYSTEMD_SCOPE, state, vmm, launched, limits, null);

    String unit = "--unit=jvmm-team-a-web.1-" + Long.toString(launched, 36);
    assertThat(argv).startsWith("setsid", "systemd-run", "--scope", "--quiet", "--collect", unit,
        "--description=jvmm VM team-a/web.1", "--property=MemoryMax=536870912", "--property=MemorySwapMax=0",
        "--property=TasksMax=130", "--property=CPUQuota=200%", "--");
    assertThat(argv.subList(12, argv.size())).isEqualTo(
        VmmSupervisor.launcherCommand(VmmDetachment.SESSION, state, vmm, launched, null, null).subList(1, 7 + vmm.size()));
  }

  @Test
  void unitNamesKeepOnlyWhatSystemdTakes() {
    assertThat(VmmDetachment.unitName("ns", "a b/c", 35)).isEqualTo("jvmm-ns-a_b_c-z");
  }
}
