package io.jvmm.vmm.arch.x86_64.acpi;

import java.io.ByteArrayOutputStream;

/** A _CRS resource template (ACPI 6.5 section 6.4): descriptors, then the end tag. */
final class ResourceTemplate {
    private static final int RESOURCE_MEMORY = 0, RESOURCE_IO = 1, RESOURCE_BUS = 2;
    /** General flags of an address space descriptor: producer, fixed min and max addresses. */
    private static final int MIN_MAX_FIXED = 0x0c;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private ResourceTemplate le(long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    /** IO(Decode16, min, min, 1, length): a fixed range of I/O ports. */
    ResourceTemplate io(int port, int length) {
        out.write(0x47);
        out.write(1);
        return le(port, 2).le(port, 2).le(1, 1).le(length, 1);
    }

    /** IRQNoFlags(){irq}: an edge-triggered, active-high ISA interrupt. */
    ResourceTemplate irq(int irq) {
        out.write(0x22);
        return le(1L << irq, 2);
    }

    /** Memory32Fixed(ReadWrite, base, length). */
    ResourceTemplate memory32Fixed(long base, long length) {
        out.write(0x86);
        le(9, 2);
        out.write(1);
        return le(base, 4).le(length, 4);
    }

    ResourceTemplate busNumbers(int min, int max) {
        return word(RESOURCE_BUS, 0, min, max);
    }

    /** WordIO(..., EntireRange): a window of I/O ports the bridge forwards. */
    ResourceTemplate ioWindow(int min, int max) {
        return word(RESOURCE_IO, 3, min, max);
    }

    /** DWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite). */
    ResourceTemplate memoryWindow32(long min, long max) {
        out.write(0x87);
        le(0x17, 2);
        out.write(RESOURCE_MEMORY);
        out.write(MIN_MAX_FIXED);
        out.write(1);
        return le(0, 4).le(min, 4).le(max, 4).le(0, 4).le(max - min + 1, 4);
    }

    /** QWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite). */
    ResourceTemplate memoryWindow64(long min, long max) {
        out.write(0x8a);
        le(0x2b, 2);
        out.write(RESOURCE_MEMORY);
        out.write(MIN_MAX_FIXED);
        out.write(1);
        return le(0, 8).le(min, 8).le(max, 8).le(0, 8).le(max - min + 1, 8);
    }

    private ResourceTemplate word(int type, int typeFlags, int min, int max) {
        out.write(0x88);
        le(0x0d, 2);
        out.write(type);
        out.write(MIN_MAX_FIXED);
        out.write(typeFlags);
        return le(0, 2).le(min, 2).le(max, 2).le(0, 2).le(max - min + 1, 2);
    }

    /** The template as an AML Buffer, closed by an end tag whose zero checksum means "none". */
    byte[] toAmlBuffer() {
        out.write(0x79);
        out.write(0);
        return Aml.buffer(out.toByteArray());
    }
}
