/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec.c - running another process in a live container.
 *
 * The new process is cloned straight into the container's cgroup
 * (CLONE_INTO_CGROUP) and pid namespace (the parent enters it for children
 * only), then joins the other namespaces through the init's pidfd in one
 * setns call. It stays non-dumpable until execve, so nothing in the
 * container can reach into it while it still holds the runtime's image.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "console.h"
#include "lifecycle_internal.h"
#include "process.h"
#include "syscalls.h"
#include "sync.h"
#include "../rootfs/rootfs.h"

struct ns_name {
	int type;
	const char *name;
};

static const struct ns_name ns_names[] = {
    {CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mnt"},    {CLONE_NEWNET, "net"},
    {CLONE_NEWIPC, "ipc"},   {CLONE_NEWUTS, "uts"},   {CLONE_NEWCGROUP, "cgroup"},
    {CLONE_NEWPID, "pid"},   {CLONE_NEWTIME, "time"},
};

/* The namespaces in which the container differs from us. */
static int differing_namespaces(pid_t pid)
{
	int flags = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++) {
		char theirs[64], ours[64];
		struct stat a, b;

		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, ns_names[i].name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", ns_names[i].name);
		if (stat(theirs, &a) == 0 && stat(ours, &b) == 0 &&
		    (a.st_ino != b.st_ino || a.st_dev != b.st_dev))
			flags |= ns_names[i].type;
	}
	return flags;
}

struct exec_ctx {
	const struct exec_opts *o;
	struct cg_handle *cg;
	bool cloned_into;
	int init_root; /* O_PATH on the init's root, or -1 */
	const struct spec *spec;
	int init_pidfd;
	pid_t init_pid;
	int join_flags;
	int sock;
};

static int exec_child_setup(struct exec_ctx *c, struct ctr_error *err)
{
	const struct spec_process *p = c->o->process;
	int ret;

	if (c->cg && (ret = cg_attach(c->cg, 0, c->cloned_into, err)) < 0)
		return ret;
	ret = sync_expect(c->sock, SYNC_GO, NULL, err);
	if (ret < 0)
		return ret;
	if (setns(c->init_pidfd, c->join_flags & ~(CLONE_NEWPID | CLONE_NEWTIME)) < 0)
		return ctr_errno(err, "join the container's namespaces");
	/* setns puts us at the mount namespace's root, which is the container's
	 * root only if the runtime that pivoted into it was not itself chrooted:
	 * take the init's own root instead. */
	if (c->init_root >= 0 && (fchdir(c->init_root) < 0 || chroot(".") < 0 || chdir("/") < 0))
		return ctr_errno(err, "enter the container's root");
	/* Root of the container's user namespace before the pty is made: a
	 * pty belongs to its opener, and host root is nobody in there. */
	if ((c->join_flags & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return ctr_errno(err, "become root in the user namespace");
	if (p->terminal && (ret = launcher_child_terminal(c->sock, p, false, err)) < 0)
		return ret;
	if (!p->terminal && c->o->new_session && setsid() < 0)
		return ctr_errno(err, "setsid");
	if ((ret = launcher_child_fds(c->o->preserve_fds, err)) < 0 ||
	    (ret = process_apply_limits(c->spec, p, err)) < 0 ||
	    (ret = process_finalize(p, c->spec->linux.seccomp, err)) < 0 ||
	    (ret = process_check_executable(p, err)) < 0)
		return ret;
	return 0;
}

static _Noreturn void exec_child(struct exec_ctx *c)
{
	struct ctr_error err = CTR_ERROR_INIT;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	if (exec_child_setup(c, &err) < 0) {
		sync_send_error(c->sock, &err);
		_exit(1);
	}
	/* Keep running if the runtime exits once the process is recorded. */
	prctl(PR_SET_PDEATHSIG, 0);
	if (sync_send(c->sock, SYNC_READY, 0, NULL, -1) < 0)
		_exit(1);
	close(c->sock);
	process_exec(c->o->process, &err);
	dprintf(STDERR_FILENO, "ctr: %s\n", err.msg);
	_exit(127);
}

static int exec_serve(const struct exec_opts *o, int sock, int console, int *pty,
		      struct ctr_error *err)
{
	for (;;) {
		struct sync_msg msg;
		int fd = -1, ret;

		ret = sync_recv(sock, &msg, &fd);
		if (ret < 0)
			return ret == -EPIPE
				   ? ctr_error(err, EPIPE, "exec process exited during setup")
				   : ctr_errnum(err, ret, "read from exec process");
		if (msg.type == SYNC_READY)
			return 0;
		if (msg.type == SYNC_ERROR)
			return ctr_error(err, msg.value > 0 ? msg.value : EIO, "%s", msg.text);
		if (msg.type != SYNC_PTY || fd < 0)
			return ctr_error(err, EPROTO, "exec protocol: unexpected message %u",
					 msg.type);
		if (console >= 0) {
			ret = console_send_master(console, fd, err);
			close(fd);
			if (ret < 0)
				return ret;
		} else {
			*pty = fd;
		}
	}
}

static pid_t clone_exec(struct exec_ctx *c, int *pidfd, struct ctr_error *err)
{
	int cgfd = c->cg ? cg_clone_fd(c->cg) : -1;
	bool *cloned_into = &c->cloned_into;
	int enter = c->join_flags & (CLONE_NEWPID | CLONE_NEWTIME);
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_close_ int member = -1;
	_cleanup_close_ int own_pid = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int own_time =
	    open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	struct clone_args args = {
	    .flags = CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)pidfd, .exit_signal = SIGCHLD};
	long pid;

	if (enter && setns(c->init_pidfd, enter) < 0)
		return ctr_errno(err, "enter the container's pid namespace");
	*cloned_into = cgfd >= 0;
	if (cgfd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgfd;
	}
	pid = sys_clone3(&args);
	if (pid < 0 && errno == EBUSY && cgfd >= 0 &&
	    (member = cg_open_member_dir(c->cg, c->init_pid, &ignored)) >= 0) {
		/* The init (systemd) gave the container's cgroup sub-cgroups
		 * with controllers: it takes no process, the init's one does. */
		args.cgroup = (uint64_t)member;
		pid = sys_clone3(&args);
	}
	if (pid < 0 && cgfd >= 0) {
		args.flags &= ~CLONE_INTO_CGROUP;
		*cloned_into = false;
		pid = sys_clone3(&args);
	}
	if (pid == 0)
		return 0;
	if (enter & CLONE_NEWPID)
		setns(own_pid, CLONE_NEWPID);
	if (enter & CLONE_NEWTIME)
		setns(own_time, CLONE_NEWTIME);
	if (pid < 0)
		return ctr_errno(err, "clone3");
	return (pid_t)pid;
}

static int exec_launch(struct exec_ctx *c, int console, pid_t *pid_out, int *pidfd, int *pty,
		       struct ctr_error *err)
{
	int socks[2], ret;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0)
		return ctr_errno(err, "socketpair");
	c->sock = socks[1];
	pid = clone_exec(c, pidfd, err);
	if (pid == 0) {
		close(socks[0]);
		exec_child(c);
	}
	close(socks[1]);
	if (pid < 0) {
		close(socks[0]);
		return (int)pid;
	}
	ret = sync_send(socks[0], SYNC_GO, 0, NULL, -1);
	if (ret < 0)
		ret = ctr_errnum(err, ret, "start exec process");
	if (ret == 0)
		ret = exec_serve(c->o, socks[0], console, pty, err);
	close(socks[0]);
	if (ret < 0) {
		sys_pidfd_send_signal(*pidfd, SIGKILL, NULL, 0);
		waitpid(pid, NULL, 0);
		close(steal_fd(*pidfd));
		return ret;
	}
	*pid_out = pid;
	return 0;
}

int container_config(struct ctr_runtime *rt, const char *id, struct spec **spec,
		     struct ctr_error *err)
{
	_cleanup_state_ struct container_state cs = {0};
	_cleanup_close_ int dirfd = -1;
	int ret;

	ret = lc_open_locked(rt, id, false, &cs, &dirfd, err);
	if (ret < 0)
		return ret;
	return lc_load_config(rt, dirfd, &cs, spec, err);
}

static int check_execable(struct ctr_runtime *rt, int dirfd, const struct container_state *cs,
			  struct ctr_error *err)
{
	enum container_status st = lc_derive_status(rt, dirfd, cs);

	if (st == STATUS_RUNNING || st == STATUS_CREATED)
		return 0;
	return ctr_error(err, EINVAL, "cannot exec in a %s container", container_status_name(st));
}

int container_exec(struct ctr_runtime *rt, const struct exec_opts *o, int *exit_code,
		   struct ctr_error *err)
{
	_cleanup_state_ struct container_state cs = {0};
	_cleanup_close_ int dirfd = -1;
	_cleanup_close_ int init_pidfd = -1;
	_cleanup_close_ int console = -1;
	_cleanup_close_ int pidfd = -1;
	_cleanup_close_ int pty = -1;
	struct cg_handle *cg = NULL;
	struct spec *spec = NULL;
	struct exec_ctx c = {.o = o};
	pid_t pid = 0;
	int ret;

	*exit_code = 0;
	if (o->process->terminal && !o->console_socket && o->detach)
		return ctr_error(err, EINVAL, "a terminal with --detach needs a --console-socket");
	ret = lc_open_locked(rt, o->id, false, &cs, &dirfd, err);
	if (ret < 0)
		return ret;
	if ((ret = check_execable(rt, dirfd, &cs, err)) < 0 ||
	    (ret = lc_load_config(rt, dirfd, &cs, &spec, err)) < 0)
		return ret;
	init_pidfd = lc_open_init_pidfd(&cs, err);
	if (init_pidfd < 0) {
		spec_free(spec);
		return init_pidfd;
	}
	if (o->console_socket && (console = console_connect(o->console_socket, err)) < 0) {
		spec_free(spec);
		return console;
	}
	if (cs.cgroup_path && (ret = cg_open(cs.cgroup_path, &cg, err)) < 0) {
		spec_free(spec);
		return ret;
	}
	if (spec->linux.seccomp) {
		_cleanup_free_ char *cache = xasprintf("%s/" SECCOMP_CACHE, rt->store.root);
		ret = process_seccomp_prepare(spec->linux.seccomp, cache, err);
		if (ret < 0) {
			if (cg)
				cg_free(cg);
			spec_free(spec);
			return ret;
		}
	}
	c.spec = spec;
	c.cg = cg;
	c.init_pidfd = init_pidfd;
	c.init_pid = cs.pid;
	c.init_root = -1;
	c.join_flags = differing_namespaces(cs.pid);
	if (c.join_flags & CLONE_NEWNS) {
		char root[64];
		snprintf(root, sizeof(root), "/proc/%d/root", (int)cs.pid);
		c.init_root = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	ret = exec_launch(&c, console, &pid, &pidfd, &pty, err);
	if (c.init_root >= 0)
		close(c.init_root);
	if (cg)
		cg_free(cg);
	spec_free(spec);
	if (ret < 0)
		return ret;
	close(steal_fd(dirfd)); /* do not hold the container's lock while waiting */
	if (o->pid_file && (ret = lc_write_pid_file(o->pid_file, pid, err)) < 0)
		return ret;
	if (o->detach)
		return 0;
	ret = lc_wait_forwarding(pid, pidfd, pty, err);
	if (ret < 0)
		return ret;
	*exit_code = ret;
	return 0;
}
