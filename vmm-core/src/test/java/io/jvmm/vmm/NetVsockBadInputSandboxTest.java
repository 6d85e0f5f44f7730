package io.jvmm.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxTest;

/**
 * A tap that cannot be opened, vhost=on without /dev/vhost-net, and vsock without
 * /dev/vhost-vsock are each refused at start, with exit status 1 and a message naming the
 * option, before the guest runs. In the sandbox, where the modules can be unloaded.
 */
class NetVsockBadInputSandboxTest {

    @SandboxTest
    void unusableHostEndsAreRefusedAtStartNamingTheOption(KvmSandbox sandbox, GuestImage image) {
        String jvmm = ProjectRoot.bin("jvmm") + " -machine q35 -accel kvm -m 128M -kernel " + image.kernel()
                + " -initrd " + image.initramfs() + " -nodefaults -nographic -no-reboot -serial none";
        String net = " -device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01,bus=pcie.0,addr=0x3";
        ProcessOutcome outcome = sandbox.shell(String.join("\n",
                // lo exists and is no tap: TUNSETIFF refuses it.
                jvmm + " -netdev tap,id=n0,ifname=lo,script=no,downscript=no" + net + " 2>&1; echo CASE-TAP-RC=$?",
                "rmmod vhost_net && echo vhost_net-unloaded",
                jvmm + " -netdev tap,id=n0,ifname=tapx,script=no,downscript=no,vhost=on" + net + " 2>&1; echo CASE-VHOST-RC=$?",
                "rmmod vhost_vsock && echo vhost_vsock-unloaded",
                jvmm + " -device vhost-vsock-pci,id=vsock0,guest-cid=3,bus=pcie.0,addr=0x4 2>&1; echo CASE-VSOCK-RC=$?"));

        String out = outcome.output();
        assertThat(out).as(out).contains("CASE-TAP-RC=1")
                .contains("jvmm: -netdev id=n0: cannot open tap 'lo'");
        assertThat(out).contains("vhost_net-unloaded").contains("CASE-VHOST-RC=1")
                .contains("jvmm: -netdev id=n0 vhost=on: cannot use /dev/vhost-net");
        assertThat(out).contains("vhost_vsock-unloaded").contains("CASE-VSOCK-RC=1")
                .contains("jvmm: -device vhost-vsock-pci,id=vsock0: cannot use /dev/vhost-vsock");
        assertThat(out).doesNotContain("Exception").doesNotContain("JVMM-GUEST-START");
    }
}
