package io.jvmm.vmm.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The QMP protocol against a fake VM: replies, errors and events in QEMU's shapes. */
class QmpServerTest {
    @TempDir
    Path dir;
    private final FakeVm vm = new FakeVm();
    private QmpServer server;
    private final ObjectMapper json = new ObjectMapper();

    /** Records what QMP asked of it and emits the events a real VM would. */
    final class FakeVm implements VmControl {
        final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        RunState state = RunState.RUNNING;

        @Override public RunState runState() { return state; }
        @Override public void stop() { calls.add("stop"); state = RunState.PAUSED; server.emit("STOP", Map.of()); }
        @Override public void cont() { calls.add("cont"); state = RunState.RUNNING; server.emit("RESUME", Map.of()); }
        @Override public void quit() { calls.add("quit"); }
        @Override public void powerdown() { calls.add("powerdown"); server.emit("POWERDOWN", Map.of()); }
        @Override public void reset() { calls.add("reset"); }
        @Override public List<VcpuInfo> cpus() { return List.of(new VcpuInfo(0, 101), new VcpuInfo(1, 102)); }
    }

    final class Client implements AutoCloseable {
        final SocketChannel channel;
        final BufferedReader in;
        final OutputStream out;

        Client() throws IOException {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(dir.resolve("qmp.sock")));
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            out = Channels.newOutputStream(channel);
        }

        JsonNode read() throws IOException {
            String line = in.readLine();
            assertThat(line).as("a reply").isNotNull();
            return json.readTree(line);
        }

        Client send(String text) throws IOException {
            out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        JsonNode command(String text) throws IOException {
            return send(text).read();
        }

        Client negotiated() throws IOException {
            assertThat(read().has("QMP")).isTrue();
            assertThat(command("{\"execute\":\"qmp_capabilities\"}").toString()).isEqualTo("{\"return\":{}}");
            return this;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        server = QmpServer.start(dir.resolve("qmp.sock"), vm, "jvmm test");
        server.serve();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void greetingThenNegotiationFirst() throws IOException {
        try (Client c = new Client()) {
            JsonNode greeting = c.read();
            assertThat(greeting.at("/QMP/version/qemu/major").asInt()).isEqualTo(8);
            assertThat(greeting.at("/QMP/capabilities").isArray()).isTrue();
            JsonNode early = c.command("{\"execute\":\"query-status\"}");
            assertThat(early.at("/error/class").asText()).isEqualTo("CommandNotFound");
            assertThat(c.command("{\"execute\":\"qmp_capabilities\",\"id\":7}").toString()).isEqualTo("{\"return\":{},\"id\":7}");
        }
    }

    @Test
    void queryStatusUsesQemusFieldsAndStates() throws IOException {
        try (Client c = new Client().negotiated()) {
            JsonNode r = c.command("{\"execute\":\"query-status\"}").get("return");
            assertThat(r.get("status").asText()).isEqualTo("running");
            assertThat(r.get("running").asBoolean()).isTrue();
            // As in QEMU, the STOP event is sent while the command runs, before its reply.
            JsonNode event = c.command("{\"execute\":\"stop\"}");
            assertThat(event.get("event").asText()).isEqualTo("STOP");
            assertThat(event.at("/timestamp/seconds").asLong()).isPositive();
            assertThat(c.read().toString()).isEqualTo("{\"return\":{}}");
            r = c.command("{\"execute\":\"query-status\"}").get("return");
            assertThat(r.get("status").asText()).isEqualTo("paused");
            assertThat(r.get("running").asBoolean()).isFalse();
            c.send("{\"execute\":\"cont\"}");
            List<String> seen = List.of(c.read().toString(), c.read().toString());
            assertThat(seen).anyMatch(s -> s.contains("RESUME")).contains("{\"return\":{}}");
        }
    }

    @Test
    void badInputEarnsErrorsAndTheSessionGoesOn() throws IOException {
        try (Client c = new Client().negotiated()) {
            assertThat(c.command("this is not json").at("/error/class").asText()).isEqualTo("GenericError");
            assertThat(c.command("{\"execute\": \"frobnicate\", \"id\": \"a\"}").toString())
                    .isEqualTo("{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command frobnicate has not been found\"},\"id\":\"a\"}");
            assertThat(c.command("[1,2]").at("/error/desc").asText()).isEqualTo("QMP input must be a JSON object");
            assertThat(c.command("{\"arguments\":{}}").at("/error/desc").asText()).isEqualTo("QMP input lacks member 'execute'");
            assertThat(c.command("{\"execute\":\"stop\",\"arguments\":{\"x\":1}}").at("/error/desc").asText())
                    .isEqualTo("Parameter 'x' is unexpected");
            assertThat(c.command("{\"execute\":\"cont\",\"bogus\":1}").at("/error/class").asText()).isEqualTo("GenericError");
            assertThat(c.command("{\"execute\": 42}").at("/error/class").asText()).isEqualTo("GenericError");
            assertThat(c.command("{\"execute\":\"query-status\"}").at("/return/status").asText()).isEqualTo("running");
        }
        assertThat(vm.calls).isEmpty();
    }

    @Test
    void clientsComeOneAfterAnotherAndLeavingMidCommandHarmsNothing() throws IOException {
        try (Client c = new Client().negotiated()) {
            c.send("{\"execute\": \"query-");
        }
        try (Client c = new Client().negotiated()) {
            JsonNode cpus = c.command("{\"execute\":\"query-cpus-fast\"}").get("return");
            assertThat(cpus).hasSize(2);
            assertThat(cpus.get(1).get("thread-id").asInt()).isEqualTo(102);
            assertThat(cpus.get(0).get("qom-path").asText()).isEqualTo("/machine/unattached/device[0]");
            JsonNode commands = c.command("{\"execute\":\"query-commands\"}").get("return");
            assertThat(commands.findValuesAsText("name")).contains("qmp_capabilities", "query-status", "stop", "cont", "quit",
                    "system_powerdown", "system_reset", "query-version", "query-commands", "query-cpus-fast");
            c.command("{\"execute\":\"system_powerdown\"}");
            c.command("{\"execute\":\"system_reset\"}");
            c.command("{\"execute\":\"quit\"}");
        }
        // quit acts after its reply is sent.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(List.copyOf(vm.calls)).contains("powerdown", "reset", "quit"));
    }
}
