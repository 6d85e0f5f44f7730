package io.jvmm.vmm.kvm;

/**
 * KVM ioctl request numbers, from include/uapi/linux/kvm.h. Each is _IO/_IOR/_IOW/_IOWR(0xAE, nr,
 * struct) spelled out, so that the struct size a number encodes can be checked against the layout
 * classes that fill it.
 */
final class Ioctls {
    private static final int KVMIO = 0xAE;
    private static final long NONE = 0, WRITE = 1, READ = 2;

    private Ioctls() {}

    private static long ioc(long dir, int nr, int size) {
        return (dir << 30) | ((long) size << 16) | ((long) KVMIO << 8) | nr;
    }

    // System ioctls.
    static final long GET_API_VERSION = ioc(NONE, 0x00, 0);
    static final long CREATE_VM = ioc(NONE, 0x01, 0);
    static final long CHECK_EXTENSION = ioc(NONE, 0x03, 0);
    static final long GET_VCPU_MMAP_SIZE = ioc(NONE, 0x04, 0);
    static final long GET_SUPPORTED_CPUID = ioc(READ | WRITE, 0x05, 8);

    // VM ioctls.
    static final long CREATE_VCPU = ioc(NONE, 0x41, 0);
    static final long SET_USER_MEMORY_REGION = ioc(WRITE, 0x46, 32);
    static final long SET_TSS_ADDR = ioc(NONE, 0x47, 0);
    static final long SET_IDENTITY_MAP_ADDR = ioc(WRITE, 0x48, 8);
    static final long CREATE_IRQCHIP = ioc(NONE, 0x60, 0);
    static final long IRQ_LINE = ioc(WRITE, 0x61, 8);
    static final long CREATE_PIT2 = ioc(WRITE, 0x77, 64);
    static final long SET_GSI_ROUTING = ioc(WRITE, 0x6a, 8);
    static final long IRQFD = ioc(WRITE, 0x76, 32);
    static final long IOEVENTFD = ioc(WRITE, 0x79, 64);
    static final long SIGNAL_MSI = ioc(WRITE, 0xa5, 32);
    static final long SET_CLOCK = ioc(WRITE, 0x7b, 48);
    static final long GET_CLOCK = ioc(READ, 0x7c, 48);

    // vCPU ioctls.
    static final long RUN = ioc(NONE, 0x80, 0);
    static final long GET_REGS = ioc(READ, 0x81, KvmRegs.SIZE);
    static final long SET_REGS = ioc(WRITE, 0x82, KvmRegs.SIZE);
    static final long GET_SREGS = ioc(READ, 0x83, KvmSregs.SIZE);
    static final long SET_SREGS = ioc(WRITE, 0x84, KvmSregs.SIZE);
    static final long SET_MSRS = ioc(WRITE, 0x89, 8);
    static final long GET_FPU = ioc(READ, 0x8c, KvmFpu.SIZE);
    static final long SET_FPU = ioc(WRITE, 0x8d, KvmFpu.SIZE);
    static final long GET_LAPIC = ioc(READ, 0x8e, KvmLapic.SIZE);
    static final long SET_LAPIC = ioc(WRITE, 0x8f, KvmLapic.SIZE);
    static final long SET_CPUID2 = ioc(WRITE, 0x90, 8);
    static final long GET_MP_STATE = ioc(READ, 0x98, 4);

    // Capabilities (KVM_CAP_*).
    static final int CAP_IRQCHIP = 0;
    static final int CAP_USER_MEMORY = 3;
    static final int CAP_SET_TSS_ADDR = 4;
    static final int CAP_PIT2 = 33;
    static final int CAP_NR_VCPUS = 9;
    static final int CAP_MAX_VCPUS = 66;
    static final int CAP_IMMEDIATE_EXIT = 136;
    static final int CAP_IRQ_ROUTING = 25;
    static final int CAP_IRQFD = 32;
    static final int CAP_IOEVENTFD = 36;
    static final int CAP_SIGNAL_MSI = 77;
}
