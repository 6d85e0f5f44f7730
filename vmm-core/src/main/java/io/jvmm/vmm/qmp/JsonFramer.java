package io.jvmm.vmm.qmp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a QMP client's byte stream into top-level JSON values, the way QEMU's JSON streamer
 * does: by bracket depth outside strings. Stray text between values is reported as an error
 * at the end of its line, and a value larger than {@link #MAX_VALUE} is dropped with an error,
 * so that no input can make the server hold unbounded memory or stop answering.
 */
final class JsonFramer {
    static final int MAX_VALUE = 1 << 20;
    private static final int MAX_DEPTH = 1024;

    interface Sink {
        void value(String json);

        void error(String description);
    }

    private final Sink sink;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private final ByteArrayOutputStream junk = new ByteArrayOutputStream();
    private int depth;
    private boolean inString, escaped, overflowed;

    JsonFramer(Sink sink) {
        this.sink = sink;
    }

    void feed(byte[] data, int length) {
        for (int i = 0; i < length; i++) {
            feed(data[i]);
        }
    }

    private void feed(byte b) {
        if (depth == 0) {
            if (b == '{' || b == '[') {
                flushJunk();
                depth = 1;
                current.write(b);
            } else if (b == '\n') {
                flushJunk();
            } else if (b != ' ' && b != '\t' && b != '\r') {
                if (junk.size() < 256) {
                    junk.write(b);
                }
            }
            return;
        }
        if (!overflowed) {
            current.write(b);
            if (current.size() > MAX_VALUE) {
                overflowed = true;
                current.reset();
            }
        }
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (b == '\\') {
                escaped = true;
            } else if (b == '"') {
                inString = false;
            }
            return;
        }
        switch (b) {
            case '"' -> inString = true;
            case '{', '[' -> {
                if (++depth > MAX_DEPTH) {
                    overflowed = true;
                    current.reset();
                }
            }
            case '}', ']' -> {
                if (--depth == 0) {
                    if (overflowed) {
                        sink.error("JSON parse error, input too big or too deeply nested");
                    } else {
                        sink.value(current.toString(StandardCharsets.UTF_8));
                    }
                    current.reset();
                    overflowed = false;
                }
            }
            default -> { }
        }
    }

    private void flushJunk() {
        if (junk.size() > 0) {
            sink.error("JSON parse error, invalid keyword '" + junk.toString(StandardCharsets.UTF_8) + "'");
            junk.reset();
        }
    }
}
