package io.jvmm.vmm.confine;

import io.jvmm.vmm.host.HostCallException;
import io.jvmm.vmm.kvm.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * The user a VMM started as root runs the guest as (QEMU's {@code -run-with user=} and
 * {@code -runas}): a name from /etc/passwd with the groups /etc/group gives it (initgroups), or
 * {@code UID:GID} with no other group. Once the machine is built, root is given up for good:
 * real, effective and saved ids all change, so the kernel drops every capability.
 */
public record RunAsUser(String spec, int uid, int gid, List<Integer> groups) {

    /** Resolves {@code spec} against passwd and group files (normally /etc/passwd, /etc/group). */
    public static RunAsUser resolve(String spec, Path passwd, Path group) {
        if (spec.matches("\\d+:\\d+")) {
            int colon = spec.indexOf(':');
            return new RunAsUser(spec, id(spec.substring(0, colon), spec), id(spec.substring(colon + 1), spec), List.of());
        }
        for (String line : lines(passwd)) {
            String[] f = line.split(":", -1);
            if (f.length >= 4 && f[0].equals(spec)) {
                int gid = id(f[3], spec);
                List<Integer> groups = new ArrayList<>();
                for (String g : lines(group)) {
                    String[] gf = g.split(":", -1);
                    if (gf.length >= 4 && List.of(gf[3].split(",")).contains(spec)) {
                        int member = id(gf[2], spec);
                        if (member != gid && !groups.contains(member)) {
                            groups.add(member);
                        }
                    }
                }
                return new RunAsUser(spec, id(f[2], spec), gid, List.copyOf(groups));
            }
        }
        throw new IllegalArgumentException("user '" + spec + "' does not exist (" + passwd + "); give a user name or UID:GID");
    }

    /** Gives up root: supplementary groups, then group, then user ids, in every thread (the C library does that). */
    public void apply() {
        List<Integer> all = new ArrayList<>(groups);
        all.add(0, gid);
        Pointer list = LibC.allocate(4L * all.size());
        for (int i = 0; i < all.size(); i++) {
            list.putInt(4L * i, all.get(i));
        }
        try {
            if (LibC.INSTANCE.setgroups(all.size(), list) != 0) {
                throw new HostCallException("setgroups for -run-with user=" + spec, LibC.errno());
            }
        } finally {
            java.lang.ref.Reference.reachabilityFence(list);
        }
        if (LibC.INSTANCE.setresgid(gid, gid, gid) != 0) {
            throw new HostCallException("setresgid(" + gid + ") for -run-with user=" + spec, LibC.errno());
        }
        if (LibC.INSTANCE.setresuid(uid, uid, uid) != 0) {
            throw new HostCallException("setresuid(" + uid + ") for -run-with user=" + spec, LibC.errno());
        }
        if (uid != 0 && LibC.INSTANCE.getuid() != uid) {
            throw new IllegalStateException("-run-with user=" + spec + ": still uid " + LibC.INSTANCE.getuid());
        }
    }

    private static int id(String text, String spec) {
        try {
            return Integer.parseUnsignedInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("user '" + spec + "': '" + text + "' is not a numeric id");
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
