/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * userns.c - what `ctr` does for unprivileged system containers: an id
 * range from root's subordinate ids at create (recorded in the store and in
 * the config as idmap.uid/idmap.gid), the same range again at every start,
 * the root filesystem prepared through idmapped layers before the
 * container's own user namespace exists, the range given back at destroy.
 *
 * CTR_SUBUID and CTR_SUBGID name other subordinate id files (tests).
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/idrange.h"
#include "rootfs/userns_root.h"
#include "util.h"
#include "verbs.h"

static bool wants_userns(const struct native_config *cfg)
{
	return !cfg->privileged && (!cfg->has_idmap || cfg->idmap != NATIVE_IDMAP_NONE);
}

static enum idrange_kind kind_of(const struct native_config *cfg)
{
	return cfg->has_idmap && cfg->idmap == NATIVE_IDMAP_SHARED ? IDRANGE_SHARED
								   : IDRANGE_ISOLATED;
}

static void warn_privileged(const char *name)
{
	fprintf(stderr,
		"ctr: warning: %s is privileged: root in it is root on the host "
		"(no user namespace)\n",
		name);
}

/* Allocate (or find again) the container's range; write it into text. */
static int assign_range(struct cli_ctx *c, const char *name, const struct native_config *cfg,
			char **text, struct ctr_error *err)
{
	struct idrange_files files = {getenv("CTR_SUBUID"), getenv("CTR_SUBGID")};
	struct idrange_alloc a;
	char buf[16];
	int ret;

	ret = idrange_allocate(&c->st, name, kind_of(cfg), &files, &a, err);
	if (ret < 0)
		return ret;
	snprintf(buf, sizeof(buf), "%u", a.uid);
	cli_config_set(text, "idmap.uid", buf);
	snprintf(buf, sizeof(buf), "%u", a.gid);
	cli_config_set(text, "idmap.gid", buf);
	return 0;
}

/* A range the config names (--config-set idmap.uid=...): nobody else's. */
static int claim_range(struct cli_ctx *c, const char *name, const struct native_config *cfg,
		       struct ctr_error *err)
{
	struct idrange_alloc a = {kind_of(cfg), cfg->idmap_uid, cfg->idmap_gid, NATIVE_IDMAP_SIZE};

	if (cfg->has_idmap_uid != cfg->has_idmap_gid)
		return ctr_error(err, EINVAL, "idmap.uid and idmap.gid: one without the other");
	return idrange_claim(&c->st, name, &a, err);
}

int cli_userns_assign(struct cli_ctx *c, const char *name, char **text, struct ctr_error *err)
{
	_cleanup_free_ char *origin = xasprintf("%s/config", name);
	struct native_config *cfg = NULL;
	int ret;

	ret = config_native_parse(*text, strlen(*text), origin, &cfg, err);
	if (ret == 0 && cfg->privileged)
		warn_privileged(name);
	if (ret == 0 && wants_userns(cfg))
		ret = cfg->has_idmap_uid || cfg->has_idmap_gid
			  ? claim_range(c, name, cfg, err)
			  : assign_range(c, name, cfg, text, err);
	native_config_free(cfg);
	return ret;
}

/* A config from before ranges, or edited by hand: the range it records is
 * claimed again (refused when another container holds any of it), a
 * missing one allocated and written back. */
static int ensure_range(struct cli_ctx *c, const char *name, struct native_config **cfg,
			char **text, struct ctr_error *err)
{
	_cleanup_free_ char *origin = xasprintf("%s/config", name);
	int ret;

	if ((*cfg)->has_idmap_uid || (*cfg)->has_idmap_gid)
		return claim_range(c, name, *cfg, err);
	ret = assign_range(c, name, *cfg, text, err);
	if (ret == 0)
		ret = store_container_write_config(&c->st, name, *text, err);
	native_config_free(*cfg);
	*cfg = NULL;
	return ret < 0 ? ret : config_native_parse(*text, strlen(*text), origin, cfg, err);
}

static void say_copied(FILE *out, const char *name, const struct rootfs_range *r,
		       const struct rootfs_root_report *rep)
{
	if (rep->n_made)
		fprintf(out,
			"ctr: note: %s: idmapped mounts refused (%s); made a copy of %u image "
			"layer(s) shifted to ids %u-%u, once: later starts use it\n",
			name, rep->why, rep->n_made, r->uid, r->uid + r->size - 1);
}

/* What the launcher's root_setup needs to make the root once the init's
 * user namespace exists. */
struct cli_root_plan {
	char *name;
	char *staging;
	struct store_mount_spec ms;
	char *plain[2];
	struct rootfs_layers l;
	struct rootfs_range range;
	bool print_note; /* at once (foreground), or kept for cli_userns_root_note */
	char *note;
};

void cli_userns_root_free(struct cli_root_plan *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->staging);
	store_mount_spec_free(&r->ms);
	free(r->plain[0]);
	free(r->note);
	free(r);
}

const char *cli_userns_root_note(const struct cli_root_plan *r)
{
	return r && r->note ? r->note : "";
}

/* The container's own user namespace maps exactly 0..size-1 to its range,
 * as the image's layers need: it serves as their idmap. */
static bool maps_whole_range(const struct spec_id_map *m, size_t n)
{
	return n == 1 && m[0].container_id == 0 && m[0].size == NATIVE_IDMAP_SIZE;
}

int cli_userns_root_setup(void *data, pid_t pid, struct ctr_error *err)
{
	struct cli_root_plan *r = data;
	char path[64];
	struct rootfs_root_report rep;
	_cleanup_close_ int userns = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return ctr_errno(err, "open %s", path);
	fd = rootfs_userns_root_open_in(&r->l, &r->range, userns, r->staging, &rep, err);
	if (fd < 0)
		return ctr_error_prefix(err, "%s", r->name);
	if (r->print_note) {
		say_copied(stderr, r->name, &r->range, &rep);
	} else if (rep.n_made) {
		size_t len = 0;
		FILE *f = open_memstream(&r->note, &len);
		if (f) {
			say_copied(f, r->name, &r->range, &rep);
			fclose(f);
		}
	}
	return fd;
}

static int plan_root(struct cli_ctx *c, const char *name, const struct native_config *cfg,
		     struct spec *spec, bool foreground, struct cli_root_plan **out,
		     struct ctr_error *err)
{
	struct cli_root_plan *r = xcalloc(1, sizeof(*r));
	int ret;

	r->name = xstrdup(name);
	r->staging = xstrdup(c->g->run_root);
	r->range = (struct rootfs_range){spec->linux.uid_mappings[0].host_id,
					 spec->linux.gid_mappings[0].host_id, NATIVE_IDMAP_SIZE};
	r->print_note = foreground;
	r->plain[0] = xstrdup(spec->root_path);
	r->l = (struct rootfs_layers){r->plain, NULL, NULL};
	if (cfg->image) {
		ret = store_container_rootfs_mount_spec(&c->st, name, &r->ms, err);
		if (ret < 0) {
			cli_userns_root_free(r);
			return ret;
		}
		r->l = (struct rootfs_layers){r->ms.lowerdirs, r->ms.upperdir, r->ms.workdir};
	}
	free(spec->root_overlay);
	spec->root_overlay = NULL;
	*out = r;
	return 0;
}

static int open_root(struct cli_ctx *c, const char *name, const struct native_config *cfg,
		     struct spec *spec, struct ctr_error *err)
{
	struct cli_root_plan *r = NULL;
	struct rootfs_root_report rep;
	int fd = plan_root(c, name, cfg, spec, true, &r, err);

	if (fd < 0)
		return fd;
	fd = rootfs_userns_root_open(&r->l, &r->range, r->staging, &rep, err);
	if (fd >= 0)
		say_copied(stderr, name, &r->range, &rep);
	cli_userns_root_free(r);
	if (fd < 0)
		return fd;
	spec->has_root_tree = true;
	spec->root_tree = fd;
	return 0;
}

int cli_userns_prepare(struct cli_ctx *c, const char *name, struct native_config **cfg, char **text,
		       struct ctr_error *err)
{
	if ((*cfg)->privileged)
		warn_privileged(name);
	if (!wants_userns(*cfg))
		return 0;
	return ensure_range(c, name, cfg, text, err);
}

int cli_userns_root(struct cli_ctx *c, const char *name, const struct native_config *cfg,
		    struct spec *spec, bool foreground, struct cli_root_plan **root,
		    struct ctr_error *err)
{
	const struct spec_linux *l = &spec->linux;
	int ret = 0;

	*root = NULL;
	if (!spec_find_namespace(spec, CLONE_NEWUSER) || l->n_uid_mappings == 0 ||
	    l->n_gid_mappings == 0)
		return 0;
	/* The usual case: the root is made once the init's own user namespace
	 * exists (cli_userns_root_setup), while the init joins its cgroups. */
	if (maps_whole_range(l->uid_mappings, l->n_uid_mappings) &&
	    maps_whole_range(l->gid_mappings, l->n_gid_mappings)) {
		ret = plan_root(c, name, cfg, spec, foreground, root, err);
	} else {
		ret = open_root(c, name, cfg, spec, err);
	}
	if (ret == 0)
		ret = rootfs_userns_prepare_binds(spec, err);
	if (ret < 0) {
		rootfs_userns_close_trees(spec);
		cli_userns_root_free(steal_ptr(*root));
		ctr_error_prefix(err, "%s", name);
	}
	return ret;
}

int cli_userns_root_now(struct cli_ctx *c, const char *name, const struct native_config *cfg,
			struct spec *spec, struct ctr_error *err)
{
	int ret;

	if (!spec_find_namespace(spec, CLONE_NEWUSER) || spec->linux.n_uid_mappings == 0 ||
	    spec->linux.n_gid_mappings == 0)
		return 0;
	ret = open_root(c, name, cfg, spec, err);
	if (ret == 0)
		ret = rootfs_userns_prepare_binds(spec, err);
	if (ret < 0) {
		rootfs_userns_close_trees(spec);
		ctr_error_prefix(err, "%s", name);
	}
	return ret;
}

size_t cli_userns_fds(const struct spec *spec, int *fds, size_t max)
{
	size_t n = 0;

	if (spec->has_root_tree && n < max)
		fds[n++] = spec->root_tree;
	for (size_t i = 0; i < spec->n_mounts && n < max; i++)
		if (spec->mounts[i].has_tree)
			fds[n++] = spec->mounts[i].tree;
	return n;
}

void cli_userns_close(struct spec *spec)
{
	rootfs_userns_close_trees(spec);
}

int cli_userns_release(struct cli_ctx *c, const char *name, struct ctr_error *err)
{
	return idrange_release(&c->st, name, err);
}

int cli_userns_own_upper(const char *upper, const struct native_config *cfg,
			 const char *const *paths, struct ctr_error *err)
{
	_cleanup_close_ int dirfd = -1;

	if (!upper || !wants_userns(cfg) || !cfg->has_idmap_uid || !cfg->has_idmap_gid)
		return 0;
	dirfd = open(upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return ctr_errno(err, "open %s", upper);
	for (; *paths; paths++) {
		struct stat sb;

		/* Only what the runtime wrote (host root's) or copied up from
		 * a layer another range wrote: what the container made itself
		 * already carries ids of its range. */
		if (fstatat(dirfd, *paths, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (sb.st_uid - cfg->idmap_uid < NATIVE_IDMAP_SIZE &&
		     sb.st_gid - cfg->idmap_gid < NATIVE_IDMAP_SIZE))
			continue;
		if (fchownat(dirfd, *paths, cfg->idmap_uid, cfg->idmap_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return ctr_errno(err, "chown %s/%s", upper, *paths);
	}
	return 0;
}
