package io.jvmm.vmm.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonFramerTest {
    private final List<String> values = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final JsonFramer framer = new JsonFramer(new JsonFramer.Sink() {
        @Override public void value(String json) { values.add(json); }
        @Override public void error(String description) { errors.add(description); }
    });

    private void feed(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        framer.feed(b, b.length);
    }

    @Test
    void splitsValuesAcrossAndWithinReads() {
        feed("{\"a\": \"}{\\\"\"} {\"b\"");
        feed(": [1, {\"c\": 2}]}\n");
        assertThat(values).containsExactly("{\"a\": \"}{\\\"\"}", "{\"b\": [1, {\"c\": 2}]}");
        assertThat(errors).isEmpty();
    }

    @Test
    void strayTextIsAnErrorAtItsLineEnd() {
        feed("garbage\n{\"x\":1}");
        assertThat(errors).hasSize(1);
        assertThat(values).containsExactly("{\"x\":1}");
    }

    @Test
    void hugeValuesAreDroppedNotHeld() {
        feed("{\"x\":\"" + "a".repeat(JsonFramer.MAX_VALUE + 10) + "\"}");
        assertThat(values).isEmpty();
        assertThat(errors).hasSize(1);
        feed("{}");
        assertThat(values).containsExactly("{}");
    }
}
