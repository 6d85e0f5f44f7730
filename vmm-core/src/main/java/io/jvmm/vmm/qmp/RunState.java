package io.jvmm.vmm.qmp;

/** QEMU's RunState values (qapi/run-state.json) that jvmm can be in. */
public enum RunState {
    PRELAUNCH("prelaunch"),
    RUNNING("running"),
    PAUSED("paused"),
    SHUTDOWN("shutdown"),
    INTERNAL_ERROR("internal-error");

    private final String qapiName;

    RunState(String qapiName) {
        this.qapiName = qapiName;
    }

    public String qapiName() {
        return qapiName;
    }
}
