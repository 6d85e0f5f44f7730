package io.jvmm.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.GuestReport;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * virtio-net on a tap (user space and vhost-net) and vhost-vsock, judged by the guest's own
 * drivers: the guest binds virtio_net and the vsock transport, brings eth0 up with an address,
 * pings the host and is pinged, fetches and sends 8 MiB over TCP with the bytes intact, and
 * echoes over vsock in both directions. The host side is
 * vmm-core/src/test/python/net_vsock_test.py, run as root in the sandbox.
 */
class NetVsockSandboxTest {

    private static ProcessOutcome run(KvmSandbox sandbox, GuestImage image, String vhost, String... more) {
        List<String> argv = new ArrayList<>(List.of("python3",
                ProjectRoot.path().resolve("vmm-core/src/test/python/net_vsock_test.py").toString(),
                "--jvmm", ProjectRoot.bin("jvmm").toString(), "--image", image.directory().toString(), "--vhost", vhost));
        argv.addAll(List.of(more));
        return sandbox.runGuest(argv);
    }

    private static Optional<String> line(ProcessOutcome outcome, String prefix) {
        return outcome.lines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).trim())
                .reduce((a, b) -> b);
    }

    private static void assertTrafficBothWays(ProcessOutcome outcome) {
        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        GuestReport guest = outcome.guest();
        assertThat(guest.all("virtio")).as(outcome.toString())
                .anyMatch(v -> v.contains("device=0x0001 driver=virtio_net"))
                .anyMatch(v -> v.contains("device=0x0013 driver=vmw_vsock_virtio_transport"));
        assertThat(guest.all("pci")).anyMatch(p -> p.startsWith("0000:01:00.0 vendor=0x1af4 device=0x1041 class=0x020000 driver=virtio-pci"));
        assertThat(guest.all("net")).anyMatch(n -> n.startsWith("eth0 mac=52:54:00:6a:76:01"));
        assertThat(guest.fact("vsock")).contains("present");

        assertThat(line(outcome, "GUEST-ETH0=")).as(outcome.toString()).contains("up inet 192.168.77.2/24");
        assertThat(line(outcome, "GUEST-PING-RC=")).as(outcome.toString()).contains("0");
        assertThat(line(outcome, "RESULT host_ping_guest=")).as(outcome.toString()).contains("ok");
        // Host to guest: 8 MiB arrive intact (large segments with TSO offloaded to the tap).
        assertThat(line(outcome, "GUEST-RX-MD5=")).as(outcome.toString()).isPresent()
                .isEqualTo(line(outcome, "RESULT expected_rx_md5="));
        // Guest to host: 8 MiB arrive intact, and the host's reply makes it back.
        assertThat(line(outcome, "RESULT host_received=")).as(outcome.toString()).isPresent()
                .isEqualTo(line(outcome, "RESULT expected_tx="));
        assertThat(line(outcome, "GUEST-TX-REPLY=")).contains("GOT 8388608");

        assertThat(line(outcome, "GUEST-VSOCK-ECHO=")).as(outcome.toString()).contains("echo:hello-guest-to-host");
        assertThat(line(outcome, "RESULT host_vsock_peer_cid=")).contains("3");
        assertThat(line(outcome, "RESULT host_vsock_echo=")).as(outcome.toString()).contains("hello-host-to-guest");
        assertThat(line(outcome, "GUEST-FINISH=")).contains("finish");
    }

    @SandboxTest
    void userSpaceNetAndVsockCarryTrafficBothWays(KvmSandbox sandbox, GuestImage image) {
        assertTrafficBothWays(run(sandbox, image, "off"));
    }

    /**
     * With vhost, and then once more after the guest's drivers let go of both devices (a device
     * reset: the kernel's rings are taken back) and bind them again.
     */
    @SandboxTest
    void vhostNetAndVsockCarryTrafficBothWaysAndAgainAfterADriverReset(KvmSandbox sandbox, GuestImage image) {
        ProcessOutcome outcome = run(sandbox, image, "on", "--rebind");
        assertTrafficBothWays(outcome);
        assertThat(line(outcome, "GUEST-UNBOUND")).as(outcome.toString()).isPresent();
        assertThat(line(outcome, "GUEST-PING2-RC=")).as(outcome.toString()).contains("0");
        assertThat(line(outcome, "GUEST-VSOCK-ECHO2=")).as(outcome.toString()).contains("echo:again-after-rebind");
    }
}
