/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootfs_prepare/pivot/finish on a real (busybox) rootfs. Needs root: each
 * test forks a child that unshares its mount namespace, builds the
 * container's view and checks it from inside; the host never sees a mount.
 * Without root every test is skipped with the reason printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <stdlib.h>

#include "rootfs/rootfs.h"

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202 /* not in linux/magic.h */
#endif
#include "util.h"

struct fixture {
	char dir[64];	   /* scratch directory on the host */
	char rootfs[96];   /* DIR/rootfs: the container root */
	char outside[96];  /* DIR/outside: host directory a rootfs link points at */
	char hostfile[96]; /* DIR/hostfile: bind source */
	char cg_cpu[96];   /* DIR/cg-cpu, DIR/cg-mem: stand-ins for cgroup dirs */
	char cg_mem[96];
};

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, text, strlen(text)), 0);
	close(fd);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	struct ctr_error err = CTR_ERROR_INIT;
	int fd;

	assert_int_equal(read_file_at(AT_FDCWD, from, &data, &len, &err), 0);
	fd = open(to, O_CREAT | O_WRONLY | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, data, len), 0);
	close(fd);
}

static void make_dirs(const char *base, const char *const *names)
{
	char path[256];

	for (size_t i = 0; names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", base, names[i]);
		assert_int_equal(mkdir_p(path, 0755), 0);
	}
}

static int fixture_setup(void **state)
{
	static const char *const dirs[] = {"bin", "proc", "sys", "dev", "tmp", "run", NULL};
	struct fixture *f;
	char path[256];

	if (geteuid() != 0) {
		*state = NULL;
		return 0;
	}
	f = xzalloc(sizeof(*f));
	strcpy(f->dir, "/tmp/ctr-rootfs-mnt-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->rootfs, sizeof(f->rootfs), "%s/rootfs", f->dir);
	snprintf(f->outside, sizeof(f->outside), "%s/outside", f->dir);
	snprintf(f->hostfile, sizeof(f->hostfile), "%s/hostfile", f->dir);
	snprintf(f->cg_cpu, sizeof(f->cg_cpu), "%s/cg-cpu", f->dir);
	snprintf(f->cg_mem, sizeof(f->cg_mem), "%s/cg-mem", f->dir);
	make_dirs(f->rootfs, dirs);
	assert_int_equal(mkdir(f->outside, 0755), 0);
	assert_int_equal(mkdir(f->cg_cpu, 0755), 0);
	assert_int_equal(mkdir(f->cg_mem, 0755), 0);
	snprintf(path, sizeof(path), "%s/marker", f->cg_mem);
	write_text(path, "mem\n", 0644);
	write_text(f->hostfile, "hello\n", 0644);
	snprintf(path, sizeof(path), "%s/bin/busybox", f->rootfs);
	copy_file("/bin/busybox", path, 0755);
	/* The escape case: the rootfs's /etc is an absolute link to the host. */
	snprintf(path, sizeof(path), "%s/etc", f->rootfs);
	assert_int_equal(symlink(f->outside, path), 0);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	if (!f)
		return 0;
	nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

#define SKIP_UNLESS_ROOT(state)                                                                    \
	do {                                                                                       \
		if (!*(state)) {                                                                   \
			print_message("skipped: needs root (mount namespaces, mknod)\n");          \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* Checks in the child: report the first failure and exit 1. */
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "child check failed: " __VA_ARGS__);                       \
			fprintf(stderr, " (%s, errno %d)\n", #cond, errno);                        \
			_exit(1);                                                                  \
		}                                                                                  \
	} while (0)

static struct spec_mount mnt(const char *dst, const char *type, const char *src,
			     unsigned long flags, const char *data)
{
	return (struct spec_mount){
	    .destination = (char *)dst,
	    .source = (char *)src,
	    .type = (char *)type,
	    .flags = flags,
	    .data = (char *)data,
	    .bind = strcmp(type, "bind") == 0,
	};
}

/* The mounts containerd and podman send, plus the cases under test. */
static size_t build_mounts(struct fixture *f, struct spec_mount *m)
{
	size_t n = 0;

	m[n++] = mnt("/proc", "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	m[n++] = mnt("/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	m[n++] = mnt("/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620");
	m[n++] = mnt("/dev/shm", "tmpfs", "shm", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777");
	m[n++] = mnt("/dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	m[n++] = mnt("/sys", "sysfs", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
	m[n++] = mnt("/sys/fs/cgroup", "cgroup", "cgroup",
		     MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
	m[n++] = mnt("/etc/x", "tmpfs", "tmpfs", 0, NULL);
	m[n] = mnt("/data/hostfile", "bind", f->hostfile, MS_BIND | MS_RDONLY | MS_NOSUID, NULL);
	m[n++].propagation = MS_PRIVATE | MS_REC;
	return n;
}

static void run_child(struct fixture *f, struct rootfs_ctx *ctx, void (*checks)(struct fixture *))
{
	struct ctr_error err = CTR_ERROR_INIT;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		CHECK(unshare(CLONE_NEWNS | (ctx->new_cgroupns ? CLONE_NEWCGROUP : 0)) == 0,
		      "unshare");
		/* A shared root would be a peer of the host's where that is shared:
		 * start from a private copy so the test's mounts stay in here. */
		if (ctx->spec->linux.rootfs_propagation & MS_SHARED)
			CHECK(mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) == 0, "private /");
		if (rootfs_prepare(ctx, &err) < 0 || rootfs_pivot(ctx, &err) < 0 ||
		    rootfs_finish(ctx, &err) < 0) {
			fprintf(stderr, "child: %s\n", err.msg);
			_exit(2);
		}
		checks(f);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static bool fs_is(const char *path, long magic)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && (long)sfs.f_type == magic;
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n == 0;
}

static void check_dev(bool in_userns, const char *device)
{
	char link[64] = "";
	struct stat st;

	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null is a char device");
	CHECK(st.st_rdev == makedev(1, 3), "/dev/null is 1:3");
	CHECK(stat("/dev/tty", &st) == 0 && st.st_rdev == makedev(5, 0), "/dev/tty is 5:0");
	CHECK(readlink("/dev/ptmx", link, sizeof(link) - 1) > 0 && !strcmp(link, "pts/ptmx"),
	      "/dev/ptmx -> pts/ptmx");
	CHECK(stat("/dev/ptmx", &st) == 0 && S_ISCHR(st.st_mode), "/dev/ptmx reaches devpts");
	CHECK(lstat("/dev/fd", &st) == 0 && S_ISLNK(st.st_mode), "/dev/fd is a link");
	CHECK((lstat("/dev/core", &st) == 0) == !in_userns, "/dev/core only outside a userns");
	CHECK(stat("/dev/console", &st) == 0 && S_ISREG(st.st_mode), "/dev/console placeholder");
	CHECK(stat(device, &st) == 0 && S_ISCHR(st.st_mode), "spec device %s", device);
	CHECK(st.st_rdev == makedev(1, 5), "spec device number");
	if (!in_userns) {
		CHECK((st.st_mode & 07777) == 0600, "spec device mode %o", st.st_mode & 07777);
		CHECK(st.st_uid == 1000 && st.st_gid == 1001, "spec device owner");
	}
}

static void check_container_view(struct fixture *f)
{
	char buf[160];
	struct stat st;
	int fd;
	ssize_t n;

	CHECK(fs_is("/proc", PROC_SUPER_MAGIC), "/proc is procfs");
	CHECK(fs_is("/dev", TMPFS_MAGIC), "/dev is a tmpfs");
	CHECK(fs_is("/dev/pts", DEVPTS_SUPER_MAGIC), "/dev/pts is devpts");
	CHECK(fs_is("/sys", SYSFS_MAGIC), "/sys is sysfs");
	CHECK(fs_is("/etc/x", TMPFS_MAGIC), "/etc/x is a tmpfs (inside the rootfs)");
	CHECK(stat(f->hostfile, &st) < 0 && errno == ENOENT, "the host is out of sight");
	/* /etc -> (host) outside: the tmpfs went to that path inside the root. */
	snprintf(buf, sizeof(buf), "%s/x", f->outside);
	CHECK(fs_is(buf, TMPFS_MAGIC), "/etc/x landed on %s inside the rootfs", buf);
	/* masked: a file reads empty, a directory is empty */
	fd = open("/proc/timer_list", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0, "open masked /proc/timer_list");
	n = read(fd, buf, sizeof(buf));
	close(fd);
	CHECK(n == 0, "masked /proc/timer_list reads empty");
	CHECK(dir_is_empty("/sys/firmware"), "masked /sys/firmware is empty");
	CHECK(mkdir("/sys/firmware/x", 0755) < 0 && errno == EROFS, "masked dir is read-only");
	/* read-only path and root */
	fd = open("/proc/sys/kernel/domainname", O_WRONLY | O_CLOEXEC);
	CHECK(fd < 0 && errno == EROFS, "/proc/sys is read-only");
	fd = open("/newfile", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	CHECK(fd < 0 && errno == EROFS, "the root is read-only");
	fd = open("/dev/shm/x", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	CHECK(fd >= 0, "/dev/shm stays writable");
	close(fd);
	/* read-only bind of a host file */
	fd = open("/data/hostfile", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 6 && !memcmp(buf, "hello\n", 6),
	      "bound file content");
	close(fd);
	fd = open("/data/hostfile", O_WRONLY | O_CLOEXEC);
	CHECK(fd < 0 && errno == EROFS, "ro bind refuses writes");
	/* cgroup v1 layout */
	CHECK(stat("/sys/fs/cgroup/memory/marker", &st) == 0, "memory hierarchy bound");
	CHECK(readlink("/sys/fs/cgroup/cpu", buf, sizeof(buf)) == 11, "cpu -> cpu,cpuacct");
	CHECK(mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS, "cgroup tmpfs read-only");
	CHECK(mkdir("/sys/fs/cgroup/memory/x", 0755) < 0 && errno == EROFS, "ro hierarchy");
	check_dev(false, "/dev/custom/mydev");
}

struct spec_setup {
	struct spec spec;
	struct spec_mount mounts[16];
	struct spec_device device;
	struct cg_mount_entry cg[2];
	char *masked[4];
	char *readonly[2];
};

static void build_spec(struct fixture *f, struct spec_setup *s, struct rootfs_ctx *ctx)
{
	*s = (struct spec_setup){0};
	s->spec.root_path = f->rootfs;
	s->spec.root_readonly = true;
	s->spec.has_process = true;
	s->spec.process.terminal = true;
	s->spec.mounts = s->mounts;
	s->spec.n_mounts = build_mounts(f, s->mounts);
	s->device = (struct spec_device){.path = "/dev/custom/mydev",
					 .type = 'c',
					 .major = 1,
					 .minor = 5,
					 .has_file_mode = true,
					 .file_mode = 0600,
					 .has_uid = true,
					 .uid = 1000,
					 .has_gid = true,
					 .gid = 1001};
	s->spec.linux.devices = &s->device;
	s->spec.linux.n_devices = 1;
	s->masked[0] = "/proc/timer_list";
	s->masked[1] = "/sys/firmware";
	s->masked[2] = "/proc/kcore"; /* missing on some kernels (this VM's): skipped */
	s->spec.linux.masked_paths = s->masked;
	s->readonly[0] = "/proc/sys";
	s->spec.linux.readonly_paths = s->readonly;
	s->cg[0] = (struct cg_mount_entry){.name = "cpu,cpuacct", .host_path = f->cg_cpu};
	s->cg[1] = (struct cg_mount_entry){.name = "memory", .host_path = f->cg_mem};
	*ctx = (struct rootfs_ctx){.spec = &s->spec, .cgroup_mounts = s->cg, .n_cgroup_mounts = 2};
}

static void assert_outside_untouched(struct fixture *f)
{
	assert_true(dir_is_empty(f->outside));
}

static void builds_container_view_with_pivot_root(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	run_child(f, &ctx, check_container_view);
	assert_outside_untouched(f);
}

static void builds_container_view_with_chroot(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	ctx.no_pivot = true;
	run_child(f, &ctx, check_container_view);
	assert_outside_untouched(f);
}

static void check_userns_dev(struct fixture *f)
{
	(void)f;
	check_dev(true, "/dev/zero");
}

static void in_userns_binds_host_device_nodes(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	/* The host node is bound, so the spec device must exist on the host. */
	s.device.path = "/dev/zero";
	ctx.in_userns = true;
	run_child(f, &ctx, check_userns_dev);
}

/* Map root to root only: enough for a user namespace that owns the mount
 * namespace (mounts copied in are locked) and whose mknod is refused. */
static void enter_userns(int ns_flags)
{
	char map[] = "0 0 1";

	CHECK(unshare(CLONE_NEWUSER) == 0, "unshare user");
	CHECK(write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny", 4, NULL) == 0, "setgroups");
	CHECK(write_file_at(AT_FDCWD, "/proc/self/uid_map", map, strlen(map), NULL) == 0,
	      "uid_map");
	CHECK(write_file_at(AT_FDCWD, "/proc/self/gid_map", map, strlen(map), NULL) == 0,
	      "gid_map");
	/* proc and mqueue need pid and ipc namespaces of ours; no netns: sysfs
	 * must fall back to a bind. */
	CHECK(unshare(CLONE_NEWNS | CLONE_NEWPID | ns_flags) == 0, "unshare mnt+pid");
}

static void check_real_userns_view(struct fixture *f)
{
	struct statvfs vfs;
	struct stat st;
	int fd;

	(void)f;
	CHECK(fs_is("/proc", PROC_SUPER_MAGIC), "/proc is procfs");
	CHECK(stat("/sys/kernel", &st) == 0, "/sys shows the host's sysfs");
	CHECK(mkdir("/sys/x", 0755) < 0 && errno == EROFS, "/sys is read-only");
	/* statvfs, not a write: a failing check must not make a host cgroup. */
	CHECK(statvfs("/sys/fs/cgroup/memory", &vfs) == 0 && (vfs.f_flag & ST_RDONLY),
	      "the host's submounts of /sys are read-only too");
	fd = open("/proc/sys/kernel/domainname", O_WRONLY | O_CLOEXEC);
	CHECK(fd < 0 && errno == EROFS, "/proc/sys is read-only");
	fd = open("/newfile", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	CHECK(fd < 0 && errno == EROFS, "the root is read-only");
	fd = open("/data/hostfile", O_WRONLY | O_CLOEXEC);
	CHECK(fd < 0 && errno == EROFS, "ro bind refuses writes");
	check_dev(true, "/dev/zero");
}

static void check_controller_bind(struct fixture *f)
{
	struct stat st;

	(void)f;
	CHECK(stat("/sys/fs/cgroup/pids/marker", &st) == 0, "controller bind below the tmpfs");
	CHECK(mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS, "tmpfs read-only at the end");
}

static void controller_bind_below_read_only_cgroup_tmpfs(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	s.mounts[s.spec.n_mounts++] =
	    mnt("/sys/fs/cgroup/pids", "bind", f->cg_mem, MS_BIND | MS_RDONLY, NULL);
	run_child(f, &ctx, check_controller_bind);
}

static void check_nothing(struct fixture *f)
{
	(void)f;
}

/* Run the sequence as pid 1 of a new pid namespace in a new user namespace. */
static void run_in_userns(struct fixture *f, struct rootfs_ctx *ctx, int ns_flags,
			  void (*checks)(struct fixture *))
{
	struct ctr_error err = CTR_ERROR_INIT;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		enter_userns(ns_flags);
		pid_t init = fork();
		CHECK(init >= 0, "fork");
		if (init == 0) {
			if (rootfs_prepare(ctx, &err) < 0 || rootfs_pivot(ctx, &err) < 0 ||
			    rootfs_finish(ctx, &err) < 0) {
				fprintf(stderr, "child: %s\n", err.msg);
				_exit(2);
			}
			checks(f);
			_exit(0);
		}
		CHECK(waitpid(init, &status, 0) == init, "wait");
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void works_in_a_real_user_namespace(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	s.device.path = "/dev/zero";
	/* No cgroup mount: /sys/fs/cgroup/... stay the host's, under /sys. */
	s.mounts[6] = s.mounts[--s.spec.n_mounts];
	ctx.in_userns = true;
	run_in_userns(f, &ctx, CLONE_NEWIPC, check_real_userns_view);
	assert_outside_untouched(f);
}

static void check_host_mqueue(struct fixture *f)
{
	(void)f;
	CHECK(fs_is("/dev/mqueue", MQUEUE_MAGIC), "/dev/mqueue is an mqueue fs");
}

static void userns_without_own_ipc_binds_host_mqueue(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	if (!fs_is("/dev/mqueue", MQUEUE_MAGIC)) {
		print_message("skipped: the host has no mqueue at /dev/mqueue to fall back to\n");
		skip();
	}
	build_spec(f, &s, &ctx);
	s.device.path = "/dev/zero";
	ctx.in_userns = true;
	run_in_userns(f, &ctx, 0, check_host_mqueue);
}

static void bound_dev_is_left_alone(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;
	char devdir[160];

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	snprintf(devdir, sizeof(devdir), "%s/hostdev", f->dir);
	assert_int_equal(mkdir(devdir, 0755), 0);
	/* /dev bound from a host directory, and nothing mounted below it. */
	s.mounts[1] = mnt("/dev", "bind", devdir, MS_BIND | MS_REC, NULL);
	s.mounts[2] = s.mounts[3] = s.mounts[4] = mnt("/run", "tmpfs", "tmpfs", 0, NULL);
	s.spec.linux.masked_paths = NULL;
	run_child(f, &ctx, check_nothing);
	assert_true(dir_is_empty(devdir));
}

static void check_idmapped(struct fixture *f)
{
	struct stat st;

	(void)f;
	CHECK(stat("/idmapped/owned-by-root", &st) == 0, "idmapped file visible");
	CHECK(st.st_uid == 1000 && st.st_gid == 1000, "uid 0 on disk shows as 1000 (got %u:%u)",
	      st.st_uid, st.st_gid);
}

static void idmapped_bind_shows_mapped_owner(void **state)
{
	static const struct spec_id_map map = {.container_id = 0, .host_id = 1000, .size = 1};
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;
	char src[160], file[200];
	struct stat st;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	snprintf(src, sizeof(src), "%s/idsrc", f->dir);
	assert_int_equal(mkdir(src, 0755), 0);
	snprintf(file, sizeof(file), "%s/owned-by-root", src);
	write_text(file, "x", 0644);
	struct spec_mount *m = &s.mounts[s.spec.n_mounts++];
	*m = mnt("/idmapped", "bind", src, MS_BIND, NULL);
	m->idmap = true;
	m->uid_mappings = m->gid_mappings = (struct spec_id_map *)&map;
	m->n_uid_mappings = m->n_gid_mappings = 1;
	run_child(f, &ctx, check_idmapped);
	/* Nothing was chowned on disk. */
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_uid, 0);
}

static void rshared_root_still_pivots(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	s.spec.linux.rootfs_propagation = MS_SHARED | MS_REC;
	run_child(f, &ctx, check_container_view);
	assert_outside_untouched(f);
}

static void check_console(void)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct stat st;
	char *slave;
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);

	CHECK(master >= 0, "open /dev/ptmx");
	CHECK(unlockpt(master) == 0 && (slave = ptsname(master)), "pty slave");
	CHECK(rootfs_bind_console(slave, &err) == 0, "bind console: %s", err.msg);
	CHECK(stat("/dev/console", &st) == 0 && S_ISCHR(st.st_mode), "/dev/console is the pty");
	CHECK(major(st.st_rdev) == 136, "/dev/console is a pts device");
	close(master);
}

static void check_view_and_console(struct fixture *f)
{
	check_container_view(f);
	check_console();
}

static void binds_the_pty_over_dev_console(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	run_child(f, &ctx, check_view_and_console);
}

static void check_cgroup2_bound(struct fixture *f)
{
	struct stat st;

	(void)f;
	CHECK(stat("/sys/fs/cgroup/marker", &st) == 0, "container cgroup bound at the top");
	CHECK(mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS, "read-only");
}

static void v2_without_cgroupns_binds_the_container_cgroup(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	s.cg[0] = (struct cg_mount_entry){.name = "", .host_path = f->cg_mem, .v2 = true};
	ctx.n_cgroup_mounts = 1;
	run_child(f, &ctx, check_cgroup2_bound);
}

static void check_cgroup2_mounted(struct fixture *f)
{
	(void)f;
	CHECK(fs_is("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC), "cgroup2 mounted");
	CHECK(mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS, "read-only");
}

static void v2_with_cgroupns_mounts_cgroup2(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	s.cg[0] = (struct cg_mount_entry){.name = "", .host_path = f->cg_mem, .v2 = true};
	ctx.n_cgroup_mounts = 1;
	ctx.new_cgroupns = true;
	run_child(f, &ctx, check_cgroup2_mounted);
}

static void check_hybrid(struct fixture *f)
{
	struct stat st;

	(void)f;
	CHECK(stat("/sys/fs/cgroup/memory/marker", &st) == 0, "v1 hierarchy bound");
	CHECK(fs_is("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC), "unified is cgroup2");
	CHECK(fs_is("/sys/fs/cgroup", TMPFS_MAGIC), "tmpfs holds the hierarchies");
}

static void hybrid_layout_mounts_unified_under_the_tmpfs(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	s.cg[0] = (struct cg_mount_entry){.name = "unified", .host_path = f->cg_cpu, .v2 = true};
	ctx.new_cgroupns = true;
	run_child(f, &ctx, check_hybrid);
}

/* A mount of type cgroup2 on a hybrid host: the unified hierarchy alone
 * (what system containers ask for, so systemd runs in its unified mode). */
static void hybrid_spec(struct fixture *f, struct spec_setup *s, struct rootfs_ctx *ctx)
{
	build_spec(f, s, ctx);
	for (size_t i = 0; i < s->spec.n_mounts; i++)
		if (strcmp(s->mounts[i].destination, "/sys/fs/cgroup") == 0)
			s->mounts[i].type = "cgroup2";
	s->cg[0] = (struct cg_mount_entry){.name = "unified", .host_path = f->cg_mem, .v2 = true};
	s->cg[1] = (struct cg_mount_entry){.name = "memory", .host_path = f->cg_cpu};
}

static void check_unified_only(struct fixture *f)
{
	struct stat st;

	(void)f;
	CHECK(fs_is("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC), "cgroup2 at the top");
	CHECK(stat("/sys/fs/cgroup/unified", &st) < 0 && stat("/sys/fs/cgroup/memory", &st) < 0,
	      "no v1 layout");
}

static void hybrid_cgroup2_mount_shows_the_unified_hierarchy_alone(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	hybrid_spec(f, &s, &ctx);
	ctx.new_cgroupns = true;
	run_child(f, &ctx, check_unified_only);
}

static void hybrid_cgroup2_mount_without_cgroupns_binds_the_container_cgroup(void **state)
{
	struct fixture *f = *state;
	struct spec_setup s;
	struct rootfs_ctx ctx;

	SKIP_UNLESS_ROOT(state);
	hybrid_spec(f, &s, &ctx);
	run_child(f, &ctx, check_cgroup2_bound);
}

static void mount_error_names_the_mount(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec_setup s;
	struct rootfs_ctx ctx;
	int pipefd[2], status;
	char msg[512] = "";
	pid_t pid;

	SKIP_UNLESS_ROOT(state);
	build_spec(f, &s, &ctx);
	s.mounts[3] = mnt("/dev/shm", "nosuchfs", "x", 0, NULL);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		CHECK(unshare(CLONE_NEWNS) == 0, "unshare");
		CHECK(rootfs_prepare(&ctx, &err) < 0, "prepare must fail");
		write_all(pipefd[1], err.msg, strlen(err.msg));
		_exit(0);
	}
	close(pipefd[1]);
	assert_true(read_all(pipefd[0], msg, sizeof(msg) - 1) > 0);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_string_equal(msg, "mounts[3] (/dev/shm): mount nosuchfs: No such device");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(builds_container_view_with_pivot_root, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(builds_container_view_with_chroot, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(in_userns_binds_host_device_nodes, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(works_in_a_real_user_namespace, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(idmapped_bind_shows_mapped_owner, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(rshared_root_still_pivots, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(binds_the_pty_over_dev_console, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(v2_without_cgroupns_binds_the_container_cgroup,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(v2_with_cgroupns_mounts_cgroup2, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(hybrid_layout_mounts_unified_under_the_tmpfs,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(hybrid_cgroup2_mount_shows_the_unified_hierarchy_alone,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(
		hybrid_cgroup2_mount_without_cgroupns_binds_the_container_cgroup, fixture_setup,
		fixture_teardown),
	    cmocka_unit_test_setup_teardown(userns_without_own_ipc_binds_host_mqueue, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(bound_dev_is_left_alone, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(controller_bind_below_read_only_cgroup_tmpfs,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(mount_error_names_the_mount, fixture_setup,
					    fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
