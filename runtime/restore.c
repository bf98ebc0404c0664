/* SPDX-License-Identifier: GPL-2.0-or-later */
/* restore.c - a new container from a CRIU image directory. */
#include <dirent.h>
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
	char *subtree_ctrls; /* cg_subtree_control text of the checkpoint, or NULL */
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
	cr_put_host_binds(b, d->image_fd, 0, r->spec, NULL);
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

	/* The controllers the container's cgroup and its sub-cgroups
	 * (systemd's slices) enabled below them are enabled again once criu's
	 * root task has passed through the container's cgroup into its own
	 * (criu enters the cgroup namespace's root first, which cgroup v2
	 * refuses while controllers are enabled there), and before criu
	 * reopens the files systemd watches (memory.events of each unit):
	 * criu itself writes subtree_control only at the end. */
	if (strcmp(script, "post-setup-namespaces") == 0 && r->cg && r->subtree_ctrls)
		return cg_enable_subtree(r->cg, r->subtree_ctrls, err);

	/* criu made the container's sub-cgroups (systemd's slices) as host
	 * root: they go back to the container's root before it resumes. */
	if (strcmp(script, "post-restore") == 0 && r->cg) {
		uid_t uid;
		gid_t gid;

		if (lc_container_root(r->spec, &uid, &gid) &&
		    (ret = cg_delegate_subtree(r->cg, uid, gid, err)) < 0)
			return ret;
	}
	if (strcmp(script, "orphan-pts-master") == 0 && fd >= 0 && r->o->console_master) {
		*r->o->console_master = fd;
		r->got_pty = true;
		return 0;
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

/* The tree criu restores the root from, attached at path: the spec's
 * prepared root (a system container's idmapped tree), its overlay mounted
 * afresh, or a clone of root_path. */
static int root_tree(const struct spec *spec, const char *path, struct ctr_error *err)
{
	if (spec->has_root_tree) {
		if (sys_move_mount(spec->root_tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return ctr_errno(err, "attach the prepared root at %s", path);
		return 0;
	}
	if (spec->root_overlay) {
		if (mount("overlay", path, "overlay", 0, spec->root_overlay) < 0)
			return ctr_errno(err, "mount the overlay root at %s", path);
		return 0;
	}
	if (mount(spec->root_path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ctr_errno(err, "bind rootfs %s at %s", spec->root_path, path);
	return 0;
}

/* criu builds the restored root from opts.root but neither mounts an
 * overlay nor makes it read-only again: it gets the root as create would
 * have made it, attached in the state dir only while criu runs; a
 * read-only flag there is inherited by every bind below. NULL path: the
 * spec's root_path serves as it is. */
static int restore_root(struct restore_ctx *r, char **path, struct ctr_error *err)
{
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY, .propagation = MS_PRIVATE};
	_cleanup_close_ int fd = -1;
	int ret;

	if (!r->spec->root_readonly && !r->spec->root_overlay && !r->spec->has_root_tree)
		return 0;
	*path = xasprintf("%s/%s/" CRIU_ROOT, r->rt->store.root, r->o->create.id);
	if (mkdir(*path, 0700) < 0 && errno != EEXIST)
		return ctr_errno(err, "create %s", *path);
	ret = root_tree(r->spec, *path, err);
	if (ret < 0) {
		rmdir(*path);
		free(steal_ptr(*path));
		return ret;
	}
	if (!r->spec->root_readonly)
		ro.attr_set = 0;
	fd = open(*path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || sys_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro) < 0)
		return ctr_errno(err, "set up the root at %s", *path);
	return 0;
}

static void drop_restore_root(const char *path)
{
	umount2(path, MNT_DETACH);
	rmdir(path);
}

/* criu reads images from inside the restored tasks once they have the
 * container's credentials: in a user namespace of its own, the container's
 * root must own them (they are its memory and files anyway). The first
 * task opens some before its id map is written, as nobody: the directory
 * is searchable by all (its files are 0644 as criu writes them; ctr's own
 * store keeps every container directory 0700 above it). */
static int give_dir(int dfd, uid_t uid, gid_t gid, int depth, struct ctr_error *err);

/* The parent images (a pre-dump) criu reads through image_fd/parent: only
 * a directory beneath the images, as ctr's checkpoints keep it; a link
 * elsewhere (a received stream could name any path) is left alone. */
static int give_parent(int dfd, uid_t uid, gid_t gid, int depth, struct ctr_error *err)
{
	struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
	_cleanup_close_ int fd = sys_openat2(dfd, "parent", &how);

	if (fd < 0 || depth >= 8)
		return 0;
	return give_dir(fd, uid, gid, depth + 1, err);
}

static int give_dir(int dfd, uid_t uid, gid_t gid, int depth, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	struct dirent *e;
	DIR *d;

	if (fchown(dfd, uid, gid) < 0 || fchmod(dfd, 0711) < 0)
		return ctr_errno(err, "give the checkpoint images to the container's root");
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(steal_fd(fd));
	if (!d)
		return ctr_errno(err, "read the checkpoint images");
	while ((e = readdir(d)))
		if (e->d_type == DT_REG && fchownat(dirfd(d), e->d_name, uid, gid, 0) < 0) {
			closedir(d);
			return ctr_errno(err, "give %s to the container's root", e->d_name);
		}
	closedir(d);
	return give_parent(dfd, uid, gid, depth, err);
}

static int give_images(int image_fd, const struct spec *spec, struct ctr_error *err)
{
	uid_t uid;
	gid_t gid;

	if (!lc_container_root(spec, &uid, &gid))
		return 0;
	return give_dir(image_fd, uid, gid, 0, err);
}

/* What the container's cgroup tree had enabled below its directories
 * (systemd's doing), if anything: on_notify enables it while criu
 * restores. */
static void read_subtree_control(int image_fd, struct restore_ctx *r)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	size_t len;

	if (read_file_at(image_fd, CR_SUBTREE_CONTROL, &r->subtree_ctrls, &len, &ignored) < 0)
		r->subtree_ctrls = NULL;
}

static int run_criu(struct restore_ctx *r, const struct criu_bin *bin, pid_t *pid,
		    struct ctr_error *err)
{
	struct cr_dirs d = {.log_name = "restore.log"};
	_cleanup_free_ char *root = NULL;
	_cleanup_close_ int netns = -1;
	struct pb_buf opts = {0};
	int ret;

	ret = cr_open_dirs(&r->o->c, false, &d, err);
	if (ret == 0 && faccessat(d.image_fd, "inventory.img", F_OK, 0) < 0)
		ret = ctr_error(err, ENOENT, "%s holds no checkpoint (no inventory.img)",
				r->o->c.image_dir);
	if (ret == 0)
		ret = give_images(d.image_fd, r->spec, err);
	if (ret == 0 && r->cg)
		read_subtree_control(d.image_fd, r);
	if (ret == 0 && (netns = netns_fd(r->spec, err)) < 0 && netns != -ENOENT)
		ret = netns;
	if (ret == 0)
		ret = restore_root(r, &root, err);
	if (ret == 0) {
		struct criu_call call = {.bin = bin, .type = CRIU_REQ_RESTORE, .opts = &opts,
					 .pass_fds = &netns, .n_pass_fds = netns >= 0 ? 1 : 0,
					 .notify = on_notify, .data = r};
		build_restore_opts(&opts, r, &d, netns >= 0, root);
		ret = criu_call(&call, pid, err);
		if (ret < 0)
			cr_explain(&d, &r->o->c, "criu restore", ret, err);
	}
	if (root)
		drop_restore_root(root);
	pb_buf_free(&opts);
	free(r->subtree_ctrls);
	r->subtree_ctrls = NULL;
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
	if (ret == 0 && r->cg)
		ret = lc_delegate_cgroup(r->spec, r->cg, err);
	if (ret == 0)
		ret = make_mountpoints(r->spec, err);
	if (ret == 0)
		ret = run_criu(r, bin, &pid, err);
	/* (ctr's monitor goes on without a console when nothing inside had
	 * it open: criu then has no terminal to bring back.) */
	if (ret == 0 && r->spec->process.terminal && !r->got_pty && !r->o->console_master)
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
	if (ret == 0 && r.spec->process.terminal && !o->create.console_socket &&
	    !o->console_master)
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
