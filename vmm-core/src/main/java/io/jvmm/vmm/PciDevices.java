package io.jvmm.vmm;

import io.jvmm.vmm.arch.x86_64.Layout;
import io.jvmm.vmm.bus.Bus;
import io.jvmm.vmm.bus.BusDevice;
import io.jvmm.vmm.cli.DeviceSpec;
import io.jvmm.vmm.host.EventLoop;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.pci.BarMapper;
import io.jvmm.vmm.pci.MsiSink;
import io.jvmm.vmm.pci.PciAddress;
import io.jvmm.vmm.pci.PciRootPort;
import io.jvmm.vmm.pci.PciSegment;
import io.jvmm.vmm.virtio.VirtioDevice;
import io.jvmm.vmm.virtio.balloon.VirtioBalloon;
import io.jvmm.vmm.virtio.block.VirtioBlock;
import io.jvmm.vmm.virtio.net.VirtioNet;
import io.jvmm.vmm.virtio.vsock.VhostVsock;
import io.jvmm.vmm.virtio.console.VirtioConsole;
import io.jvmm.vmm.virtio.pci.IoEventRegistry;
import io.jvmm.vmm.virtio.pci.IrqFdRegistry;
import io.jvmm.vmm.virtio.pci.VirtioPciDevice;
import io.jvmm.vmm.virtio.rng.VirtioRng;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The machine's PCI devices from the command line: root ports on bus 0, and the virtio devices
 * on bus 0 or behind a root port. jvmm plays firmware here: root ports get bus numbers in slot
 * order and a 1 MiB memory window each, and every device's BAR is placed in its window, so the
 * guest finds a configured hierarchy (it may still reprogram it).
 */
final class PciDevices implements AutoCloseable {
    private static final long WINDOW = 1L << 20;

    private final List<VirtioPciDevice> devices = new ArrayList<>();
    private final Map<String, EventLoop> loops = new LinkedHashMap<>();
    private VirtioBalloon balloon;

    /** What the machine gives its PCI devices: memory, MSI delivery, ioeventfds and the MMIO bus. */
    record Wiring(GuestMemory memory, MsiSink msi, IoEventRegistry ioEvents, IrqFdRegistry irqFds, Bus mmio) {}

    static PciDevices build(List<DeviceSpec> specs, DeviceBackends backends, PciSegment segment, Wiring wiring,
                            LongConsumer balloonChanged) {
        PciDevices d = new PciDevices();
        try {
            d.assemble(specs, backends, segment, wiring, balloonChanged);
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private void assemble(List<DeviceSpec> specs, DeviceBackends backends, PciSegment segment, Wiring wiring,
                          LongConsumer balloonChanged) {
        BarMapper mapper = new BarMapper() {
            @Override
            public boolean map(long address, long size, BusDevice region) {
                if (!wiring.mmio().isFree(address, size)) {
                    return false;
                }
                wiring.mmio().register(address, size, region);
                return true;
            }

            @Override
            public void unmap(long address, BusDevice region) {
                wiring.mmio().unregister(address, region);
            }
        };
        long nextWindow = Layout.PCI_MMIO32;
        Map<String, PciRootPort> ports = new HashMap<>();
        Map<String, Long> windows = new HashMap<>();
        List<DeviceSpec.RootPort> rootPorts = specs.stream().filter(s -> s instanceof DeviceSpec.RootPort)
                .map(s -> (DeviceSpec.RootPort) s).sorted(Comparator.comparingInt(p -> p.placement().slot())).toList();
        int bus = 1;
        for (DeviceSpec.RootPort rp : rootPorts) {
            PciRootPort port = new PciRootPort(rp.id(), rp.port(), rp.placement().slot());
            port.place(0, bus++, nextWindow, WINDOW);
            windows.put(rp.id(), nextWindow);
            nextWindow += WINDOW;
            segment.add(new PciAddress(0, rp.placement().slot(), rp.placement().function()), port);
            ports.put(rp.id(), port);
        }
        for (DeviceSpec spec : specs) {
            VirtioDevice device = virtioDevice(spec, backends, balloonChanged);
            if (device == null) {
                continue;
            }
            EventLoop loop = loops.computeIfAbsent(loopName(spec), EventLoop::new);
            VirtioPciDevice pci = new VirtioPciDevice(device, wiring.memory(), loop, wiring.msi(), wiring.ioEvents(), wiring.irqFds());
            DeviceSpec.PciPlacement at = spec.placement();
            long bar;
            if (at.bus().equals("pcie.0")) {
                bar = nextWindow;
                nextWindow += WINDOW;
                segment.add(new PciAddress(0, at.slot(), at.function()), pci);
            } else {
                bar = windows.get(at.bus()) + (long) at.function() * VirtioPciDevice.barSizeOf();
                ports.get(at.bus()).plug(at.function(), pci);
            }
            pci.placeBar(0, bar);
            pci.attach(mapper, pci::barMoved);
            devices.add(pci);
        }
    }

    private static String loopName(DeviceSpec spec) {
        if (spec instanceof DeviceSpec.Block b && b.iothread() != null) {
            return b.iothread();
        }
        return "io-" + spec.id();
    }

    private VirtioDevice virtioDevice(DeviceSpec spec, DeviceBackends backends, LongConsumer balloonChanged) {
        try {
            if (spec instanceof DeviceSpec.Block) {
                return new VirtioBlock(spec.id(), backends.disk(spec.id()));
            } else if (spec instanceof DeviceSpec.Serial s) {
                return s.console() == null ? new VirtioConsole(spec.id(), null) : new VirtioConsole(spec.id(), backends.console(spec.id()));
            } else if (spec instanceof DeviceSpec.Rng r) {
                return new VirtioRng(spec.id(), backends.entropy(spec.id()), r.maxBytes(), r.periodMillis());
            } else if (spec instanceof DeviceSpec.Balloon b) {
                balloon = new VirtioBalloon(spec.id(), b.deflateOnOom(), balloonChanged);
                return balloon;
            } else if (spec instanceof DeviceSpec.Net n) {
                return new VirtioNet(spec.id(), backends.tap(spec.id()), backends.vhost(spec.id()), n.mac());
            } else if (spec instanceof DeviceSpec.Vsock v) {
                return new VhostVsock(spec.id(), backends.vhost(spec.id()), v.guestCid());
            } else if (!(spec instanceof DeviceSpec.RootPort)) {
                throw new UnsupportedOperationException(spec.getClass().getSimpleName() + " devices are not built yet");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return null;
    }

    /** The balloon device, or null when the VM has none. */
    VirtioBalloon balloon() {
        return balloon;
    }

    @Override
    public void close() {
        devices.forEach(VirtioPciDevice::close);
        loops.values().forEach(EventLoop::close);
    }
}
