package io.jvmm.vmm.kvm;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;

/**
 * {@code ioctl(fd, request, long)} through jffi's primitive invoker, the layer under jnr-ffi: no
 * proxy, no argument array, no invocation buffer, nothing allocated. KVM_RUN comes here once per
 * VM exit, and a boot makes tens of thousands (PCI configuration through 0xCF8/0xCFC alone); the
 * path {@link LibC} takes, a proxy with reflective marshalling (bytecode generation is off in
 * jnr-ffi because it costs more at start-up), spends more per call than KVM does on the exit
 * under nested virtualisation. The errno of a failed call is saved as for {@link LibC}, so
 * {@link LibC#errno()} reads it.
 */
final class DirectIoctl {
    private static final Invoker INVOKER = Invoker.getInstance();
    private static final CallContext SIGNATURE = CallContext.getCallContext(Type.SINT,
            new Type[] {Type.SINT, Type.ULONG, Type.ULONG}, CallingConvention.DEFAULT, true);
    private static final long IOCTL = ioctlAddress();

    private DirectIoctl() {}

    private static long ioctlAddress() {
        // Through LibC first: it loads jffi's native stub from where bin/jvmm points it.
        LibC.INSTANCE.getClass();
        Library libc = Library.getCachedInstance("libc.so.6", Library.LAZY | Library.GLOBAL);
        long address = libc == null ? 0 : libc.getSymbolAddress("ioctl");
        if (address == 0) {
            throw new LinkageError("cannot find ioctl in libc.so.6: " + Library.getLastError());
        }
        return address;
    }

    /** The call's result; on -1, {@link LibC#errno()} says why. */
    static int ioctl(int fd, long request, long arg) {
        return (int) INVOKER.invokeL3(SIGNATURE, IOCTL, fd, request, arg);
    }
}
