package io.jvmm.vmm.arch.x86_64.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An ACPI system description table: the 36-byte header (ACPI 6.5 section 5.2.6) followed by a
 * body appended in little-endian fields; {@link #build()} fills in length and checksum.
 */
final class SdtBuilder {
    static final int HEADER_SIZE = 36;
    static final String OEM_ID = "JVMM  ";
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    SdtBuilder(String signature, int revision) {
        ascii(signature, 4);
        u32(0); // length, set by build()
        u8(revision);
        u8(0); // checksum, set by build()
        ascii(OEM_ID, 6);
        ascii("JVMMQ35 ", 8); // OEM table id
        u32(1); // OEM revision
        ascii("JVMM", 4); // creator id
        u32(1); // creator revision
    }

    SdtBuilder u8(int v) {
        out.write(v);
        return this;
    }

    SdtBuilder u16(int v) {
        return u8(v).u8(v >> 8);
    }

    SdtBuilder u32(long v) {
        return u16((int) v).u16((int) (v >> 16));
    }

    SdtBuilder u64(long v) {
        return u32(v).u32(v >>> 32);
    }

    SdtBuilder bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    SdtBuilder zeros(int n) {
        return bytes(new byte[n]);
    }

    SdtBuilder ascii(String s, int width) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        if (b.length != width) {
            throw new IllegalArgumentException("\"" + s + "\" is not " + width + " characters");
        }
        return bytes(b);
    }

    /** A Generic Address Structure (5.2.3.2) in system I/O space. */
    SdtBuilder ioGas(int bitWidth, int accessSize, long port) {
        return u8(port == 0 ? 0 : 1).u8(port == 0 ? 0 : bitWidth).u8(0).u8(port == 0 ? 0 : accessSize).u64(port);
    }

    int size() {
        return out.size();
    }

    byte[] build() {
        byte[] t = out.toByteArray();
        t[4] = (byte) t.length;
        t[5] = (byte) (t.length >> 8);
        t[6] = (byte) (t.length >> 16);
        t[7] = (byte) (t.length >> 24);
        t[9] = checksum(t, 0, t.length);
        return t;
    }

    /** The byte that makes {@code t[from..to)} sum to zero. */
    static byte checksum(byte[] t, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += t[i];
        }
        return (byte) -sum;
    }
}
