package io.jvmm.vmm.virtio;

/** Feature bits every device type shares (virtio 1.2, section 6). */
public final class VirtioFeatures {
    private VirtioFeatures() {}

    public static final long INDIRECT_DESC = 1L << 28;
    public static final long EVENT_IDX = 1L << 29;
    public static final long VERSION_1 = 1L << 32;
    public static final long ACCESS_PLATFORM = 1L << 33;

    public static long bit(int n) {
        return 1L << n;
    }

    public static boolean has(long features, long bit) {
        return (features & bit) != 0;
    }
}
