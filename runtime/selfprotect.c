/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "selfprotect.h"
#include "syscalls.h"
#include "util.h"

#define MEMFD_NAME "ctr-sealed"

extern char **environ;

static const unsigned int required_seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

/* Already running from our own sealed memfd? The name alone could be
 * faked by a file on disk, so check the seals on the mapped image too. */
static bool running_sealed(void)
{
	char target[128];
	ssize_t n = readlink("/proc/self/exe", target, sizeof(target) - 1);
	_cleanup_close_ int fd = -1;
	int seals;

	if (n < 0)
		return false;
	target[n] = '\0';
	if (!str_has_prefix(target, "/memfd:" MEMFD_NAME))
		return false;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && ((unsigned int)seals & required_seals) == required_seals;
}

static int sealed_copy(struct ctr_error *err)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int mfd = -1;
	struct stat st;
	off_t off = 0;

	if (src < 0 || fstat(src, &st) < 0)
		return ctr_errno(err, "open own executable");
	mfd = sys_memfd_create(MEMFD_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL) /* kernels before 6.3 know no MFD_EXEC */
		mfd = sys_memfd_create(MEMFD_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return ctr_errno(err, "memfd_create");
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno != EINTR)
			return ctr_errno(err, "copy own executable");
		if (n == 0)
			return ctr_error(err, EIO, "copy own executable: short read");
	}
	if (fcntl(mfd, F_ADD_SEALS, required_seals) < 0)
		return ctr_errno(err, "seal executable copy");
	return steal_fd(mfd);
}

int selfprotect_reexec(char **argv, struct ctr_error *err)
{
	int mfd;

	if (running_sealed())
		return 0;
	mfd = sealed_copy(err);
	if (mfd < 0)
		return mfd;
	fexecve(mfd, argv, environ);
	close(mfd);
	return ctr_errno(err, "re-execute from sealed copy");
}

static char **saved_argv;

void selfprotect_set_argv(char **argv)
{
	saved_argv = argv;
}

char **selfprotect_argv(void)
{
	return saved_argv;
}
