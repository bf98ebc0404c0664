/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for rootfs/copyup.c (tmpcopyup); no root needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "util.h"
#include "../rootfs/copyup.h"

struct dirs {
	char src[64], dst[64];
	int srcfd, dstfd;
};

static int setup(void **state)
{
	struct dirs *d = xzalloc(sizeof(*d));

	strcpy(d->src, "/tmp/ctr-copyup-src-XXXXXX");
	strcpy(d->dst, "/tmp/ctr-copyup-dst-XXXXXX");
	assert_non_null(mkdtemp(d->src));
	assert_non_null(mkdtemp(d->dst));
	d->srcfd = open(d->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d->dstfd = open(d->dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dirs *d = *state;
	char cmd[200];

	close(d->srcfd);
	close(d->dstfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", d->src, d->dst);
	assert_int_equal(system(cmd), 0);
	free(d);
	return 0;
}

static void copies_files_dirs_and_symlinks_with_modes(void **state)
{
	struct dirs *d = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	char buf[64] = {0}, link[64] = {0};
	struct stat st;
	int fd;

	assert_int_equal(mkdirat(d->srcfd, "sub", 0750), 0);
	fd = openat(d->srcfd, "sub/file", O_WRONLY | O_CREAT, 0640);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	assert_int_equal(symlinkat("/outside/target", d->srcfd, "link"), 0);
	assert_int_equal(fchmod(d->srcfd, 01777), 0);

	assert_int_equal(rootfs_copy_up(d->srcfd, d->dstfd, &err), 0);

	fd = openat(d->dstfd, "sub/file", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	close(fd);
	assert_int_equal(fstatat(d->dstfd, "sub", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	/* The link is copied as a link, never followed. */
	assert_int_equal(readlinkat(d->dstfd, "link", link, sizeof(link)), 15);
	assert_string_equal(link, "/outside/target");
	/* The covering directory takes the covered one's mode (/tmp's 1777). */
	assert_int_equal(fstat(d->dstfd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 01777);
}

static void empty_directory_copies_nothing(void **state)
{
	struct dirs *d = *state;
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(rootfs_copy_up(d->srcfd, d->dstfd, &err), 0);
	assert_int_equal(faccessat(d->dstfd, "anything", F_OK, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(copies_files_dirs_and_symlinks_with_modes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(empty_directory_copies_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
