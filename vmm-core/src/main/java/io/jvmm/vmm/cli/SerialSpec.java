package io.jvmm.vmm.cli;

import java.nio.file.Path;

/** Where COM1 goes: -serial stdio | pty | none | file:PATH | unix:PATH,server,nowait. */
public record SerialSpec(Kind kind, Path path) {
    public enum Kind { STDIO, PTY, NONE, FILE, UNIX_SERVER }

    public static SerialSpec of(Kind kind) {
        return new SerialSpec(kind, null);
    }
}
