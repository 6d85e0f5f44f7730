package io.jvmm.vmm.cpu;

import io.jvmm.vmm.kvm.CpuidEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * What CPUID tells one vCPU: the host KVM's supported leaves, made consistent with the machine's
 * shape. Every vCPU gets its own APIC id, and the topology leaves describe one socket holding
 * all vCPUs as cores without SMT, matching the MADT.
 */
public final class GuestCpuid {
    private static final int HYPERVISOR = 1 << 31;
    private static final int HTT = 1 << 28;

    private GuestCpuid() {}

    public static List<CpuidEntry> forVcpu(List<CpuidEntry> supported, int apicId, int cpus) {
        int coreBits = bitsFor(cpus);
        List<CpuidEntry> out = new ArrayList<>();
        for (CpuidEntry e : supported) {
            switch (e.function()) {
                case 0x1 -> out.add(e
                        .withEbx((e.ebx() & 0xffff) | (apicId << 24) | ((1 << coreBits) << 16))
                        .withEcx(e.ecx() | HYPERVISOR)
                        .withEdx(cpus > 1 ? e.edx() | HTT : e.edx() & ~HTT));
                case 0x4 -> {
                    // Intel cache topology: cores per package, and only the L3 is shared.
                    int level = (e.eax() >> 5) & 0x7;
                    int sharing = level >= 3 ? (1 << coreBits) - 1 : 0;
                    out.add(e.withEax((e.eax() & 0x3fff) | (sharing << 14) | (((1 << coreBits) - 1) << 26)));
                }
                case 0xb, 0x1f -> {
                    if (e.index() == 0) {
                        out.addAll(topologyLeaf(e, apicId, cpus, coreBits));
                    }
                }
                case 0x80000008 -> out.add(e.withEcx((e.ecx() & ~0xf0ff) | (coreBits << 12) | (cpus - 1)));
                case 0x8000001e -> out.add(e.withEax(apicId).withEbx((e.ebx() & ~0xffff) | apicId).withEcx(e.ecx() & ~0x7ff));
                default -> out.add(e);
            }
        }
        return out;
    }

    /** Leaf 0xB/0x1F: SMT level (one thread per core), core level (all vCPUs), then the end marker. */
    private static List<CpuidEntry> topologyLeaf(CpuidEntry e, int apicId, int cpus, int coreBits) {
        int f = e.function(), flags = CpuidEntry.FLAG_SIGNIFICANT_INDEX;
        return List.of(
                new CpuidEntry(f, 0, flags, 0, 1, (1 << 8), apicId),
                new CpuidEntry(f, 1, flags, coreBits, cpus, 1 | (2 << 8), apicId),
                new CpuidEntry(f, 2, flags, 0, 0, 2, apicId));
    }

    /** The number of APIC id bits that distinguish {@code n} vCPUs. */
    static int bitsFor(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }
}
