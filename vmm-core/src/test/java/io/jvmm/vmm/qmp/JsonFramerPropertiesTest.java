package io.jvmm.vmm.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * A QMP client's bytes, as a broken or hostile client may send them: any bytes, cut anywhere
 * between reads. The framer never throws, holds at most one value's worth of bytes, frames the
 * same whatever the cuts, and hands well-formed values on exactly as they were sent.
 */
class JsonFramerPropertiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a sink heard, in order: values and errors alike. */
    private static final class Heard implements JsonFramer.Sink {
        final List<String> events = new ArrayList<>();

        @Override
        public void value(String json) {
            assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(3 * JsonFramer.MAX_VALUE);
            events.add("value " + json);
        }

        @Override
        public void error(String description) {
            events.add("error " + description);
        }
    }

    @Property(tries = 2000)
    void anyBytesCutAnywhereFrameTheSameAndStayBounded(@ForAll("streams") byte[] stream,
                                                       @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 400) Integer> cuts) {
        Heard whole = new Heard(), pieces = new Heard();
        JsonFramer all = new JsonFramer(whole);
        all.feed(stream, stream.length);
        JsonFramer cut = new JsonFramer(pieces);
        int at = 0;
        for (int c : cuts) {
            int n = Math.min(c, stream.length - at);
            byte[] piece = Arrays.copyOfRange(stream, at, at + n);
            cut.feed(piece, n);
            at += n;
            assertBounded(cut);
        }
        cut.feed(Arrays.copyOfRange(stream, at, stream.length), stream.length - at);
        assertBounded(all);
        assertBounded(cut);
        assertThat(pieces.events).isEqualTo(whole.events);
    }

    @Property(tries = 1000)
    void wellFormedRequestsComeOutAsSent(@ForAll("requests") List<Map<String, Object>> requests,
                                         @ForAll("whitespace") String between) throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<String> sent = new ArrayList<>();
        for (Map<String, Object> r : requests) {
            String text = JSON.writeValueAsString(r);
            sent.add("value " + text);
            stream.write(text.getBytes(StandardCharsets.UTF_8));
            stream.write(between.getBytes(StandardCharsets.UTF_8));
        }
        Heard heard = new Heard();
        byte[] bytes = stream.toByteArray();
        new JsonFramer(heard).feed(bytes, bytes.length);
        assertThat(heard.events).isEqualTo(sent);
    }

    /** Nesting far past the depth limit, then a huge string: both dropped with one error each, neither held. */
    @Example
    void deepAndHugeValuesAreDroppedNotHeld() throws Exception {
        Heard heard = new Heard();
        JsonFramer framer = new JsonFramer(heard);
        byte[] open = "[".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        framer.feed(open, open.length);
        assertBounded(framer);
        byte[] close = "]".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        framer.feed(close, close.length);
        byte[] huge = ("{\"s\":\"" + "x".repeat(3 * JsonFramer.MAX_VALUE) + "\"}").getBytes(StandardCharsets.US_ASCII);
        for (int at = 0; at < huge.length; at += 4096) {
            byte[] piece = Arrays.copyOfRange(huge, at, Math.min(huge.length, at + 4096));
            framer.feed(piece, piece.length);
            assertBounded(framer);
        }
        assertThat(heard.events).hasSize(2).allMatch(e -> e.startsWith("error "));
    }

    private static void assertBounded(JsonFramer framer) {
        assertThat(held(framer, "current")).as("bytes of the value being framed").isLessThanOrEqualTo(JsonFramer.MAX_VALUE);
        assertThat(held(framer, "junk")).as("bytes of stray text").isLessThanOrEqualTo(256);
    }

    private static int held(JsonFramer framer, String buffer) {
        try {
            Field f = JsonFramer.class.getDeclaredField(buffer);
            f.setAccessible(true);
            return ((ByteArrayOutputStream) f.get(framer)).size();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Bytes rich in what the framer looks at: brackets, quotes, escapes, newlines; and any byte. */
    @Provide
    Arbitrary<byte[]> streams() {
        Arbitrary<Byte> structural = Arbitraries.of((byte) '{', (byte) '}', (byte) '[', (byte) ']', (byte) '"', (byte) '\\',
                (byte) '\n', (byte) ' ', (byte) ',', (byte) ':', (byte) 'a', (byte) 0, (byte) 0xff, (byte) 0xc3);
        return Arbitraries.frequencyOf(Tuple.of(3, structural), Tuple.of(1, Arbitraries.bytes()))
                .list().ofMaxSize(2000)
                .map(list -> {
                    byte[] b = new byte[list.size()];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = list.get(i);
                    }
                    return b;
                });
    }

    @Provide
    Arbitrary<List<Map<String, Object>>> requests() {
        Arbitrary<String> text = Arbitraries.strings().withChars("{}[]\"\\\n\t :,ab\u00e9\u20ac").ofMaxLength(30);
        Arbitrary<Map<String, Object>> arguments = Arbitraries.maps(text, text.map(s -> (Object) s)).ofMaxSize(3);
        return arguments.flatMap(args -> text.map(name -> Map.<String, Object>of("execute", name, "arguments", args)))
                .list().ofMaxSize(10);
    }

    @Provide
    Arbitrary<String> whitespace() {
        return Arbitraries.of("", " ", "\n", "\r\n", "\t \n");
    }
}
