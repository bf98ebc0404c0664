/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pivot.c - entering the prepared root: pivot_root (or a move and chroot
 * where pivot_root cannot work, e.g. a root on the initramfs), and the
 * console bound over /dev/console afterwards.
 */
#include <fcntl.h>
#include <sys/mount.h>

#include "mnt.h"
#include "path.h"
#include "rootfs.h"
#include "syscalls.h"
#include "util.h"

/* The old root is detached below; an unmount of a shared mount would travel
 * to its peers, i.e. the host. rslave/rprivate roots (the default) cannot. */
static bool old_root_may_propagate(unsigned long propagation)
{
	if (!propagation)
		return false;
	return !((propagation & MS_REC) && (propagation & (MS_SLAVE | MS_PRIVATE)));
}

static int pivot(unsigned long propagation, struct ctr_error *err)
{
	/* new_root and put_old both ".": the old root ends up stacked on the
	 * new one, with no directory needed for it inside the container. */
	if (sys_pivot_root(".", ".") < 0)
		return ctr_errno(err, "pivot_root");
	if (old_root_may_propagate(propagation) &&
	    mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return ctr_errno(err, "make old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return ctr_errno(err, "detach old root");
	return 0;
}

static int move_and_chroot(struct ctr_error *err)
{
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return ctr_errno(err, "move rootfs onto /");
	if (chroot(".") < 0)
		return ctr_errno(err, "chroot");
	return 0;
}

int rootfs_pivot(const struct rootfs_ctx *ctx, struct ctr_error *err)
{
	const struct spec *spec = ctx->spec;
	_cleanup_close_ int rootfd = -1;
	int r;

	rootfd = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return ctr_errno(err, "open rootfs %s", spec->root_path);
	if (fchdir(rootfd) < 0)
		return ctr_errno(err, "enter rootfs %s", spec->root_path);
	r = ctx->no_pivot ? move_and_chroot(err) : pivot(spec->linux.rootfs_propagation, err);
	if (r < 0)
		return r;
	if (chdir("/") < 0)
		return ctr_errno(err, "chdir /");
	return 0;
}

int rootfs_bind_console(const char *slave_path, struct ctr_error *err)
{
	_cleanup_close_ int rootfd = -1, slave = -1, console = -1, tree = -1;

	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return ctr_errno(err, "open /");
	slave = rootfs_open_in_root(rootfd, slave_path, O_PATH, err);
	if (slave < 0)
		return slave;
	console = rootfs_open_in_root(rootfd, "/dev/console", O_PATH, err);
	if (console < 0)
		return console;
	tree = rootfs_bind_onto(slave, "", false, 0, 0, console, err);
	if (tree < 0)
		return ctr_error_prefix(err, "bind %s over /dev/console", slave_path);
	return 0;
}
