package io.jvmm.vmm.bus;

/** Little-endian packing of bus access data, whose width is 1, 2, 4 or 8 bytes. */
public final class Bytes {
    private Bytes() {}

    public static long get(byte[] data) {
        long v = 0;
        for (int i = data.length - 1; i >= 0; i--) {
            v = (v << 8) | (data[i] & 0xff);
        }
        return v;
    }

    public static void put(byte[] data, long value) {
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (value >>> (8 * i));
        }
    }
}
