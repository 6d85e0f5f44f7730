package io.jvmm.vmm.arch.x86_64.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few AML encodings the DSDT needs (ACPI 6.5 chapter 20): names, integers, packages,
 * buffers, scopes and devices, and EISA ids. Each method returns the encoded term.
 */
final class Aml {
    private static final int ZERO_OP = 0x00, ONE_OP = 0x01, NAME_OP = 0x08, BYTE_PREFIX = 0x0a, WORD_PREFIX = 0x0b,
            DWORD_PREFIX = 0x0c, STRING_PREFIX = 0x0d, QWORD_PREFIX = 0x0e, SCOPE_OP = 0x10, BUFFER_OP = 0x11,
            PACKAGE_OP = 0x12, EXT_OP = 0x5b, DEVICE_OP = 0x82, ROOT_CHAR = 0x5c, DUAL_NAME_PREFIX = 0x2e,
            MULTI_NAME_PREFIX = 0x2f;

    private Aml() {}

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A NameString: an optional root prefix and 1..n four-character segments, '_'-padded. */
    static byte[] nameString(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String rest = path;
        if (rest.startsWith("\\")) {
            out.write(ROOT_CHAR);
            rest = rest.substring(1);
        }
        String[] segs = rest.split("\\.");
        if (segs.length == 2) {
            out.write(DUAL_NAME_PREFIX);
        } else if (segs.length > 2) {
            out.write(MULTI_NAME_PREFIX);
            out.write(segs.length);
        }
        for (String s : segs) {
            if (s.isEmpty() || s.length() > 4) {
                throw new IllegalArgumentException("bad AML name segment \"" + s + "\" in " + path);
            }
            out.writeBytes((s + "___").substring(0, 4).getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    static byte[] integer(long v) {
        if (v == 0) {
            return new byte[] {ZERO_OP};
        }
        if (v == 1) {
            return new byte[] {ONE_OP};
        }
        if (v >= 0 && v <= 0xff) {
            return new byte[] {BYTE_PREFIX, (byte) v};
        }
        if (v >= 0 && v <= 0xffff) {
            return new byte[] {WORD_PREFIX, (byte) v, (byte) (v >> 8)};
        }
        if (v >= 0 && v <= 0xffffffffL) {
            return new byte[] {DWORD_PREFIX, (byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
        }
        byte[] b = new byte[9];
        b[0] = QWORD_PREFIX;
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    static byte[] string(String s) {
        return concat(new byte[] {STRING_PREFIX}, s.getBytes(StandardCharsets.US_ASCII), new byte[] {0});
    }

    /** EISAID("PNP0A08"): three letters packed in 5 bits each, then four hex digits, as a DWord. */
    static byte[] eisaId(String id) {
        if (id.length() != 7) {
            throw new IllegalArgumentException("EISA id must be 3 letters and 4 hex digits: " + id);
        }
        int letters = ((id.charAt(0) - 0x40) << 10) | ((id.charAt(1) - 0x40) << 5) | (id.charAt(2) - 0x40);
        int digits = Integer.parseInt(id.substring(3), 16);
        return new byte[] {DWORD_PREFIX, (byte) (letters >> 8), (byte) letters, (byte) (digits >> 8), (byte) digits};
    }

    static byte[] name(String name, byte[] value) {
        return concat(new byte[] {NAME_OP}, nameString(name), value);
    }

    static byte[] packageOf(byte[]... elements) {
        return withPkgLength(new byte[] {PACKAGE_OP}, concat(new byte[] {(byte) elements.length}, concat(elements)));
    }

    static byte[] buffer(byte[] data) {
        return withPkgLength(new byte[] {BUFFER_OP}, concat(integer(data.length), data));
    }

    static byte[] scope(String name, byte[]... terms) {
        return withPkgLength(new byte[] {SCOPE_OP}, concat(nameString(name), concat(terms)));
    }

    static byte[] device(String name, byte[]... terms) {
        return withPkgLength(new byte[] {EXT_OP, (byte) DEVICE_OP}, concat(nameString(name), concat(terms)));
    }

    /** opcode, PkgLength (which counts itself), body. */
    static byte[] withPkgLength(byte[] opcode, byte[] body) {
        return concat(opcode, pkgLength(body.length), body);
    }

    /** PkgLength (20.2.4): one byte up to 63, else a lead byte with the count of following bytes. */
    static byte[] pkgLength(int bodyLength) {
        if (bodyLength + 1 < 0x40) {
            return new byte[] {(byte) (bodyLength + 1)};
        }
        for (int extra = 1; extra <= 3; extra++) {
            int total = bodyLength + 1 + extra;
            if (total < (1 << (4 + 8 * extra))) {
                byte[] b = new byte[1 + extra];
                b[0] = (byte) ((extra << 6) | (total & 0xf));
                for (int i = 0; i < extra; i++) {
                    b[1 + i] = (byte) (total >> (4 + 8 * i));
                }
                return b;
            }
        }
        throw new IllegalArgumentException("AML package too long: " + bodyLength);
    }
}
