package io.jvmm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.crds.v1alpha1.RebootPolicy;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** on_poweroff, on_reboot and on_crash to restartPolicy and rebootPolicy, and back. */
class LifecycleActionsTest {
  static String domain(String actions) {
    return "<domain type='kvm'><name>vm</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
        + "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>/var/lib/jvmm/vmlinuz</kernel></os><features><acpi/></features>"
        + actions + "</domain>";
  }

  static VirtualMachine imported(String actions) throws InvalidVirtualMachineException {
    return DomainXmlImporter.importXml(domain(actions).getBytes(StandardCharsets.UTF_8), false).vm();
  }

  @Test
  void aDomainWithoutActionsTakesLibvirtsDefaultsAndIsNotRestartedAfterItsGuestPowersOff() throws Exception {
    VirtualMachine vm = imported("");
    assertThat(vm.getSpec().restartPolicy).isEqualTo(RestartPolicy.NEVER);
    assertThat(vm.getSpec().rebootPolicy).isNull();
    assertThat(VmmCommandLine.build(vm, VmmLaunchOptions.inStateDir(Path.of("/run/jvmm/vm"), NodePathPolicy.allowing(List.of("/var/lib/jvmm"))))
        .args()).doesNotContain("-no-reboot");
  }

  @ParameterizedTest
  @CsvSource({
      "restart, restart, restart, ALWAYS, ",
      "destroy, restart, restart, ON_FAILURE, ",
      "destroy, restart, destroy, NEVER, ",
      "destroy, destroy, destroy, NEVER, STOP",
      "restart, destroy, restart, ALWAYS, STOP"})
  void eachPairOfActionsIsARestartPolicyAndExportsBackTheSame(String poweroff, String reboot, String crash,
      RestartPolicy restart, RebootPolicy rebootPolicy) throws Exception {
    String actions = "<on_poweroff>" + poweroff + "</on_poweroff><on_reboot>" + reboot + "</on_reboot><on_crash>"
        + crash + "</on_crash>";
    VirtualMachine vm = imported(actions);
    assertThat(vm.getSpec().restartPolicy).isEqualTo(restart);
    assertThat(vm.getSpec().rebootPolicy).isEqualTo(rebootPolicy);
    String exported = DomainXmlExporter.toXml(vm);
    VirtualMachine back = DomainXmlImporter.importXml(exported.getBytes(StandardCharsets.UTF_8), false).vm();
    assertThat(back.getSpec().restartPolicy).as(exported).isEqualTo(restart);
    assertThat(back.getSpec().rebootPolicy).as(exported).isEqualTo(rebootPolicy);
    // libvirt's defaults (destroy, restart, destroy) are left out, as libvirt leaves them.
    assertThat(exported.contains("<on_poweroff>")).as(exported).isEqualTo(poweroff.equals("restart"));
    assertThat(exported.contains("<on_reboot>")).as(exported).isEqualTo(reboot.equals("destroy"));
    assertThat(exported.contains("<on_crash>")).as(exported).isEqualTo(crash.equals("restart"));
    List<String> argv = VmmCommandLine.build(vm, VmmLaunchOptions.inStateDir(Path.of("/run/jvmm/vm"),
        NodePathPolicy.allowing(List.of("/var/lib/jvmm")))).args();
    assertThat(argv.contains("-no-reboot")).as("-no-reboot exactly when on_reboot is destroy")
        .isEqualTo(reboot.equals("destroy"));
  }

  @Test
  void restartingAfterAPowerOffButNotAfterACrashIsRefusedWithTheFix() {
    assertThatThrownBy(() -> imported("<on_poweroff>restart</on_poweroff><on_crash>destroy</on_crash>"))
        .hasMessageContaining("/domain/on_crash").hasMessageContaining("<on_crash>restart</on_crash>");
  }

  @Test
  void anActionJvmmDoesNotTakeNamesTheElementAndTheChoices() {
    assertThatThrownBy(() -> imported("<on_crash>coredump-destroy</on_crash><on_reboot>preserve</on_reboot>"))
        .hasMessageContaining("/domain/on_crash: 'coredump-destroy' is not supported; write destroy or restart")
        .hasMessageContaining("/domain/on_reboot: 'preserve' is not supported");
  }

  @Test
  void aManifestWithoutARestartPolicyIsAlwaysRestartedAndExportsSo() {
    VirtualMachine vm = new VirtualMachine();
    vm.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("vm").build());
    vm.setSpec(new io.jvmm.crds.v1alpha1.VirtualMachineSpec());
    assertThat(DomainXmlExporter.toXml(vm)).contains("<on_poweroff>restart</on_poweroff>",
        "<on_crash>restart</on_crash>").doesNotContain("<on_reboot>");
  }
}
