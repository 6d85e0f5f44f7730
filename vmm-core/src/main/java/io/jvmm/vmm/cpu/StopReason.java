package io.jvmm.vmm.cpu;

/** Why the machine's vCPUs stopped for good (until a reset builds them again). */
public record StopReason(Kind kind, String message) {
    public enum Kind {
        /** The guest powered off (ACPI S5 or KVM_SYSTEM_EVENT_SHUTDOWN). */
        POWER_OFF,
        /** The guest or QMP asked for a reset. */
        RESET,
        /** QMP quit or a signal: the host ends the VM. */
        QUIT,
        /** Triple fault, KVM error, unhandled exit: the message says which. */
        FAILURE
    }

    public static StopReason powerOff() {
        return new StopReason(Kind.POWER_OFF, "guest powered off");
    }

    public static StopReason reset(String why) {
        return new StopReason(Kind.RESET, why);
    }

    public static StopReason quit(String why) {
        return new StopReason(Kind.QUIT, why);
    }

    public static StopReason failure(String message) {
        return new StopReason(Kind.FAILURE, message);
    }
}
