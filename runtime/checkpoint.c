/* SPDX-License-Identifier: GPL-2.0-or-later */
/* checkpoint.c - dumping a container with CRIU, and the criu_opts that
 * checkpoint and restore share. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "checkpoint_internal.h"
#include "lifecycle_internal.h"
#include "log.h"
#include "mountinfo.h"
#include "util.h"

/* Debug level: the log is what a failed checkpoint is explained with, and
 * writing it costs well under a millisecond. */
#define CRIU_LOG_LEVEL 4

int criu_cg_mode_parse(const char *name)
{
	static const struct {
		const char *name;
		enum criu_cg_mode mode;
	} modes[] = {
		{"ignore", CRIU_CG_IGNORE}, {"none", CRIU_CG_NONE},   {"props", CRIU_CG_PROPS},
		{"soft", CRIU_CG_SOFT},     {"full", CRIU_CG_FULL},   {"strict", CRIU_CG_STRICT},
	};

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcmp(name, modes[i].name) == 0)
			return (int)modes[i].mode;
	return -EINVAL;
}

void cr_put_common(struct pb_buf *b, const struct criu_common_opts *c, const struct cr_dirs *d,
		   const struct spec *spec, const char *root)
{
	pb_put_int32(b, CRIU_OPT_IMAGES_DIR_FD, d->image_fd);
	pb_put_int32(b, CRIU_OPT_WORK_DIR_FD, d->work_fd);
	pb_put_int32(b, CRIU_OPT_LOG_LEVEL, CRIU_LOG_LEVEL);
	pb_put_string(b, CRIU_OPT_LOG_FILE, d->log_name);
	pb_put_string(b, CRIU_OPT_ROOT, root ? root : spec->root_path);
	pb_put_bool(b, CRIU_OPT_MANAGE_CGROUPS, true);
	if (c->manage_cgroups_mode >= 0)
		pb_put_varint(b, CRIU_OPT_MANAGE_CGROUPS_MODE, (uint64_t)c->manage_cgroups_mode);
	pb_put_bool(b, CRIU_OPT_NOTIFY_SCRIPTS, true);
	pb_put_bool(b, CRIU_OPT_TCP_ESTABLISHED, c->tcp_established);
	pb_put_bool(b, CRIU_OPT_EXT_UNIX_SK, c->ext_unix_sk);
	pb_put_bool(b, CRIU_OPT_SHELL_JOB, c->shell_job);
	pb_put_bool(b, CRIU_OPT_FILE_LOCKS, c->file_locks);
	/* Our criu links libnftables; iptables may not be installed. */
	pb_put_varint(b, CRIU_OPT_NETWORK_LOCK, CRIU_NETWORK_LOCK_NFTABLES);
	/* The terminal's master is held outside (console socket receiver). */
	if (spec->process.terminal)
		pb_put_bool(b, CRIU_OPT_ORPHAN_PTS_MASTER, true);
	for (size_t i = 0; c->external && c->external[i]; i++)
		pb_put_string(b, CRIU_OPT_EXTERNAL, c->external[i]);
}

static void put_pair(struct pb_buf *b, unsigned field, const char *key, const char *val)
{
	struct pb_buf kv = {0};

	pb_put_string(&kv, 1, key);
	pb_put_string(&kv, 2, val);
	pb_put_msg(b, field, &kv);
	pb_buf_free(&kv);
}

char *cr_bind_source(const struct spec *spec, const struct spec_mount *m)
{
	if (m->source[0] == '/' || !spec->bundle)
		return xstrdup(m->source);
	return xasprintf("%s/%s", spec->bundle, m->source);
}

void cr_put_inherit_fd(struct pb_buf *b, const char *key, int fd)
{
	struct pb_buf kv = {0};

	pb_put_string(&kv, 1, key);
	pb_put_int32(&kv, 2, fd);
	pb_put_msg(b, CRIU_OPT_INHERIT_FD, &kv);
	pb_buf_free(&kv);
}

void cr_put_ext_mounts(struct pb_buf *b, const struct spec *spec, bool restore)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		_cleanup_free_ char *src = NULL;

		if (!m->bind || !m->source)
			continue;
		src = restore ? cr_bind_source(spec, m) : xstrdup(m->destination);
		put_pair(b, CRIU_OPT_EXT_MNT, m->destination, src);
	}
}

static bool is_spec_bind(const struct spec *spec, const char *dest)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (spec->mounts[i].bind && strcmp(spec->mounts[i].destination, dest) == 0)
			return true;
	return false;
}

/* Mounts criu would refuse, with where the host has them: [[inside, host]]. */
static json_object *find_host_binds(const struct mountinfo *in, const struct mountinfo *host,
				    const struct spec *spec)
{
	json_object *arr = json_object_new_array();
	dev_t root_dev = 0;

	for (size_t i = 0; i < in->n; i++)
		if (strcmp(in->v[i].mountpoint, "/") == 0)
			root_dev = in->v[i].dev;
	for (size_t i = 0; i < in->n; i++) {
		const struct mountinfo_entry *m = &in->v[i];
		_cleanup_free_ char *where = NULL;
		json_object *pair;

		if (m->dev == root_dev || str_has_prefix(m->fstype, "cgroup") ||
		    is_spec_bind(spec, m->mountpoint))
			continue;
		where = mountinfo_reach(host, m->dev, m->root);
		if (!where)
			continue;
		pair = json_object_new_array();
		json_object_array_add(pair, json_object_new_string(m->mountpoint));
		json_object_array_add(pair, json_object_new_string(where));
		json_object_array_add(arr, pair);
	}
	return arr;
}

static int save_host_binds(int image_fd, pid_t pid, const struct spec *spec, json_object **out,
			   struct ctr_error *err)
{
	struct mountinfo in = {0}, host = {0};
	const char *text;
	int ret;

	ret = mountinfo_read(pid, &in, err);
	if (ret == 0)
		ret = mountinfo_read(0, &host, err);
	if (ret == 0) {
		*out = find_host_binds(&in, &host, spec);
		text = json_object_to_json_string_ext(*out, JSON_C_TO_STRING_PLAIN);
		ret = write_file_atomic_at(image_fd, CR_HOST_BINDS, text, strlen(text), 0600, err);
	}
	mountinfo_free(&in);
	mountinfo_free(&host);
	return ret;
}

static json_object *load_host_binds(int image_fd)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (read_file_at(image_fd, CR_HOST_BINDS, &text, &len, &ignored) < 0)
		return NULL;
	return json_tokener_parse(text);
}

int cr_put_host_binds(struct pb_buf *b, int image_fd, pid_t pid, const struct spec *spec,
		      struct ctr_error *err)
{
	json_object *arr = NULL;
	int ret = 0;

	if (pid)
		ret = save_host_binds(image_fd, pid, spec, &arr, err);
	else
		arr = load_host_binds(image_fd);
	for (size_t i = 0; ret == 0 && arr && i < json_object_array_length(arr); i++) {
		json_object *pair = json_object_array_get_idx(arr, i);
		const char *inside = json_object_get_string(json_object_array_get_idx(pair, 0));
		const char *host = json_object_get_string(json_object_array_get_idx(pair, 1));

		if (inside && host)
			put_pair(b, CRIU_OPT_EXT_MNT, inside, pid ? inside : host);
	}
	json_object_put(arr);
	return ret;
}

static void put_layout(struct pb_buf *b, const char *dest, const struct cg_mount_entry *e,
		       bool new_cgroupns, bool restore)
{
	_cleanup_free_ char *where = NULL;

	if (e->v2 && new_cgroupns)
		return; /* a cgroup2 mount of its own: criu remakes it */
	where = *e->name ? xasprintf("%s/%s", dest, e->name) : xstrdup(dest);
	put_pair(b, CRIU_OPT_EXT_MNT, where, restore ? e->host_path : where);
}

void cr_put_cgroup_mounts(struct pb_buf *b, const struct spec *spec, const struct cg_handle *cg,
			  bool restore)
{
	const struct spec_namespace *cgns = spec_find_namespace(spec, CLONE_NEWCGROUP);
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct cg_mount_entry *layout = NULL;
	size_t n = 0;

	if (!cg || cg_mount_layout(cg, &layout, &n, &ignored) < 0)
		return;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (strcmp(spec->mounts[i].type, "cgroup") != 0)
			continue;
		for (size_t j = 0; j < n; j++)
			put_layout(b, spec->mounts[i].destination, &layout[j], cgns && !cgns->path,
				   restore);
	}
	cg_mount_layout_free(layout, n);
}

int cr_forward_notify(void *data, const char *script, pid_t pid, int fd, struct ctr_error *err)
{
	const struct criu_common_opts *c = data;

	ctr_debug("criu: %s (pid %d)", script, (int)pid);
	if (fd >= 0)
		close(fd);
	return c->notify ? c->notify(c->notify_data, script, pid, err) : 0;
}

static int open_or_make(const char *path, bool create, struct ctr_error *err)
{
	int fd;

	if (create && mkdir_p(path, 0700) < 0)
		return ctr_errno(err, "create %s", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? ctr_errno(err, "open %s", path) : fd;
}

int cr_open_dirs(const struct criu_common_opts *c, bool create, struct cr_dirs *d,
		 struct ctr_error *err)
{
	d->image_fd = d->work_fd = -1;
	if (!c->image_dir || !*c->image_dir)
		return ctr_error(err, EINVAL, "no image directory given (--image-path)");
	d->image_fd = open_or_make(c->image_dir, create, err);
	if (d->image_fd < 0)
		return d->image_fd;
	if (!c->work_dir) {
		d->work_fd = fcntl(d->image_fd, F_DUPFD_CLOEXEC, 3);
		return d->work_fd < 0 ? ctr_errno(err, "dup image dir") : 0;
	}
	/* Restore only writes its log there: a missing work dir is made too. */
	d->work_fd = open_or_make(c->work_dir, true, err);
	return d->work_fd < 0 ? d->work_fd : 0;
}

void cr_close_dirs(struct cr_dirs *d)
{
	if (d->image_fd >= 0)
		close(d->image_fd);
	if (d->work_fd >= 0)
		close(d->work_fd);
	d->image_fd = d->work_fd = -1;
}

int cr_explain(const struct cr_dirs *d, const struct criu_common_opts *c, const char *what,
	       int ret, struct ctr_error *err)
{
	_cleanup_free_ char *why = criu_log_error(d->work_fd, d->log_name);
	const char *dir = c->work_dir ? c->work_dir : c->image_dir;

	/* criu's own answer is its first error, often a harmless one; the
	 * log's first real error says what went wrong. */
	if (why)
		return ctr_error(err, -ret, "%s: %s (log: %s/%s)", what, why, dir, d->log_name);
	ctr_error_prefix(err, "%s", what);
	return ret;
}

/* descriptors.json: ["/dev/null", "pipe:[1234]", "pipe:[1235]"]. */
static int save_descriptors(int image_fd, pid_t pid, struct ctr_error *err)
{
	json_object *arr = json_object_new_array();
	const char *text;
	int ret;

	for (int fd = 0; fd <= 2; fd++) {
		char link[64], target[PATH_MAX];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		json_object_array_add(arr, json_object_new_string(target));
	}
	text = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
	ret = write_file_atomic_at(image_fd, CR_DESCRIPTORS, text, strlen(text), 0600, err);
	json_object_put(arr);
	return ret;
}

static int save_subtree_control(int image_fd, const struct cg_handle *cg, struct ctr_error *err)
{
	_cleanup_free_ char *ctrls = NULL;
	int ret;

	if (!cg)
		return 0;
	ret = cg_subtree_control(cg, &ctrls, err);
	if (ret < 0 || !ctrls)
		return ret;
	return write_file_atomic_at(image_fd, CR_SUBTREE_CONTROL, ctrls, strlen(ctrls), 0600, err);
}

/* A joined network namespace is not the container's to dump: criu records
 * it as external, and restore hands it the namespace named in the spec. */
static void put_external_netns(struct pb_buf *b, const struct spec *spec)
{
	const struct spec_namespace *ns = spec_find_namespace(spec, CLONE_NEWNET);
	_cleanup_free_ char *ext = NULL;
	struct stat st;

	if (!ns || !ns->path || stat(ns->path, &st) < 0)
		return;
	ext = xasprintf("net[%lu]:extRootNetNS", (unsigned long)st.st_ino);
	pb_put_string(b, CRIU_OPT_EXTERNAL, ext);
}

/* A paused container's tasks are frozen, which ptrace cannot seize: criu
 * then works through the freezer ctr froze it with (cgroup2's
 * cgroup.freeze where there is one, as cg_freeze prefers, else v1's), and
 * leaves it frozen. */
static void put_frozen_cgroup(struct pb_buf *b, const struct cg_handle *cg)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct cg_mount_entry *layout = NULL;
	const char *freezer = NULL;
	size_t n = 0;

	if (cg_mount_layout(cg, &layout, &n, &ignored) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *knob = xasprintf("%s/cgroup.freeze", layout[i].host_path);
		if (layout[i].v2 && access(knob, F_OK) == 0)
			freezer = layout[i].host_path;
		else if (!freezer && strcmp(layout[i].name, "freezer") == 0)
			freezer = layout[i].host_path;
	}
	if (freezer)
		pb_put_string(b, CRIU_OPT_FREEZE_CGROUP, freezer);
	cg_mount_layout_free(layout, n);
}

/* cg: the container's cgroup (NULL: none, or gone). */
static int build_dump_opts(struct pb_buf *b, const struct checkpoint_opts *o,
			   const struct cr_dirs *d, const struct spec *spec,
			   const struct container_state *cs, struct cg_handle *cg, bool paused,
			   struct ctr_error *err)
{
	int ret;

	pb_put_int32(b, CRIU_OPT_PID, cs->pid);
	cr_put_common(b, &o->c, d, spec, NULL);
	cr_put_ext_mounts(b, spec, false);
	ret = cr_put_host_binds(b, d->image_fd, cs->pid, spec, err);
	if (ret < 0)
		return ret;
	if (cg) {
		cr_put_cgroup_mounts(b, spec, cg, false);
		if (paused)
			put_frozen_cgroup(b, cg);
	}
	put_external_netns(b, spec);
	pb_put_bool(b, CRIU_OPT_LEAVE_RUNNING, o->leave_running || o->pre_dump);
	if (o->pre_dump || o->parent_dir)
		pb_put_bool(b, CRIU_OPT_TRACK_MEM, true);
	if (o->parent_dir)
		pb_put_string(b, CRIU_OPT_PARENT_IMG, o->parent_dir);
	return 0;
}

static int dump(const struct checkpoint_opts *o, const struct spec *spec,
		const struct container_state *cs, bool paused, const struct criu_bin *bin,
		struct ctr_error *err)
{
	struct cr_dirs d = {.log_name = o->pre_dump ? "pre-dump.log" : "dump.log"};
	struct ctr_error no_cg = CTR_ERROR_INIT;
	struct cg_handle *cg = NULL;
	struct pb_buf opts = {0};
	pid_t ignored;
	int ret;

	if (cs->cgroup_path && cg_open(cs->cgroup_path, &cg, &no_cg) < 0)
		cg = NULL;
	ret = cr_open_dirs(&o->c, true, &d, err);
	if (ret == 0 && !o->pre_dump)
		ret = save_descriptors(d.image_fd, cs->pid, err);
	if (ret == 0 && !o->pre_dump)
		ret = save_subtree_control(d.image_fd, cg, err);
	if (ret == 0) {
		struct criu_call call = {.bin = bin,
					 .type = o->pre_dump ? CRIU_REQ_PRE_DUMP : CRIU_REQ_DUMP,
					 .opts = &opts, .notify = cr_forward_notify,
					 .data = (void *)&o->c};
		ret = build_dump_opts(&opts, o, &d, spec, cs, cg, paused, err);
		if (ret == 0 && (ret = criu_call(&call, &ignored, err)) < 0)
			cr_explain(&d, &o->c, o->pre_dump ? "criu pre-dump" : "criu dump", ret, err);
	}
	pb_buf_free(&opts);
	cr_close_dirs(&d);
	cg_free(cg);
	return ret;
}

int container_checkpoint(struct ctr_runtime *rt, const struct checkpoint_opts *o,
			 struct ctr_error *err)
{
	_cleanup_state_ struct container_state cs = {0};
	_cleanup_close_ int dirfd = -1;
	struct criu_bin bin = {0};
	struct spec *spec = NULL;
	enum container_status st;
	int ret;

	ret = lc_open_status(rt, o->id, true, &cs, &dirfd, &st, err);
	if (ret < 0)
		return ret;
	if (st != STATUS_RUNNING && st != STATUS_PAUSED)
		return ctr_error(err, EINVAL, "cannot checkpoint a container that is %s",
				 container_status_name(st));
	ret = lc_load_config(rt, dirfd, &cs, &spec, err);
	if (ret == 0)
		ret = criu_find(o->c.criu_path, rt->store.dirfd, &bin, err);
	if (ret == 0 && o->pre_dump && !criu_can_track_memory(&bin))
		ret = ctr_error(err, ENOTSUP,
				"cannot pre-dump: criu finds no memory tracking in this kernel "
				"(soft-dirty bits, CONFIG_MEM_SOFT_DIRTY); checkpoint without it");
	if (ret == 0)
		ret = dump(o, spec, &cs, st == STATUS_PAUSED, &bin, err);
	criu_bin_free(&bin);
	spec_free(spec);
	if (ret < 0 || o->leave_running || o->pre_dump || o->keep_state)
		return ret;
	/* criu killed the tree after dumping it: the container is stopped, and
	 * goes as delete would take it (runc does the same). */
	close(steal_fd(dirfd));
	return container_delete(rt, o->id, true, err);
}
