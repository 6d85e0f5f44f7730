package io.jvmm.vmm.confine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a seccomp program as the kernel would (the instructions {@link BpfProgram} emits), so
 * that the filter's decisions can be checked call by call without installing it.
 */
final class BpfInterpreter {
    private BpfInterpreter() {}

    /** The action for a call {@code nr} of architecture {@code arch} with up to six arguments. */
    static int decide(ByteBuffer program, int arch, int nr, long... args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(8, 0x7f0000001000L);
        for (int i = 0; i < args.length; i++) {
            data.putLong(16 + 8 * i, args[i]);
        }
        ByteBuffer code = program.duplicate().order(ByteOrder.nativeOrder());
        int instructions = code.remaining() / 8;
        int accumulator = 0;
        for (int pc = 0, steps = 0; steps < 10_000; steps++) {
            if (pc < 0 || pc >= instructions) {
                throw new AssertionError("program runs off its end at " + pc);
            }
            int op = code.getShort(pc * 8) & 0xFFFF;
            int jt = code.get(pc * 8 + 2) & 0xFF;
            int jf = code.get(pc * 8 + 3) & 0xFF;
            int k = code.getInt(pc * 8 + 4);
            switch (op) {
                case BpfProgram.LD_W_ABS -> {
                    if (k < 0 || k > 60 || k % 4 != 0) {
                        throw new AssertionError("load outside seccomp_data: " + k);
                    }
                    accumulator = data.getInt(k);
                    pc++;
                }
                case BpfProgram.ALU_AND_K -> { accumulator &= k; pc++; }
                case BpfProgram.ALU_RSH_K -> { accumulator >>>= k; pc++; }
                case BpfProgram.JEQ_K -> pc += 1 + (accumulator == k ? jt : jf);
                case BpfProgram.JGE_K -> pc += 1 + (Integer.compareUnsigned(accumulator, k) >= 0 ? jt : jf);
                case BpfProgram.RET_K -> {
                    return k;
                }
                default -> throw new AssertionError("unknown instruction 0x" + Integer.toHexString(op));
            }
        }
        throw new AssertionError("program does not end");
    }
}
