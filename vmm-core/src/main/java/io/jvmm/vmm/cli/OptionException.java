package io.jvmm.vmm.cli;

/** A command-line option is unknown or malformed; the message names it and says what would be right. */
public final class OptionException extends Exception {
    public OptionException(String option, String problem) {
        super(option + ": " + problem);
    }
}
