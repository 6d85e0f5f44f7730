package io.jvmm.vmm.qmp;

/** A command failed; QMP answers {"error": {"class": errorClass, "desc": message}}. */
final class QmpError extends Exception {
    static final String GENERIC = "GenericError";
    static final String COMMAND_NOT_FOUND = "CommandNotFound";
    private final String errorClass;

    QmpError(String errorClass, String description) {
        super(description);
        this.errorClass = errorClass;
    }

    QmpError(String description) {
        this(GENERIC, description);
    }

    String errorClass() {
        return errorClass;
    }
}
