package io.jvmm.vmm;

import io.jvmm.vmm.arch.x86_64.BootException;
import io.jvmm.vmm.arch.x86_64.BootGdt;
import io.jvmm.vmm.arch.x86_64.BootPageTables;
import io.jvmm.vmm.arch.x86_64.DirectKernelBoot;
import io.jvmm.vmm.arch.x86_64.Layout;
import io.jvmm.vmm.arch.x86_64.acpi.AcpiTables;
import io.jvmm.vmm.bus.Bus;
import io.jvmm.vmm.cpu.BootCpuState;
import io.jvmm.vmm.cpu.GuestCpuid;
import io.jvmm.vmm.cpu.StopReason;
import io.jvmm.vmm.cpu.VcpuSet;
import io.jvmm.vmm.devices.InterruptLine;
import io.jvmm.vmm.devices.PowerControl;
import io.jvmm.vmm.devices.legacy.AcpiPmRegisters;
import io.jvmm.vmm.devices.legacy.CmosRtc;
import io.jvmm.vmm.devices.legacy.I8042;
import io.jvmm.vmm.devices.legacy.ResetControl;
import io.jvmm.vmm.devices.legacy.Serial8250;
import io.jvmm.vmm.kvm.AnonymousMemory;
import io.jvmm.vmm.kvm.CpuidEntry;
import io.jvmm.vmm.kvm.Kvm;
import io.jvmm.vmm.kvm.KvmVcpu;
import io.jvmm.vmm.kvm.KvmVm;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestRegion;
import io.jvmm.vmm.pci.PciAddress;
import io.jvmm.vmm.pci.PciConfigIo;
import io.jvmm.vmm.pci.PciEcam;
import io.jvmm.vmm.pci.PciHostBridge;
import io.jvmm.vmm.pci.PciSegment;
import io.jvmm.vmm.cli.DeviceSpec;
import io.jvmm.vmm.host.EventFd;
import io.jvmm.vmm.virtio.balloon.VirtioBalloon;
import io.jvmm.vmm.virtio.pci.IoEventRegistry;
import java.io.OutputStream;
import java.util.function.LongConsumer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * One boot of the q35-style machine: a KVM VM with its RAM, in-kernel interrupt controllers and
 * PIT, the legacy devices and PCI host bridge on the buses, the kernel loaded, and the vCPUs
 * ready. A reset throws the whole machine away and builds a new one.
 */
final class Machine implements AutoCloseable, PowerControl {
    private final KvmVm vm;
    private final List<AnonymousMemory> ram = new ArrayList<>();
    private final List<KvmVcpu> kvmVcpus = new ArrayList<>();
    private VcpuSet vcpus;
    private Serial8250 serial;
    private AcpiPmRegisters pm;
    private PciDevices pciDevices;

    private Machine(KvmVm vm) {
        this.vm = vm;
    }

    /** The devices from the command line, their host ends, and who hears of balloon changes. */
    record Devices(List<DeviceSpec> specs, DeviceBackends backends, LongConsumer balloonChanged) {}

    static Machine build(Kvm kvm, List<CpuidEntry> supportedCpuid, int cpus, long ramBytes, DirectKernelBoot boot,
                         OutputStream serialOutput, Devices devices) throws BootException {
        Machine m = new Machine(kvm.createVm());
        try {
            m.assemble(supportedCpuid, cpus, ramBytes, boot, serialOutput, devices);
            return m;
        } catch (RuntimeException | BootException e) {
            m.close();
            throw e;
        }
    }

    private void assemble(List<CpuidEntry> supportedCpuid, int cpus, long ramBytes, DirectKernelBoot boot,
                          OutputStream serialOutput, Devices devices) throws BootException {
        vm.setIdentityMapAddress(Layout.KVM_IDENTITY_MAP);
        vm.setTssAddress(Layout.KVM_TSS);
        vm.createIrqchip();
        vm.createPit();
        GuestMemory memory = new GuestMemory(mapRam(ramBytes));
        StartupTrace.mark("irqchip, PIT and RAM");

        Bus ports = new Bus("port I/O");
        Bus mmio = new Bus("MMIO");
        serial = new Serial8250(irq(Layout.COM1_IRQ), serialOutput);
        ports.register(Layout.COM1_PORT, 8, serial);
        ports.register(I8042.COMMAND_PORT, 1, new I8042(this));
        ports.register(CmosRtc.BASE, CmosRtc.LENGTH, new CmosRtc(Clock.systemUTC()));
        pm = new AcpiPmRegisters(irq(Layout.SCI_IRQ), this, System::nanoTime);
        ports.register(Layout.ACPI_PM_PORT, AcpiPmRegisters.LENGTH, pm);
        PciSegment pci = new PciSegment();
        pci.add(new PciAddress(0, 0, 0), new PciHostBridge());
        ports.register(PciConfigIo.BASE, PciConfigIo.LENGTH, new PciConfigIo(pci, new ResetControl(this)));
        mmio.register(Layout.PCIE_ECAM, Layout.PCIE_ECAM_SIZE, new PciEcam(pci));
        IoEventRegistry ioEvents = new IoEventRegistry() {
            @Override
            public void register(long address, int length, EventFd fd) {
                vm.ioeventfd(fd.fd(), address, length, true);
            }

            @Override
            public void unregister(long address, int length, EventFd fd) {
                vm.ioeventfd(fd.fd(), address, length, false);
            }
        };
        pciDevices = PciDevices.build(devices.specs(), devices.backends(), pci,
                new PciDevices.Wiring(memory, vm::signalMsi, ioEvents, new KvmIrqFds(vm), mmio), devices.balloonChanged());

        AcpiTables acpi = AcpiTables.build(cpus, ramBytes, pci.lastBus());
        memory.write(acpi.base(), acpi.bytes());
        BootGdt.write(memory);
        long pageTables = BootPageTables.write(memory);
        StartupTrace.mark("devices and ACPI");
        long entry = boot.load(memory, ramBytes, acpi.rsdpAddress());
        StartupTrace.mark("kernel and initrd loaded");

        for (int i = 0; i < cpus; i++) {
            KvmVcpu v = vm.createVcpu(i);
            kvmVcpus.add(v);
            v.setCpuid(GuestCpuid.forVcpu(supportedCpuid, i, cpus));
            BootCpuState.configureAll(v);
            if (i == 0) {
                BootCpuState.configureBootCpu(v, entry, pageTables);
            }
        }
        vcpus = new VcpuSet(kvmVcpus, ports, mmio);
    }

    /** RAM below the 32-bit hole, and the rest above 4 GiB. */
    private List<GuestRegion> mapRam(long ramBytes) {
        List<GuestRegion> regions = new ArrayList<>();
        long low = Layout.lowRamEnd(ramBytes);
        regions.add(mapRegion(0, low));
        long high = Layout.highRamSize(ramBytes);
        if (high > 0) {
            regions.add(mapRegion(Layout.HIGH_RAM_START, high));
        }
        return regions;
    }

    private GuestRegion mapRegion(long guestAddress, long size) {
        AnonymousMemory m = AnonymousMemory.map(size);
        ram.add(m);
        vm.addMemory(guestAddress, size, m.address());
        return new GuestRegion(guestAddress, size, m.pointer());
    }

    private InterruptLine irq(int gsi) {
        return level -> vm.setIrqLine(gsi, level);
    }

    Serial8250 serial() {
        return serial;
    }

    VcpuSet vcpus() {
        return vcpus;
    }

    AcpiPmRegisters pmRegisters() {
        return pm;
    }

    /** The guest's clock, read while its vCPUs are paused. */
    long guestClock() {
        return vm.clock();
    }

    /** Puts the guest's clock back where it was paused, so that a pause is no time to the guest. */
    void restoreGuestClock(long nanos) {
        vm.setClock(nanos);
    }

    /** The balloon device, or null when the machine has none. */
    VirtioBalloon balloon() {
        return pciDevices == null ? null : pciDevices.balloon();
    }

    @Override
    public void powerOff() {
        vcpus.stop(StopReason.powerOff());
    }

    @Override
    public void reset() {
        vcpus.stop(StopReason.reset("guest-reset"));
    }

    @Override
    public void close() {
        if (pciDevices != null) {
            pciDevices.close();
        }
        kvmVcpus.forEach(KvmVcpu::close);
        vm.close();
        ram.forEach(AnonymousMemory::close);
    }
}
