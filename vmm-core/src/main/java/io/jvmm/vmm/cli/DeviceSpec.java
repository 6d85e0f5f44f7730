package io.jvmm.vmm.cli;

import java.nio.file.Path;

/** One -device, checked and with its references (drive, netdev, chardev, rng, iothread) resolved. */
public sealed interface DeviceSpec {
    String id();

    PciPlacement placement();

    /** Where a PCI function sits: {@code bus} is "pcie.0" or a root port's id. */
    record PciPlacement(String bus, int slot, int function) {
        @Override
        public String toString() {
            return bus + String.format(" addr=0x%x.%x", slot, function);
        }
    }

    /** -drive file=...,id=...,format=raw,if=none[,readonly=on][,iops=N] */
    record Drive(String id, Path file, boolean readOnly, long iops) {}

    /** -netdev tap,id=...,ifname=...[,vhost=on|off] */
    record Tap(String id, String ifname, boolean vhost) {}

    /** -chardev pty|socket|file|null,id=...[,path=...] (a socket one listens, without waiting) */
    record Chardev(String id, Kind kind, Path path) {
        public enum Kind { PTY, SOCKET, FILE, NULL, STDIO }
    }

    record RootPort(String id, PciPlacement placement, int port) implements DeviceSpec {}

    record Block(String id, PciPlacement placement, Drive drive, String iothread) implements DeviceSpec {}

    record Net(String id, PciPlacement placement, Tap tap, byte[] mac) implements DeviceSpec {}

    /** virtio-serial-pci with its virtconsole (port 0), or none. */
    record Serial(String id, PciPlacement placement, Chardev console) implements DeviceSpec {}

    record Rng(String id, PciPlacement placement, Path source, long maxBytes, long periodMillis) implements DeviceSpec {}

    record Balloon(String id, PciPlacement placement, boolean deflateOnOom) implements DeviceSpec {}

    record Vsock(String id, PciPlacement placement, long guestCid) implements DeviceSpec {}
}
