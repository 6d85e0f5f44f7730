package io.jvmm.vmm.confine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** jvmm's filter installed by the kernel in a child JVM: threads and unix sockets work, exec kills. */
class SeccompTest {
    static ChildJvm.Outcome probe(String what) throws Exception {
        return ChildJvm.run(SeccompProbe.class, what);
    }

    @Test
    void aJvmUnderTheFilterRunsThreadsAndUnixSockets() throws Exception {
        ChildJvm.Outcome o = probe("threads");
        assertThat(o.output()).as(o.output()).contains("NoNewPrivs: 1").contains("Seccomp: 2").contains("thread ran")
                .contains("unix socket bound").contains("inet socket refused");
        assertThat(o.exit()).as(o.output()).isZero();
    }

    @Test
    void aJvmUnderTheFilterThatTriesToExecIsKilled() throws Exception {
        ChildJvm.Outcome o = probe("exec");
        assertThat(o.output()).as(o.output()).contains("Seccomp: 2").contains("starting /bin/true").doesNotContain("exec worked");
        assertThat(o.exit()).as("killed by SIGSYS: " + o.output()).isEqualTo(128 + 31);
    }
}
