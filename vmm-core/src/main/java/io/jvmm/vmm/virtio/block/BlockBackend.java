package io.jvmm.vmm.virtio.block;

import io.jvmm.vmm.host.HostFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A raw disk image (-drive file=...,format=raw): opened once when the VMM starts, so that a
 * missing or unwritable file is refused then, and kept across guest reboots.
 */
public final class BlockBackend implements AutoCloseable {
    private final String id;
    private final Path file;
    private final FileChannel channel;
    private final boolean readOnly;
    private final long iops;

    private BlockBackend(String id, Path file, FileChannel channel, boolean readOnly, long iops) {
        this.id = id;
        this.file = file;
        this.channel = channel;
        this.readOnly = readOnly;
        this.iops = iops;
    }

    public static BlockBackend open(String id, Path file, boolean readOnly, long iops) throws IOException {
        FileChannel ch = readOnly ? HostFiles.forThisProcess().openForReading(file)
                : HostFiles.forThisProcess().openForWriting(file);
        return new BlockBackend(id, file, ch, readOnly, iops);
    }

    public String id() {
        return id;
    }

    public Path file() {
        return file;
    }

    public FileChannel channel() {
        return channel;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** The total IOPS limit, or 0 for none. */
    public long iops() {
        return iops;
    }

    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
