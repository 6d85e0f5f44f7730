package io.jvmm.vmm.arch.x86_64;

import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.host.HostFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Puts a bzImage, its initrd and command line into guest memory the way the Linux 64-bit boot
 * protocol wants them, with no firmware involved: the vCPU starts at the kernel's 64-bit entry
 * point with RSI pointing at the zero page.
 */
public final class DirectKernelBoot {
    /** Slack above what the kernel declares it needs, for its early allocations (page tables, stack). */
    private static final long MIN_FREE_RAM = 16L << 20;
    /** Files are read straight into guest RAM, at most this much per read. */
    private static final int COPY_CHUNK = 64 << 20;

    private final BzImage kernel;
    private final Path initrd;
    private final String cmdline;
    private final long initrdSize;

    /** Checks that kernel, initrd and command line fit {@code ram} bytes, before any memory is touched. */
    public DirectKernelBoot(BzImage kernel, Path initrd, String cmdline, long ram) throws BootException {
        this.kernel = kernel;
        this.initrd = initrd;
        this.cmdline = cmdline;
        byte[] cmd = cmdline.getBytes(StandardCharsets.UTF_8);
        int max = Math.min(kernel.cmdlineSize(), Layout.CMDLINE_MAX - 1);
        if (cmd.length > max) {
            throw new BootException("-append: the command line is " + cmd.length + " bytes; this kernel takes at most " + max);
        }
        if (initrd != null) {
            if (!Files.isRegularFile(initrd)) {
                throw new BootException("-initrd " + initrd + ": no such file");
            }
            try {
                initrdSize = Files.size(initrd);
            } catch (IOException e) {
                throw new BootException("-initrd " + initrd + ": cannot read it: " + e.getMessage());
            }
        } else {
            initrdSize = 0;
        }
        long needed = minimumRam(kernel, initrdSize);
        if (ram < needed) {
            throw new BootException(String.format("-m %dM is too small for this kernel%s: it needs at least %d MiB",
                    ram >> 20, initrd != null ? " and initrd" : "", (needed + (1 << 20) - 1) >> 20));
        }
        // A small initrd_addr_max pushes the initrd down onto the kernel or below address 0.
        if (initrd != null && initrdAddress(ram) < Layout.KERNEL_LOAD + kernel.kernelSize()) {
            throw new BootException(String.format("-initrd %s: its %d bytes do not fit between the kernel and the"
                    + " highest address this kernel takes an initrd at (initrd_addr_max 0x%x)", initrd, initrdSize,
                    kernel.initrdAddressMax()));
        }
    }

    /** As high as the kernel allows, so that decompression below it has the most room. */
    private long initrdAddress(long ram) {
        long top = Math.min(Layout.lowRamEnd(ram), kernel.initrdAddressMax() + 1);
        return (top - initrdSize) & -4096L;
    }

    /** Decompression space from the kernel's preferred address, then the initrd, then some slack. */
    static long minimumRam(BzImage kernel, long initrdSize) {
        long kernelEnd = Math.max(Layout.KERNEL_LOAD, kernel.preferredAddress()) + Math.max(kernel.initSize(), kernel.kernelSize());
        return pageAlign(kernelEnd) + pageAlign(initrdSize) + MIN_FREE_RAM;
    }

    private static long pageAlign(long v) {
        return (v + 4095) & -4096L;
    }

    /**
     * Loads everything into {@code memory}, whose RAM is {@code ram} bytes, and returns the
     * 64-bit entry point. {@code rsdp} is where the ACPI tables start.
     */
    public long load(GuestMemory memory, long ram, long rsdp) throws BootException {
        copyFile(memory, kernel.path(), kernel.kernelOffset(), kernel.kernelSize(), Layout.KERNEL_LOAD, "-kernel");
        ZeroPage zeroPage = new ZeroPage(kernel);
        byte[] cmd = (cmdline + "\0").getBytes(StandardCharsets.UTF_8);
        memory.write(Layout.CMDLINE, cmd);
        zeroPage.commandLine(Layout.CMDLINE);
        if (initrd != null) {
            long address = initrdAddress(ram);
            copyFile(memory, initrd, 0, initrdSize, address, "-initrd");
            zeroPage.ramdisk(address, initrdSize);
        }
        zeroPage.e820(E820Map.forRam(ram)).acpiRsdp(rsdp);
        memory.write(Layout.ZERO_PAGE, zeroPage.bytes());
        return Layout.KERNEL_LOAD + Layout.KERNEL_64BIT_ENTRY_OFFSET;
    }

    private static void copyFile(GuestMemory memory, Path file, long offset, long size, long guestAddress, String option)
            throws BootException {
        try (FileChannel ch = HostFiles.forThisProcess().openForReading(file)) {
            long done = 0;
            while (done < size) {
                ByteBuffer target = memory.buffer(guestAddress + done, (int) Math.min(COPY_CHUNK, size - done));
                while (target.hasRemaining()) {
                    if (ch.read(target, offset + done + target.position()) <= 0) {
                        throw new BootException(option + " " + file + ": the file shrank while it was being loaded");
                    }
                }
                done += target.capacity();
            }
        } catch (IOException e) {
            throw new BootException(option + " " + file + ": cannot read it: " + e.getMessage());
        }
    }
}
