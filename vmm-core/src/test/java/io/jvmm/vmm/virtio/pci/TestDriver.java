package io.jvmm.vmm.virtio.pci;

import io.jvmm.vmm.bus.BusDevice;
import io.jvmm.vmm.bus.Bytes;
import io.jvmm.vmm.host.EventLoop;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.pci.BarMapper;
import io.jvmm.vmm.pci.PciConfigSpace;
import io.jvmm.vmm.virtio.VirtioDevice;
import io.jvmm.vmm.virtio.VirtioFeatures;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Plays a guest's virtio-pci driver against a transport, through configuration space and BAR 0
 * as Linux's virtio_pci_modern does, with no KVM: MSI messages are recorded.
 */
final class TestDriver {
    static final long BAR = 0xc000_0000L;
    final VirtioPciDevice pci;
    final List<long[]> interrupts = new CopyOnWriteArrayList<>();
    private BusDevice bar;

    TestDriver(VirtioDevice device, GuestMemory memory, EventLoop loop) {
        pci = new VirtioPciDevice(device, memory, loop, (a, d) -> interrupts.add(new long[] {a, d}), IoEventRegistry.NONE);
        pci.placeBar(0, BAR);
        pci.attach(new BarMapper() {
            @Override
            public boolean map(long address, long size, BusDevice region) {
                bar = region;
                return true;
            }

            @Override
            public void unmap(long address, BusDevice region) {
                bar = null;
            }
        }, pci::barMoved);
        config(PciConfigSpace.COMMAND, 2, PciConfigSpace.COMMAND_MEMORY | 0x4);
        enableMsix();
    }

    void config(int offset, int width, long value) {
        byte[] d = new byte[width];
        Bytes.put(d, value);
        pci.writeConfig(offset, d);
    }

    long readConfig(int offset, int width) {
        byte[] d = new byte[width];
        pci.readConfig(offset, d);
        return Bytes.get(d);
    }

    private void enableMsix() {
        int cap = (int) readConfig(PciConfigSpace.CAPABILITIES, 1);
        while (cap != 0 && readConfig(cap, 1) != 0x11) {
            cap = (int) readConfig(cap + 1, 1);
        }
        config(cap + 2, 2, 1 << 15);
        for (int v = 0; v < 4; v++) { // address 0xfee00000, data = vector + 0x30, unmasked
            write(VirtioPciDevice.MSIX_TABLE + 16L * v, 8, 0xfee0_0000L);
            write(VirtioPciDevice.MSIX_TABLE + 16L * v + 8, 4, 0x30 + v);
            write(VirtioPciDevice.MSIX_TABLE + 16L * v + 12, 4, 0);
        }
    }

    void write(long offset, int width, long value) {
        byte[] d = new byte[width];
        Bytes.put(d, value);
        bar.write(offset, d);
    }

    long read(long offset, int width) {
        byte[] d = new byte[width];
        bar.read(offset, d);
        return Bytes.get(d);
    }

    int status() {
        return (int) read(0x14, 1);
    }

    /** Reset, ACKNOWLEDGE, DRIVER, accept VERSION_1 (plus {@code extra}), FEATURES_OK. */
    void negotiate(long extra) {
        write(0x14, 1, 0);
        write(0x14, 1, 1);
        write(0x14, 1, 3);
        long features = VirtioFeatures.VERSION_1 | extra;
        write(0x08, 4, 0);
        write(0x0c, 4, features & 0xffff_ffffL);
        write(0x08, 4, 1);
        write(0x0c, 4, features >>> 32);
        write(0x14, 1, 0xb);
    }

    void queue(int index, int size, long desc, long avail, long used, int vector) {
        write(0x16, 2, index);
        write(0x18, 2, size);
        write(0x1a, 2, vector);
        write(0x20, 4, desc);
        write(0x24, 4, 0);
        write(0x28, 4, avail);
        write(0x2c, 4, 0);
        write(0x30, 4, used);
        write(0x34, 4, 0);
        write(0x1c, 2, 1);
    }

    void driverOk() {
        write(0x14, 1, 0xf);
    }

    void kick(int queue) {
        write(VirtioPciDevice.NOTIFY + (long) queue * VirtioPciDevice.NOTIFY_MULTIPLIER, 2, queue);
    }
}
