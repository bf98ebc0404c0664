/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container_init.c - the child side of a container start: from the clone3
 * return to the execve of the spec's process, one named step at a time.
 * Runs in the new namespaces; reports every failure to the parent over the
 * sync socket (see sync.h) and exits.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>

#include "console.h"
#include "hooks.h"
#include "launcher.h"
#include "process.h"
#include "syscalls.h"
#include "sync.h"
#include "util.h"
#include "../rootfs/rootfs.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

struct init_ctx {
	const struct launch_opts *o;
	/* With a root tree: copies whose root_path is "/proc/self/fd/N". */
	struct launch_opts o_rooted;
	struct spec spec_rooted;
	int root_tree; /* the root sent with SYNC_GO, or -1 */
	int sock;
	bool new_userns;
	bool new_cgroupns;
	bool cg_late;	  /* init_args.cg_late */
	bool cloned_into; /* init_args.cloned_into */
	char *hook_state; /* state JSON from the parent, for in-container hooks */
	struct rootfs_ctx rootfs;
	struct cg_mount_entry *cg_mounts;
	size_t n_cg_mounts;
};

static bool has_hooks(const struct spec *spec, enum spec_hook_kind kind)
{
	return spec->hooks[kind].n > 0;
}

static int wait_for_go(struct init_ctx *c, struct ctr_error *err)
{
	struct sync_msg msg;
	int ret;

	ret = sync_recv(c->sock, &msg, &c->root_tree);
	if (ret < 0)
		return ctr_errnum(err, ret, "wait for the runtime");
	if (msg.type != SYNC_GO)
		return ctr_error(err, EPROTO, "container setup protocol: expected go");
	if (c->root_tree >= 0) {
		c->spec_rooted = *c->o->spec;
		c->spec_rooted.has_root_tree = true;
		c->spec_rooted.root_tree = c->root_tree;
		c->o_rooted = *c->o;
		c->o_rooted.spec = &c->spec_rooted;
		c->o = &c->o_rooted;
	}
	if (msg.text[0])
		c->hook_state = xstrdup(msg.text);
	return 0;
}

/* Open every namespace to join first (the paths live in the host's mount
 * namespace), then join them: the user namespace first, so the others are
 * joined with the capabilities it grants; the mount namespace last. */
static int join_namespaces(const struct spec *spec, struct ctr_error *err)
{
	static const int order[] = {CLONE_NEWUSER, CLONE_NEWIPC,    CLONE_NEWUTS,
				    CLONE_NEWNET,  CLONE_NEWCGROUP, CLONE_NEWNS};
	static const char *const own[] = {"/proc/self/ns/user", "/proc/self/ns/ipc",
					  "/proc/self/ns/uts",	"/proc/self/ns/net",
					  "/proc/self/ns/cgroup", "/proc/self/ns/mnt"};
	int fds[ARRAY_SIZE(order)];
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const struct spec_namespace *ns = spec_find_namespace(spec, order[i]);
		fds[i] = -1;
		if (ns && ns->path && (fds[i] = open(ns->path, O_RDONLY | O_CLOEXEC)) < 0) {
			ret = ctr_errno(err, "open namespace %s", ns->path);
			break;
		}
	}
	for (size_t i = 0; ret == 0 && i < ARRAY_SIZE(order); i++) {
		struct stat want, have;

		/* The launcher joined it for us before clone (a network
		 * namespace a new user namespace could not enter). */
		if (fds[i] >= 0 && fstat(fds[i], &want) == 0 && stat(own[i], &have) == 0 &&
		    want.st_dev == have.st_dev && want.st_ino == have.st_ino)
			continue;
		if (fds[i] >= 0 && setns(fds[i], order[i]) < 0)
			ret = ctr_errno(err, "join namespace %s",
					spec_find_namespace(spec, order[i])->path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ret;
}

static int become_root_in_userns(struct ctr_error *err)
{
	if (setresgid(0, 0, 0) < 0)
		return ctr_errno(err, "setresgid to root in the user namespace");
	if (setresuid(0, 0, 0) < 0)
		return ctr_errno(err, "setresuid to root in the user namespace");
	return 0;
}

/* While still host root: the store's directories are 0700, and the root
 * of the container's user namespace may not walk them. */
static int attach_root_tree(struct init_ctx *c, struct ctr_error *err)
{
	int fd = rootfs_attach_root_tree(c->o->spec, err);

	if (c->root_tree >= 0)
		close(steal_fd(c->root_tree));
	if (fd < 0)
		return fd;
	c->spec_rooted = *c->o->spec;
	c->spec_rooted.root_path = xasprintf("/proc/self/fd/%d", fd);
	c->o_rooted = *c->o;
	c->o_rooted.spec = &c->spec_rooted;
	c->o = &c->o_rooted;
	return 0;
}

static int setup_namespaces(struct init_ctx *c, struct ctr_error *err)
{
	int ret;

	if (c->o->spec->has_root_tree && (ret = attach_root_tree(c, err)) < 0)
		return ret;
	if (c->new_userns && (ret = become_root_in_userns(err)) < 0)
		return ret;
	ret = join_namespaces(c->o->spec, err);
	if (ret < 0)
		return ret;
	if (c->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
		return ctr_errno(err, "create cgroup namespace");
	return 0;
}

static int prepare_rootfs(struct init_ctx *c, struct ctr_error *err)
{
	const struct launch_opts *o = c->o;
	int ret;

	if (o->cg) {
		ret = cg_mount_layout(o->cg, &c->cg_mounts, &c->n_cg_mounts, err);
		if (ret < 0)
			return ret;
	}
	c->rootfs = (struct rootfs_ctx){
	    .spec = o->spec,
	    .cgroup_mounts = c->cg_mounts,
	    .n_cgroup_mounts = c->n_cg_mounts,
	    .no_pivot = o->no_pivot,
	    .in_userns = c->new_userns || spec_find_namespace(o->spec, CLONE_NEWUSER) != NULL,
	    .new_cgroupns = c->new_cgroupns,
	};
	return rootfs_prepare(&c->rootfs, err);
}

/* init_args.cg_late: the parent makes the v1 cgroups while we set up the
 * rootfs; join them before hooks and the container's process run, as late
 * as that allows: a message that is already there costs no wait (on a
 * busy host the parent may well be descheduled meanwhile). */
static bool has_creation_hooks(const struct spec *spec)
{
	return has_hooks(spec, SPEC_HOOK_PRESTART) || has_hooks(spec, SPEC_HOOK_CREATE_RUNTIME) ||
	       has_hooks(spec, SPEC_HOOK_CREATE_CONTAINER);
}

static int join_cgroup_late(struct init_ctx *c, bool before_hooks, struct ctr_error *err)
{
	int ret;

	if (!c->cg_late || before_hooks != has_creation_hooks(c->o->spec))
		return 0;
	ret = sync_expect(c->sock, SYNC_CGROUP, NULL, err);
	return ret < 0 ? ret : cg_attach(c->o->cg, 0, c->cloned_into, err);
}

static int run_creation_hooks(struct init_ctx *c, struct ctr_error *err)
{
	const struct spec *spec = c->o->spec;
	int ret;

	if (has_hooks(spec, SPEC_HOOK_PRESTART) || has_hooks(spec, SPEC_HOOK_CREATE_RUNTIME)) {
		ret = sync_send(c->sock, SYNC_HOOKS, 0, NULL, -1);
		if (ret < 0)
			return ctr_errnum(err, ret, "ask the runtime to run hooks");
		ret = sync_expect(c->sock, SYNC_HOOKS_DONE, NULL, err);
		if (ret < 0)
			return ret;
	}
	if (has_hooks(spec, SPEC_HOOK_CREATE_CONTAINER))
		return hooks_run(spec, SPEC_HOOK_CREATE_CONTAINER, c->hook_state, err);
	return 0;
}

static int set_names(const struct spec *spec, struct ctr_error *err)
{
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return ctr_errno(err, "set hostname");
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return ctr_errno(err, "set domainname");
	return 0;
}

/* The terminal's pty lives in the container's devpts; the master goes to
 * the runtime, the slave becomes stdio, controlling tty and /dev/console. */
int launcher_child_terminal(int sock, const struct spec_process *p, bool bind_console,
			    struct ctr_error *err)
{
	_cleanup_free_ char *slave_path = NULL;
	_cleanup_close_ int master = -1;
	_cleanup_close_ int slave = -1;
	int ret;

	ret = console_new_pty(&master, &slave_path, err);
	if (ret < 0)
		return ret;
	if (p->has_console_size)
		console_set_size(master, p->console_height, p->console_width);
	if (bind_console && (ret = rootfs_bind_console(slave_path, err)) < 0)
		return ret;
	slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return ctr_errno(err, "open terminal %s", slave_path);
	if (console_make_controlling(steal_fd(slave)) < 0)
		return ctr_errno(err, "make %s the controlling terminal", slave_path);
	ret = sync_send(sock, SYNC_PTY, 0, slave_path, master);
	return ret < 0 ? ctr_errnum(err, ret, "hand terminal to the runtime") : 0;
}

static int join_session_keyring(const char *id, struct ctr_error *err)
{
	_cleanup_free_ char *name = xasprintf("_ses.%s", id);

	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS &&
	    errno != EACCES && errno != EPERM)
		return ctr_errno(err, "join session keyring");
	return 0;
}

/* Only 0-2 and the preserved fds survive execve; everything else the runtime
 * holds (sync socket, fifo, store fds) is close-on-exec from here on. */
int launcher_child_fds(unsigned int preserve, struct ctr_error *err)
{
	for (unsigned int fd = 3; fd < 3 + preserve; fd++) {
		int flags = fcntl((int)fd, F_GETFD);
		if (flags >= 0 && fcntl((int)fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
			return ctr_errno(err, "preserve fd %u", fd);
	}
	if (sys_close_range(3 + preserve, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return ctr_errno(err, "mark fds close-on-exec");
	return 0;
}

/* Stdio that is the host's /dev/null becomes the container's own: the
 * host's lives on a mount outside the container, which CRIU cannot dump
 * (runc does the same). */
static int reopen_dev_null(struct ctr_error *err)
{
	_cleanup_close_ int null_fd = -1;
	struct stat st, own = {0};

	for (int fd = 0; fd <= 2; fd++) {
		if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
			continue;
		if (null_fd < 0) {
			null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (null_fd < 0 || fstat(null_fd, &own) < 0)
				return ctr_errno(err, "open the container's /dev/null");
			if (!S_ISCHR(own.st_mode) || own.st_rdev != st.st_rdev)
				return 0; /* not the null device: keep the host's */
		}
		if (own.st_dev != st.st_dev && dup2(null_fd, fd) < 0)
			return ctr_errno(err, "reopen fd %d on /dev/null", fd);
	}
	return 0;
}

static int setup_container(struct init_ctx *c, struct ctr_error *err)
{
	const struct launch_opts *o = c->o;
	const struct spec *spec = o->spec;
	int ret;

	if ((ret = wait_for_go(c, err)) < 0 || (ret = setup_namespaces(c, err)) < 0 ||
	    (ret = prepare_rootfs(c, err)) < 0 || (ret = join_cgroup_late(c, true, err)) < 0 ||
	    (ret = run_creation_hooks(c, err)) < 0 || (ret = rootfs_pivot(&c->rootfs, err)) < 0 ||
	    (ret = set_names(spec, err)) < 0 ||
	    (ret = process_apply_sysctl(&spec->linux, err)) < 0 ||
	    (ret = rootfs_finish(&c->rootfs, err)) < 0 ||
	    (ret = join_cgroup_late(c, false, err)) < 0)
		return ret;
	/* Its own session, as runc gives it (with a terminal,
	 * console_make_controlling does it): CRIU refuses to dump a tree whose
	 * session leader is outside its pid namespace, and a container should
	 * not share the job control of whoever started it. */
	if (!spec->process.terminal && setsid() < 0)
		return ctr_errno(err, "setsid");
	if (!spec->process.terminal && (ret = reopen_dev_null(err)) < 0)
		return ret;
	if (spec->process.terminal &&
	    (ret = launcher_child_terminal(c->sock, &spec->process, true, err)) < 0)
		return ret;
	if (!o->no_new_keyring && (ret = join_session_keyring(o->id, err)) < 0)
		return ret;
	if ((ret = process_apply_limits(spec, &spec->process, err)) < 0 ||
	    (ret = launcher_child_fds(o->preserve_fds, err)) < 0 ||
	    (ret = process_finalize(&spec->process, spec->linux.seccomp, err)) < 0 ||
	    (ret = process_check_executable(&spec->process, err)) < 0)
		return ret;
	return 0;
}

/* Owned by the user namespace clone3 made, as if clone3 had made it. */
static int unshare_net(int sock, struct ctr_error *err)
{
	int ret;

	if (unshare(CLONE_NEWNET) < 0)
		return ctr_errno(err, "create network namespace");
	ret = sync_send(sock, SYNC_NETNS, 0, NULL, -1);
	return ret < 0 ? ctr_errnum(err, ret, "report network namespace") : 0;
}

/* READY, then wait for the parent to have recorded us before dropping the
 * parent-death signal: a runtime killed before that takes the init along. */
static int commit(struct init_ctx *c, struct ctr_error *err)
{
	int ret;

	ret = sync_send(c->sock, SYNC_READY, 0, NULL, -1);
	if (ret < 0)
		return ctr_errnum(err, ret, "report ready");
	ret = sync_expect(c->sock, SYNC_COMMIT, NULL, err);
	if (ret < 0)
		return ret;
	prctl(PR_SET_PDEATHSIG, 0);
	ret = sync_send(c->sock, SYNC_COMMIT_ACK, 0, NULL, -1);
	return ret < 0 ? ctr_errnum(err, ret, "acknowledge commit") : 0;
}

static int wait_for_start(int fifo_fd, struct ctr_error *err)
{
	char byte;
	ssize_t n;

	do
		n = read(fifo_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return n < 0 ? ctr_errno(err, "wait on exec fifo")
			     : ctr_error(err, EPIPE, "exec fifo closed");
	close(fifo_fd);
	return 0;
}

_Noreturn void container_init(const struct launch_opts *o, const struct init_args *args)
{
	struct init_ctx c = {.o = o,
			     .root_tree = -1,
			     .sock = args->sock,
			     .new_userns = args->new_userns,
			     .new_cgroupns = args->new_cgroupns,
			     .cg_late = args->cg_late,
			     .cloned_into = args->cloned_into};
	struct ctr_error err = CTR_ERROR_INIT;
	int sock = args->sock;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* No process in the container may open our /proc/PID/exe or memory
	 * before execve replaces this image. */
	prctl(PR_SET_DUMPABLE, 0);
	/* The state dir's flock belongs to the runtime, not to an init that
	 * may wait for `start` for a long time. */
	if (o->state_dirfd >= 0)
		close(o->state_dirfd);
	if ((args->unshare_net && unshare_net(sock, &err) < 0) ||
	    (o->cg && !args->cg_late && cg_attach(o->cg, 0, args->cloned_into, &err) < 0) ||
	    setup_container(&c, &err) < 0 || commit(&c, &err) < 0) {
		sync_send_error(sock, &err);
		_exit(1);
	}
	/* From here on the runtime may be gone: errors go to the container's
	 * own stderr, as the process would have printed them. */
	close(sock);
	if ((o->mode != LAUNCH_CREATE || wait_for_start(o->fifo_fd, &err) == 0) &&
	    (!has_hooks(o->spec, SPEC_HOOK_START_CONTAINER) ||
	     hooks_run(o->spec, SPEC_HOOK_START_CONTAINER, c.hook_state, &err) == 0))
		process_exec(&o->spec->process, &err);
	dprintf(STDERR_FILENO, "ctr: %s\n", err.msg);
	_exit(127);
}
