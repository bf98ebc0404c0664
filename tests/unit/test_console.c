/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>

#include <cmocka.h>

#include "runtime/console.h"
#include "runtime/util.h"

static char tmpdir[64];

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/ctr-state-console.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static int exit_code_of(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* ---- pty pairs ---- */

static void new_pty_gives_unlocked_pair(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *slave_path = NULL;
	_cleanup_close_ int master = -1, slave = -1;
	char buf[16] = "";

	assert_int_equal(console_new_pty(&master, &slave_path, &err), 0);
	assert_true(fcntl(master, F_GETFD) & FD_CLOEXEC);
	assert_true(str_has_prefix(slave_path, "/dev/pts/"));
	slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	assert_int_equal(write(master, "abc\n", 4), 4);
	assert_int_equal(read(slave, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "abc\n", 4);
}

static void window_size_is_seen_on_the_other_end(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *slave_path = NULL;
	_cleanup_close_ int master = -1, slave = -1;
	struct winsize ws;

	assert_int_equal(console_new_pty(&master, &slave_path, &err), 0);
	slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	assert_int_equal(console_set_size(master, 40, 120), 0);
	assert_int_equal(ioctl(slave, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_row, 40);
	assert_int_equal(ws.ws_col, 120);
	assert_int_equal(console_set_size(master, 70000, 10), -EINVAL);
	assert_int_equal(console_set_size(-1, 10, 10), -EBADF);
}

/* Bits of the child's exit code: each names a check that failed. */
enum {
	BAD_SETUP = 1,
	BAD_SESSION = 2,
	BAD_STDIO = 4,
	BAD_CTTY = 8,
	SLAVE_FD_KEPT = 16,
};

static int check_controlling_terminal(const char *slave_path)
{
	int fd = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	int bad = 0, tty;
	char *name;

	if (fd < 3 || console_make_controlling(fd) < 0)
		return BAD_SETUP;
	/* Checked first: a later open may take the same number. */
	if (fcntl(fd, F_GETFD) >= 0)
		bad |= SLAVE_FD_KEPT;
	if (tcgetsid(0) != getpid())
		bad |= BAD_SESSION;
	for (int i = 0; i <= 2; i++) {
		name = ttyname(i);
		if (!name || strcmp(name, slave_path) != 0)
			bad |= BAD_STDIO;
	}
	/* /dev/tty opens only for a process with a controlling terminal. */
	tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (tty < 0)
		bad |= BAD_CTTY;
	return bad;
}

static void make_controlling_gives_the_child_its_terminal(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *slave_path = NULL;
	_cleanup_close_ int master = -1;
	pid_t pid;

	assert_int_equal(console_new_pty(&master, &slave_path, &err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(check_controlling_terminal(slave_path));
	assert_int_equal(exit_code_of(pid), 0);
}

/* ---- the console socket ---- */

static int listen_at(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	/* Bind through the directory, so paths longer than sun_path work too. */
	dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(sock >= 0 && dirfd >= 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dirfd,
		 strrchr(path, '/') + 1);
	assert_int_equal(bind(sock, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(sock, 1), 0);
	return sock;
}

/* In the child: accept one connection, receive one fd. Exit code 0 if it is
 * the pty master with this number and the payload is runc's. */
static int receive_and_check(int listener, unsigned int want_ptn)
{
	char payload[64] = "";
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = {.iov_base = payload, .iov_len = sizeof(payload) - 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *cmsg;
	unsigned int ptn;
	int conn, fd;

	conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0 || recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) <= 0)
		return 1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return 2;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	if (ioctl(fd, TIOCGPTN, &ptn) < 0 || ptn != want_ptn)
		return 3;
	return strcmp(payload, "/dev/ptmx") == 0 ? 0 : 4;
}

static void send_to_socket_path(const char *path)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *slave_path = NULL;
	_cleanup_close_ int master = -1, listener = -1;
	unsigned int ptn;
	pid_t pid;

	assert_int_equal(console_new_pty(&master, &slave_path, &err), 0);
	assert_int_equal(ioctl(master, TIOCGPTN, &ptn), 0);
	listener = listen_at(path);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(receive_and_check(listener, ptn));
	assert_int_equal(console_send_fd(path, master, &err), 0);
	assert_int_equal(exit_code_of(pid), 0);
	/* The caller still owns its master. */
	assert_true(fcntl(master, F_GETFD) >= 0);
}

static void sends_pty_master_over_console_socket(void **state)
{
	_cleanup_free_ char *path = xasprintf("%s/console.sock", tmpdir);

	send_to_socket_path(path);
}

static void sends_over_socket_path_longer_than_sun_path(void **state)
{
	char name[101];
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *path = NULL;

	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	dir = xasprintf("%s/%s", tmpdir, name);
	assert_int_equal(mkdir(dir, 0700), 0);
	path = xasprintf("%s/console.sock", dir);
	assert_true(strlen(path) > sizeof(((struct sockaddr_un *)0)->sun_path));
	send_to_socket_path(path);
}

static void missing_console_socket_names_the_path(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *path = xasprintf("%s/nope.sock", tmpdir);
	_cleanup_free_ char *want =
	    xasprintf("connect to console socket %s: No such file or directory", path);

	assert_int_equal(console_send_fd(path, 0, &err), -ENOENT);
	assert_string_equal(err.msg, want);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(new_pty_gives_unlocked_pair),
	    cmocka_unit_test(window_size_is_seen_on_the_other_end),
	    cmocka_unit_test(make_controlling_gives_the_child_its_terminal),
	    T(sends_pty_master_over_console_socket),
	    T(sends_over_socket_path_longer_than_sun_path),
	    T(missing_console_socket_names_the_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
