package io.jvmm.agent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.crds.v1alpha1.Features;
import io.jvmm.crds.v1alpha1.Os;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineSpec;
import io.jvmm.domain.ManifestYaml;
import io.jvmm.domain.VmmOverhead;
import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxTest;
import java.time.Duration;

/**
 * The README's path on real KVM: bin/jvmm-agent, standalone, inside the KVM sandbox, runs a VM
 * manifest from its directory on bin/jvmm (the VMM of this project, not QEMU); the guest's
 * ready marker reaches the console log, the VMM exits 0 when the guest powers off, and
 * bin/jvmm-virsh list shows it Stopped with restartPolicy Never.
 */
class StandaloneAgentSandboxTest {

  static String manifest(GuestImage image) {
    VirtualMachine vm = new VirtualMachine();
    vm.getMetadata().setName("sandbox-guest");
    VirtualMachineSpec spec = new VirtualMachineSpec();
    spec.memory = "256MiB";
    spec.vcpu = 2;
    spec.os = new Os();
    spec.os.arch = Os.Arch.X86_64;
    spec.os.machine = Os.Machine.Q35;
    spec.os.kernel = image.kernel().toString();
    spec.os.initrd = image.initramfs().toString();
    spec.os.cmdline = "console=ttyS0 quiet";
    spec.features = new Features();
    spec.features.acpi = true;
    spec.restartPolicy = RestartPolicy.NEVER;
    vm.setSpec(spec);
    return ManifestYaml.write(vm);
  }

  @SandboxTest
  void theStandaloneAgentBootsTheGuestOnJvmmAndKvm(KvmSandbox sandbox, GuestImage image) {
    String root = ProjectRoot.path().toString();
    String script = String.join("\n",
        "set -u",
        "home=/tmp/jvmm-agent-home",
        "mkdir -p $home/manifests",
        "cat > $home/manifests/sandbox-guest.yaml <<'MANIFEST'",
        manifest(image) + "MANIFEST",
        root + "/bin/jvmm-agent --mode standalone --home $home --allow-root " + image.directory()
            + " --allow-root $home > $home/agent.log 2>&1 &",
        "agent=$!",
        "log=$home/vms/default/sandbox-guest/serial.log",
        // The VMM as the agent started it: confined once its machine is built.
        "for i in $(seq 1 1200); do",
        "  pid=$(cat $home/vms/default/sandbox-guest/vmm.pid 2>/dev/null)",
        "  [[ -n $pid ]] && grep -q '^Seccomp:[[:space:]]*2' /proc/$pid/status 2>/dev/null && break",
        "  sleep 0.2",
        "done",
        "grep -E '^(Uid|CapEff|CapPrm|NoNewPrivs|Seccomp):' /proc/$pid/status | sed 's/^/VMM-STATUS /'",
        "stat -c 'VMM-DIR %a %u' $home/vms/default/sandbox-guest/vmm",
        "cg=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/$pid/cgroup)",
        "echo \"VMM-CGROUP $cg\"",
        "for f in memory.max memory.swap.max pids.max cpu.max; do echo \"VMM-CGROUP $f $(cat $cg/$f)\"; done",
        // Every JVM start is slow in the nested sandbox: poll files, not jvmm-virsh.
        "for i in $(seq 1 600); do",
        "  kill -0 $agent 2>/dev/null || { echo '--- the agent ended'; cat $home/agent.log; exit 1; }",
        "  grep -q 'exited with status' $home/vms/default/sandbox-guest/vmm.log 2>/dev/null && break",
        "  sleep 0.5",
        "done",
        "sleep 3",
        "echo '--- jvmm-virsh list'",
        root + "/bin/jvmm-virsh -c $home/agent.sock list",
        "echo '--- console log'",
        "cat $log",
        "echo '--- vmm log'",
        "tail -5 $home/vms/default/sandbox-guest/vmm.log",
        "echo \"VMM-PEAK $(cat $home/vms/default/sandbox-guest/memory.peak)\"",
        "kill $agent; wait $agent",
        "grep -q JVMM-GUEST-READY $log || { echo '--- agent log'; cat $home/agent.log; exit 1; }",
        "");
    ProcessOutcome outcome = sandbox.withTimeout(Duration.ofMinutes(9)).shell(script);

    assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
    assertThat(outcome.guest().started()).as(outcome.toString()).isTrue();
    assertThat(outcome.guest().ready()).as(outcome.toString()).isTrue();
    assertThat(outcome.guest().cpusOnline()).isEqualTo(2);
    assertThat(outcome.output()).containsPattern("VMM-STATUS Uid:\t(21\\d{8})\t\\1\t\\1\t\\1")
        .contains("VMM-STATUS CapEff:\t0000000000000000").contains("VMM-STATUS CapPrm:\t0000000000000000")
        .contains("VMM-STATUS NoNewPrivs:\t1").contains("VMM-STATUS Seccomp:\t2")
        .containsPattern("VMM-DIR 700 21\\d{8}");
    // Its own cgroup, with the limits of the overhead formula, which the whole run stayed under.
    long memoryMax = VmmOverhead.memoryLimitBytes(256L << 20, 2);
    assertThat(outcome.output()).contains("VMM-CGROUP /sys/fs/cgroup/jvmm/default.sandbox-guest\n")
        .contains("VMM-CGROUP memory.max " + memoryMax + "\n").contains("VMM-CGROUP memory.swap.max 0\n")
        .contains("VMM-CGROUP pids.max " + VmmOverhead.taskLimit(2, 0) + "\n")
        .contains("VMM-CGROUP cpu.max 300000 100000\n");
    java.util.regex.Matcher peak = java.util.regex.Pattern.compile("VMM-PEAK (\\d+)").matcher(outcome.output());
    assertThat(peak.find()).as(outcome.toString()).isTrue();
    long peakBytes = Long.parseLong(peak.group(1));
    System.out.printf("VMM memory.peak %d MiB of memory.max %d MiB (guest RAM 256 MiB, 2 vCPUs)%n", peakBytes >> 20,
        memoryMax >> 20);
    assertThat(peakBytes).isBetween(1L, memoryMax - 1);
    assertThat(outcome.output()).containsPattern("sandbox-guest +Stopped")
        .contains("exited with status 0");
  }
}
