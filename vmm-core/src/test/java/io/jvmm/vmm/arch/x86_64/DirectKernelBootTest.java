package io.jvmm.vmm.arch.x86_64;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestRegion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import jnr.ffi.Memory;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectKernelBootTest {
    private static final long RAM = 64L << 20;
    private static final int ZERO_PAGE_RAMDISK_IMAGE = 0x218, ZERO_PAGE_RAMDISK_SIZE = 0x21c;

    @TempDir
    Path dir;

    @Test
    void kernelAndInitrdLandInGuestRamByteForByte() throws Exception {
        byte[] code = new byte[4000];
        new Random(1).nextBytes(code);
        Path kernelFile = FakeBzImage.write(dir.resolve("vmlinuz"), 4 << 20, code);
        byte[] initrd = new byte[(3 << 20) + 123]; // not a whole number of pages
        new Random(2).nextBytes(initrd);
        Path initrdFile = Files.write(dir.resolve("initrd"), initrd);
        GuestMemory memory = new GuestMemory(List.of(new GuestRegion(0, RAM, Memory.allocateDirect(Runtime.getSystemRuntime(), (int) RAM, true))));

        BzImage kernel = BzImage.read(kernelFile);
        new DirectKernelBoot(kernel, initrdFile, "console=ttyS0", RAM).load(memory, RAM, 0xe0000);

        byte[] file = Files.readAllBytes(kernelFile);
        byte[] loadedKernel = new byte[(int) kernel.kernelSize()];
        memory.read(Layout.KERNEL_LOAD, loadedKernel);
        assertThat(loadedKernel).isEqualTo(Arrays.copyOfRange(file, (int) kernel.kernelOffset(), file.length));

        long initrdAddress = memory.readInt(Layout.ZERO_PAGE + ZERO_PAGE_RAMDISK_IMAGE) & 0xffffffffL;
        assertThat(memory.readInt(Layout.ZERO_PAGE + ZERO_PAGE_RAMDISK_SIZE)).isEqualTo(initrd.length);
        assertThat(initrdAddress % 4096).isZero();
        assertThat(initrdAddress + initrd.length).isLessThanOrEqualTo(RAM);
        byte[] loadedInitrd = new byte[initrd.length];
        memory.read(initrdAddress, loadedInitrd);
        assertThat(loadedInitrd).isEqualTo(initrd);
    }
}
