package io.jvmm.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {
    private static VmConfig parse(String... args) throws OptionException {
        return CommandLine.parse(List.of(args));
    }

    @Test
    void qemuStyleCommandLine() throws OptionException {
        VmConfig c = parse("-machine", "q35,accel=kvm,usb=off,dump-guest-core=off", "-accel", "kvm",
                "-m", "2G", "-smp", "4,sockets=1,cores=4,threads=1", "-kernel", "/k", "-initrd", "/i",
                "-append", "console=ttyS0 quiet", "-serial", "unix:/tmp/s.sock,server=on,wait=off",
                "-qmp", "unix:/tmp/q.sock,server,nowait", "-name", "guest=vm1,debug-threads=on",
                "-pidfile", "/tmp/p", "-nodefaults", "-no-user-config", "-nographic", "-no-reboot");
        assertThat(c.memoryBytes()).isEqualTo(2L << 30);
        assertThat(c.cpus()).isEqualTo(4);
        assertThat(c.kernel()).isEqualTo(Path.of("/k"));
        assertThat(c.initrd()).isEqualTo(Path.of("/i"));
        assertThat(c.append()).isEqualTo("console=ttyS0 quiet");
        assertThat(c.serial()).isEqualTo(new SerialSpec(SerialSpec.Kind.UNIX_SERVER, Path.of("/tmp/s.sock")));
        assertThat(c.qmpSocket()).isEqualTo(Path.of("/tmp/q.sock"));
        assertThat(c.name()).isEqualTo("vm1");
        assertThat(c.noReboot()).isTrue();
    }

    @Test
    void theSystemCallFilterIsOnUnlessSandboxOff() throws OptionException {
        assertThat(parse("-kernel", "/k").seccomp()).isTrue();
        assertThat(parse("-kernel", "/k", "-sandbox", "on").seccomp()).isTrue();
        assertThat(parse("-kernel", "/k", "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny")
                .seccomp()).isTrue();
        assertThat(parse("-kernel", "/k", "-sandbox", "off").seccomp()).isFalse();
        assertThatThrownBy(() -> parse("-kernel", "/k", "-sandbox", "on,spawn=allow"))
                .hasMessageContaining("-sandbox: spawn=allow is not supported: jvmm's filter always denies it");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-sandbox", "maybe")).hasMessageContaining("-sandbox: use on or off");
    }

    @Test
    void theUserToRunAsIsQemusRunWithOrRunas() throws OptionException {
        assertThat(parse("-kernel", "/k").runAs()).isNull();
        assertThat(parse("-kernel", "/k", "-run-with", "user=jvmm").runAs()).isEqualTo("jvmm");
        assertThat(parse("-kernel", "/k", "-runas", "107:107").runAs()).isEqualTo("107:107");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-run-with", "user=a", "-runas", "b")).hasMessageContaining("twice");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-run-with", "chroot=/x")).hasMessageContaining("chroot");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-runas", "")).hasMessageContaining("missing user");
    }

    @Test
    void cpuModelIsTheHosts() throws OptionException {
        parse("-kernel", "/k", "-cpu", "host");
        parse("-kernel", "/k", "-cpu", "max,migratable=off");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-cpu", "qemu64")).hasMessageContaining("-cpu: CPU model 'qemu64'");
    }

    @Test
    void defaultsFollowQemu() throws OptionException {
        VmConfig c = parse("-kernel", "/k");
        assertThat(c.memoryBytes()).isEqualTo(128L << 20);
        assertThat(c.cpus()).isEqualTo(1);
        assertThat(c.serial().kind()).isEqualTo(SerialSpec.Kind.STDIO);
        assertThat(parse("-kernel", "/k", "-nodefaults").serial().kind()).isEqualTo(SerialSpec.Kind.NONE);
    }

    @Test
    void memorySizes() throws OptionException {
        assertThat(parse("-kernel", "/k", "-m", "256").memoryBytes()).isEqualTo(256L << 20);
        assertThat(parse("-kernel", "/k", "-m", "256M").memoryBytes()).isEqualTo(256L << 20);
        assertThat(parse("-kernel", "/k", "-m", "1.5G").memoryBytes()).isEqualTo(1536L << 20);
        assertThat(parse("-kernel", "/k", "-m", "size=512m").memoryBytes()).isEqualTo(512L << 20);
        assertThatThrownBy(() -> parse("-kernel", "/k", "-m", "1000K")).hasMessageContaining("whole number of MiB");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-m", "1G,maxmem=4G")).hasMessageContaining("unsupported property 'maxmem'");
    }

    @Test
    void smpForms() throws OptionException {
        assertThat(parse("-kernel", "/k", "-smp", "8").cpus()).isEqualTo(8);
        assertThat(parse("-kernel", "/k", "-smp", "cpus=2").cpus()).isEqualTo(2);
        assertThat(parse("-kernel", "/k", "-smp", "sockets=2,cores=2").cpus()).isEqualTo(4);
        assertThatThrownBy(() -> parse("-kernel", "/k", "-smp", "2,maxcpus=4")).hasMessageContaining("maxcpus");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-smp", "4,cores=2")).hasMessageContaining("does not match");
    }

    @Test
    void serialBackends() throws OptionException {
        assertThat(parse("-kernel", "/k", "-serial", "pty").serial().kind()).isEqualTo(SerialSpec.Kind.PTY);
        assertThat(parse("-kernel", "/k", "-serial", "file:/tmp/c.log").serial())
                .isEqualTo(new SerialSpec(SerialSpec.Kind.FILE, Path.of("/tmp/c.log")));
        assertThatThrownBy(() -> parse("-kernel", "/k", "-serial", "vc")).hasMessageContaining("-serial: unsupported backend 'vc'");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-serial", "stdio", "-serial", "pty")).hasMessageContaining("given twice");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-serial", "unix:/s,server")).hasMessageContaining("nowait");
    }

    @Test
    void refusals() {
        assertThatThrownBy(() -> parse("-kernel", "/k", "-vga", "std")).hasMessage("-vga: invalid option");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-accel", "tcg")).hasMessageContaining("unsupported accelerator 'tcg'");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-machine", "q35,smm=on")).hasMessageContaining("smm=on");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-machine", "q35,nosuch=1")).hasMessageContaining("unsupported property 'nosuch'");
        assertThatThrownBy(() -> parse("-m", "1G")).hasMessageContaining("-kernel: missing");
        assertThatThrownBy(() -> parse("-kernel", "/k", "vmlinuz")).hasMessageContaining("unexpected argument");
        assertThatThrownBy(() -> parse("-kernel", "/k", "-daemonize")).hasMessageContaining("-daemonize");
    }
}
