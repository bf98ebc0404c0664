/* SPDX-License-Identifier: GPL-2.0-or-later */
/* restore.c - a new container from a CRIU image directory. */
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "checkpoint_internal.h"
#include "console.h"
#include "hooks.h"
#include "lifecycle_internal.h"
#include "log.h"
#include "syscalls.h"
#include "util.h"
#include "../rootfs/rootfs.h"

/* The read-only rootfs clone criu restores from (in the state dir). */
#define CRIU_ROOT "criu-root"

struct restore_ctx {
	struct ctr_runtime *rt;
	const struct restore_opts *o;
	const struct spec *spec;
	struct container_state cs;
	int dirfd;
	struct cg_handle *cg;
	int console;  /* connected console socket, or -1 */
	bool got_pty; /* the new terminal master was sent */
};

/* Pipes the init had as stdio become the caller's own fds 0-2 (criu
 * inherits them): an orchestrator restoring gives the container new pipes
 * this way. Anything else (the container's /dev/null, its pty) is inside
 * the image. */
static void put_inherited_stdio(struct pb_buf *b, int image_fd)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ char *text = NULL;
	json_object *arr;
	size_t len;

	if (read_file_at(image_fd, CR_DESCRIPTORS, &text, &len, &ignored) < 0)
		return;
	arr = json_tokener_parse(text);
	for (size_t i = 0; arr && i < 3 && i < json_object_array_length(arr); i++) {
		const char *d = json_object_get_string(json_object_array_get_idx(arr, i));

		if (d && str_has_prefix(d, "pipe:"))
			cr_put_inherit_fd(b, d, (int)i);
	}
	json_object_put(arr);
}

static void put_cgroup_root(struct pb_buf *b, const char *path)
{
	struct pb_buf cg = {0};

	if (!path)
		return;
	pb_put_string(&cg, 2, path);
	pb_put_msg(b, CRIU_OPT_CG_ROOT, &cg);
	pb_buf_free(&cg);
}

/* A joined network namespace, opened for criu (see put_external_netns). */
static int netns_fd(const struct spec *spec, struct ctr_error *err)
{
	const struct spec_namespace *ns = spec_find_namespace(spec, CLONE_NEWNET);
	int fd;

	if (!ns || !ns->path)
		return -ENOENT;
	fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? ctr_errno(err, "open network namespace %s", ns->path) : fd;
}

static void build_restore_opts(struct pb_buf *b, const struct restore_ctx *r,
			       const struct cr_dirs *d, bool ext_netns, const char *root)
{
	cr_put_common(b, &r->o->c, d, r->spec, root);
	cr_put_ext_mounts(b, r->spec, true);
	cr_put_cgroup_mounts(b, r->spec, r->cg, true);
	put_inherited_stdio(b, d->image_fd);
	put_cgroup_root(b, r->cs.cgroup_path);
	pb_put_bool(b, CRIU_OPT_RST_SIBLING, true);
	if (ext_netns)
		cr_put_inherit_fd(b, "extRootNetNS", criu_call_fd(0));
}

/* criu has made the namespaces and is about to fill them: where create
 * runs prestart and createRuntime hooks (runc does the same on restore). */
static int run_runtime_hooks(struct restore_ctx *r, pid_t pid, struct ctr_error *err)
{
	_cleanup_free_ char *json = NULL;
	int ret;

	if (!r->spec->hooks[SPEC_HOOK_PRESTART].n && !r->spec->hooks[SPEC_HOOK_CREATE_RUNTIME].n)
		return 0;
	r->cs.pid = pid;
	json = lc_state_json(&r->cs, STATUS_CREATING);
	r->cs.pid = 0;
	ret = hooks_run(r->spec, SPEC_HOOK_PRESTART, json, err);
	return ret < 0 ? ret : hooks_run(r->spec, SPEC_HOOK_CREATE_RUNTIME, json, err);
}

static int on_notify(void *data, const char *script, pid_t pid, int fd, struct ctr_error *err)
{
	struct restore_ctx *r = data;
	int ret = 0;

	if (strcmp(script, "setup-namespaces") == 0 && (ret = run_runtime_hooks(r, pid, err)) < 0) {
		if (fd >= 0)
			close(fd);
		return ret;
	}

	if (strcmp(script, "orphan-pts-master") == 0 && fd >= 0) {
		if (r->console >= 0)
			ret = console_send_master(r->console, fd, err);
		r->got_pty = ret == 0;
		close(fd);
		return ret;
	}
	return cr_forward_notify((void *)&r->o->c, script, pid, fd, err);
}

/* Bind mount targets the rootfs lacks (a rootfs copied elsewhere): criu
 * mounts onto them but does not make them. */
static int make_mountpoints(const struct spec *spec, struct ctr_error *err)
{
	_cleanup_close_ int root = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		return ctr_errno(err, "open rootfs %s", spec->root_path);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		_cleanup_free_ char *src = NULL;
		struct stat st;
		int fd;

		if (!m->bind || !m->source)
			continue;
		src = cr_bind_source(spec, m);
		if (stat(src, &st) < 0)
			return ctr_errno(err, "bind mount source %s", src);
		fd = rootfs_mkpath_in_root(root, m->destination, S_ISDIR(st.st_mode), err);
		if (fd < 0)
			return fd;
		close(fd);
	}
	return 0;
}

/* criu builds the restored root from opts.root but does not make it
 * read-only again: hand it a read-only clone of the rootfs (in the state
 * dir, attached only while criu runs), whose flag every bind inherits. */
static int readonly_root(struct restore_ctx *r, char **path, struct ctr_error *err)
{
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	_cleanup_close_ int tree = -1;

	*path = xasprintf("%s/%s/" CRIU_ROOT, r->rt->store.root, r->o->create.id);
	if (mkdir(*path, 0700) < 0 && errno != EEXIST)
		return ctr_errno(err, "create %s", *path);
	tree = sys_open_tree(AT_FDCWD, r->spec->root_path,
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return ctr_errno(err, "clone rootfs %s", r->spec->root_path);
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro) < 0)
		return ctr_errno(err, "make the rootfs clone read-only");
	if (sys_move_mount(tree, "", AT_FDCWD, *path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return ctr_errno(err, "attach the rootfs clone at %s", *path);
	return 0;
}

static void drop_readonly_root(const char *path)
{
	umount2(path, MNT_DETACH);
	rmdir(path);
}

static int run_criu(struct restore_ctx *r, const struct criu_bin *bin, pid_t *pid,
		    struct ctr_error *err)
{
	struct cr_dirs d = {.log_name = "restore.log"};
	_cleanup_free_ char *ro_root = NULL;
	_cleanup_close_ int netns = -1;
	struct pb_buf opts = {0};
	int ret;

	ret = cr_open_dirs(&r->o->c, false, &d, err);
	if (ret == 0 && faccessat(d.image_fd, "inventory.img", F_OK, 0) < 0)
		ret = ctr_error(err, ENOENT, "%s holds no checkpoint (no inventory.img)",
				r->o->c.image_dir);
	if (ret == 0 && (netns = netns_fd(r->spec, err)) < 0 && netns != -ENOENT)
		ret = netns;
	if (ret == 0 && r->spec->root_readonly)
		ret = readonly_root(r, &ro_root, err);
	if (ret == 0) {
		struct criu_call call = {.bin = bin,
					 .type = CRIU_REQ_RESTORE,
					 .opts = &opts,
					 .pass_fds = &netns,
					 .n_pass_fds = netns >= 0 ? 1 : 0,
					 .notify = on_notify,
					 .data = r};
		build_restore_opts(&opts, r, &d, netns >= 0, ro_root);
		ret = criu_call(&call, pid, err);
		if (ret < 0)
			cr_explain(&d, &r->o->c, "criu restore", ret, err);
	}
	if (ro_root)
		drop_readonly_root(ro_root);
	pb_buf_free(&opts);
	cr_close_dirs(&d);
	return ret;
}

/* Recorded as create records a container, then with the restored pid. */
static int restore_into_new_container(struct restore_ctx *r, const struct criu_bin *bin,
				      struct ctr_error *err)
{
	const struct create_opts *c = &r->o->create;
	pid_t pid = 0;
	int ret;

	ret = state_create(&r->rt->store, c->id, &r->dirfd, err);
	if (ret < 0)
		return ret;
	lc_fill_initial_state(r->rt, c, &r->cs);
	ret = state_save(r->dirfd, &r->cs, err);
	if (ret == 0 && c->config_json)
		ret = write_file_atomic_at(r->dirfd, CONFIG_COPY, c->config_json, c->config_len,
					   0600, err);
	if (ret == 0 && r->cs.cgroup_path)
		ret = lc_create_cgroup(r->spec, r->cs.cgroup_path, &r->cg, err);
	if (ret == 0 && r->cg)
		ret = cg_complete(r->cg, err);
	if (ret == 0)
		ret = make_mountpoints(r->spec, err);
	if (ret == 0)
		ret = run_criu(r, bin, &pid, err);
	if (ret == 0 && r->spec->process.terminal && !r->got_pty)
		ret = ctr_error(err, EPROTO, "criu restored no terminal for the console socket");
	if (ret == 0) {
		r->cs.pid = pid;
		ret = proc_start_time(pid, &r->cs.start_time);
		if (ret < 0)
			ret = ctr_errnum(err, ret, "restored init %d", (int)pid);
	}
	if (ret == 0)
		ret = state_save(r->dirfd, &r->cs, err);
	if (ret == 0 && c->pid_file)
		ret = lc_write_pid_file(c->pid_file, pid, err);
	if (ret == 0)
		lc_run_hooks_warn(r->rt, r->dirfd, &r->cs, SPEC_HOOK_POSTSTART, STATUS_RUNNING);
	return ret;
}

static int wait_and_delete(struct ctr_runtime *rt, const struct restore_ctx *r, int *exit_code,
			   struct ctr_error *err)
{
	_cleanup_close_ int pidfd = lc_open_init_pidfd(&r->cs, err);
	int ret;

	if (pidfd < 0)
		return pidfd;
	ret = lc_wait_forwarding(r->cs.pid, pidfd, -1, err);
	if (ret < 0)
		return ret;
	*exit_code = ret;
	return container_delete(rt, r->o->create.id, true, err);
}

int container_restore(struct ctr_runtime *rt, const struct restore_opts *o, int *exit_code,
		      struct ctr_error *err)
{
	struct restore_ctx r = {
	    .rt = rt, .o = o, .spec = o->create.spec, .dirfd = -1, .console = -1};
	struct criu_bin bin = {0};
	int ret;

	*exit_code = 0;
	ret = state_validate_id(o->create.id, err);
	if (ret == 0 && r.spec->process.terminal && !o->create.console_socket)
		ret = ctr_error(err, EINVAL,
				"process.terminal is set but no --console-socket was given");
	if (ret == 0)
		ret = criu_find(o->c.criu_path, rt->store.dirfd, &bin, err);
	if (ret == 0 && o->create.console_socket &&
	    (r.console = console_connect(o->create.console_socket, err)) < 0)
		ret = r.console;
	if (ret == 0) {
		ret = restore_into_new_container(&r, &bin, err);
		if (ret < 0 && r.dirfd >= 0) {
			close(steal_fd(r.dirfd));
			lc_undo_create(rt, o->create.id, r.cg);
		}
	}
	if (r.console >= 0)
		close(r.console);
	if (r.cg)
		cg_free(r.cg);
	if (r.dirfd >= 0)
		close(r.dirfd);
	criu_bin_free(&bin);
	if (ret == 0 && !o->detach)
		ret = wait_and_delete(rt, &r, exit_code, err);
	container_state_free(&r.cs);
	return ret;
}
