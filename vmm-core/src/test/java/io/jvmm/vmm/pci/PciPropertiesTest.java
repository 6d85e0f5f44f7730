package io.jvmm.vmm.pci;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.vmm.arch.x86_64.Layout;
import io.jvmm.vmm.bus.Bus;
import io.jvmm.vmm.bus.BusDevice;
import io.jvmm.vmm.bus.Bytes;
import io.jvmm.vmm.host.EventLoop;
import io.jvmm.vmm.virtio.GuardedRam;
import io.jvmm.vmm.virtio.balloon.VirtioBalloon;
import io.jvmm.vmm.virtio.pci.IoEventRegistry;
import io.jvmm.vmm.virtio.pci.VirtioPciDevice;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Configuration space, through both configuration mechanisms, and the BARs of virtio-pci
 * functions (common configuration, notifications, the MSI-X table and PBA) as a hostile guest
 * may write them: any offset, any access width KVM can report and some it cannot, any value.
 * No access throws, nothing the guest may not write changes, and nothing outside guest RAM is
 * written, even when the guest drives a device to DRIVER_OK with rings of its choosing.
 */
class PciPropertiesTest {
    private static final int HOST_BRIDGE_SLOT = 0, ENDPOINT_SLOT = 1, ROOT_PORT_SLOT = 2;
    private static final long WINDOW = Layout.PCI_MMIO32, PORT_WINDOW = Layout.PCI_MMIO32 + (1 << 20);
    private static final GuardedRam RAM = new GuardedRam();
    private static final EventLoop LOOP = new EventLoop("pci-properties");

    @AfterContainer
    static void release() {
        LOOP.close();
        RAM.close();
    }

    /** One guest access: {@code space} 0 is port I/O, 1 is MMIO (ECAM and BARs). */
    record Access(int space, boolean write, long address, int width, long value) {
        void apply(Machine m) {
            byte[] data = new byte[width];
            Bytes.put(data, value);
            Bus bus = space == 0 ? m.ports : m.mmio;
            if (write) {
                bus.write(address, data);
            } else {
                bus.read(address, data);
            }
        }
    }

    /** A q35-like PCI tree: host bridge, a virtio endpoint on bus 0, a root port with another behind it. */
    static final class Machine {
        final Bus ports = new Bus("port I/O"), mmio = new Bus("MMIO");
        final PciSegment segment = new PciSegment();
        final PciHostBridge hostBridge = new PciHostBridge();
        final VirtioPciDevice endpoint, behindPort;
        final PciRootPort rootPort = new PciRootPort("rp0", 0, ROOT_PORT_SLOT);

        Machine() {
            BarMapper mapper = new BarMapper() {
                @Override
                public boolean map(long address, long size, BusDevice region) {
                    if (!mmio.isFree(address, size)) {
                        return false;
                    }
                    mmio.register(address, size, region);
                    return true;
                }

                @Override
                public void unmap(long address, BusDevice region) {
                    mmio.unregister(address, region);
                }
            };
            MsiSink msi = (address, data) -> { };
            endpoint = new VirtioPciDevice(new VirtioBalloon("balloon0", true, bytes -> { }), RAM.memory, LOOP, msi, IoEventRegistry.NONE);
            behindPort = new VirtioPciDevice(new VirtioBalloon("balloon1", false, bytes -> { }), RAM.memory, LOOP, msi, IoEventRegistry.NONE);
            segment.add(new PciAddress(0, HOST_BRIDGE_SLOT, 0), hostBridge);
            segment.add(new PciAddress(0, ENDPOINT_SLOT, 0), endpoint);
            segment.add(new PciAddress(0, ROOT_PORT_SLOT, 0), rootPort);
            rootPort.place(0, 1, PORT_WINDOW, 1 << 20);
            rootPort.plug(0, behindPort);
            for (VirtioPciDevice d : List.of(endpoint, behindPort)) {
                d.placeBar(0, d == endpoint ? WINDOW : PORT_WINDOW);
                d.attach(mapper, d::barMoved);
                byte[] command = {PciConfigSpace.COMMAND_MEMORY | 0x4, 0};
                d.writeConfig(PciConfigSpace.COMMAND, command);
            }
            ports.register(PciConfigIo.BASE, PciConfigIo.LENGTH, new PciConfigIo(segment, new BusDevice() {
                @Override public void read(long offset, byte[] data) { data[0] = 0; }
                @Override public void write(long offset, byte[] data) { }
            }));
            mmio.register(Layout.PCIE_ECAM, Layout.PCIE_ECAM_SIZE, new PciEcam(segment));
        }

        void close() {
            endpoint.close();
            behindPort.close();
        }
    }

    @Property(tries = 600)
    void guestAccessesNeverThrowNorChangeReadOnlyBits(@ForAll("accessLists") List<Access> accesses) {
        RAM.clear();
        Machine m = new Machine();
        byte[] bridgeBefore = snapshot(m.hostBridge), endpointBefore = snapshot(m.endpoint),
                portBefore = snapshot(m.rootPort);
        PrintStream err = System.err;
        ByteArrayOutputStream loopErrors = new ByteArrayOutputStream();
        System.setErr(new PrintStream(loopErrors, true, StandardCharsets.UTF_8));
        try {
            for (Access a : accesses) {
                a.apply(m);
            }
            m.close();
        } finally {
            System.setErr(err);
        }
        assertThat(loopErrors.toString(StandardCharsets.UTF_8)).as("the device's I/O thread").doesNotContain("internal error");
        assertOnlyWritableBitsChanged(bridgeBefore, snapshot(m.hostBridge), writableBits(bridgeBefore, 0));
        assertOnlyWritableBitsChanged(endpointBefore, snapshot(m.endpoint), writableBits(endpointBefore, VirtioPciDevice.barSizeOf()));
        byte[] portAfter = snapshot(m.rootPort);
        assertThat(bytes(portAfter, PciConfigSpace.VENDOR_ID, 4)).as("root port IDs").isEqualTo(bytes(portBefore, PciConfigSpace.VENDOR_ID, 4));
        assertThat(bytes(portAfter, PciConfigSpace.REVISION, 4)).as("root port class").isEqualTo(bytes(portBefore, PciConfigSpace.REVISION, 4));
        assertThat(RAM.guardsIntact()).as("host memory around guest RAM untouched").isTrue();
    }

    /** The MSI-X table and PBA regions taken alone, with any offset and width, in and beyond the table. */
    @Property(tries = 2000)
    void msixRegionsTakeAnyAccess(@ForAll("msixOffsets") long offset, @ForAll("widths") int width, @ForAll long value,
                                  @ForAll boolean write, @ForAll boolean pba) {
        PciConfigSpace space = new PciConfigSpace(0x1af4, 0x1045, 0, 1, 0);
        MsixCapability msix = new MsixCapability(space, 3, 0, 0x4000, 0x5000, (a, d) -> { });
        BusDevice region = pba ? msix.pbaRegion() : msix.tableRegion();
        byte[] data = new byte[width];
        Bytes.put(data, value);
        // As Bar0 hands them over: the offset within the region's 4 KiB area.
        long at = offset & 0xfff;
        if (write) {
            region.write(at, data);
            byte[] back = new byte[width];
            region.read(at, back);
            if (!pba && at + width <= 3L * MsixCapability.ENTRY_SIZE) {
                assertThat(back).as("a table entry reads back what was written").isEqualTo(data);
            }
        } else {
            region.read(at, data);
        }
    }

    private static byte[] snapshot(PciFunction f) {
        byte[] all = new byte[PciConfigSpace.SIZE];
        for (int o = 0; o < all.length; o += 4) {
            byte[] d = new byte[4];
            f.readConfig(o, d);
            System.arraycopy(d, 0, all, o, 4);
        }
        return all;
    }

    private static byte[] bytes(byte[] space, int offset, int length) {
        return java.util.Arrays.copyOfRange(space, offset, offset + length);
    }

    /**
     * The bits a guest may change in a type 0 header, by the PCI spec and what jvmm implements:
     * command (memory, I/O, bus master, SERR, INTx disable), cache line, latency timer,
     * interrupt line, BAR 0's address bits, MSI-X enable and function mask. Nothing else.
     */
    private static byte[] writableBits(byte[] space, long bar0Size) {
        byte[] w = new byte[PciConfigSpace.SIZE];
        w[PciConfigSpace.COMMAND] = 0x47;
        w[PciConfigSpace.COMMAND + 1] = 0x05;
        w[PciConfigSpace.CACHE_LINE] = (byte) 0xff;
        w[PciConfigSpace.LATENCY] = (byte) 0xff;
        w[PciConfigSpace.INTERRUPT_LINE] = (byte) 0xff;
        if (bar0Size > 0) {
            long mask = ~(bar0Size - 1) & 0xffff_fff0L;
            for (int i = 0; i < 4; i++) {
                w[PciEndpoint.BAR0 + i] = (byte) (mask >>> (8 * i));
            }
        }
        int cap = space[PciConfigSpace.CAPABILITIES] & 0xff;
        for (int seen = 0; cap != 0 && seen < 48; seen++, cap = space[cap + 1] & 0xff) {
            if ((space[cap] & 0xff) == MsixCapability.ID) {
                w[cap + 3] = (byte) 0xc0;
            }
        }
        return w;
    }

    private static void assertOnlyWritableBitsChanged(byte[] before, byte[] after, byte[] writable) {
        for (int o = 0; o < before.length; o++) {
            int changed = (before[o] ^ after[o]) & ~writable[o] & 0xff;
            assertThat(changed)
                    .as("read-only bits 0x%02x at config offset 0x%03x (was 0x%02x, now 0x%02x)", changed, o, before[o], after[o])
                    .isZero();
        }
    }

    @Provide
    Arbitrary<List<Access>> accessLists() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, configIo()),
                Tuple.of(3, ecam()),
                Tuple.of(4, bar()),
                Tuple.of(1, anywhere())).list().ofMinSize(1).ofMaxSize(60);
    }

    @Provide
    Arbitrary<Integer> widths() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of(1, 2, 4, 8)),
                Tuple.of(1, Arbitraries.of(0, 3, 5, 6, 7)));
    }

    @Provide
    Arbitrary<Long> msixOffsets() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.longs().between(0, 64)),
                Tuple.of(2, Arbitraries.longs().between(0, 0x1000)),
                Tuple.of(1, Arbitraries.longs()));
    }

    /** Accesses to 0xCF8..0xCFF: the address register (with any bus, device, function, register) and the data window. */
    private Arbitrary<Access> configIo() {
        Arbitrary<Long> address = Combinators.combine(Arbitraries.of(0, 1, 2, 255), Arbitraries.integers().between(0, 31),
                Arbitraries.integers().between(0, 7), registers(), Arbitraries.integers().between(0, 15), Arbitraries.of(true, true, false))
                .as((bus, dev, fn, reg, ext, enable) -> (enable ? 0x8000_0000L : 0) | (long) ext << 24 | (long) bus << 16
                        | (long) dev << 11 | (long) fn << 8 | (reg & 0xfc));
        Arbitrary<Access> setAddress = address.map(a -> new Access(0, true, PciConfigIo.BASE, 4, a));
        Arbitrary<Access> window = Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(0, 8),
                widths(), values()).as((write, offset, width, value) -> new Access(0, write, PciConfigIo.BASE + offset, width, value));
        return Arbitraries.frequencyOf(Tuple.of(1, setAddress), Tuple.of(2, window));
    }

    /** ECAM accesses, mostly to the populated functions and the registers that matter. */
    private Arbitrary<Access> ecam() {
        Arbitrary<Integer> bus = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(0, 1)), Tuple.of(1, Arbitraries.integers().between(0, 255)));
        Arbitrary<Integer> device = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(0, 1, 2)), Tuple.of(1, Arbitraries.integers().between(0, 31)));
        return Combinators.combine(Arbitraries.of(true, true, false), bus, device, Arbitraries.of(0, 0, 0, 1, 7), registers(), widths(), values())
                .as((write, b, d, fn, reg, width, value) -> new Access(1, write,
                        Layout.PCIE_ECAM + ((long) b << 20 | (long) d << 15 | (long) fn << 12 | reg), width, value));
    }

    /** Accesses to the virtio BARs where they were placed (a guest may have moved them; then these miss). */
    private Arbitrary<Access> bar() {
        Arbitrary<Long> area = Arbitraries.of(0x0000L, 0x1000L, 0x2000L, 0x3000L, 0x4000L, 0x5000L, 0x6000L);
        Arbitrary<Long> within = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.longs().between(0, 0x40)),
                Tuple.of(1, Arbitraries.longs().between(0, 0xfff)));
        return Combinators.combine(Arbitraries.of(true, true, false), Arbitraries.of(WINDOW, PORT_WINDOW), area, within, widths(), values())
                .as((write, base, a, w, width, value) -> new Access(1, write, base + a + w, width, value));
    }

    private Arbitrary<Access> anywhere() {
        return Combinators.combine(Arbitraries.of(0, 1), Arbitraries.of(true, false), Arbitraries.longs(), widths(), values())
                .as(Access::new);
    }

    /** Header registers, the capability area, BARs, and the rest of the 4 KiB. */
    private static Arbitrary<Integer> registers() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0, 0x3f)),
                Tuple.of(4, Arbitraries.integers().between(0x40, 0xff)),
                Tuple.of(1, Arbitraries.integers().between(0x100, 0xfff)));
    }

    /** Values drivers write (all ones to size a BAR, enable bits, window addresses) and anything. */
    private static Arbitrary<Long> values() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(0L, -1L, 0xffff_ffffL, 1L << 15, 1L << 14, 0xfL, 0xbL, 0x4L, 0x6L, 0x8000L,
                        WINDOW, PORT_WINDOW, WINDOW + 0x8000, Layout.PCIE_ECAM, 0x1000L, 0x3000L, 0x4000L)),
                Tuple.of(1, Arbitraries.integers().between(0, 0xffff).map(Integer::longValue)),
                Tuple.of(1, Arbitraries.longs()));
    }
}
