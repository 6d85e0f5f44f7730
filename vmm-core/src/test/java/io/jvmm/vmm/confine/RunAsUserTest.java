package io.jvmm.vmm.confine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunAsUserTest {
    @TempDir
    Path dir;

    @Test
    void aNameGetsItsIdsAndGroupsFromPasswdAndGroup() throws Exception {
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\njvmm:x:107:108:jvmm:/:/bin/false\n");
        Path group = Files.writeString(dir.resolve("group"), "root:x:0:\nkvm:x:36:jvmm,other\njvmm:x:108:\nadm:x:4:other\n");
        RunAsUser u = RunAsUser.resolve("jvmm", passwd, group);
        assertThat(u.uid()).isEqualTo(107);
        assertThat(u.gid()).isEqualTo(108);
        assertThat(u.groups()).containsExactly(36);
    }

    @Test
    void uidAndGidNeedNoAccount() {
        RunAsUser u = RunAsUser.resolve("4242:4343", dir.resolve("none"), dir.resolve("none"));
        assertThat(u).isEqualTo(new RunAsUser("4242:4343", 4242, 4343, List.of()));
    }

    @Test
    void anUnknownUserIsAClearError() throws Exception {
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        assertThatThrownBy(() -> RunAsUser.resolve("nobody-here", passwd, passwd))
                .hasMessageContaining("user 'nobody-here' does not exist").hasMessageContaining("UID:GID");
    }
}
