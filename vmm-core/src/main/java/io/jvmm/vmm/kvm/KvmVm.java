package io.jvmm.vmm.kvm;

import jnr.ffi.Pointer;

/** A VM file descriptor: memory slots, the in-kernel interrupt controllers and PIT, vCPUs. */
public final class KvmVm implements AutoCloseable {
    private final int fd;
    private final int vcpuMmapSize;
    private int nextSlot;

    KvmVm(int fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /** Maps host memory at {@code hostAddress} into the guest at {@code guestAddress}. */
    public void addMemory(long guestAddress, long size, long hostAddress) {
        Pointer p = LibC.allocate(32);
        p.putInt(0, nextSlot);
        p.putInt(4, 0);
        p.putLong(8, guestAddress);
        p.putLong(16, size);
        p.putLong(24, hostAddress);
        check(LibC.ioctlWith(fd, Ioctls.SET_USER_MEMORY_REGION, p), "KVM_SET_USER_MEMORY_REGION slot " + nextSlot);
        nextSlot++;
    }

    /** Intel VMX needs three pages for the real-mode TSS, inside the guest's address space but not RAM. */
    public void setTssAddress(long address) {
        check(LibC.INSTANCE.ioctl(fd, Ioctls.SET_TSS_ADDR, address), "KVM_SET_TSS_ADDR");
    }

    /** Intel VMX's identity-mapped page table for real mode without unrestricted guest. */
    public void setIdentityMapAddress(long address) {
        Pointer p = LibC.allocate(8);
        p.putLong(0, address);
        check(LibC.ioctlWith(fd, Ioctls.SET_IDENTITY_MAP_ADDR, p), "KVM_SET_IDENTITY_MAP_ADDR");
    }

    /** The in-kernel PIC pair, IOAPIC and per-vCPU local APICs. */
    public void createIrqchip() {
        check(LibC.INSTANCE.ioctl(fd, Ioctls.CREATE_IRQCHIP, 0L), "KVM_CREATE_IRQCHIP");
    }

    /** The in-kernel i8254 PIT (ports 0x40-0x43 and the speaker port 0x61). */
    public void createPit() {
        Pointer config = LibC.allocate(64);
        check(LibC.ioctlWith(fd, Ioctls.CREATE_PIT2, config), "KVM_CREATE_PIT2");
    }

    /** Drives interrupt line (GSI) {@code gsi} of the in-kernel PIC/IOAPIC to {@code level}. */
    public void setIrqLine(int gsi, boolean level) {
        Pointer p = IRQ_LEVEL.get();
        p.putInt(0, gsi);
        p.putInt(4, level ? 1 : 0);
        if (LibC.ioctlWith(fd, Ioctls.IRQ_LINE, p) < 0) {
            throw new KvmException("KVM_IRQ_LINE " + gsi, LibC.errno());
        }
    }

    // Per thread, as interrupts come from device threads and vCPU threads at once: no native
    // allocation (and no Cleaner for the GC to run) per interrupt.
    private static final ThreadLocal<Pointer> IRQ_LEVEL = ThreadLocal.withInitial(() -> LibC.allocate(8));
    private static final ThreadLocal<Pointer> MSI = ThreadLocal.withInitial(() -> LibC.allocate(32));

    /**
     * Injects the MSI message {@code data} at {@code address} (what a device's MSI-X table entry
     * holds). Returns false when the guest's interrupt controller blocked it.
     */
    public boolean signalMsi(long address, int data) {
        Pointer p = MSI.get();
        p.putInt(0, (int) address);
        p.putInt(4, (int) (address >>> 32));
        p.putInt(8, data);
        p.putInt(12, 0);
        p.putInt(16, 0);
        int r = LibC.ioctlWith(fd, Ioctls.SIGNAL_MSI, p);
        if (r < 0) {
            throw new KvmException("KVM_SIGNAL_MSI", LibC.errno());
        }
        return r > 0;
    }

    /**
     * Has KVM signal {@code eventFd} itself, without an exit to the VMM, when the guest writes
     * {@code length} bytes at MMIO {@code address} (any value); or undoes that.
     */
    public void ioeventfd(int eventFd, long address, int length, boolean assign) {
        Pointer p = LibC.allocate(64);
        p.putLong(0, 0);
        p.putLong(8, address);
        p.putInt(16, length);
        p.putInt(20, eventFd);
        p.putInt(24, assign ? 0 : IOEVENTFD_DEASSIGN);
        check(LibC.ioctlWith(fd, Ioctls.IOEVENTFD, p), "KVM_IOEVENTFD at 0x" + Long.toHexString(address));
    }

    private static final int IOEVENTFD_DEASSIGN = 1 << 2;
    private static final int ROUTING_IRQCHIP = 1, ROUTING_MSI = 2, ROUTE_SIZE = 48;
    private static final int IRQCHIP_PIC_MASTER = 0, IRQCHIP_PIC_SLAVE = 1, IRQCHIP_IOAPIC = 2;
    /** GSIs below this are the IOAPIC's pins; MSI routes get the numbers above. */
    public static final int FIRST_MSI_GSI = 24;

    /** An MSI message that KVM injects when the irqfd bound to {@code gsi} is signalled. */
    public record MsiRoute(int gsi, long address, int data) {}

    /**
     * Replaces KVM's interrupt routing with the PC's fixed routes (PIC and IOAPIC pins, which
     * the table must keep, since KVM_IRQ_LINE goes through it) plus {@code msiRoutes}.
     */
    public synchronized void setMsiRoutes(java.util.Collection<MsiRoute> msiRoutes) {
        int pics = 16, ioapic = FIRST_MSI_GSI;
        int n = pics + ioapic + msiRoutes.size();
        Pointer p = LibC.allocate(8 + (long) n * ROUTE_SIZE);
        p.putInt(0, n);
        int i = 0;
        for (int gsi = 0; gsi < ioapic; gsi++) {
            irqchipRoute(p, i++, gsi, IRQCHIP_IOAPIC, gsi);
            if (gsi < pics) {
                irqchipRoute(p, i++, gsi, gsi < 8 ? IRQCHIP_PIC_MASTER : IRQCHIP_PIC_SLAVE, gsi % 8);
            }
        }
        for (MsiRoute r : msiRoutes) {
            long e = 8 + (long) i++ * ROUTE_SIZE;
            p.putInt(e, r.gsi());
            p.putInt(e + 4, ROUTING_MSI);
            p.putInt(e + 16, (int) r.address());
            p.putInt(e + 20, (int) (r.address() >>> 32));
            p.putInt(e + 24, r.data());
        }
        check(LibC.ioctlWith(fd, Ioctls.SET_GSI_ROUTING, p), "KVM_SET_GSI_ROUTING");
    }

    private static void irqchipRoute(Pointer p, int index, int gsi, int chip, int pin) {
        long e = 8 + (long) index * ROUTE_SIZE;
        p.putInt(e, gsi);
        p.putInt(e + 4, ROUTING_IRQCHIP);
        p.putInt(e + 16, chip);
        p.putInt(e + 20, pin);
    }

    /** Has KVM inject GSI {@code gsi} (an MSI route) whenever {@code eventFd} is signalled; or undoes that. */
    public void irqfd(int eventFd, int gsi, boolean assign) {
        Pointer p = LibC.allocate(32);
        p.putInt(0, eventFd);
        p.putInt(4, gsi);
        p.putInt(8, assign ? 0 : 1);
        check(LibC.ioctlWith(fd, Ioctls.IRQFD, p), "KVM_IRQFD gsi " + gsi);
    }

    /** The guest's kvmclock, in nanoseconds (KVM_GET_CLOCK). */
    public long clock() {
        Pointer p = LibC.allocate(48);
        check(LibC.ioctlWith(fd, Ioctls.GET_CLOCK, p), "KVM_GET_CLOCK");
        return p.getLong(0);
    }

    /** Sets the guest's kvmclock (KVM_SET_CLOCK): how a paused guest's clock is kept from jumping on resume. */
    public void setClock(long nanos) {
        Pointer p = LibC.allocate(48);
        p.putLong(0, nanos);
        check(LibC.ioctlWith(fd, Ioctls.SET_CLOCK, p), "KVM_SET_CLOCK");
    }

    public KvmVcpu createVcpu(int id) {
        int vcpuFd = LibC.INSTANCE.ioctl(fd, Ioctls.CREATE_VCPU, (long) id);
        if (vcpuFd < 0) {
            throw new KvmException("KVM_CREATE_VCPU " + id, LibC.errno());
        }
        Pointer run = LibC.INSTANCE.mmap(null, vcpuMmapSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, vcpuFd, 0);
        if (run == null || run.address() == -1L) {
            int errno = LibC.errno();
            LibC.INSTANCE.close(vcpuFd);
            throw new KvmException("mmap of vCPU " + id + "'s kvm_run", errno);
        }
        return new KvmVcpu(id, vcpuFd, new KvmRun(run, vcpuMmapSize));
    }

    static void check(int result, String what) {
        if (result < 0) {
            throw new KvmException(what, LibC.errno());
        }
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }
}
