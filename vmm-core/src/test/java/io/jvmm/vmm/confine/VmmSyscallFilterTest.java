package io.jvmm.vmm.confine;

import static io.jvmm.vmm.confine.VmmSyscallFilter.AUDIT_ARCH_X86_64;
import static io.jvmm.vmm.confine.VmmSyscallFilter.RET_ALLOW;
import static io.jvmm.vmm.confine.VmmSyscallFilter.RET_ERRNO;
import static io.jvmm.vmm.confine.VmmSyscallFilter.RET_KILL_PROCESS;
import static io.jvmm.vmm.confine.VmmSyscallFilter.RET_LOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VmmSyscallFilterTest {
    static final long PID = 4242;
    static final ByteBuffer PROGRAM = VmmSyscallFilter.program(PID, RET_KILL_PROCESS).encode();
    static final int CLONE_THREAD_FLAGS = 0x3d0f00; // what glibc's pthread_create passes
    static final int FORK_FLAGS = 0x01200011; // CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD
    static final int VFORK_FLAGS = 0x4111; // CLONE_VM | CLONE_VFORK | SIGCHLD (posix_spawn)

    static int decide(String call, long... args) {
        return BpfInterpreter.decide(PROGRAM, AUDIT_ARCH_X86_64, SyscallNumbers.of(call), args);
    }

    @Test
    void everyListedCallIsAllowed() {
        for (String call : VmmSyscallFilter.allowedCalls().keySet()) {
            assertThat(decide(call)).as(call).isEqualTo(RET_ALLOW);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"execve", "execveat", "fork", "vfork", "ptrace", "mount", "umount2", "chroot", "unshare",
            "setns", "bpf", "io_uring_setup", "io_uring_enter", "userfaultfd", "init_module", "finit_module",
            "delete_module", "kexec_load", "kexec_file_load", "process_vm_readv", "process_vm_writev",
            "perf_event_open", "reboot", "setuid", "setresuid", "setgid", "memfd_create", "open_tree", "fsopen",
            "seccomp", "mkdir", "chmod", "wait4"})
    void dangerousCallsKill(String call) {
        assertThat(decide(call)).as(call).isEqualTo(RET_KILL_PROCESS);
    }

    @Test
    void otherArchitecturesAndX32CallsKill() {
        assertThat(BpfInterpreter.decide(PROGRAM, 0x40000003 /* i386 */, 0)).isEqualTo(RET_KILL_PROCESS);
        assertThat(BpfInterpreter.decide(PROGRAM, AUDIT_ARCH_X86_64, 0x40000000 | 59)).isEqualTo(RET_KILL_PROCESS);
        assertThat(BpfInterpreter.decide(PROGRAM, AUDIT_ARCH_X86_64, 0x40000000)).isEqualTo(RET_KILL_PROCESS);
    }

    @Test
    void threadsMayBeClonedButNotProcessesOrNamespaces() {
        assertThat(decide("clone", CLONE_THREAD_FLAGS)).isEqualTo(RET_ALLOW);
        assertThat(decide("clone", FORK_FLAGS)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("clone", VFORK_FLAGS)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("clone", CLONE_THREAD_FLAGS | 0x40000000 /* CLONE_NEWNET */)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("clone", CLONE_THREAD_FLAGS | 0x10000000 /* CLONE_NEWUSER */)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("clone3")).isEqualTo(RET_ERRNO | 38);
    }

    @Test
    void ioctlsOnlyForKvmVhostVfioTapAndTerminals() {
        assertThat(decide("ioctl", 5, 0xAE80 /* KVM_RUN */)).isEqualTo(RET_ALLOW);
        assertThat(decide("ioctl", 5, 0x4020AE46L /* KVM_SET_USER_MEMORY_REGION */)).isEqualTo(RET_ALLOW);
        assertThat(decide("ioctl", 5, 0x4008AF30L /* VHOST_SET_VRING_NUM */)).isEqualTo(RET_ALLOW);
        assertThat(decide("ioctl", 5, 0x3B64 /* VFIO_GET_API_VERSION */)).isEqualTo(RET_ALLOW);
        assertThat(decide("ioctl", 5, 0x400454caL /* TUNSETIFF */)).isEqualTo(RET_ALLOW);
        assertThat(decide("ioctl", 5, 0x5401 /* TCGETS */)).isEqualTo(RET_ALLOW);
        assertThat(decide("ioctl", 5, 0xFFFFFFFF00005401L /* upper half ignored, as the kernel does */)).isEqualTo(RET_ALLOW);
        assertThat(decide("ioctl", 5, 0x5412 /* TIOCSTI */)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("ioctl", 5, 0x541C /* TIOCLINUX */)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("ioctl", 5, 0x5423 /* TIOCSETD */)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("ioctl", 5, 0x8912 /* SIOCGIFCONF */)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("ioctl", 5, 0x4C00 /* LOOP_SET_FD */)).isEqualTo(RET_KILL_PROCESS);
    }

    @Test
    void socketsOnlyInTheUnixDomain() {
        assertThat(decide("socket", 1, 1, 0)).isEqualTo(RET_ALLOW);
        assertThat(decide("socket", 2, 1, 0)).isEqualTo(RET_ERRNO | 97);
        assertThat(decide("socket", 10, 2, 0)).isEqualTo(RET_ERRNO | 97);
        assertThat(decide("socket", 16 /* AF_NETLINK */, 3, 0)).isEqualTo(RET_ERRNO | 97);
        assertThat(decide("socketpair", 1, 1, 0)).isEqualTo(RET_ALLOW);
    }

    @Test
    void signalsOnlyToItself() {
        assertThat(decide("tgkill", PID, 77, 10)).isEqualTo(RET_ALLOW);
        assertThat(decide("tgkill", 1, 1, 9)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("tgkill", PID | (1L << 32), 77, 10)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("kill", PID, 3)).isEqualTo(RET_ALLOW);
        assertThat(decide("kill", -1, 9)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("kill", 0, 9)).isEqualTo(RET_KILL_PROCESS);
    }

    @Test
    void prctlOnlyToNameThreads() {
        assertThat(decide("prctl", 15, 0)).isEqualTo(RET_ALLOW);
        assertThat(decide("prctl", 16, 0)).isEqualTo(RET_ALLOW);
        assertThat(decide("prctl", 4 /* PR_SET_DUMPABLE */, 1)).isEqualTo(RET_KILL_PROCESS);
        assertThat(decide("prctl", 22 /* PR_SET_SECCOMP */, 2)).isEqualTo(RET_KILL_PROCESS);
    }

    @Test
    void aCensusLogsWhatItWouldRefuse() {
        ByteBuffer census = VmmSyscallFilter.program(PID, RET_LOG).encode();
        assertThat(BpfInterpreter.decide(census, AUDIT_ARCH_X86_64, SyscallNumbers.of("mkdir"))).isEqualTo(RET_LOG);
        assertThat(BpfInterpreter.decide(census, AUDIT_ARCH_X86_64, SyscallNumbers.of("futex"))).isEqualTo(RET_ALLOW);
        // A wrong architecture is killed even then.
        assertThat(BpfInterpreter.decide(census, 0x40000003, 0)).isEqualTo(RET_KILL_PROCESS);
    }

    @Property(tries = 3000)
    void noCallOutsideTheListIsAllowed(@ForAll @IntRange(min = 0, max = 600) int nr, @ForAll long arg0, @ForAll long arg1) {
        Map<Integer, String> names = new HashMap<>();
        SyscallNumbers.X86_64.forEach((name, number) -> names.put(number, name));
        String name = names.get(nr);
        int action = BpfInterpreter.decide(PROGRAM, AUDIT_ARCH_X86_64, nr, arg0, arg1);
        Set<String> argumentChecked = Set.of("ioctl", "clone", "clone3", "socket", "socketpair", "tgkill", "kill", "prctl");
        if (name == null || !(VmmSyscallFilter.allowedCalls().containsKey(name) || argumentChecked.contains(name))) {
            assertThat(action).as("call %d (%s)", nr, name).isEqualTo(RET_KILL_PROCESS);
        }
    }

    @Test
    void numbersAreTheHostHeadersOnes() throws IOException {
        Path header = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
        assumeTrue(Files.isReadable(header), "no kernel headers here");
        Map<String, Integer> fromHeader = new HashMap<>();
        Matcher m = Pattern.compile("#define __NR_(\\w+) (\\d+)").matcher(Files.readString(header));
        while (m.find()) {
            fromHeader.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        SyscallNumbers.X86_64.forEach((name, nr) -> assertThat(fromHeader.get(name)).as(name).isEqualTo(nr));
    }
}
