/* vsock-echo: the test guest's AF_VSOCK helper (busybox has none), built static by
 * bin/jvmm-guest-image into the guest's /bin.
 *   vsock-echo listen PORT            accept one connection on PORT, echo it back until EOF
 *   vsock-echo connect CID PORT TEXT  send TEXT, close the sending side, print what comes back
 *   vsock-echo cid                    print this guest's CID, as the device gives it
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

static int fail(const char *what) { perror(what); return 1; }

int main(int argc, char **argv) {
    struct sockaddr_vm a;
    char buf[4096];
    ssize_t n;
    if (argc == 2 && strcmp(argv[1], "cid") == 0) {
        unsigned cid;
        int fd = open("/dev/vsock", O_RDONLY);
        if (fd < 0) return fail("/dev/vsock");
        if (ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid) < 0) return fail("IOCTL_VM_SOCKETS_GET_LOCAL_CID");
        printf("%u\n", cid);
        return 0;
    }
    int s = socket(AF_VSOCK, SOCK_STREAM, 0);
    if (s < 0) return fail("socket");
    memset(&a, 0, sizeof a);
    a.svm_family = AF_VSOCK;
    if (argc == 3 && strcmp(argv[1], "listen") == 0) {
        int c;
        a.svm_cid = VMADDR_CID_ANY;
        a.svm_port = (unsigned) atoi(argv[2]);
        if (bind(s, (struct sockaddr *) &a, sizeof a) < 0) return fail("bind");
        if (listen(s, 1) < 0) return fail("listen");
        printf("vsock-echo: listening on %u\n", a.svm_port);
        fflush(stdout);
        if ((c = accept(s, NULL, NULL)) < 0) return fail("accept");
        while ((n = read(c, buf, sizeof buf)) > 0)
            if (write(c, buf, (size_t) n) != n) return fail("write");
        close(c);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "connect") == 0) {
        a.svm_cid = (unsigned) atoi(argv[2]);
        a.svm_port = (unsigned) atoi(argv[3]);
        if (connect(s, (struct sockaddr *) &a, sizeof a) < 0) return fail("connect");
        if (write(s, argv[4], strlen(argv[4])) < 0) return fail("write");
        shutdown(s, SHUT_WR);
        while ((n = read(s, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t) n, stdout);
        putchar('\n');
        return 0;
    }
    fprintf(stderr, "usage: vsock-echo listen PORT | connect CID PORT TEXT | cid\n");
    return 2;
}
