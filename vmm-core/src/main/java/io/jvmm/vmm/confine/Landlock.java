package io.jvmm.vmm.confine;

import io.jvmm.vmm.kvm.LibC;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * A Landlock ruleset (Linux 5.13+, where the kernel's LSM list holds it): once applied, the
 * calling thread and every thread it starts afterwards may open files only as the rules say,
 * whatever its user may do. Landlock binds threads, not processes: the JVM's own threads that
 * exist before it (GC, compiler, reference handling, signal dispatch) keep their access; all of
 * jvmm's, vCPUs and device threads included, are bound.
 */
public final class Landlock {
    private static final long SYS_CREATE_RULESET = 444, SYS_ADD_RULE = 445, SYS_RESTRICT_SELF = 446;
    private static final long CREATE_RULESET_VERSION = 1, RULE_PATH_BENEATH = 1;
    private static final int PR_SET_NO_NEW_PRIVS = 38, O_PATH = 0x200000;

    public static final long EXECUTE = 1, WRITE_FILE = 1 << 1, READ_FILE = 1 << 2, READ_DIR = 1 << 3,
            REMOVE_FILE = 1 << 5, MAKE_REG = 1 << 8, MAKE_SOCK = 1 << 9, TRUNCATE = 1 << 14, IOCTL_DEV = 1 << 15;
    /** The rights a rule on a file (not a directory) may hold. */
    static final long FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;

    /** One rule: {@code rights} beneath {@code path} (on the file itself when it is one). */
    public record Rule(Path path, long rights) {}

    private Landlock() {}

    /** The ABI version the kernel offers; 0 where Landlock is missing or disabled. */
    public static int abi() {
        long v = LibC.INSTANCE.syscall(SYS_CREATE_RULESET, (Pointer) null, 0, CREATE_RULESET_VERSION);
        return v < 0 ? 0 : (int) v;
    }

    /** Every file-system right the ABI knows: what the ruleset handles (denies unless a rule grants it). */
    static long handledRights(int abi) {
        long rights = (1L << 13) - 1; // ABI 1: execute .. make_sym
        if (abi >= 2) {
            rights |= 1L << 13; // refer
        }
        if (abi >= 3) {
            rights |= TRUNCATE;
        }
        if (abi >= 5) {
            rights |= IOCTL_DEV;
        }
        return rights;
    }

    /**
     * Restricts the calling thread (and the threads it starts) to {@code rules}; paths that do not
     * exist are skipped. Returns the ABI applied, or 0 when the kernel has no Landlock (nothing
     * is restricted then).
     */
    public static int restrictThisThread(List<Rule> rules) {
        int abi = abi();
        if (abi == 0) {
            return 0;
        }
        long handled = handledRights(abi);
        Pointer attr = LibC.allocate(8);
        attr.putLong(0, handled);
        long ruleset;
        try {
            ruleset = LibC.INSTANCE.syscall(SYS_CREATE_RULESET, attr, 8, 0);
        } finally {
            Reference.reachabilityFence(attr);
        }
        if (ruleset < 0) {
            throw new IllegalStateException("landlock_create_ruleset: " + LibC.describe(LibC.errno()));
        }
        try {
            for (Rule rule : rules) {
                add((int) ruleset, rule, handled);
            }
            if (LibC.INSTANCE.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
                throw new IllegalStateException("prctl(PR_SET_NO_NEW_PRIVS): " + LibC.describe(LibC.errno()));
            }
            if (LibC.INSTANCE.syscall(SYS_RESTRICT_SELF, ruleset, 0) != 0) {
                throw new IllegalStateException("landlock_restrict_self: " + LibC.describe(LibC.errno()));
            }
        } finally {
            LibC.INSTANCE.close((int) ruleset);
        }
        return abi;
    }

    private static void add(int ruleset, Rule rule, long handled) {
        if (!Files.exists(rule.path())) {
            return;
        }
        long rights = rule.rights() & handled;
        if (!Files.isDirectory(rule.path())) {
            rights &= FILE_RIGHTS;
        }
        int fd = LibC.openPath(rule.path().toString(), O_PATH | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new IllegalStateException("cannot open " + rule.path() + " for a Landlock rule: " + LibC.describe(LibC.errno()));
        }
        // struct landlock_path_beneath_attr, packed: u64 allowed_access, s32 parent_fd.
        Pointer attr = LibC.allocate(12);
        attr.putLong(0, rights);
        attr.putInt(8, fd);
        try {
            if (LibC.INSTANCE.syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, attr, 0) != 0) {
                throw new IllegalStateException("landlock_add_rule for " + rule.path() + ": " + LibC.describe(LibC.errno()));
            }
        } finally {
            Reference.reachabilityFence(attr);
            LibC.INSTANCE.close(fd);
        }
    }
}
