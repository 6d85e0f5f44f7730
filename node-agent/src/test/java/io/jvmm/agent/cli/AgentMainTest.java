package io.jvmm.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.agent.vmm.VmmDetachment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AgentMainTest {
  @Test
  void simulatedNodesOverrideWhatTheProbeFinds() {
    AgentMain main = new AgentMain();
    new CommandLine(main).setCaseInsensitiveEnumValuesAllowed(true).parseArgs("--mode", "kubernetes", "--kvm", "false",
        "--allocatable-vcpus", "2", "--allocatable-memory", "3GiB", "--node", "sim-1", "--home", "/tmp/x");
    assertThat(main.mode).isEqualTo(AgentMain.Mode.kubernetes);
    assertThat(main.kvm).isFalse();
    assertThat(main.allocatableVcpus).isEqualTo(2);
    assertThat(main.allocatableMemory).isEqualTo("3GiB");
    assertThat(main.home).isEqualTo(Path.of("/tmp/x"));
  }

  @Test
  void defaultsSuitAStandaloneAgent() {
    AgentMain main = new AgentMain();
    new CommandLine(main).parseArgs();
    assertThat(main.mode).isEqualTo(AgentMain.Mode.auto);
    assertThat(main.stopGraceSeconds).isEqualTo(30);
    assertThat(main.consoleTls).isEqualTo("self-signed");
    assertThat(AgentMain.hostName()).isNotBlank();
  }

  @Test
  void vmmsGetSystemdScopesByDefaultOnlyInAPodWhereSystemdRuns() {
    assertThat(AgentMain.detachment(AgentMain.VmmScope.auto, true, true)).isEqualTo(VmmDetachment.SYSTEMD_SCOPE);
    assertThat(AgentMain.detachment(AgentMain.VmmScope.auto, true, false)).isEqualTo(VmmDetachment.SESSION);
    assertThat(AgentMain.detachment(AgentMain.VmmScope.auto, false, true)).isEqualTo(VmmDetachment.SESSION);
    assertThat(AgentMain.detachment(AgentMain.VmmScope.session, true, true)).isEqualTo(VmmDetachment.SESSION);
    assertThat(AgentMain.detachment(AgentMain.VmmScope.systemd, false, true)).isEqualTo(VmmDetachment.SYSTEMD_SCOPE);
    assertThatThrownBy(() -> AgentMain.detachment(AgentMain.VmmScope.systemd, true, false))
        .hasMessageContaining("--vmm-scope systemd").hasMessageContaining("/run/systemd");
    AgentMain main = new AgentMain();
    new CommandLine(main).parseArgs("--vmm-scope", "session");
    assertThat(main.vmmScope).isEqualTo(AgentMain.VmmScope.session);
  }

  @Test
  void virshWithoutACommandPrintsUsage() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new JvmmVirsh());
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute()).isEqualTo(2);
    assertThat(out.toString()).contains("create", "destroy", "suspend", "resume", "list", "console");
  }
}
