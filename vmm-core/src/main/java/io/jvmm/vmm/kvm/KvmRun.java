package io.jvmm.vmm.kvm;

import jnr.ffi.Pointer;

/**
 * The vCPU's shared struct kvm_run page: why KVM_RUN returned and the data of the access that
 * caused it. Offsets from include/uapi/linux/kvm.h; the exit union starts at 32.
 */
public final class KvmRun {
    public static final int EXIT_UNKNOWN = 0;
    public static final int EXIT_EXCEPTION = 1;
    public static final int EXIT_IO = 2;
    public static final int EXIT_HYPERCALL = 3;
    public static final int EXIT_DEBUG = 4;
    public static final int EXIT_HLT = 5;
    public static final int EXIT_MMIO = 6;
    public static final int EXIT_IRQ_WINDOW_OPEN = 7;
    public static final int EXIT_SHUTDOWN = 8;
    public static final int EXIT_FAIL_ENTRY = 9;
    public static final int EXIT_INTR = 10;
    public static final int EXIT_INTERNAL_ERROR = 17;
    public static final int EXIT_SYSTEM_EVENT = 24;

    /** KVM_SYSTEM_EVENT_* types. */
    public static final int SYSTEM_EVENT_SHUTDOWN = 1;
    public static final int SYSTEM_EVENT_RESET = 2;
    public static final int SYSTEM_EVENT_CRASH = 3;

    private static final int IMMEDIATE_EXIT = 1;
    private static final int EXIT_REASON = 8;
    private static final int UNION = 32;

    private final Pointer page;
    private final int size;

    KvmRun(Pointer page, int size) {
        this.page = page;
        this.size = size;
    }

    public int exitReason() {
        return page.getInt(EXIT_REASON);
    }

    /** When set, KVM_RUN returns at once with EINTR: closes the race with a kick signal. */
    void immediateExit(boolean on) {
        page.putByte(IMMEDIATE_EXIT, (byte) (on ? 1 : 0));
    }

    // KVM_EXIT_IO: direction (0 in, 1 out), size, port, count, data_offset.
    public boolean ioIsOut() {
        return page.getByte(UNION) == 1;
    }

    public int ioSize() {
        return page.getByte(UNION + 1) & 0xff;
    }

    public int ioPort() {
        return page.getShort(UNION + 2) & 0xffff;
    }

    public int ioCount() {
        return page.getInt(UNION + 4);
    }

    /** Copies the {@code index}th element of an I/O access between the page and {@code data}. */
    public void ioData(int index, byte[] data, boolean toPage) {
        long offset = page.getLong(UNION + 8) + (long) index * data.length;
        if (offset < 0 || offset + data.length > size) {
            throw new IllegalStateException("KVM reported I/O data outside the kvm_run page");
        }
        if (toPage) {
            page.put(offset, data, 0, data.length);
        } else {
            page.get(offset, data, 0, data.length);
        }
    }

    // KVM_EXIT_MMIO: phys_addr, data[8], len, is_write.
    public long mmioAddress() {
        return page.getLong(UNION);
    }

    public int mmioLength() {
        return Math.min(page.getInt(UNION + 16), 8);
    }

    public boolean mmioIsWrite() {
        return page.getByte(UNION + 20) != 0;
    }

    public void mmioData(byte[] data, boolean toPage) {
        if (toPage) {
            page.put(UNION + 8, data, 0, data.length);
        } else {
            page.get(UNION + 8, data, 0, data.length);
        }
    }

    /** KVM_EXIT_FAIL_ENTRY's hardware_entry_failure_reason. */
    public long failEntryReason() {
        return page.getLong(UNION);
    }

    /** KVM_EXIT_INTERNAL_ERROR's suberror. */
    public int internalErrorSuberror() {
        return page.getInt(UNION);
    }

    /** KVM_EXIT_SYSTEM_EVENT's type. */
    public int systemEventType() {
        return page.getInt(UNION);
    }

    public static String exitName(int reason) {
        return switch (reason) {
            case EXIT_UNKNOWN -> "KVM_EXIT_UNKNOWN";
            case EXIT_EXCEPTION -> "KVM_EXIT_EXCEPTION";
            case EXIT_IO -> "KVM_EXIT_IO";
            case EXIT_HYPERCALL -> "KVM_EXIT_HYPERCALL";
            case EXIT_DEBUG -> "KVM_EXIT_DEBUG";
            case EXIT_HLT -> "KVM_EXIT_HLT";
            case EXIT_MMIO -> "KVM_EXIT_MMIO";
            case EXIT_SHUTDOWN -> "KVM_EXIT_SHUTDOWN";
            case EXIT_FAIL_ENTRY -> "KVM_EXIT_FAIL_ENTRY";
            case EXIT_INTR -> "KVM_EXIT_INTR";
            case EXIT_INTERNAL_ERROR -> "KVM_EXIT_INTERNAL_ERROR";
            case EXIT_SYSTEM_EVENT -> "KVM_EXIT_SYSTEM_EVENT";
            default -> "exit reason " + reason;
        };
    }
}
