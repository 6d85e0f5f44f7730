package io.jvmm.agent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VM's interface through the standalone agent on jvmm, unprivileged: the agent makes the tap
 * for the VM's user, with the guest's MAC but 0xFE first, puts it on the bridge the interface
 * names and brings it up; jvmm attaches to it (vhost on, through the device group) without
 * CAP_NET_ADMIN; the guest's own virtio_net driver reaches the bridge's address; destroying the
 * VM deletes the tap. Without the bridge, an agent run with --make-bridges makes it, puts the tap
 * on it, and deletes both with the VM.
 */
class AgentNetworkSandboxTest {
  static final String GUEST_SCRIPT = String.join("\n",
      "ip link set eth0 up && ip addr add 192.168.90.2/24 dev eth0",
      "for i in $(seq 50); do [ $(cat /sys/class/net/eth0/operstate) = up ] && break; sleep .2; done",
      "ping -c 3 -W 5 192.168.90.1 >/dev/null; echo \"GUEST-PING-RC=$?\"",
      "echo \"GUEST-MAC=$(cat /sys/class/net/eth0/address)\"",
      "");

  static String manifest(GuestImage image) {
    String cmd = Base64.getEncoder().encodeToString(GUEST_SCRIPT.getBytes(StandardCharsets.UTF_8));
    return String.join("\n",
        "apiVersion: jvmm.io/v1alpha1",
        "kind: VirtualMachine",
        "metadata:",
        "  name: net-guest",
        "spec:",
        "  memory: 256MiB",
        "  vcpu: 1",
        "  os: {arch: x86_64, machine: q35, kernel: " + image.kernel() + ", initrd: " + image.initramfs()
            + ", cmdline: 'console=ttyS0 quiet jvmm.cmd=" + cmd + "'}",
        "  features: {acpi: true}",
        "  restartPolicy: Never",
        "  devices:",
        "    controllers: [{type: pci, index: 1, model: pcie-root-port}]",
        "    interfaces:",
        "    - {name: net0, type: bridge, mac: {address: '52:54:00:12:34:56'}, source: {bridge: br-jvmm}, target: {dev: tapvm0},",
        "       model: {type: virtio}, driver: {name: vhost},",
        "       address: {domain: '0x000', bus: '0x01', slot: '0x00', function: '0x00'}}",
        "");
  }

  @SandboxTest
  void theAgentMakesTheTapOnTheBridgeForTheUnprivilegedVmmAndTheGuestReachesTheBridge(KvmSandbox sandbox,
      GuestImage image) {
    String root = ProjectRoot.path().toString();
    String state = "$home/vms/default/net-guest";
    String script = String.join("\n",
        "set -u",
        "home=/tmp/jvmm-agent-net",
        "mkdir -p $home/manifests",
        // The sandbox kernel loads no module by itself for ip(8).
        "modprobe bridge; ip link add br-jvmm type bridge && ip addr add 192.168.90.1/24 dev br-jvmm"
            + " && ip link set br-jvmm up || exit 1",
        "cat > $home/manifests/net-guest.yaml <<'MANIFEST'",
        manifest(image) + "MANIFEST",
        root + "/bin/jvmm-agent --mode standalone --home $home --allow-root " + image.directory()
            + " --allow-root $home > $home/agent.log 2>&1 &",
        "agent=$!",
        "for i in $(seq 1 600); do",
        "  kill -0 $agent 2>/dev/null || { echo '--- the agent ended'; cat $home/agent.log; exit 1; }",
        "  grep -q 'GUEST-MAC=' " + state + "/serial.log 2>/dev/null && break",
        "  grep -q 'exited with status' " + state + "/vmm.log 2>/dev/null && break",
        "  grep -q 'net-guest: FAILED' $home/agent.log && break",
        "  sleep 0.5",
        "done",
        "echo \"TAP owner=$(cat /sys/class/net/tapvm0/owner) vm-uid=$(cat " + state + "/vmm-uid)"
            + " master=$(basename $(readlink /sys/class/net/tapvm0/master)) address=$(cat /sys/class/net/tapvm0/address)"
            + " operstate-flags=$(cat /sys/class/net/tapvm0/flags)\"",
        "grep -a 'GUEST-' " + state + "/serial.log",
        "for i in $(seq 1 240); do grep -q 'exited with status' " + state + "/vmm.log && break; sleep 0.5; done",
        "tail -3 " + state + "/vmm.log",
        root + "/bin/jvmm-virsh -c $home/agent.sock destroy net-guest",
        "for i in $(seq 1 120); do [ -e /sys/class/net/tapvm0 ] || break; sleep 0.5; done",
        "echo \"TAP-GONE=$([ -e /sys/class/net/tapvm0 ] && echo no || echo yes)\"",
        "kill $agent; wait $agent",
        "grep -q GUEST-PING-RC " + state + "/serial.log 2>/dev/null || { echo '--- agent log'; cat $home/agent.log; }",
        // Without the bridge, an agent that may make bridges makes it, and deletes it with the VM.
        "ip link del br-jvmm",
        "cat > $home/manifests/net-guest.yaml <<'MANIFEST'",
        manifest(image) + "MANIFEST",
        root + "/bin/jvmm-agent --mode standalone --make-bridges --home $home --allow-root " + image.directory()
            + " --allow-root $home > $home/agent2.log 2>&1 &",
        "agent=$!",
        "for i in $(seq 1 600); do [ -e /sys/class/net/tapvm0/master ] && break; sleep 0.5; done",
        "echo \"MADE bridge=$(cat /sys/class/net/br-jvmm/bridge/bridge_id 2>/dev/null && echo yes)"
            + " master=$(basename $(readlink /sys/class/net/tapvm0/master))\"",
        root + "/bin/jvmm-virsh -c $home/agent.sock destroy net-guest",
        "for i in $(seq 1 120); do [ -e /sys/class/net/br-jvmm ] || break; sleep 0.5; done",
        "echo \"BRIDGE-GONE=$([ -e /sys/class/net/br-jvmm ] && echo no || echo yes)\"",
        "kill $agent; wait $agent || true",
        "");
    ProcessOutcome outcome = sandbox.withTimeout(Duration.ofMinutes(9)).shell(script);

    assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
    Matcher tap = Pattern.compile("TAP owner=(\\d+) vm-uid=(\\d+) master=(\\S+) address=(\\S+)").matcher(outcome.output());
    assertThat(tap.find()).as(outcome.toString()).isTrue();
    assertThat(tap.group(1)).as("the tap belongs to the VM's user").isEqualTo(tap.group(2));
    assertThat(Long.parseLong(tap.group(1))).isGreaterThanOrEqualTo(2_100_000_000L);
    assertThat(tap.group(3)).isEqualTo("br-jvmm");
    assertThat(tap.group(4)).isEqualTo("fe:54:00:12:34:56");
    assertThat(outcome.output()).as(outcome.toString()).contains("GUEST-PING-RC=0").contains("GUEST-MAC=52:54:00:12:34:56")
        .contains("exited with status 0").contains("TAP-GONE=yes");
    assertThat(outcome.output()).containsPattern("MADE bridge=\\S+\\s+yes master=br-jvmm").contains("BRIDGE-GONE=yes");
  }
}
