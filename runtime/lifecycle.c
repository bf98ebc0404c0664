/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lifecycle.c - create, start, state, kill, delete, pause, resume, ps.
 * run and the wait loop live in run.c.
 */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "console.h"
#include "hooks.h"
#include "launcher.h"
#include "lifecycle.h"
#include "lifecycle_internal.h"
#include "log.h"
#include "syscalls.h"
#include "util.h"

const char *container_status_name(enum container_status s)
{
	static const char *const names[] = {
		[STATUS_CREATING] = "creating", [STATUS_CREATED] = "created",
		[STATUS_RUNNING] = "running",   [STATUS_PAUSED] = "paused",
		[STATUS_STOPPED] = "stopped",
	};
	return names[s];
}

enum container_status lc_derive_status(struct ctr_runtime *rt, int dirfd,
				       const struct container_state *cs)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct cg_handle *cg = NULL;
	bool frozen = false;

	if (cs->pid <= 0)
		return STATUS_CREATING;
	if (!state_process_alive(cs))
		return STATUS_STOPPED;
	if (faccessat(dirfd, EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return STATUS_CREATED;
	if (cs->cgroup_path && cg_open(cs->cgroup_path, &cg, &ignored) == 0) {
		cg_is_frozen(cg, &frozen, &ignored);
		cg_free(cg);
	}
	return frozen ? STATUS_PAUSED : STATUS_RUNNING;
}

int lc_open_locked(struct ctr_runtime *rt, const char *id, bool exclusive,
		   struct container_state *cs, int *dirfd, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	int ret;

	ret = state_validate_id(id, err);
	if (ret < 0)
		return ret;
	ret = state_open(&rt->store, id, &fd, err);
	if (ret < 0)
		return ret;
	ret = state_lock(fd, exclusive, err);
	if (ret < 0)
		return ret;
	ret = state_load(fd, cs, err);
	if (ret == -ENOENT) {
		/* Killed before the first state write: only delete can act on it. */
		ctr_error_clear(err);
		memset(cs, 0, sizeof(*cs));
		cs->id = xstrdup(id);
	} else if (ret < 0) {
		return ret;
	}
	*dirfd = steal_fd(fd);
	return 0;
}

int lc_open_status(struct ctr_runtime *rt, const char *id, bool exclusive,
		   struct container_state *cs, int *dirfd, enum container_status *st,
		   struct ctr_error *err)
{
	int ret;

	*st = STATUS_STOPPED;
	ret = lc_open_locked(rt, id, exclusive, cs, dirfd, err);
	if (ret == 0)
		*st = lc_derive_status(rt, *dirfd, cs);
	return ret;
}

/* The state a hook or `state` sees. */
char *lc_state_json(const struct container_state *cs, enum container_status st)
{
	struct container_state shown = *cs;

	/* A stopped container's recorded pid may already belong to another
	 * process: do not show it. */
	if (st == STATUS_STOPPED)
		shown.pid = 0;
	return state_to_oci_json(&shown, container_status_name(st));
}

int lc_write_pid_file(const char *path, pid_t pid, struct ctr_error *err)
{
	_cleanup_free_ char *abs = NULL;
	_cleanup_free_ char *dir = NULL;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	char *slash;

	/* Written by rename, so a reader never sees an empty pid file. */
	abs = xstrdup(path);
	slash = strrchr(abs, '/');
	if (!slash)
		return write_file_atomic_at(AT_FDCWD, abs, buf, (size_t)n, 0644, err);
	dir = xstrndup(abs, (size_t)(slash - abs) + 1);
	{
		_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return ctr_errno(err, "open pid file directory %s", dir);
		return write_file_atomic_at(dfd, slash + 1, buf, (size_t)n, 0644, err);
	}
}

/* Callbacks from the launcher while the init is being set up. */
struct create_ctx {
	struct ctr_runtime *rt;
	const struct create_opts *o;
	struct container_state *cs;
	int dirfd;
};

static int cb_runtime_hooks(void *data, pid_t pid, struct ctr_error *err)
{
	struct create_ctx *c = data;
	_cleanup_free_ char *json = NULL;
	int ret;

	c->cs->pid = pid;
	json = lc_state_json(c->cs, STATUS_CREATING);
	ret = hooks_run(c->o->spec, SPEC_HOOK_PRESTART, json, err);
	if (ret == 0)
		ret = hooks_run(c->o->spec, SPEC_HOOK_CREATE_RUNTIME, json, err);
	return ret;
}

static char *cb_hook_state(void *data, pid_t pid)
{
	struct create_ctx *c = data;
	const struct spec *spec = c->o->spec;

	if (!spec->hooks[SPEC_HOOK_CREATE_CONTAINER].n && !spec->hooks[SPEC_HOOK_START_CONTAINER].n)
		return NULL;
	c->cs->pid = pid;
	return lc_state_json(c->cs, STATUS_CREATING);
}

static int cb_ready(void *data, pid_t pid, struct ctr_error *err)
{
	struct create_ctx *c = data;
	int ret;

	c->cs->pid = pid;
	ret = proc_start_time(pid, &c->cs->start_time);
	if (ret < 0)
		return ctr_errnum(err, ret, "read start time of pid %d", (int)pid);
	ret = state_save(c->dirfd, c->cs, err);
	if (ret == 0 && c->o->pid_file)
		ret = lc_write_pid_file(c->o->pid_file, pid, err);
	return ret;
}

void lc_fill_initial_state(struct ctr_runtime *rt, const struct create_opts *o,
			   struct container_state *cs)
{
	const struct spec *spec = o->spec;

	memset(cs, 0, sizeof(*cs));
	cs->id = xstrdup(o->id);
	cs->bundle = xstrdup(spec->bundle ? spec->bundle : "");
	cs->rootfs = xstrdup(spec->root_path);
	cs->created = rfc3339_now();
	cs->owner = xstrdup("");
	cs->terminal = spec->process.terminal;
	if (!rt->cgroups_disabled)
		cs->cgroup_path = cg_resolve_path(spec->linux.cgroups_path, rt->cgroup_parent, o->id);
	/* cg_resolve_path refuses (NULL) a path it cannot place: reported by
	 * the caller before anything is made. */
	if (spec->n_annotations) {
		cs->annotations = xcalloc(spec->n_annotations, sizeof(*cs->annotations));
		for (size_t i = 0; i < spec->n_annotations; i++) {
			cs->annotations[i].key = xstrdup(spec->annotations[i].key);
			cs->annotations[i].value = xstrdup(spec->annotations[i].value);
		}
		cs->n_annotations = spec->n_annotations;
	}
}

/* Devices every container may use whatever its device list says (as runc
 * and crun do): the nodes rootfs/ creates in /dev, its terminal, and mknod
 * (creating a node is harmless; opening it is what the rules govern). */
static const struct spec_device_rule default_device_rules[] = {
	{true, 'c', -1, -1, "m"}, {true, 'b', -1, -1, "m"},
	{true, 'c', 1, 3, "rwm"}, /* null */
	{true, 'c', 1, 5, "rwm"}, /* zero */
	{true, 'c', 1, 7, "rwm"}, /* full */
	{true, 'c', 1, 8, "rwm"}, /* random */
	{true, 'c', 1, 9, "rwm"}, /* urandom */
	{true, 'c', 5, 0, "rwm"}, /* tty */
	{true, 'c', 5, 2, "rwm"}, /* ptmx */
	{true, 'c', 136, -1, "rwm"}, /* pts/N, and the console bound from one */
};

/* The spec's device rules with the defaults appended (last match wins, so
 * a spec cannot deny them); NULL when the spec restricts no devices. */
static struct spec_device_rule *effective_device_rules(const struct spec_resources *res,
						       size_t *n)
{
	size_t n_def = ARRAY_SIZE(default_device_rules);
	struct spec_device_rule *rules;

	if (!res->n_devices)
		return NULL;
	rules = xcalloc(res->n_devices + n_def, sizeof(*rules));
	memcpy(rules, res->devices, res->n_devices * sizeof(*rules));
	memcpy(rules + res->n_devices, default_device_rules, sizeof(default_device_rules));
	*n = res->n_devices + n_def;
	return rules;
}

/* The limits cgroups/ applies: the spec's, with the default device rules
 * (*rules holds them; NULL without linux.resources). */
static const struct spec_resources *cgroup_resources(const struct spec *spec,
						     struct spec_resources *res,
						     struct spec_device_rule **rules)
{
	*rules = NULL;
	if (!spec->linux.has_resources)
		return NULL;
	*res = spec->linux.resources;
	*rules = effective_device_rules(res, &res->n_devices);
	if (*rules)
		res->devices = *rules;
	return res;
}

int lc_create_cgroup(const struct spec *spec, const char *path, struct cg_handle **cg,
		     struct ctr_error *err)
{
	_cleanup_free_ struct spec_device_rule *rules = NULL;
	struct spec_resources res;

	return cg_create(path, cgroup_resources(spec, &res, &rules), cg, err);
}

/* The host id that id 0 of the container maps to; false when unmapped. */
static bool host_root_id(const struct spec_id_map *maps, size_t n, uint32_t *out)
{
	for (size_t i = 0; i < n; i++)
		if (maps[i].container_id == 0 && maps[i].size > 0) {
			*out = maps[i].host_id;
			return true;
		}
	return false;
}

bool lc_container_root(const struct spec *spec, uid_t *uid, gid_t *gid)
{
	const struct spec_namespace *user = spec_find_namespace(spec, CLONE_NEWUSER);
	uint32_t u, g;

	if (!user || user->path ||
	    !host_root_id(spec->linux.uid_mappings, spec->linux.n_uid_mappings, &u) ||
	    !host_root_id(spec->linux.gid_mappings, spec->linux.n_gid_mappings, &g))
		return false;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return true;
}

/* A container with a user and a cgroup namespace of its own sees its cgroup
 * as its root: an init that manages cgroups (systemd) must own it there,
 * or it cannot even place itself in init.scope. */
int lc_delegate_cgroup(const struct spec *spec, struct cg_handle *cg, struct ctr_error *err)
{
	const struct spec_namespace *cgns = spec_find_namespace(spec, CLONE_NEWCGROUP);
	uid_t uid;
	gid_t gid;

	if (!cgns || cgns->path || !lc_container_root(spec, &uid, &gid))
		return 0;
	return cg_delegate(cg, uid, gid, err);
}

/* Everything that create leaves on the host, removed again. */
void lc_undo_create(struct ctr_runtime *rt, const char *id, struct cg_handle *cg)
{
	struct ctr_error ignored = CTR_ERROR_INIT;

	if (cg) {
		cg_kill(cg, SIGKILL, &ignored);
		cg_destroy(cg, &ignored);
	}
	state_remove(&rt->store, id, &ignored);
}

int lc_create(struct ctr_runtime *rt, const struct create_opts *o, enum launch_mode mode,
	      struct launch_result *res, struct ctr_error *err)
{
	struct container_state cs;
	struct cg_handle *cg = NULL;
	_cleanup_free_ struct spec_device_rule *rules = NULL;
	const struct spec_resources *cg_res = NULL;
	struct spec_resources res_buf;
	_cleanup_close_ int dirfd = -1;
	_cleanup_close_ int fifo = -1;
	_cleanup_close_ int console = -1;
	int ret;

	ret = state_validate_id(o->id, err);
	if (ret < 0)
		return ret;
	if (!rt->cgroups_disabled) {
		_cleanup_free_ char *path = cg_resolve_path(o->spec->linux.cgroups_path,
							    rt->cgroup_parent, o->id);
		if (!path)
			return ctr_error(err, EINVAL, "config.json: linux.cgroupsPath: invalid path '%s'",
					 o->spec->linux.cgroups_path ? o->spec->linux.cgroups_path : "");
	}
	if (o->spec->process.terminal && !o->console_socket && mode == LAUNCH_CREATE)
		return ctr_error(err, EINVAL,
				 "process.terminal is set but no --console-socket was given");
	if (o->console_socket && (console = console_connect(o->console_socket, err)) < 0)
		return console;
	ret = state_create(&rt->store, o->id, &dirfd, err);
	if (ret < 0)
		return ret;
	lc_fill_initial_state(rt, o, &cs);
	/* Record where the cgroup will be before making it: a runtime killed
	 * from here on leaves a state that delete can clean completely. */
	ret = state_save(dirfd, &cs, err);
	if (ret == 0 && o->config_json)
		ret = write_file_atomic_at(dirfd, CONFIG_COPY, o->config_json, o->config_len, 0600,
					   err);
	/* The launcher finishes the cgroup (cg_create_finish), as early as
	 * the init allows. */
	if (ret == 0 && cs.cgroup_path) {
		cg_res = cgroup_resources(o->spec, &res_buf, &rules);
		ret = cg_create_begin(cs.cgroup_path, cg_res, &cg, err);
	}
	if (ret == 0 && cg)
		ret = lc_delegate_cgroup(o->spec, cg, err);
	if (ret == 0 && mode == LAUNCH_CREATE) {
		if (mkfifoat(dirfd, EXEC_FIFO, 0600) < 0)
			ret = ctr_errno(err, "create exec fifo");
		else if ((fifo = openat(dirfd, EXEC_FIFO, O_RDWR | O_CLOEXEC)) < 0)
			ret = ctr_errno(err, "open exec fifo");
	}
	if (ret == 0) {
		_cleanup_free_ char *cache = xasprintf("%s/" SECCOMP_CACHE, rt->store.root);
		struct create_ctx ctx = {.rt = rt, .o = o, .cs = &cs, .dirfd = dirfd};
		struct launch_opts lo = {
			.spec = o->spec, .id = o->id, .mode = mode, .cg = cg, .cg_res = cg_res,
			.fifo_fd = fifo,
			.console_socket = console, .preserve_fds = o->preserve_fds,
			.no_pivot = o->no_pivot, .no_new_keyring = o->no_new_keyring,
			.seccomp_cache = cache, .state_dirfd = dirfd,
			.cb = {.runtime_hooks = cb_runtime_hooks, .hook_state = cb_hook_state,
			       .ready = cb_ready, .data = &ctx},
			.netns_setup = o->netns_setup, .netns_data = o->netns_data,
			.root_setup = o->root_setup, .root_data = o->root_data,
		};
		ret = launcher_start(&lo, res, err);
	}
	if (ret < 0) {
		close(steal_fd(dirfd));
		lc_undo_create(rt, o->id, cg);
	}
	if (cg)
		cg_free(cg);
	container_state_free(&cs);
	return ret;
}

int container_create(struct ctr_runtime *rt, const struct create_opts *o, struct ctr_error *err)
{
	struct launch_result res;
	int ret;

	ret = lc_create(rt, o, LAUNCH_CREATE, &res, err);
	if (ret < 0)
		return ret;
	close(res.pidfd);
	if (res.pty_master >= 0)
		close(res.pty_master);
	return 0;
}

/* poststart and poststop hooks: failures are warnings (the container is
 * running, or already gone). */
void lc_run_hooks_warn(struct ctr_runtime *rt, int dirfd, const struct container_state *cs,
		       enum spec_hook_kind kind, enum container_status st)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *json = NULL;
	struct spec *spec = NULL;

	if (!cs->bundle || lc_load_config(rt, dirfd, cs, &spec, &err) < 0) {
		ctr_warn("%s hooks: %s", hooks_kind_name(kind), err.msg);
		return;
	}
	if (spec->hooks[kind].n) {
		json = lc_state_json(cs, st);
		if (hooks_run(spec, kind, json, &err) < 0)
			ctr_warn("%s", err.msg);
	}
	spec_free(spec);
}

int container_start(struct ctr_runtime *rt, const char *id, struct ctr_error *err)
{
	_cleanup_state_ struct container_state cs = {0};
	_cleanup_close_ int dirfd = -1;
	_cleanup_close_ int fifo = -1;
	enum container_status st;
	int ret;

	ret = lc_open_status(rt, id, true, &cs, &dirfd, &st, err);
	if (ret < 0)
		return ret;
	if (st != STATUS_CREATED)
		return ctr_error(err, EINVAL, "cannot start a container that is %s",
				 container_status_name(st));
	fifo = openat(dirfd, EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return errno == ENXIO ? ctr_error(err, ESRCH, "container init is not waiting")
				      : ctr_errno(err, "open exec fifo");
	if (write(fifo, "0", 1) != 1)
		return ctr_errno(err, "write exec fifo");
	unlinkat(dirfd, EXEC_FIFO, 0);
	lc_run_hooks_warn(rt, dirfd, &cs, SPEC_HOOK_POSTSTART, STATUS_RUNNING);
	return 0;
}
