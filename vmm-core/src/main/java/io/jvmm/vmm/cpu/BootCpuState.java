package io.jvmm.vmm.cpu;

import io.jvmm.vmm.arch.x86_64.BootGdt;
import io.jvmm.vmm.arch.x86_64.Layout;
import io.jvmm.vmm.kvm.KvmFpu;
import io.jvmm.vmm.kvm.KvmLapic;
import io.jvmm.vmm.kvm.KvmRegs;
import io.jvmm.vmm.kvm.KvmRegs.Reg;
import io.jvmm.vmm.kvm.KvmSregs;
import io.jvmm.vmm.kvm.KvmSregs.Control;
import io.jvmm.vmm.kvm.KvmSregs.SegmentRegister;
import io.jvmm.vmm.kvm.KvmVcpu;
import io.jvmm.vmm.kvm.MsrEntry;
import java.util.List;

/** The architectural state vCPUs start with: every vCPU's MSRs, FPU and LAPIC; the boot CPU's long-mode entry. */
public final class BootCpuState {
    private static final long CR0_PE = 1L, CR0_PG = 1L << 31, CR4_PAE = 1L << 5, EFER_LME = 1L << 8, EFER_LMA = 1L << 10;
    private static final int APIC_LVT_LINT0 = 0x350, APIC_LVT_LINT1 = 0x360;
    private static final int DELIVERY_MODE_MASK = 0x700, DELIVERY_NMI = 4 << 8, DELIVERY_EXTINT = 7 << 8;

    /**
     * MSRs a firmware would leave set: SYSCALL/SYSENTER targets cleared, fast strings on, and
     * MTRRs enabled with write-back as the default type (or Linux maps all RAM uncached).
     */
    private static final List<MsrEntry> BOOT_MSRS = List.of(
            new MsrEntry(0x174, 0), // IA32_SYSENTER_CS
            new MsrEntry(0x175, 0), // IA32_SYSENTER_ESP
            new MsrEntry(0x176, 0), // IA32_SYSENTER_EIP
            new MsrEntry(0xc0000081, 0), // STAR
            new MsrEntry(0xc0000082, 0), // LSTAR
            new MsrEntry(0xc0000083, 0), // CSTAR
            new MsrEntry(0xc0000084, 0), // SYSCALL_MASK
            new MsrEntry(0xc0000102, 0), // KERNEL_GS_BASE
            new MsrEntry(0x1a0, 1), // IA32_MISC_ENABLE: fast strings
            new MsrEntry(0x2ff, (1 << 11) | 6)); // MTRRdefType: enabled, write-back

    private BootCpuState() {}

    /** For every vCPU: MSRs, x87/SSE control words, and LINT0 as ExtINT (the PIC) and LINT1 as NMI. */
    public static void configureAll(KvmVcpu vcpu) {
        for (MsrEntry msr : BOOT_MSRS) {
            try {
                vcpu.setMsrs(List.of(msr));
            } catch (IllegalStateException refused) {
                // A host KVM without this MSR: the guest probes it and copes, as on such hardware.
            }
        }
        vcpu.setFpu(new KvmFpu().fcw(0x37f).mxcsr(0x1f80));
        KvmLapic lapic = vcpu.lapic();
        lapic.register(APIC_LVT_LINT0, (lapic.register(APIC_LVT_LINT0) & ~DELIVERY_MODE_MASK) | DELIVERY_EXTINT);
        lapic.register(APIC_LVT_LINT1, (lapic.register(APIC_LVT_LINT1) & ~DELIVERY_MODE_MASK) | DELIVERY_NMI);
        vcpu.setLapic(lapic);
    }

    /**
     * The boot CPU enters the kernel's 64-bit entry point in long mode with paging on the boot
     * page tables and RSI pointing at the zero page (boot protocol, "64-bit Boot Protocol").
     * Application processors stay in wait-for-SIPI: the in-kernel LAPIC starts them.
     */
    public static void configureBootCpu(KvmVcpu vcpu, long entry, long pageTableRoot) {
        KvmSregs s = vcpu.sregs();
        s.segment(SegmentRegister.CS, BootGdt.segment(BootGdt.CODE_SELECTOR));
        for (SegmentRegister r : List.of(SegmentRegister.DS, SegmentRegister.ES, SegmentRegister.FS, SegmentRegister.GS, SegmentRegister.SS)) {
            s.segment(r, BootGdt.segment(BootGdt.DATA_SELECTOR));
        }
        s.segment(SegmentRegister.TR, BootGdt.segment(BootGdt.TSS_SELECTOR));
        s.gdt(Layout.BOOT_GDT, BootGdt.gdtLimit());
        s.idt(Layout.BOOT_IDT, 7);
        s.set(Control.CR0, s.get(Control.CR0) | CR0_PE | CR0_PG);
        s.set(Control.CR3, pageTableRoot);
        s.set(Control.CR4, s.get(Control.CR4) | CR4_PAE);
        s.set(Control.EFER, s.get(Control.EFER) | EFER_LME | EFER_LMA);
        vcpu.setSregs(s);

        vcpu.setRegs(new KvmRegs()
                .set(Reg.RFLAGS, 0x2) // bit 1 is always set; interrupts off
                .set(Reg.RIP, entry)
                .set(Reg.RSP, Layout.BOOT_STACK)
                .set(Reg.RBP, Layout.BOOT_STACK)
                .set(Reg.RSI, Layout.ZERO_PAGE));
    }
}
