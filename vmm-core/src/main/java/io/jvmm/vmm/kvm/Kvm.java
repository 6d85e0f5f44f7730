package io.jvmm.vmm.kvm;

import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;

/** The KVM system file descriptor (/dev/kvm): capabilities and VM creation. */
public final class Kvm implements AutoCloseable {
    /** The only stable KVM API version; anything else is a different interface. */
    private static final int API_VERSION = 12;
    private static final int CPUID_ENTRY_SIZE = 40;

    private final int fd;

    private Kvm(int fd) {
        this.fd = fd;
    }

    /** Loads and binds the C library calls, without opening anything (for start-up training). */
    public static void loadLibrary() {
        LibC.INSTANCE.getClass();
    }

    public static Kvm open(String path) {
        int fd = LibC.openPath(path, LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new KvmException("opening " + path, LibC.errno());
        }
        Kvm kvm = new Kvm(fd);
        int version = LibC.INSTANCE.ioctl(fd, Ioctls.GET_API_VERSION, 0L);
        if (version != API_VERSION) {
            kvm.close();
            throw new IllegalStateException(path + " speaks KVM API version " + version + ", jvmm needs " + API_VERSION);
        }
        for (int cap : new int[] {Ioctls.CAP_IRQCHIP, Ioctls.CAP_USER_MEMORY, Ioctls.CAP_SET_TSS_ADDR, Ioctls.CAP_PIT2, Ioctls.CAP_IMMEDIATE_EXIT}) {
            if (kvm.checkExtension(cap) <= 0) {
                kvm.close();
                throw new IllegalStateException(path + " lacks the KVM capability " + cap + " that jvmm needs");
            }
        }
        return kvm;
    }

    public int checkExtension(int capability) {
        return LibC.INSTANCE.ioctl(fd, Ioctls.CHECK_EXTENSION, (long) capability);
    }

    /** The most vCPUs one VM may have on this host. */
    public int maxVcpus() {
        int max = checkExtension(Ioctls.CAP_MAX_VCPUS);
        return max > 0 ? max : Math.max(checkExtension(Ioctls.CAP_NR_VCPUS), 4);
    }

    int vcpuMmapSize() {
        int size = LibC.INSTANCE.ioctl(fd, Ioctls.GET_VCPU_MMAP_SIZE, 0L);
        if (size <= 0) {
            throw new KvmException("KVM_GET_VCPU_MMAP_SIZE", LibC.errno());
        }
        return size;
    }

    /** KVM_GET_SUPPORTED_CPUID: every leaf this host's KVM can give a guest. */
    public List<CpuidEntry> supportedCpuid() {
        for (int capacity = 128; ; capacity *= 2) {
            Pointer p = LibC.allocate(8 + capacity * CPUID_ENTRY_SIZE);
            p.putInt(0, capacity);
            if (LibC.ioctlWith(fd, Ioctls.GET_SUPPORTED_CPUID, p) < 0) {
                int errno = LibC.errno();
                if (errno == LibC.E2BIG && capacity < 4096) {
                    continue;
                }
                throw new KvmException("KVM_GET_SUPPORTED_CPUID", errno);
            }
            int n = p.getInt(0);
            List<CpuidEntry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long o = 8 + (long) i * CPUID_ENTRY_SIZE;
                entries.add(new CpuidEntry(p.getInt(o), p.getInt(o + 4), p.getInt(o + 8), p.getInt(o + 12),
                        p.getInt(o + 16), p.getInt(o + 20), p.getInt(o + 24)));
            }
            return entries;
        }
    }

    static Pointer cpuidToNative(List<CpuidEntry> entries) {
        Pointer p = LibC.allocate(8 + entries.size() * CPUID_ENTRY_SIZE);
        p.putInt(0, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            CpuidEntry e = entries.get(i);
            long o = 8 + (long) i * CPUID_ENTRY_SIZE;
            p.putInt(o, e.function());
            p.putInt(o + 4, e.index());
            p.putInt(o + 8, e.flags());
            p.putInt(o + 12, e.eax());
            p.putInt(o + 16, e.ebx());
            p.putInt(o + 20, e.ecx());
            p.putInt(o + 24, e.edx());
        }
        return p;
    }

    public KvmVm createVm() {
        int vmFd = LibC.INSTANCE.ioctl(fd, Ioctls.CREATE_VM, 0L);
        if (vmFd < 0) {
            throw new KvmException("KVM_CREATE_VM", LibC.errno());
        }
        return new KvmVm(vmFd, vcpuMmapSize());
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }
}
