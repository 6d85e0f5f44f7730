package io.jvmm.agent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxTest;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seed's VM (examples/seed-vm.xml made runnable by bin/lib/seed-vm.sh: 8 GiB, 4 vCPUs and
 * every device but the UEFI firmware and the passthrough device) as the demo runs it
 * (bin/lib/seed-demo.sh): created on the standalone agent with jvmm-virsh from its domain XML,
 * its console read with jvmm-virsh console on the virtio console (hvc0), unprivileged jvmm.
 * The guest's own drivers take each device at the seed's address; the NIC, with its MAC, reaches
 * the bridge the tap was put on; memory above 4 GiB is written and read back; entropy comes from
 * the file, at its rate; a host peer talks to CID 3 over vsock; the guest's power-off ends the
 * transient domain (libvirt's on_poweroff default); the disk is served on its iothread, under its
 * IOPS limit. Then, in the same sandbox, jvmm boots 8 vCPUs.
 */
class SeedVmSandboxTest {
  @SandboxTest
  void theSeedVmRunsOnTheStandaloneAgentWithEveryDeviceTakenByTheGuestsDrivers(KvmSandbox sandbox, GuestImage image) {
    String root = ProjectRoot.path().toString();
    String script = String.join("\n",
        "set -u",
        "export JVMM_DEMO_WORK=/tmp/seed-test",
        "mkdir -p $JVMM_DEMO_WORK",
        // The VMM's threads with their CPU ticks (utime+stime), every half second while it runs:
        // the last sample shows which thread served the disk's reads.
        // The pattern is put together so that this script's own command line does not match it.
        "vmm='-name strato'; vmm=\"${vmm}virt\"",
        // The VMM is the java process; the agent's launcher shell around it has the same arguments.
        "( while sleep 0.5; do p=; for c in $(pgrep -f -i -- \"$vmm\"); do [ \"$(cat /proc/$c/comm 2>/dev/null)\" = java ] && p=$c; done;"
            + " [ -n \"$p\" ] || continue;"
            + " for t in /proc/$p/task/*; do echo \"$(cat $t/comm) $(sed 's/.*) //' $t/stat | awk '{print $12 + $13}')\";"
            // Kept only whole: a sample taken as the VMM exits has threads without their ticks.
            + " done > /tmp/seed-test/threads.new 2>/dev/null;"
            + " [ -s /tmp/seed-test/threads.new ] && ! grep -qv ' [0-9][0-9]*$' /tmp/seed-test/threads.new"
            + " && mv /tmp/seed-test/threads.new /tmp/seed-test/threads.txt;"
            + " done ) & sampler=$!",
        root + "/bin/lib/seed-demo.sh < /dev/null | tee /tmp/seed-test/console.txt; echo \"SEED-DEMO-EXIT=${PIPESTATUS[0]}\"",
        "kill $sampler; sed 's/^/VMM-THREAD /' /tmp/seed-test/threads.txt",
        // Whether the 16 bytes the guest showed are a run of the file's (wrapping round at its end).
        "first=$(grep -a -o 'first 16: [0-9a-f]*' /tmp/seed-test/console.txt | cut -d' ' -f3)",
        "hex=$(od -An -v -tx1 /tmp/seed-test/files/random_file | tr -d ' \\n')",
        "case \"$hex${hex:0:64}\" in *\"$first\"*) echo \"RNG-FROM-FILE=yes ($first)\";; *) echo \"RNG-FROM-FILE=no ($first)\";; esac",
        "echo '--- eight vCPUs'",
        root + "/bin/jvmm -machine q35 -accel kvm -smp 8 -m 512M -kernel " + image.kernel() + " -initrd "
            + image.initramfs() + " -append 'console=ttyS0 quiet' -nodefaults -nographic -no-reboot -serial stdio"
            + " < /dev/null > /tmp/eight.txt 2>&1; echo \"EIGHT-EXIT=$?\"",
        "grep -a -E '^(cpus_online|memtotal_kb)=' /tmp/eight.txt || cat /tmp/eight.txt",
        "");
    // runGuest: a guest reset in the nested sandbox (seen once, 2026-12-04, on the eight-vCPU boot:
    // vCPU 3 at RIP 0xfff0) runs the whole script once more, said aloud.
    ProcessOutcome outcome = sandbox.withMemory("10G").withTimeout(Duration.ofMinutes(12)).runGuest("bash", "-c", script);
    String out = outcome.output();
    System.out.println(out.lines().filter(l -> l.startsWith("TOUR") || l.startsWith("HOST") || l.startsWith("jvmm-demo"))
        .reduce("", (a, b) -> a + b + "\n"));

    assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
    assertThat(out).as(outcome.toString()).contains("SEED-DEMO-EXIT=0", "Domain 'StratoVirt' created",
        "JVMM-GUEST-READY", "TOUR done", "JVMM-GUEST-CMD-EXIT=0",
        "the transient VM ended and is gone");
    // The seed's sizes: 4 vCPUs, 8 GiB (less what the kernel keeps), the console on hvc0.
    assertThat(out).containsPattern("cpus_online=4\\s");
    assertThat(Long.parseLong(find(out, "memtotal_kb=(\\d+)"))).isGreaterThan(7_800_000L);
    assertThat(out).containsPattern("TOUR machine: 4 vCPUs online \\(0-3\\), .* console hvc0");
    Matcher high = Pattern.compile("HIGHMEM pages=(\\d+) above_4g=(\\d+) highest_gib=\\S+ verified=(\\w+)").matcher(out);
    assertThat(high.find()).as(out).isTrue();
    assertThat(Long.parseLong(high.group(2))).as("pages above 4 GiB written and read back").isPositive();
    assertThat(high.group(3)).isEqualTo("yes");
    // Each device at the seed's address, bound by the guest's own driver.
    assertThat(out).contains(
        "virtio=virtio0 device=0x0013 driver=vmw_vsock_virtio_transport parent=0000:00:06.0",
        "device=0x0002 driver=virtio_blk parent=0000:01:00.0",
        "device=0x0001 driver=virtio_net parent=0000:02:00.0",
        "device=0x0003 driver=virtio_console parent=0000:03:00.0",
        "device=0x0005 driver=virtio_balloon parent=0000:04:00.0",
        "device=0x0004 driver=virtio_rng parent=0000:05:00.0",
        "hwrng=virtio_rng.0",
        "block=vda sectors=131072 ro=0");
    assertThat(out).contains("TOUR net: eth0 de:ad:be:ef:00:01 192.168.100.2/24 reaches 192.168.100.1");
    assertThat(out).containsPattern("TOUR disk: BLKBENCH mode=randread .* ios=[1-9]");
    // Served on its iothread: the disk's I/O loop is the VMM thread named after -object
    // iothread,id=iothread1 (no other device uses it), and it worked; and never above the
    // seed's total_iops_sec 1000 (a ceiling: only a broken limiter can pass it).
    assertThat(Long.parseLong(find(out, "VMM-THREAD iothread1 (\\d+)"))).as("CPU ticks of iothread1").isPositive();
    assertThat(Double.parseDouble(find(out, "BLKBENCH mode=randread .* iops=([0-9.]+)"))).isLessThanOrEqualTo(1000.0);
    // Entropy from the file: what the guest read is a run of the file's bytes, at 1234 bytes/s.
    Matcher rng = Pattern.compile("TOUR rng: virtio_rng.0 gave 4096 bytes in (\\d+) ms; first 16: ([0-9a-f]{32})")
        .matcher(out);
    assertThat(rng.find()).as(out).isTrue();
    assertThat(out).as("the guest's entropy comes from random_file").contains("RNG-FROM-FILE=yes (" + rng.group(2) + ")");
    assertThat(out).contains("TOUR vsock: CID 3,", "HOST vsock: the guest at CID 3 port 1024 echoed 'hello from the host'",
        "TOUR vsock: the host's peer came and went");
    assertThat(out.substring(out.indexOf("--- eight vCPUs"))).contains("EIGHT-EXIT=0", "cpus_online=8");
  }

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("%s in:\n%s", regex, text).isTrue();
    return m.group(1);
  }
}
