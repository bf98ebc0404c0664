/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * launcher.c - the parent side of a container start: clone3, id maps,
 * cgroup placement, and the sync protocol (see sync.h).
 */
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "console.h"
#include "launcher.h"
#include "log.h"
#include "process.h"
#include "syscalls.h"
#include "sync.h"
#include "util.h"

/* Namespaces that clone3 creates directly. The cgroup namespace is left to
 * the child (unshare after the parent placed it in every hierarchy, or the
 * namespace root would be the runtime's cgroup on v1), the time namespace to
 * the parent (offsets must be written before any process enters it). */
static const int clone_ns_types[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWUSER,
};

static uint64_t clone_flags_for(const struct spec *spec)
{
	uint64_t flags = 0;

	for (size_t i = 0; i < ARRAY_SIZE(clone_ns_types); i++) {
		const struct spec_namespace *ns = spec_find_namespace(spec, clone_ns_types[i]);
		if (ns && !ns->path)
			flags |= (uint64_t)clone_ns_types[i];
	}
	return flags;
}

static int write_map(pid_t pid, const char *file, const struct spec_id_map *maps, size_t n,
		     struct ctr_error *err)
{
	char path[64], buf[4096];
	size_t len = 0;

	for (size_t i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n",
					maps[i].container_id, maps[i].host_id, maps[i].size);
	if (len >= sizeof(buf))
		return ctr_error(err, E2BIG, "%s: too many id mappings", file);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return write_file_at(AT_FDCWD, path, buf, len, err);
}

int launcher_write_id_maps(pid_t pid, const struct spec_linux *l, struct ctr_error *err)
{
	int ret;

	ret = write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err);
	if (ret < 0)
		return ret;
	return write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
}

/* Namespaces that only apply to children (pid, time) are entered by the
 * parent just around clone3 and left right after. So is a network
 * namespace to join when the init gets a new user namespace: from inside
 * it, setns() into a namespace owned by the host's is refused (EPERM),
 * while a child simply keeps the one it is born in. */
struct parent_ns {
	int saved_pid;
	int saved_time;
	int saved_net;
};

static int enter_net_for_new_userns(const struct spec *spec, struct parent_ns *saved,
				    struct ctr_error *err)
{
	const struct spec_namespace *user = spec_find_namespace(spec, CLONE_NEWUSER);
	const struct spec_namespace *net = spec_find_namespace(spec, CLONE_NEWNET);
	_cleanup_close_ int fd = -1;

	if (!user || user->path || !net || !net->path)
		return 0;
	fd = open(net->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctr_errno(err, "open network namespace %s", net->path);
	saved->saved_net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved->saved_net < 0 || setns(fd, CLONE_NEWNET) < 0)
		return ctr_errno(err, "join network namespace %s", net->path);
	return 0;
}

static int enter_child_namespaces(const struct spec *spec, struct parent_ns *saved,
				  struct ctr_error *err)
{
	const struct spec_namespace *pid = spec_find_namespace(spec, CLONE_NEWPID);
	const struct spec_namespace *tns = spec_find_namespace(spec, CLONE_NEWTIME);

	saved->saved_pid = saved->saved_time = saved->saved_net = -1;
	int ret = enter_net_for_new_userns(spec, saved, err);

	if (ret < 0)
		return ret;
	if (pid && pid->path) {
		_cleanup_close_ int fd = open(pid->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return ctr_errno(err, "open pid namespace %s", pid->path);
		saved->saved_pid = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
		if (saved->saved_pid < 0 || setns(fd, CLONE_NEWPID) < 0)
			return ctr_errno(err, "join pid namespace %s", pid->path);
	}
	if (!tns)
		return 0;
	saved->saved_time = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (saved->saved_time < 0)
		return ctr_errno(err, "open own time namespace");
	if (tns->path) {
		_cleanup_close_ int fd = open(tns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
			return ctr_errno(err, "join time namespace %s", tns->path);
		return 0;
	}
	if (unshare(CLONE_NEWTIME) < 0)
		return ctr_errno(err, "create time namespace");
	for (size_t i = 0; i < spec->linux.n_time_offsets; i++) {
		const struct spec_time_offset *t = &spec->linux.time_offsets[i];
		char line[96];
		int n = snprintf(line, sizeof(line), "%s %" PRId64 " %u\n",
				 t->clock == CLOCK_BOOTTIME ? "boottime" : "monotonic", t->secs,
				 t->nanosecs);
		if (write_file_at(AT_FDCWD, "/proc/self/timens_offsets", line, (size_t)n, err) < 0)
			return ctr_error_prefix(err, "linux.timeOffsets");
	}
	return 0;
}

static void leave_child_namespaces(struct parent_ns *saved)
{
	if (saved->saved_pid >= 0) {
		setns(saved->saved_pid, CLONE_NEWPID);
		close(saved->saved_pid);
	}
	if (saved->saved_time >= 0) {
		setns(saved->saved_time, CLONE_NEWTIME);
		close(saved->saved_time);
	}
	if (saved->saved_net >= 0) {
		setns(saved->saved_net, CLONE_NEWNET);
		close(saved->saved_net);
	}
	saved->saved_pid = saved->saved_time = saved->saved_net = -1;
}

static pid_t clone_init(const struct launch_opts *o, uint64_t flags, int *pidfd,
			bool *cloned_into, struct ctr_error *err)
{
	int cgfd = o->cg ? cg_clone_fd(o->cg) : -1;
	struct clone_args args = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};
	long pid;

	/* Set before each clone3: the child reads its own copy to know which
	 * hierarchies it still has to join. */
	*cloned_into = cgfd >= 0;
	if (cgfd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgfd;
	}
	pid = sys_clone3(&args);
	if (pid < 0 && cgfd >= 0 && (errno == EOPNOTSUPP || errno == EBUSY)) {
		/* The cgroup2 directory refuses direct placement (e.g. controllers
		 * in threaded mode): the child joins it like the v1 ones. */
		args.flags &= ~CLONE_INTO_CGROUP;
		args.cgroup = 0;
		*cloned_into = false;
		pid = sys_clone3(&args);
	}
	if (pid < 0)
		return ctr_errno(err, "clone3");
	return (pid_t)pid;
}

static void kill_and_reap(pid_t pid, int pidfd)
{
	if (pidfd >= 0)
		sys_pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	else
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The child closed its end without an error message: it died. Its exit
 * status or signal goes into the error, which is all there is to tell. */
static void explain_silent_exit(pid_t pid, int pidfd, struct ctr_error *err)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	char what[sizeof(err->msg)];
	siginfo_t si = {0};

	if (err->code != EPIPE || pidfd < 0 || poll(&p, 1, 1000) != 1)
		return;
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != pid)
		return;
	memcpy(what, err->msg, sizeof(what));
	if (si.si_code == CLD_EXITED)
		ctr_error(err, EPIPE, "%s (exit status %d)", what, si.si_status);
	else
		ctr_error(err, EPIPE, "%s (killed by signal %d, %s)", what, si.si_status,
			  strsignal(si.si_status));
}

/* Serve the child's requests until it reports READY. */
static int serve_child(const struct launch_opts *o, int sock, pid_t pid,
		       struct launch_result *r, struct ctr_error *err)
{
	for (;;) {
		struct sync_msg msg;
		int fd = -1, ret;

		ret = sync_recv(sock, &msg, &fd);
		if (ret < 0)
			return sync_failed(ret, "read from container process", err);
		switch (msg.type) {
		case SYNC_HOOKS:
			ret = o->cb.runtime_hooks ? o->cb.runtime_hooks(o->cb.data, pid, err) : 0;
			if (ret < 0)
				return ret;
			ret = sync_send(sock, SYNC_HOOKS_DONE, 0, NULL, -1);
			break;
		case SYNC_PTY:
			if (o->console_socket >= 0) {
				ret = console_send_master(o->console_socket, fd, err);
				close(fd);
				if (ret < 0)
					return ret;
			} else {
				r->pty_master = fd;
			}
			break;
		case SYNC_READY:
			return 0;
		case SYNC_ERROR:
			return ctr_error(err, msg.value > 0 ? msg.value : EIO, "%s", msg.text);
		default:
			if (fd >= 0)
				close(fd);
			return ctr_error(err, EPROTO, "container setup protocol: unexpected message %u",
					 msg.type);
		}
		if (ret < 0)
			return sync_failed(ret, "write to container process", err);
	}
}

/* GO carries the root that root_setup made, if any. */
static int send_go(const struct launch_opts *o, int sock, pid_t pid, struct ctr_error *err)
{
	_cleanup_free_ char *state = o->cb.hook_state ? o->cb.hook_state(o->cb.data, pid) : NULL;
	_cleanup_close_ int root = -1;
	int ret;

	if (state && strlen(state) >= sizeof(((struct sync_msg *)0)->text))
		return ctr_error(err, E2BIG, "container state too large to hand to hooks");
	if (o->root_setup && (root = o->root_setup(o->root_data, pid, err)) < 0)
		return root;
	ret = sync_send(sock, SYNC_GO, 0, state, root);
	return ret < 0 ? ctr_errnum(err, ret, "start container process") : 0;
}

/*
 * Whether the init can join its v1 cgroups after preparing its rootfs, so
 * that the parent makes them meanwhile (~0.4 ms of mkdirs off a start):
 * only with the credentials and cgroup view of the runtime (no user or
 * cgroup namespace: it writes the host's tasks files and is moved from
 * where the runtime sees it) and no cgroup mount (its rootfs binds the
 * directories). What the init does before joining is the runtime's own
 * setup; it joins before hooks run and before the container's process.
 */
static bool cgroup_late(const struct launch_opts *o)
{
	const struct spec *spec = o->spec;

	if (!o->cg || !cg_create_pending(o->cg) || spec_find_namespace(spec, CLONE_NEWUSER) ||
	    spec_find_namespace(spec, CLONE_NEWCGROUP))
		return false;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (str_has_prefix(spec->mounts[i].type, "cgroup"))
			return false;
	}
	return true;
}

/* The v1 cgroups made while the init prepares its rootfs. A child that
 * failed meanwhile (EPIPE) has sent its error: serve_child reports it. */
static int finish_cgroup(const struct launch_opts *o, int sock, struct ctr_error *err)
{
	int ret = cg_create_finish(o->cg, o->cg_res, err);

	if (ret < 0)
		return ret;
	ret = sync_send(sock, SYNC_CGROUP, 0, NULL, -1);
	return ret < 0 && ret != -EPIPE ? ctr_errnum(err, ret, "start container process") : 0;
}

/* Everything the parent does between clone3 and READY, then commit. */
static int drive_child(const struct launch_opts *o, int sock, pid_t pid, bool new_userns,
		       bool unshare_net, bool cg_late, struct launch_result *r,
		       struct ctr_error *err)
{
	int ret;

	if (new_userns) {
		ret = launcher_write_id_maps(pid, &o->spec->linux, err);
		if (ret < 0)
			return ctr_error_prefix(err, "write id maps");
	}
	ret = send_go(o, sock, pid, err);
	if (ret == 0 && cg_late)
		ret = finish_cgroup(o, sock, err);
	if (ret == 0 && unshare_net)
		ret = sync_expect(sock, SYNC_NETNS, NULL, err);
	if (ret < 0)
		return ret;
	/* After GO, so the network is made while the child mounts its rootfs;
	 * before hooks and READY, so both see it. */
	if (o->netns_setup && (ret = o->netns_setup(o->netns_data, pid, err)) < 0)
		return ret;
	ret = serve_child(o, sock, pid, r, err);
	if (ret < 0)
		return ret;
	if (o->cb.ready) {
		ret = o->cb.ready(o->cb.data, pid, err);
		if (ret < 0)
			return ret;
	}
	ret = sync_send(sock, SYNC_COMMIT, 0, NULL, -1);
	if (ret < 0)
		return ctr_errnum(err, ret, "commit container process");
	return sync_expect(sock, SYNC_COMMIT_ACK, NULL, err);
}

int launcher_start(const struct launch_opts *o, struct launch_result *r, struct ctr_error *err)
{
	const struct spec *spec = o->spec;
	const struct spec_namespace *cgns = spec_find_namespace(spec, CLONE_NEWCGROUP);
	uint64_t flags = clone_flags_for(spec);
	uint64_t userns_net = CLONE_NEWUSER | CLONE_NEWNET;
	struct parent_ns saved;
	int socks[2], pidfd = -1, ret;
	bool cloned_into = false;
	/* The child makes its network namespace (~0.5 ms) while the parent
	 * makes its root with root_setup, instead of clone3 before both. */
	bool unshare_net = o->root_setup && (flags & userns_net) == userns_net;
	bool cg_late = cgroup_late(o);
	pid_t pid;

	r->pid = 0;
	r->pidfd = -1;
	r->pty_master = -1;
	if (!spec_find_namespace(spec, CLONE_NEWNS))
		return ctr_error(err, EINVAL, "linux.namespaces: a mount namespace is required");
	/* Compile the seccomp filter here, once, rather than in the child. */
	if (spec->linux.seccomp &&
	    (ret = process_seccomp_prepare(spec->linux.seccomp, o->seccomp_cache, err)) < 0)
		return ret;
	if (o->cg && !cg_late && cg_create_pending(o->cg) &&
	    (ret = cg_create_finish(o->cg, o->cg_res, err)) < 0)
		return ret;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0)
		return ctr_errno(err, "socketpair");
	ret = enter_child_namespaces(spec, &saved, err);
	if (unshare_net)
		flags &= ~(uint64_t)CLONE_NEWNET;
	pid = ret < 0 ? ret : clone_init(o, flags, &pidfd, &cloned_into, err);
	if (pid == 0) {
		struct init_args args = {.sock = socks[1], .new_userns = !!(flags & CLONE_NEWUSER),
					 .new_cgroupns = cgns && !cgns->path,
					 .cloned_into = cloned_into,
					 .unshare_net = unshare_net,
					 .cg_late = cg_late};
		close(socks[0]);
		container_init(o, &args);
	}
	leave_child_namespaces(&saved);
	close(socks[1]);
	if (pid < 0) {
		close(socks[0]);
		return (int)pid;
	}
	ret = drive_child(o, socks[0], pid, flags & CLONE_NEWUSER, unshare_net, cg_late, r, err);
	close(socks[0]);
	if (ret < 0) {
		explain_silent_exit(pid, pidfd, err);
		kill_and_reap(pid, pidfd);
		if (pidfd >= 0)
			close(pidfd);
		if (r->pty_master >= 0)
			close(steal_fd(r->pty_master));
		return ret;
	}
	r->pid = pid;
	r->pidfd = pidfd;
	ctr_debug("container %s: init pid %d", o->id, (int)pid);
	return 0;
}
