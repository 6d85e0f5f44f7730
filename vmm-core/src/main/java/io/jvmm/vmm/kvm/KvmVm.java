package io.jvmm.vmm.kvm;

import jnr.ffi.Memory;
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
        Pointer p = Memory.allocateDirect(LibC.RUNTIME, 32, true);
        p.putInt(0, nextSlot);
        p.putInt(4, 0);
        p.putLong(8, guestAddress);
        p.putLong(16, size);
        p.putLong(24, hostAddress);
        check(LibC.INSTANCE.ioctl(fd, Ioctls.SET_USER_MEMORY_REGION, p), "KVM_SET_USER_MEMORY_REGION slot " + nextSlot);
        nextSlot++;
    }

    /** Intel VMX needs three pages for the real-mode TSS, inside the guest's address space but not RAM. */
    public void setTssAddress(long address) {
        check(LibC.INSTANCE.ioctl(fd, Ioctls.SET_TSS_ADDR, address), "KVM_SET_TSS_ADDR");
    }

    /** Intel VMX's identity-mapped page table for real mode without unrestricted guest. */
    public void setIdentityMapAddress(long address) {
        Pointer p = Memory.allocateDirect(LibC.RUNTIME, 8, true);
        p.putLong(0, address);
        check(LibC.INSTANCE.ioctl(fd, Ioctls.SET_IDENTITY_MAP_ADDR, p), "KVM_SET_IDENTITY_MAP_ADDR");
    }

    /** The in-kernel PIC pair, IOAPIC and per-vCPU local APICs. */
    public void createIrqchip() {
        check(LibC.INSTANCE.ioctl(fd, Ioctls.CREATE_IRQCHIP, 0L), "KVM_CREATE_IRQCHIP");
    }

    /** The in-kernel i8254 PIT (ports 0x40-0x43 and the speaker port 0x61). */
    public void createPit() {
        Pointer config = Memory.allocateDirect(LibC.RUNTIME, 64, true);
        check(LibC.INSTANCE.ioctl(fd, Ioctls.CREATE_PIT2, config), "KVM_CREATE_PIT2");
    }

    /** Drives interrupt line (GSI) {@code gsi} of the in-kernel PIC/IOAPIC to {@code level}. */
    public void setIrqLine(int gsi, boolean level) {
        Pointer p = Memory.allocateDirect(LibC.RUNTIME, 8, true);
        p.putInt(0, gsi);
        p.putInt(4, level ? 1 : 0);
        check(LibC.INSTANCE.ioctl(fd, Ioctls.IRQ_LINE, p), "KVM_IRQ_LINE " + gsi);
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
