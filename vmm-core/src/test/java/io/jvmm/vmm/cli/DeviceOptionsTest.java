package io.jvmm.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device options as libvirt writes them for the seed's VM, and every bad combination refused by name. */
class DeviceOptionsTest {
    private static VmConfig parse(String... extra) throws OptionException {
        List<String> args = new ArrayList<>(List.of("-kernel", "/k", "-nodefaults"));
        args.addAll(List.of(extra));
        return CommandLine.parse(args);
    }

    /** The device part of what domain-mapping builds for examples/seed-vm.xml (less vfio-pci). */
    private static final String[] SEED = {
        "-object", "iothread,id=iothread1",
        "-device", "pcie-root-port,id=pcie.1,port=0x1,bus=pcie.0,addr=0x1,chassis=1",
        "-device", "pcie-root-port,id=pcie.2,port=0x2,bus=pcie.0,addr=0x2,chassis=2",
        "-device", "pcie-root-port,id=pcie.3,port=0x3,bus=pcie.0,addr=0x3,chassis=3",
        "-device", "pcie-root-port,id=pcie.4,port=0x4,bus=pcie.0,addr=0x4,chassis=4",
        "-device", "pcie-root-port,id=pcie.5,port=0x5,bus=pcie.0,addr=0x5,chassis=5",
        "-drive", "file=/path/to/rootfs,id=drive-hda,format=raw,if=none,iops=1000",
        "-device", "virtio-blk-pci,drive=drive-hda,id=hda,bus=pcie.1,addr=0x0,iothread=iothread1",
        "-netdev", "tap,id=net0,ifname=tap0,script=no,downscript=no",
        "-device", "virtio-net-pci,netdev=net0,id=net0,mac=de:ad:be:ef:00:01,bus=pcie.2,addr=0x0",
        "-device", "virtio-serial-pci,id=virt-serial0,bus=pcie.3,addr=0x0",
        "-chardev", "pty,id=charconsole0",
        "-device", "virtconsole,chardev=charconsole0,id=console0",
        "-object", "rng-random,id=objrng0,filename=/path/to/random_file",
        "-device", "virtio-rng-pci,rng=objrng0,max-bytes=1234,period=1000,id=rng0,bus=pcie.5,addr=0x0",
        "-device", "virtio-balloon-pci,id=balloon0,bus=pcie.4,addr=0x0",
        "-device", "vhost-vsock-pci,id=vsock0,guest-cid=3,bus=pcie.0,addr=0x6",
    };

    @Test
    void seedDevicesResolve() throws OptionException {
        List<DeviceSpec> devices = parse(SEED).devices();
        assertThat(devices).hasSize(11);
        DeviceSpec.Block blk = (DeviceSpec.Block) devices.stream().filter(d -> d.id().equals("hda")).findFirst().orElseThrow();
        assertThat(blk.placement()).isEqualTo(new DeviceSpec.PciPlacement("pcie.1", 0, 0));
        assertThat(blk.drive()).isEqualTo(new DeviceSpec.Drive("drive-hda", Path.of("/path/to/rootfs"), false, 1000));
        assertThat(blk.iothread()).isEqualTo("iothread1");
        DeviceSpec.Serial serial = (DeviceSpec.Serial) devices.stream().filter(d -> d.id().equals("virt-serial0")).findFirst().orElseThrow();
        assertThat(serial.console().kind()).isEqualTo(DeviceSpec.Chardev.Kind.PTY);
        DeviceSpec.Rng rng = (DeviceSpec.Rng) devices.stream().filter(d -> d.id().equals("rng0")).findFirst().orElseThrow();
        assertThat(rng.maxBytes()).isEqualTo(1234);
        assertThat(rng.periodMillis()).isEqualTo(1000);
        DeviceSpec.Net net = (DeviceSpec.Net) devices.stream().filter(d -> d instanceof DeviceSpec.Net).findFirst().orElseThrow();
        assertThat(net.mac()).containsExactly(0xde, 0xad, 0xbe, 0xef, 0x00, 0x01);
        assertThat(devices).anyMatch(d -> d instanceof DeviceSpec.Vsock v && v.guestCid() == 3
                && v.placement().equals(new DeviceSpec.PciPlacement("pcie.0", 6, 0)));
    }

    @Test
    void badCombinationsAreRefusedNamingTheOption() {
        String blk = "virtio-blk-pci,drive=d0,id=vda";
        String drive = "file=/d,id=d0,format=raw,if=none";
        expect("bus=pcie.9: no such bus", "-drive", drive, "-device", blk + ",bus=pcie.9,addr=0x0");
        expect("is taken by 'vda'", "-drive", drive, "-drive", "file=/e,id=d1,if=none",
                "-device", blk + ",addr=0x4", "-device", "virtio-blk-pci,drive=d1,id=vdb,addr=0x4");
        expect("drive=d0 is already used by another device", "-drive", drive,
                "-device", blk, "-device", "virtio-blk-pci,drive=d0,id=vdb");
        expect("drive=nope: no -drive with id=nope", "-device", "virtio-blk-pci,drive=nope");
        expect("guest-cid=2 must be a number from 3", "-device", "vhost-vsock-pci,guest-cid=2");
        expect("needs guest-cid", "-device", "vhost-vsock-pci,id=v");
        expect("-device vfio-pci: PCI passthrough (vfio-pci) is not supported yet", "-device", "vfio-pci,host=0000:03:00.0");
        expect("device type 'e1000'", "-device", "e1000");
        expect("unsupported property 'bogus'", "-drive", drive, "-device", blk + ",bogus=1");
        expect("mac=zz:00:00:00:00:00 is not a MAC address", "-netdev", "tap,id=n,ifname=tap0",
                "-device", "virtio-net-pci,netdev=n,mac=zz:00:00:00:00:00");
        expect("multicast", "-netdev", "tap,id=n,ifname=tap0", "-device", "virtio-net-pci,netdev=n,mac=01:00:00:00:00:00");
        expect("format=qcow2 is not supported", "-drive", "file=/d,id=d0,format=qcow2,if=none");
        expect("if=pflash", "-drive", "file=/OVMF.fd,if=pflash,unit=0,readonly=on");
        expect("drive 'd0' is used by no device", "-drive", drive);
        expect("a root port's link has device 0 only", "-device", "pcie-root-port,id=pcie.1,addr=0x1",
                "-drive", drive, "-device", blk + ",bus=pcie.1,addr=0x3");
        expect("addr=0x0 on pcie.0 is the host bridge's", "-drive", drive, "-device", blk + ",addr=0x0");
        expect("device id 'x' is given twice", "-device", "virtio-balloon-pci,id=x", "-device", "virtio-rng-pci,id=x");
        expect("needs a virtio-serial-pci before it", "-chardev", "pty,id=c", "-device", "virtconsole,chardev=c");
        expect("must listen without waiting", "-chardev", "socket,id=c,path=/s");
        expect("iothread=io9: no -object iothread,id=io9", "-drive", drive, "-device", blk + ",iothread=io9");
        expect("jvmm runs no scripts", "-netdev", "tap,id=n,ifname=tap0,script=/etc/qemu-ifup");
    }

    private static void expect(String message, String... args) {
        assertThatThrownBy(() -> parse(args)).as(String.join(" ", args))
                .isInstanceOf(OptionException.class).hasMessageContaining(message);
    }
}
