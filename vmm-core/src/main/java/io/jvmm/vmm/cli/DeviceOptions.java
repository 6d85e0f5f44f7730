package io.jvmm.vmm.cli;

import io.jvmm.vmm.cli.DeviceSpec.Chardev;
import io.jvmm.vmm.cli.DeviceSpec.Drive;
import io.jvmm.vmm.cli.DeviceSpec.PciPlacement;
import io.jvmm.vmm.cli.DeviceSpec.Tap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * -device, -drive, -netdev, -chardev and -object, in QEMU's syntax as libvirt writes it for
 * StratoVirt and QEMU. Each option is checked as it comes; references between them (a device's
 * drive, bus, chardev...) and PCI addresses are checked once all are read, and every problem
 * names the option and the property.
 */
final class DeviceOptions {
    static final String ROOT_BUS = "pcie.0";
    private static final int MAX_SLOT = 31;

    private final Map<String, Drive> drives = new LinkedHashMap<>();
    private final Map<String, Tap> netdevs = new LinkedHashMap<>();
    private final Map<String, Chardev> chardevs = new LinkedHashMap<>();
    private final Map<String, Path> rngSources = new LinkedHashMap<>();
    private final Set<String> iothreads = new HashSet<>();
    private final Set<String> ids = new HashSet<>();
    private final List<Pending> devices = new ArrayList<>();

    /** A -device read but not yet resolved. */
    private record Pending(String option, String driver, OptionValue value) {}

    void drive(String option, String text) throws OptionException {
        OptionValue v = OptionValue.parse(option, text, null);
        String iface = v.take("if");
        if ("pflash".equals(iface)) {
            throw new OptionException(option, "if=pflash: UEFI firmware from pflash is not supported yet; boot a kernel with -kernel");
        }
        if (iface != null && !iface.equals("none")) {
            throw new OptionException(option, "if=" + iface + " is not supported; use if=none with -device virtio-blk-pci");
        }
        String id = requireId(option, v.take("id"));
        String file = v.take("file");
        if (file == null || file.isEmpty()) {
            throw new OptionException(option, "missing file=PATH for drive '" + id + "'");
        }
        String format = v.take("format");
        if (format != null && !format.equals("raw")) {
            throw new OptionException(option, "format=" + format + " is not supported; jvmm serves raw images only");
        }
        boolean readOnly = v.takeBoolean("readonly", false);
        String iops = v.take("iops");
        if (iops == null) {
            iops = v.take("throttling.iops-total");
        }
        long limit = iops == null ? 0 : positive(option, "iops", iops);
        v.take("cache");
        v.take("aio");
        v.take("discard");
        v.take("media");
        v.requireAllTaken();
        if (drives.putIfAbsent(id, new Drive(id, CommandLine.path(option, file), readOnly, limit)) != null) {
            throw new OptionException(option, "drive id '" + id + "' is given twice");
        }
    }

    void netdev(String option, String text) throws OptionException {
        OptionValue v = OptionValue.parse(option, text, "type");
        if (!"tap".equals(v.implied())) {
            throw new OptionException(option, "netdev type '" + v.implied() + "' is not supported; use tap");
        }
        String id = requireId(option, v.take("id"));
        String ifname = v.take("ifname");
        if (ifname == null || ifname.isEmpty() || ifname.length() > 15) {
            throw new OptionException(option, "tap '" + id + "' needs ifname=NAME (at most 15 characters)");
        }
        for (String script : new String[] {"script", "downscript"}) {
            String s = v.take(script);
            if (s != null && !s.equals("no")) {
                throw new OptionException(option, script + "=" + s + ": jvmm runs no scripts; set up the tap beforehand and pass " + script + "=no");
            }
        }
        boolean vhost = v.takeBoolean("vhost", false);
        String queues = v.take("queues");
        if (queues != null && !queues.equals("1")) {
            throw new OptionException(option, "queues=" + queues + ": jvmm's virtio-net has one queue pair");
        }
        v.requireAllTaken();
        if (netdevs.putIfAbsent(id, new Tap(id, ifname, vhost)) != null) {
            throw new OptionException(option, "netdev id '" + id + "' is given twice");
        }
    }

    void chardev(String option, String text) throws OptionException {
        OptionValue v = OptionValue.parse(option, text, "backend");
        String id = requireId(option, v.take("id"));
        Chardev c = switch (v.implied() == null ? "" : v.implied()) {
            case "pty" -> new Chardev(id, Chardev.Kind.PTY, null);
            case "null" -> new Chardev(id, Chardev.Kind.NULL, null);
            case "stdio" -> new Chardev(id, Chardev.Kind.STDIO, null);
            case "file" -> new Chardev(id, Chardev.Kind.FILE, CommandLine.path(option, required(option, v, "path")));
            case "socket" -> {
                Path path = CommandLine.path(option, required(option, v, "path"));
                if (!v.takeBoolean("server", false) || v.takeBoolean("wait", true)) {
                    throw new OptionException(option, "socket chardev '" + id + "' must listen without waiting: add server=on,wait=off");
                }
                yield new Chardev(id, Chardev.Kind.SOCKET, path);
            }
            default -> throw new OptionException(option, "backend '" + v.implied() + "' is not supported; use pty, socket, file, stdio or null");
        };
        v.take("logfile");
        v.requireAllTaken();
        if (chardevs.putIfAbsent(id, c) != null) {
            throw new OptionException(option, "chardev id '" + id + "' is given twice");
        }
    }

    void object(String option, String text) throws OptionException {
        OptionValue v = OptionValue.parse(option, text, "qom-type");
        String id = requireId(option, v.take("id"));
        switch (v.implied() == null ? "" : v.implied()) {
            case "iothread" -> {
                v.take("poll-max-ns");
                if (!iothreads.add(id)) {
                    throw new OptionException(option, "iothread id '" + id + "' is given twice");
                }
            }
            case "rng-random" -> {
                if (rngSources.putIfAbsent(id, CommandLine.path(option, required(option, v, "filename"))) != null) {
                    throw new OptionException(option, "rng id '" + id + "' is given twice");
                }
            }
            default -> throw new OptionException(option, "object type '" + v.implied() + "' is not supported; use iothread or rng-random");
        }
        v.requireAllTaken();
    }

    void device(String option, String text) throws OptionException {
        OptionValue v = OptionValue.parse(option, text, "driver");
        String driver = v.implied();
        if (driver == null) {
            throw new OptionException(option, "missing device type, like virtio-blk-pci");
        }
        devices.add(new Pending(option + " " + driver, driver, v));
    }

    /** Resolves references and places every device; returns them in command-line order. */
    List<DeviceSpec> resolve() throws OptionException {
        Map<String, DeviceSpec.RootPort> ports = new LinkedHashMap<>();
        List<DeviceSpec> out = new ArrayList<>();
        Map<String, Integer> serials = new HashMap<>();
        Set<String> usedDrives = new HashSet<>(), usedNetdevs = new HashSet<>(), usedChardevs = new HashSet<>();
        for (Pending p : devices) {
            OptionValue v = p.value;
            String id = v.take("id");
            if (id != null && !ids.add(id)) {
                throw new OptionException(p.option, "device id '" + id + "' is given twice");
            }
            v.take("bootindex");
            if (p.driver.equals("virtconsole")) {
                out = attachConsole(p, v, id, out, serials, usedChardevs);
                continue;
            }
            String name = id != null ? id : p.driver + out.size();
            PciPlacement at = placement(p.option, v, ports, out);
            DeviceSpec d = switch (p.driver) {
                case "pcie-root-port" -> {
                    if (id == null) {
                        throw new OptionException(p.option, "needs id=pcie.N, the bus name its device will give");
                    }
                    if (!at.bus().equals(ROOT_BUS)) {
                        throw new OptionException(p.option, "bus=" + at.bus() + ": root ports plug into " + ROOT_BUS);
                    }
                    int port = (int) number(p.option, "port", v.take("port"), 0, 255, at.slot());
                    number(p.option, "chassis", v.take("chassis"), 0, 255, 0);
                    number(p.option, "slot", v.take("slot"), 0, 8191, 0);
                    v.takeBoolean("multifunction", false);
                    DeviceSpec.RootPort rp = new DeviceSpec.RootPort(id, at, port);
                    ports.put(id, rp);
                    yield rp;
                }
                case "virtio-blk-pci" -> {
                    Drive drive = reference(p.option, "drive", v.take("drive"), drives, usedDrives);
                    String iothread = v.take("iothread");
                    if (iothread != null && !iothreads.contains(iothread)) {
                        throw new OptionException(p.option, "iothread=" + iothread + ": no -object iothread,id=" + iothread);
                    }
                    v.take("serial");
                    v.take("num-queues");
                    v.takeBoolean("scsi", false);
                    yield new DeviceSpec.Block(name, at, drive, iothread);
                }
                case "virtio-net-pci" -> {
                    Tap tap = reference(p.option, "netdev", v.take("netdev"), netdevs, usedNetdevs);
                    yield new DeviceSpec.Net(name, at, tap, mac(p.option, v.take("mac"), out.size()));
                }
                case "virtio-serial-pci" -> {
                    number(p.option, "max_ports", v.take("max_ports"), 1, 31, 1);
                    serials.put(name, out.size());
                    yield new DeviceSpec.Serial(name, at, null);
                }
                case "virtio-rng-pci" -> {
                    String rng = v.take("rng");
                    Path source = rng == null ? Path.of("/dev/urandom") : rngSources.get(rng);
                    if (source == null) {
                        throw new OptionException(p.option, "rng=" + rng + ": no -object rng-random,id=" + rng);
                    }
                    long period = number(p.option, "period", v.take("period"), 1, Integer.MAX_VALUE, 1000);
                    long maxBytes = number(p.option, "max-bytes", v.take("max-bytes"), 1, Long.MAX_VALUE, 0);
                    yield new DeviceSpec.Rng(name, at, source, maxBytes, period);
                }
                case "virtio-balloon-pci" -> new DeviceSpec.Balloon(name, at, v.takeBoolean("deflate-on-oom", false));
                case "vhost-vsock-pci" -> {
                    String cid = v.take("guest-cid");
                    if (cid == null) {
                        throw new OptionException(p.option, "needs guest-cid=N (3 or more)");
                    }
                    yield new DeviceSpec.Vsock(name, at, number(p.option, "guest-cid", cid, 3, 0xffff_fffeL, 0));
                }
                case "vfio-pci" -> throw new OptionException(p.option, "PCI passthrough (vfio-pci) is not supported yet");
                default -> throw new OptionException(p.option, "device type '" + p.driver + "' is not supported; jvmm has pcie-root-port, "
                        + "virtio-blk-pci, virtio-net-pci, virtio-serial-pci, virtconsole, virtio-rng-pci, virtio-balloon-pci, vhost-vsock-pci");
            };
            try {
                v.requireAllTaken();
            } catch (OptionException e) {
                throw new OptionException(p.option, e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
            }
            out.add(d);
        }
        for (String drive : drives.keySet()) {
            if (!usedDrives.contains(drive)) {
                throw new OptionException("-drive", "drive '" + drive + "' is used by no device; add -device virtio-blk-pci,drive=" + drive);
            }
        }
        return out;
    }

    private List<DeviceSpec> attachConsole(Pending p, OptionValue v, String id, List<DeviceSpec> out,
                                           Map<String, Integer> serials, Set<String> usedChardevs) throws OptionException {
        Chardev chardev = reference(p.option, "chardev", v.take("chardev"), chardevs, usedChardevs);
        String bus = v.take("bus");
        v.take("name");
        String nr = v.take("nr");
        if (nr != null && !nr.equals("0")) {
            throw new OptionException(p.option, "nr=" + nr + ": jvmm's virtio-serial has one port, the console at 0");
        }
        v.requireAllTaken();
        String serialId = bus == null ? null : bus.endsWith(".0") ? bus.substring(0, bus.length() - 2) : bus;
        Integer index = serialId != null ? serials.get(serialId)
                : serials.size() == 1 ? serials.values().iterator().next() : null;
        if (index == null) {
            throw new OptionException(p.option, serialId != null ? "bus=" + bus + ": no virtio-serial-pci with id " + serialId
                    : "needs a virtio-serial-pci before it (or bus=SERIAL.0 to choose one)");
        }
        DeviceSpec.Serial s = (DeviceSpec.Serial) out.get(index);
        if (s.console() != null) {
            throw new OptionException(p.option, "virtio-serial '" + s.id() + "' already has its console port");
        }
        List<DeviceSpec> updated = new ArrayList<>(out);
        updated.set(index, new DeviceSpec.Serial(s.id(), s.placement(), chardev));
        return updated;
    }

    private static PciPlacement placement(String option, OptionValue v, Map<String, DeviceSpec.RootPort> ports,
                                          List<DeviceSpec> placed) throws OptionException {
        String bus = v.take("bus");
        if (bus == null) {
            bus = ROOT_BUS;
        }
        if (!bus.equals(ROOT_BUS) && !ports.containsKey(bus)) {
            throw new OptionException(option, "bus=" + bus + ": no such bus; use " + ROOT_BUS + " or the id of a pcie-root-port given before");
        }
        String addr = v.take("addr");
        v.takeBoolean("multifunction", false);
        int slot, function = 0;
        if (addr == null) {
            slot = bus.equals(ROOT_BUS) ? firstFreeSlot(option, placed) : 0;
        } else {
            String[] parts = addr.split("\\.", 2);
            slot = (int) number(option, "addr", parts[0], 0, MAX_SLOT, 0);
            if (parts.length > 1) {
                function = (int) number(option, "addr", parts[1], 0, 7, 0);
            }
        }
        if (bus.equals(ROOT_BUS) && slot == 0) {
            throw new OptionException(option, "addr=0x0 on " + ROOT_BUS + " is the host bridge's; choose another slot");
        }
        if (!bus.equals(ROOT_BUS) && slot != 0) {
            throw new OptionException(option, "addr=" + addr + ": a root port's link has device 0 only; use addr=0x0");
        }
        PciPlacement at = new PciPlacement(bus, slot, function);
        for (DeviceSpec d : placed) {
            if (d.placement().equals(at)) {
                throw new OptionException(option, "bus=" + bus + " addr=" + String.format("0x%x.%x", slot, function)
                        + " is taken by '" + d.id() + "'");
            }
        }
        return at;
    }

    private static int firstFreeSlot(String option, List<DeviceSpec> placed) throws OptionException {
        for (int slot = 1; slot <= MAX_SLOT; slot++) {
            int s = slot;
            if (placed.stream().noneMatch(d -> d.placement().bus().equals(ROOT_BUS) && d.placement().slot() == s)) {
                return slot;
            }
        }
        throw new OptionException(option, "no free slot left on " + ROOT_BUS);
    }

    private static <T> T reference(String option, String key, String name, Map<String, T> known, Set<String> used)
            throws OptionException {
        if (name == null) {
            throw new OptionException(option, "needs " + key + "=ID");
        }
        T t = known.get(name);
        if (t == null) {
            throw new OptionException(option, key + "=" + name + ": no -" + key + " with id=" + name);
        }
        if (!used.add(name)) {
            throw new OptionException(option, key + "=" + name + " is already used by another device");
        }
        return t;
    }

    private static byte[] mac(String option, String text, int index) throws OptionException {
        if (text == null) {
            // QEMU's default range, 52:54:00:12:34:56 upwards.
            return new byte[] {0x52, 0x54, 0x00, 0x12, 0x34, (byte) (0x56 + index)};
        }
        String[] parts = text.split(":");
        if (parts.length != 6) {
            throw new OptionException(option, "mac=" + text + " is not a MAC address like 52:54:00:12:34:56");
        }
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            try {
                if (parts[i].length() != 2) {
                    throw new NumberFormatException();
                }
                mac[i] = (byte) Integer.parseInt(parts[i], 16);
            } catch (NumberFormatException e) {
                throw new OptionException(option, "mac=" + text + " is not a MAC address like 52:54:00:12:34:56");
            }
        }
        if ((mac[0] & 1) != 0) {
            throw new OptionException(option, "mac=" + text + " is a multicast address; a NIC needs a unicast one");
        }
        return mac;
    }

    private static String requireId(String option, String id) throws OptionException {
        if (id == null || id.isEmpty()) {
            throw new OptionException(option, "needs id=NAME");
        }
        return id;
    }

    private static String required(String option, OptionValue v, String key) throws OptionException {
        String value = v.take(key);
        if (value == null || value.isEmpty()) {
            throw new OptionException(option, "needs " + key + "=...");
        }
        return value;
    }

    private static long positive(String option, String key, String text) throws OptionException {
        return number(option, key, text, 1, Long.MAX_VALUE, 0);
    }

    /** A decimal or 0x-hex number between {@code min} and {@code max}; {@code absent} when null. */
    static long number(String option, String key, String text, long min, long max, long absent) throws OptionException {
        if (text == null) {
            return absent;
        }
        try {
            long n = text.startsWith("0x") || text.startsWith("0X") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new OptionException(option, key + "=" + text + " must be a number from " + min + " to " + max);
    }
}
