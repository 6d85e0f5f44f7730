package io.jvmm.vmm.confine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A classic BPF program as seccomp runs it (linux/filter.h: struct sock_filter), written with
 * named labels instead of counted jump offsets. Conditional jumps reach at most 255
 * instructions ahead; {@link #encode} refuses a program that would need more.
 */
public final class BpfProgram {
    /** Instruction classes and modes used here (linux/bpf_common.h). */
    static final int LD_W_ABS = 0x20, ALU_AND_K = 0x54, ALU_RSH_K = 0x74, RET_K = 0x06, JMP_JA = 0x05,
            JEQ_K = 0x15, JGE_K = 0x35, JSET_K = 0x45;

    /** One instruction: code, the jump targets as labels (null: the next instruction), and k. */
    record Instruction(int code, String jumpTrue, String jumpFalse, int k) {}

    private final List<Instruction> code = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    /** Loads the 32-bit word at {@code offset} of struct seccomp_data into the accumulator. */
    public BpfProgram load(int offset) {
        return add(new Instruction(LD_W_ABS, null, null, offset));
    }

    public BpfProgram and(int mask) {
        return add(new Instruction(ALU_AND_K, null, null, mask));
    }

    public BpfProgram shiftRight(int bits) {
        return add(new Instruction(ALU_RSH_K, null, null, bits));
    }

    /** Jumps to {@code ifEqual} when the accumulator is k, else to {@code otherwise}; null is the next instruction. */
    public BpfProgram jumpIfEqual(int k, String ifEqual, String otherwise) {
        return add(new Instruction(JEQ_K, ifEqual, otherwise, k));
    }

    /** Unsigned accumulator >= k. */
    public BpfProgram jumpIfAtLeast(int k, String ifAtLeast, String otherwise) {
        return add(new Instruction(JGE_K, ifAtLeast, otherwise, k));
    }

    public BpfProgram ret(int action) {
        return add(new Instruction(RET_K, null, null, action));
    }

    /** Names the next instruction. */
    public BpfProgram label(String name) {
        if (labels.putIfAbsent(name, code.size()) != null) {
            throw new IllegalArgumentException("label '" + name + "' defined twice");
        }
        return this;
    }

    private BpfProgram add(Instruction i) {
        code.add(i);
        return this;
    }

    public int size() {
        return code.size();
    }

    /** The program as the kernel reads it: 8 bytes per instruction, native byte order. */
    public ByteBuffer encode() {
        if (code.isEmpty() || code.size() > 4096) {
            throw new IllegalStateException("a seccomp program has 1..4096 instructions, not " + code.size());
        }
        ByteBuffer out = ByteBuffer.allocateDirect(code.size() * 8).order(ByteOrder.nativeOrder());
        for (int pc = 0; pc < code.size(); pc++) {
            Instruction i = code.get(pc);
            out.putShort((short) i.code());
            out.put((byte) offset(pc, i.jumpTrue()));
            out.put((byte) offset(pc, i.jumpFalse()));
            out.putInt(i.k());
        }
        return out.flip();
    }

    private int offset(int pc, String label) {
        if (label == null) {
            return 0;
        }
        Integer target = labels.get(label);
        if (target == null) {
            throw new IllegalStateException("jump to undefined label '" + label + "'");
        }
        int offset = target - pc - 1;
        if (offset < 0 || offset > 255) {
            throw new IllegalStateException("jump from " + pc + " to '" + label + "' (" + target + ") is out of reach");
        }
        return offset;
    }
}
