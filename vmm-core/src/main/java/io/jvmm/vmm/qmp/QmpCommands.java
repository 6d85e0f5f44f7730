package io.jvmm.vmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The QMP commands jvmm implements, with QEMU's argument checks and return shapes
 * (qapi/run-state.json, qapi/control.json, qapi/machine.json, qapi/misc.json).
 */
final class QmpCommands {
    /** What the session does after sending a command's reply. */
    enum After { NOTHING, QUIT }

    record Result(JsonNode value, After after) {}

    interface Command {
        Result execute(JsonNode arguments) throws QmpError;
    }

    private static final String DEVICE_NOT_ACTIVE = "DeviceNotActive";
    private final ObjectMapper json;
    private final VmControl vm;
    private final String qemuPackage;
    private final int[] qemuVersion;
    private final Map<String, Command> commands = new LinkedHashMap<>();

    QmpCommands(ObjectMapper json, VmControl vm, int[] qemuVersion, String qemuPackage) {
        this.json = json;
        this.vm = vm;
        this.qemuVersion = qemuVersion;
        this.qemuPackage = qemuPackage;
        commands.put("qmp_capabilities", args -> {
            JsonNode enable = args.get("enable");
            // QEMU's own wording for a non-list: an object here has size() but no element 0.
            if (enable != null && !enable.isArray()) {
                throw new QmpError("Invalid parameter type for 'enable', expected: array");
            }
            if (enable != null && enable.size() > 0) {
                throw new QmpError("Capability '" + enable.get(0).asText() + "' not available");
            }
            noOtherArguments(args, "enable");
            return empty();
        });
        commands.put("query-status", args -> {
            noOtherArguments(args);
            RunState s = vm.runState();
            ObjectNode r = json.createObjectNode();
            r.put("status", s.qapiName());
            r.put("singlestep", false);
            r.put("running", s == RunState.RUNNING);
            return new Result(r, After.NOTHING);
        });
        commands.put("stop", args -> {
            noOtherArguments(args);
            vm.stop();
            return empty();
        });
        commands.put("cont", args -> {
            noOtherArguments(args);
            RunState s = vm.runState();
            if (s == RunState.SHUTDOWN || s == RunState.INTERNAL_ERROR) {
                throw new QmpError("Resetting the Virtual Machine is required");
            }
            vm.cont();
            return empty();
        });
        commands.put("quit", args -> {
            noOtherArguments(args);
            return new Result(json.createObjectNode(), After.QUIT);
        });
        commands.put("system_powerdown", args -> {
            noOtherArguments(args);
            vm.powerdown();
            return empty();
        });
        commands.put("system_reset", args -> {
            noOtherArguments(args);
            vm.reset();
            return empty();
        });
        commands.put("query-version", args -> {
            noOtherArguments(args);
            ObjectNode r = json.createObjectNode();
            ObjectNode q = r.putObject("qemu");
            q.put("micro", qemuVersion[2]);
            q.put("minor", qemuVersion[1]);
            q.put("major", qemuVersion[0]);
            r.put("package", qemuPackage);
            return new Result(r, After.NOTHING);
        });
        commands.put("query-commands", args -> {
            noOtherArguments(args);
            ArrayNode r = json.createArrayNode();
            for (String name : commands.keySet()) {
                r.addObject().put("name", name);
            }
            return new Result(r, After.NOTHING);
        });
        commands.put("balloon", args -> {
            noOtherArguments(args, "value");
            JsonNode value = args.get("value");
            if (value == null || !value.canConvertToLong()) {
                throw new QmpError("Parameter 'value' is missing or not an integer");
            }
            if (value.asLong() <= 0) {
                throw new QmpError("Parameter 'target' expects a size");
            }
            if (!vm.balloon(value.asLong())) {
                throw new QmpError(DEVICE_NOT_ACTIVE, "No balloon device has been activated");
            }
            return empty();
        });
        commands.put("query-balloon", args -> {
            noOtherArguments(args);
            long actual = vm.balloonActual();
            if (actual < 0) {
                throw new QmpError(DEVICE_NOT_ACTIVE, "No balloon device has been activated");
            }
            ObjectNode r = json.createObjectNode();
            r.put("actual", actual);
            return new Result(r, After.NOTHING);
        });
        commands.put("query-cpus-fast", args -> {
            noOtherArguments(args);
            ArrayNode r = json.createArrayNode();
            for (VmControl.VcpuInfo cpu : vm.cpus()) {
                ObjectNode c = r.addObject();
                c.put("cpu-index", cpu.index());
                c.put("qom-path", "/machine/unattached/device[" + cpu.index() + "]");
                c.put("thread-id", cpu.threadId());
                ObjectNode props = c.putObject("props");
                props.put("core-id", cpu.index());
                props.put("thread-id", 0);
                props.put("socket-id", 0);
                c.put("target", "x86_64");
            }
            return new Result(r, After.NOTHING);
        });
    }

    boolean exists(String name) {
        return commands.containsKey(name);
    }

    Result execute(String name, JsonNode arguments) throws QmpError {
        Command c = commands.get(name);
        if (c == null) {
            throw new QmpError(QmpError.COMMAND_NOT_FOUND, "The command " + name + " has not been found");
        }
        return c.execute(arguments);
    }

    private Result empty() {
        return new Result(json.createObjectNode(), After.NOTHING);
    }

    private static void noOtherArguments(JsonNode args, String... allowed) throws QmpError {
        for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!java.util.Arrays.asList(allowed).contains(name)) {
                throw new QmpError("Parameter '" + name + "' is unexpected");
            }
        }
    }
}
