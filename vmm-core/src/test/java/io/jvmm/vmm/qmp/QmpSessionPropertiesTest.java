package io.jvmm.vmm.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * What a QMP client sends once framed, garbled or not: any JSON text, requests with unknown or
 * mistyped members, commands with arguments of any shape. Each value earns exactly one reply,
 * a return or an error, and no error is one of the session's "internal error" replies, which
 * would mean a command threw where it should have refused.
 */
class QmpSessionPropertiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COMMANDS = List.of("qmp_capabilities", "query-status", "stop", "cont", "quit",
            "system_powerdown", "system_reset", "query-version", "query-commands", "balloon", "query-balloon", "query-cpus-fast");
    private static final Connection CONNECTION = new Connection();

    /** A connected pair of Unix sockets: the session writes to one, the test reads the other. */
    private static final class Connection {
        final Path dir;
        final SocketChannel server, client;

        Connection() {
            try {
                dir = Files.createTempDirectory("qmp-properties");
                Path socket = dir.resolve("qmp.sock");
                try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    listener.bind(UnixDomainSocketAddress.of(socket));
                    client = SocketChannel.open(StandardProtocolFamily.UNIX);
                    client.connect(UnixDomainSocketAddress.of(socket));
                    server = listener.accept();
                }
                Files.delete(socket);
                client.configureBlocking(false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Every reply line the session has written so far. */
        List<String> replies() throws IOException {
            StringBuilder text = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (client.read(buf) > 0) {
                text.append(StandardCharsets.UTF_8.decode(buf.flip()));
                buf.clear();
            }
            List<String> lines = new ArrayList<>();
            for (String line : text.toString().split("\r\n")) {
                if (!line.isEmpty()) {
                    lines.add(line);
                }
            }
            return lines;
        }
    }

    private static final class QuietVm implements VmControl {
        RunState state = RunState.RUNNING;

        @Override public RunState runState() { return state; }
        @Override public void stop() { state = RunState.PAUSED; }
        @Override public void cont() { state = RunState.RUNNING; }
        @Override public void quit() { }
        @Override public void powerdown() { }
        @Override public void reset() { }
        @Override public List<VcpuInfo> cpus() { return List.of(new VcpuInfo(0, 100)); }
        @Override public boolean balloon(long bytes) { return true; }
        @Override public long balloonActual() { return 1 << 30; }
    }

    @AfterContainer
    static void release() throws IOException {
        CONNECTION.client.close();
        CONNECTION.server.close();
        Files.delete(CONNECTION.dir);
    }

    @Property(tries = 1000)
    void everyValueEarnsOneReplyAndNoneIsAnInternalError(@ForAll("conversations") List<String> values) throws IOException {
        QmpSession session = new QmpSession(CONNECTION.server, JSON, new QmpCommands(JSON, new QuietVm(), new int[] {8, 2, 0}, ""),
                () -> { });
        CONNECTION.replies();
        for (String value : values) {
            session.value(value);
            List<String> replies = CONNECTION.replies();
            assertThat(replies).as("replies to %s", value).hasSize(1);
            JsonNode reply = JSON.readTree(replies.get(0));
            assertThat(reply.has("return") != reply.has("error")).as("a return or an error: %s", reply).isTrue();
            if (reply.has("error")) {
                assertThat(reply.path("error").path("desc").asText()).as("reply to %s", value).doesNotStartWith("internal error");
            }
        }
    }

    /** Found by the property above: an "enable" that is an object, not a list, threw a NullPointerException. */
    @Example
    void capabilitiesToEnableThatAreNotAListAreRefused() throws IOException {
        QmpSession session = new QmpSession(CONNECTION.server, JSON, new QmpCommands(JSON, new QuietVm(), new int[] {8, 2, 0}, ""),
                () -> { });
        CONNECTION.replies();
        session.value("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":{\"oob\":true}}}");
        JsonNode reply = JSON.readTree(CONNECTION.replies().get(0));
        assertThat(reply.path("error").path("desc").asText()).doesNotStartWith("internal error").contains("enable");
    }

    /** A conversation: mostly requests shaped like QMP's, some with members of the wrong type, some not JSON at all. */
    @Provide
    Arbitrary<List<String>> conversations() {
        Arbitrary<String> request = Arbitraries.frequencyOf(
                Tuple.of(6, requests()),
                Tuple.of(1, jsonValues(2).map(JsonNode::toString)),
                Tuple.of(1, Arbitraries.strings().withChars("{}[]\":,01truefalsn \\").ofMaxLength(40).map(s -> "{" + s + "}")));
        return request.list().ofMinSize(1).ofMaxSize(8);
    }

    private Arbitrary<String> requests() {
        Arbitrary<JsonNode> execute = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of(COMMANDS).map(JSON::valueToTree)),
                Tuple.of(1, jsonValues(1)));
        Arbitrary<JsonNode> arguments = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(JSON.missingNode())),
                Tuple.of(4, Arbitraries.maps(Arbitraries.of("enable", "value", "id", "x", ""), jsonValues(2)).ofMaxSize(2)
                        .map(JSON::valueToTree)),
                Tuple.of(1, jsonValues(2)));
        Arbitrary<JsonNode> id = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(JSON.missingNode())), Tuple.of(1, jsonValues(1)));
        Arbitrary<String> extra = Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just("")), Tuple.of(1, Arbitraries.of("bogus", "exec")));
        return net.jqwik.api.Combinators.combine(execute, arguments, id, extra).as((e, a, i, x) -> {
            var r = JSON.createObjectNode();
            r.set("execute", e);
            if (!a.isMissingNode()) {
                r.set("arguments", a);
            }
            if (!i.isMissingNode()) {
                r.set("id", i);
            }
            if (!x.isEmpty()) {
                r.put(x, 1);
            }
            return r.toString();
        });
    }

    /** Any JSON value, nested up to {@code depth}. */
    private static Arbitrary<JsonNode> jsonValues(int depth) {
        Arbitrary<JsonNode> scalar = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8).map(JSON::valueToTree),
                Arbitraries.longs().map(JSON::valueToTree),
                Arbitraries.doubles().map(JSON::valueToTree),
                Arbitraries.of(true, false).map(JSON::valueToTree),
                Arbitraries.just(JSON.nullNode()));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<JsonNode> inner = jsonValues(depth - 1);
        return Arbitraries.frequencyOf(
                Tuple.of(3, scalar),
                Tuple.of(1, inner.list().ofMaxSize(3).map(JSON::valueToTree)),
                Tuple.of(1, Arbitraries.maps(Arbitraries.strings().ofMaxLength(5), inner).ofMaxSize(3).map(JSON::valueToTree)));
    }
}
