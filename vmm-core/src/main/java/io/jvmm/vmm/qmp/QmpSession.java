package io.jvmm.vmm.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * One client's QMP conversation (docs/interop/qmp-spec.rst): the greeting, capabilities
 * negotiation, then commands and asynchronous events. Nothing a client sends, however broken,
 * does more than earn it an error reply; a client that goes away just ends the session.
 */
final class QmpSession implements JsonFramer.Sink {
    private static final Set<String> REQUEST_MEMBERS = Set.of("execute", "arguments", "id");

    private final SocketChannel channel;
    private final ObjectMapper json;
    private final QmpCommands commands;
    private final Runnable quit;
    private volatile boolean commandMode;
    private volatile boolean open = true;

    QmpSession(SocketChannel channel, ObjectMapper json, QmpCommands commands, Runnable quit) {
        this.channel = channel;
        this.json = json;
        this.commands = commands;
        this.quit = quit;
    }

    void serve(ObjectNode greeting) {
        send(greeting);
        JsonFramer framer = new JsonFramer(this);
        ByteBuffer buf = ByteBuffer.allocate(4096);
        try {
            while (open) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    break;
                }
                framer.feed(buf.array(), n);
            }
        } catch (IOException e) {
            // The client went away mid-read: the session ends, the VM does not notice.
        } finally {
            open = false;
            try {
                channel.close();
            } catch (IOException e) {
                // Already gone.
            }
        }
    }

    /** Events go only to clients that finished negotiation, as in QEMU. */
    void event(String name, Map<String, Object> data) {
        if (!commandMode) {
            return;
        }
        ObjectNode e = json.createObjectNode();
        e.put("event", name);
        if (!data.isEmpty()) {
            e.set("data", json.valueToTree(data));
        }
        Instant now = Instant.now();
        ObjectNode ts = e.putObject("timestamp");
        ts.put("seconds", now.getEpochSecond());
        ts.put("microseconds", now.getNano() / 1000);
        send(e);
    }

    @Override
    public void value(String text) {
        JsonNode request;
        try {
            request = json.readTree(text);
        } catch (JsonProcessingException e) {
            sendError(null, new QmpError("JSON parse error, " + e.getOriginalMessage()));
            return;
        }
        JsonNode id = request.isObject() ? request.get("id") : null;
        try {
            QmpCommands.Result result = dispatch(request);
            ObjectNode reply = json.createObjectNode();
            reply.set("return", result.value());
            if (id != null) {
                reply.set("id", id);
            }
            send(reply);
            if (result.after() == QmpCommands.After.QUIT) {
                quit.run();
            }
        } catch (QmpError e) {
            sendError(id, e);
        } catch (RuntimeException e) {
            // A bug in a command must not take the monitor down with it.
            sendError(id, new QmpError("internal error: " + e));
        }
    }

    @Override
    public void error(String description) {
        sendError(null, new QmpError(description));
    }

    private QmpCommands.Result dispatch(JsonNode request) throws QmpError {
        if (!request.isObject()) {
            throw new QmpError("QMP input must be a JSON object");
        }
        for (Iterator<String> it = request.fieldNames(); it.hasNext(); ) {
            String member = it.next();
            if (!REQUEST_MEMBERS.contains(member)) {
                throw new QmpError("QMP input member '" + member + "' is unexpected");
            }
        }
        JsonNode execute = request.get("execute");
        if (execute == null) {
            throw new QmpError("QMP input lacks member 'execute'");
        }
        if (!execute.isTextual()) {
            throw new QmpError("QMP input member 'execute' must be a string");
        }
        JsonNode arguments = request.get("arguments");
        if (arguments == null) {
            arguments = json.createObjectNode();
        } else if (!arguments.isObject()) {
            throw new QmpError("QMP input member 'arguments' must be an object");
        }
        String name = execute.asText();
        boolean negotiation = name.equals("qmp_capabilities");
        if (!commandMode && !negotiation) {
            throw new QmpError(QmpError.COMMAND_NOT_FOUND, "Expecting capabilities negotiation with 'qmp_capabilities'");
        }
        if (commandMode && negotiation) {
            throw new QmpError(QmpError.COMMAND_NOT_FOUND, "Capabilities negotiation is already complete, command ignored");
        }
        QmpCommands.Result result = commands.execute(name, arguments);
        if (negotiation) {
            commandMode = true;
        }
        return result;
    }

    private void sendError(JsonNode id, QmpError e) {
        ObjectNode reply = json.createObjectNode();
        ObjectNode error = reply.putObject("error");
        error.put("class", e.errorClass());
        error.put("desc", e.getMessage());
        if (id != null) {
            reply.set("id", id);
        }
        send(reply);
    }

    private synchronized void send(JsonNode message) {
        if (!open) {
            return;
        }
        try {
            ByteBuffer out = ByteBuffer.wrap((json.writeValueAsString(message) + "\r\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
        } catch (IOException e) {
            open = false; // the client left; its session ends when its read fails
        }
    }
}
