package io.jvmm.vmm.cli;

import java.math.BigDecimal;

/** QEMU's size syntax for -m: a number with an optional B/K/M/G/T suffix; no suffix means MiB. */
final class SizeParser {
    private SizeParser() {}

    static long parseMemory(String option, String text) throws OptionException {
        if (text.isEmpty()) {
            throw new OptionException(option, "missing size");
        }
        char last = Character.toUpperCase(text.charAt(text.length() - 1));
        int shift;
        String number = text.substring(0, text.length() - 1);
        switch (last) {
            case 'B' -> shift = 0;
            case 'K' -> shift = 10;
            case 'M' -> shift = 20;
            case 'G' -> shift = 30;
            case 'T' -> shift = 40;
            default -> {
                shift = 20;
                number = text;
            }
        }
        BigDecimal value;
        try {
            value = new BigDecimal(number);
        } catch (NumberFormatException e) {
            throw new OptionException(option, "'" + text + "' is not a size (like 256M or 2G)");
        }
        BigDecimal bytes = value.multiply(BigDecimal.valueOf(2).pow(shift));
        if (bytes.signum() <= 0 || bytes.compareTo(BigDecimal.valueOf(1L << 50)) > 0) {
            throw new OptionException(option, "'" + text + "' is not a usable memory size");
        }
        long b;
        try {
            // Exact: 0.0000001 (a tenth of a byte) must not round down to an empty machine.
            b = bytes.longValueExact();
        } catch (ArithmeticException e) {
            b = -1;
        }
        if (b <= 0 || (b & ((1 << 20) - 1)) != 0) {
            throw new OptionException(option, "'" + text + "' is not a whole number of MiB");
        }
        return b;
    }
}
