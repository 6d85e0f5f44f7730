package io.jvmm.vmm;

import io.jvmm.vmm.chardev.CharBackend;
import io.jvmm.vmm.chardev.FileBackend;
import io.jvmm.vmm.chardev.NullBackend;
import io.jvmm.vmm.chardev.PtyBackend;
import io.jvmm.vmm.chardev.StdioBackend;
import io.jvmm.vmm.chardev.UnixSocketBackend;
import io.jvmm.vmm.cli.DeviceSpec;
import io.jvmm.vmm.host.HostCallException;
import io.jvmm.vmm.host.TapDevice;
import io.jvmm.vmm.host.Vhost;
import io.jvmm.vmm.virtio.block.BlockBackend;
import io.jvmm.vmm.virtio.console.ConsolePort;
import io.jvmm.vmm.virtio.rng.VirtioRng;
import io.jvmm.vmm.virtio.vsock.VhostVsock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The host side of the devices (disk files, console chardevs, entropy sources), opened once
 * when the VMM starts, so that a missing file or a busy socket path is refused before the guest
 * runs, and kept across guest reboots. Keyed by device id.
 */
final class DeviceBackends implements AutoCloseable {
    private final Map<String, BlockBackend> disks = new HashMap<>();
    private final Map<String, ConsolePort> consoles = new HashMap<>();
    private final Map<String, FileChannel> entropy = new HashMap<>();
    private final Map<String, TapDevice> taps = new HashMap<>();
    private final Map<String, Vhost> vhosts = new HashMap<>();
    private final List<AutoCloseable> opened = new ArrayList<>();

    static DeviceBackends open(List<DeviceSpec> devices) throws HostException {
        DeviceBackends b = new DeviceBackends();
        try {
            for (DeviceSpec d : devices) {
                b.openFor(d);
            }
            return b;
        } catch (HostException e) {
            b.close();
            throw e;
        }
    }

    private void openFor(DeviceSpec d) throws HostException {
        if (d instanceof DeviceSpec.Block blk) {
            DeviceSpec.Drive drive = blk.drive();
            try {
                BlockBackend backend = BlockBackend.open(drive.id(), drive.file(), drive.readOnly(), drive.iops());
                opened.add(backend);
                disks.put(d.id(), backend);
            } catch (IOException e) {
                throw new HostException("-drive id=" + drive.id() + ": cannot open " + drive.file() + ": " + reason(e)
                        + (drive.readOnly() ? "" : " (readonly=on opens it for reading only)"));
            }
        } else if (d instanceof DeviceSpec.Serial serial && serial.console() != null) {
            ConsolePort port = new ConsolePort(chardev(serial.console()));
            opened.add(port);
            consoles.put(d.id(), port);
        } else if (d instanceof DeviceSpec.Net net) {
            openTap(d.id(), net.tap());
        } else if (d instanceof DeviceSpec.Vsock vsock) {
            Vhost vhost = openVhost("/dev/vhost-vsock", "-device vhost-vsock-pci,id=" + d.id(),
                    " (load the vhost_vsock module)");
            vhosts.put(d.id(), vhost);
            try {
                VhostVsock.claimCid(vhost, vsock.guestCid());
            } catch (HostCallException e) {
                throw new HostException("-device vhost-vsock-pci,id=" + d.id() + ": guest-cid=" + vsock.guestCid()
                        + " cannot be used: " + e.getMessage() + (e.errno() == 98 ? " (another VM has that CID)" : ""));
            }
        } else if (d instanceof DeviceSpec.Rng rng) {
            try {
                FileChannel ch = VirtioRng.open(rng.source());
                opened.add(ch);
                entropy.put(d.id(), ch);
            } catch (IOException e) {
                throw new HostException("-object rng-random filename=" + rng.source() + ": cannot open it: " + reason(e));
            }
        }
    }

    private void openTap(String deviceId, DeviceSpec.Tap tap) throws HostException {
        String option = "-netdev id=" + tap.id();
        try {
            TapDevice t = TapDevice.open(tap.ifname());
            opened.add(t);
            taps.put(deviceId, t);
        } catch (HostCallException | IllegalArgumentException e) {
            throw new HostException(option + ": cannot open tap '" + tap.ifname() + "': " + e.getMessage());
        }
        if (tap.vhost()) {
            vhosts.put(deviceId, openVhost("/dev/vhost-net", option + " vhost=on", " (load the vhost_net module, or use vhost=off)"));
        }
    }

    private Vhost openVhost(String path, String option, String hint) throws HostException {
        try {
            Vhost v = Vhost.open(path);
            opened.add(v);
            return v;
        } catch (HostCallException e) {
            throw new HostException(option + ": cannot use " + path + ": " + e.getMessage() + (e.errno() == 2 ? hint : ""));
        }
    }

    private static CharBackend chardev(DeviceSpec.Chardev c) throws HostException {
        try {
            return switch (c.kind()) {
                case PTY -> new PtyBackend(c.id());
                case SOCKET -> new UnixSocketBackend(c.path());
                case FILE -> new FileBackend(c.path());
                case STDIO -> new StdioBackend();
                case NULL -> new NullBackend();
            };
        } catch (IOException e) {
            throw new HostException("-chardev id=" + c.id() + ": cannot open " + (c.path() != null ? c.path() : "a pty")
                    + ": " + reason(e));
        }
    }

    private static String reason(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e.getMessage();
    }

    BlockBackend disk(String deviceId) {
        return disks.get(deviceId);
    }

    ConsolePort console(String deviceId) {
        return consoles.get(deviceId);
    }

    FileChannel entropy(String deviceId) {
        return entropy.get(deviceId);
    }

    TapDevice tap(String deviceId) {
        return taps.get(deviceId);
    }

    /** The vhost device of a net (vhost=on) or vsock device; null for a user-space net device. */
    Vhost vhost(String deviceId) {
        return vhosts.get(deviceId);
    }

    @Override
    public void close() {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception e) {
                // Best effort at exit.
            }
        }
    }
}
