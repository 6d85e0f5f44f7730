package io.jvmm.vmm.arch.x86_64;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.vmm.kvm.AnonymousMemory;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestRegion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * bzImage headers mutated byte by byte from a valid one, and file sizes that do not match them:
 * reading one either fails with a {@link BootException} that says what is wrong or yields a
 * header whose numbers a direct boot can use, and a boot that accepted the kernel, initrd and
 * memory size loads them without touching memory outside guest RAM or the kernel it loaded.
 */
class BzImagePropertiesTest {
    private static final Path NAME = Path.of("vmlinuz");
    private static final long RAM = 48L << 20;
    private static final Path DIR = temporaryDirectory();
    private static final AnonymousMemory HOST = AnonymousMemory.map(RAM);
    private static final GuestMemory MEMORY = new GuestMemory(List.of(new GuestRegion(0, RAM, HOST.pointer())));
    private static final List<Path> INITRDS = List.of(initrd("small", 4096), initrd("odd", (1 << 20) + 123));

    /** Byte {@code value} written at {@code offset} of the image. */
    record Mutation(int offset, byte value) {}

    @AfterContainer
    static void release() throws IOException {
        HOST.close();
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Property(tries = 3000)
    void parsingAMutatedHeaderFailsWithABootExceptionOrYieldsUsableNumbers(@ForAll("mutationLists") List<Mutation> mutations,
                                                                             @ForAll("fileSizes") long fileSize) {
        byte[] image = mutated(mutations);
        BzImage k;
        try {
            k = BzImage.parse(NAME, image, fileSize);
        } catch (BootException refused) {
            assertThat(refused.getMessage()).startsWith("-kernel vmlinuz: ");
            return;
        }
        assertThat(k.kernelOffset()).isBetween(512L, fileSize - 1);
        assertThat(k.kernelSize()).isEqualTo(fileSize - k.kernelOffset());
        assertThat(k.setupHeader().length).isBetween(1, 1024 - BzImage.SETUP_HEADER_START);
        assertThat(k.cmdlineSize()).as("cmdline_size, an unsigned field").isNotNegative();
        new ZeroPage(k).commandLine(Layout.CMDLINE).bytes();
    }

    @Property(tries = 300)
    void anAcceptedBootLoadsInsideRamWithoutOverlaps(@ForAll("mutationLists") List<Mutation> mutations,
                                                     @ForAll("initrdChoices") int initrdChoice,
                                                     @ForAll("commandLines") String cmdline) throws IOException {
        Path file = Files.write(DIR.resolve("vmlinuz"), mutated(mutations));
        Path initrd = initrdChoice < 0 ? null : INITRDS.get(initrdChoice);
        DirectKernelBoot boot;
        BzImage kernel;
        try {
            kernel = BzImage.read(file);
            boot = new DirectKernelBoot(kernel, initrd, cmdline, RAM);
        } catch (BootException refused) {
            return;
        }
        try {
            boot.load(MEMORY, RAM, Layout.ACPI_TABLES);
        } catch (BootException refused) {
            return; // a file that changed under the loader, which these do not
        }
        if (initrd != null) {
            long address = MEMORY.readInt(Layout.ZERO_PAGE + 0x218) & 0xffff_ffffL;
            assertThat(address).as("the initrd lies above the kernel").isGreaterThanOrEqualTo(Layout.KERNEL_LOAD + kernel.kernelSize());
            assertThat(address + Files.size(initrd) - 1).as("the initrd ends at or below initrd_addr_max")
                    .isLessThanOrEqualTo(kernel.initrdAddressMax());
        }
    }

    /**
     * An initrd_addr_max of 0xFFF put a 4 KiB initrd at guest address 0, below the kernel, and a
     * larger one at a negative address, failing the load with a GuestMemoryException: the boot
     * must refuse it up front. (Random headers rarely lower initrd_addr_max that far; kept here.)
     */
    @Example
    void anInitrdAboveInitrdAddrMaxIsRefusedBeforeLoading() throws IOException {
        byte[] image = FakeBzImage.bytes(1 << 20);
        java.nio.ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0x22c, 0xfff);
        Path file = Files.write(DIR.resolve("low-initrd-max"), image);
        try {
            new DirectKernelBoot(BzImage.read(file), INITRDS.get(0), "", RAM).load(MEMORY, RAM, Layout.ACPI_TABLES);
            throw new AssertionError("an initrd that cannot lie below initrd_addr_max was accepted");
        } catch (BootException expected) {
            assertThat(expected.getMessage()).contains("-initrd");
        }
    }

    /** Found by the first property: cmdline_size 0xFF000400 read as a negative int. */
    @Example
    void aCmdlineSizeWithItsTopBitSetIsLarge() throws BootException {
        byte[] image = FakeBzImage.bytes(1 << 20);
        java.nio.ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0x238, 0xff00_0400);
        assertThat(BzImage.parse(NAME, image, image.length).cmdlineSize()).isEqualTo(Integer.MAX_VALUE);
    }

    private static byte[] mutated(List<Mutation> mutations) {
        byte[] image = FakeBzImage.bytes(4 << 20);
        for (Mutation m : mutations) {
            image[m.offset()] = m.value();
        }
        return image;
    }

    /** Mutations mostly in the setup header (0x1F1..0x268), some anywhere in the first KiB. */
    @Provide
    Arbitrary<List<Mutation>> mutationLists() {
        Arbitrary<Integer> offset = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(0x1f1, 0x201, 0x206, 0x207, 0x211, 0x22c, 0x22d, 0x22e, 0x22f, 0x236, 0x238, 0x239,
                        0x23a, 0x23b, 0x25f, 0x260, 0x261, 0x262, 0x263)),
                Tuple.of(4, Arbitraries.integers().between(0x1f1, 0x268)),
                Tuple.of(1, Arbitraries.integers().between(0, 1023)));
        Arbitrary<Byte> value = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of((byte) 0, (byte) 0xff, (byte) 0x80, (byte) 0x7f, (byte) 1)),
                Tuple.of(1, Arbitraries.bytes()));
        return Combinators.combine(offset, value).as(Mutation::new).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<Long> fileSizes() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(8192L)),
                Tuple.of(1, Arbitraries.longs().between(1024, 1 << 17)),
                Tuple.of(1, Arbitraries.of(1024L, 1025L, 512L * 256, 512L * 257, Long.MAX_VALUE, 1L << 40)));
    }

    @Provide
    Arbitrary<Integer> initrdChoices() {
        return Arbitraries.of(-1, 0, 1);
    }

    @Provide
    Arbitrary<String> commandLines() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("", "console=ttyS0")),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(3000)));
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("bzimage-properties");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path initrd(String name, int size) {
        try {
            return Files.write(DIR.resolve("initrd-" + name), new byte[size]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
