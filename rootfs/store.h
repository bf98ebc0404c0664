/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.h - the persistent store of system containers (`ctr` only; DESIGN.md
 * "Two stores"). Root: /var/lib/ctr unless the caller passes another path
 * (CTR_ROOT/--store are the front end's business).
 *
 *   ROOT/lock                      flock: exclusive for changes, shared to read
 *   ROOT/tmp/<random>/             staging of a change in progress (flocked by
 *                                  its owner); `journal` inside once committed
 *   ROOT/layers/<id>/root/         a read-only layer (an overlay lowerdir)
 *   ROOT/layers/<id>/meta.json     {"parent": id?, "created", "source"}
 *   ROOT/images/<name>/meta.json   {"created","source","template","size",
 *                                   "layer","config":{entrypoint,cmd,env,...}}
 *   ROOT/images/<name>/rootfs      symlink to its top layer's root (for people)
 *   ROOT/containers/<name>/meta.json  {"created","image"?,"layer"}
 *   ROOT/containers/<name>/{config,upper/,work/,console.log}
 *   ROOT/containers/<name>/snapshots/<snap>/meta.json  {"created","layer"}
 *
 * Layers are shared, not owned: an image, a container and a snapshot each
 * name their top layer and each layer names its parent, so a container's
 * overlay lowerdir is its layer chain. Clone and snapshot freeze the
 * container's upper into a new layer (a rename: constant time whatever the
 * upper holds) and give the container(s) fresh uppers on top of it; an
 * untouched upper adds no layer. A layer nothing reaches is removed.
 * Frozen uppers keep overlay whiteouts, which overlayfs honours in lower
 * layers; mounts use index=off,redirect_dir=off,metacopy=off so an upper is
 * always self-contained. A chain never outgrows one page of mount options
 * (clone/snapshot refuse with E2BIG first), so mount(2) can always mount it.
 *
 * Directories holding rootfs data sit below 0700 directories; names follow
 * state_validate_id. Every change is staged in ROOT/tmp and becomes visible
 * by rename; a change that needs several renames first writes them as a
 * journal, so a process killed at any point leaves either nothing (staging
 * is removed) or a journal the next store_lock replays: never a half
 * container. store_gc also drops layers nothing references. (Safe against
 * kills; nothing is fsynced, so a power cut may lose a recent change.)
 *
 * The store never mounts for the runtime: store_container_rootfs_mount_spec
 * returns the overlay's directories and options and rootfs/ mounts them
 * inside the container's mount namespace. Clone, snapshot and restore need
 * the container stopped: the store cannot see mounts in other namespaces,
 * the caller checks the runtime state first.
 * Functions return 0 or -errno with err filled; not thread-safe (archive
 * import changes the working directory while libarchive writes).
 */
#ifndef CTR_ROOTFS_STORE_H
#define CTR_ROOTFS_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define STORE_DEFAULT_ROOT "/var/lib/ctr"
/* Deepest layer chain clone/snapshot will build (a long store root path
 * lowers it further: the options must fit a page). */
#define STORE_LAYERS_MAX 64

struct store {
	int dirfd;
	int lockfd;
	int lock_depth;
	char *root;
};

/* Open the store at root (creating the layout, 0700, if create). */
int store_open(const char *root, bool create, struct store *st, struct ctr_error *err);
void store_close(struct store *st);

/* Take/release the store lock. Taking it first finishes or removes what
 * killed processes left (journals replayed, dead staging removed). Public
 * so a front end can hold it across several calls; calls nest. */
int store_lock(struct store *st, bool exclusive, struct ctr_error *err);
void store_unlock(struct store *st);

/* Recovery as in store_lock, then remove layers nothing references. */
int store_gc(struct store *st, struct ctr_error *err);

/* A fresh staging directory ROOT/tmp/<random>, 0700, owned (flocked) by
 * this process until store_tmp_release, e.g. for a template to fill a rootfs
 * on the store's filesystem. path is absolute. */
struct store_tmp {
	int fd;
	char *name; /* "tmp/<random>", relative to the root */
	char *path;
};
int store_tmp_create(struct store *st, struct store_tmp *tmp, struct ctr_error *err);
/* Remove the staging directory (whatever is left in it) and unlock it. */
void store_tmp_release(struct store *st, struct store_tmp *tmp);

/* ---- images ---- */

/* What an OCI/docker image config says the container runs; all optional. */
struct store_image_config {
	char **entrypoint;
	char **cmd;
	char **env;
	char *working_dir;
	char *user;
};
void store_image_config_free(struct store_image_config *c);

struct store_image_info {
	char *name;
	char *created;
	char *source;
	char *template;
	uint64_t size; /* bytes of file data in the image's layers */
	char *layer;
	struct store_image_config config;
};
void store_image_info_free(struct store_image_info *info);

struct store_image_opts {
	const char *source;   /* where it came from, free text */
	const char *template; /* template that made it, or NULL */
	const struct store_image_config *config;
};

/* Move the filled rootfs directory dir in as image name (a rename when dir
 * is on the store's filesystem, e.g. inside a store_tmp; -EXDEV otherwise).
 * Fails with "image 'x' already exists". */
int store_image_create_from_dir(struct store *st, const char *name, const char *dir,
				const struct store_image_opts *opts, struct ctr_error *err);

enum store_archive_kind {
	STORE_ARCHIVE_AUTO,   /* an image archive if it has one's index, else a rootfs */
	STORE_ARCHIVE_ROOTFS, /* .tar/.tar.gz/.tar.xz/... of a root filesystem */
	STORE_ARCHIVE_IMAGE,  /* OCI image layout or docker-archive (tar or directory) */
};

/* Unpack an archive into the empty directory target: a rootfs tarball as
 * is; an image archive's manifest layers in order, whiteouts (.wh.NAME) and
 * opaque directories (.wh..wh..opq) applied; the image config returned in
 * cfg (may be NULL). Entries never leave target: absolute paths, ".." and
 * writes through symlinks are refused. Owners, xattrs and device nodes are
 * restored only as root (device nodes are skipped otherwise). */
int store_unpack_archive(const char *archive, const char *target, enum store_archive_kind kind,
			 struct store_image_config *cfg, struct ctr_error *err);

/* Progress of store_unpack_archive (and so of store_image_import_archive):
 * called after each entry written, with the entries and bytes of file data
 * so far in this unpack (layers of an image add up). Process-wide, like the
 * rest of the store's state; NULL turns it off. */
typedef void (*store_progress_fn)(uint64_t entries, uint64_t bytes, void *data);
void store_set_progress(store_progress_fn fn, void *data);

/* store_unpack_archive into a staging dir, then store_image_create_from_dir.
 * The image config lands in the image's meta.json and in cfg (may be NULL). */
int store_image_import_archive(struct store *st, const char *name, const char *archive,
			       enum store_archive_kind kind, const char *source,
			       struct store_image_config *cfg, struct ctr_error *err);

int store_image_info(struct store *st, const char *name, struct store_image_info *info,
		     struct ctr_error *err);
bool store_image_exists(struct store *st, const char *name);
/* Sorted, NULL-terminated names. */
int store_image_list(struct store *st, char ***names, struct ctr_error *err);
/* Refuses ("image 'x' is used by container 'y'") while a container or one
 * of its snapshots stands on the image's layer. */
int store_image_remove(struct store *st, const char *name, struct ctr_error *err);

/* ---- containers ---- */

struct store_container_opts {
	const char *image;	/* stand on this image ... */
	const char *rootfs_dir; /* ... or move this filled dir in as a private layer */
	const char *config;	/* native config text to write, or NULL */
};

/* Create containers/name with an empty upper on top of its lower layers. */
int store_container_create(struct store *st, const char *name,
			   const struct store_container_opts *opts, struct ctr_error *err);
bool store_container_exists(struct store *st, const char *name);
int store_container_list(struct store *st, char ***names, struct ctr_error *err);
/* The image a container was made from (NULL when none), malloc'd. */
int store_container_image(struct store *st, const char *name, char **image, struct ctr_error *err);
/* Absolute path of a file of the container (e.g. "config", "console.log"). */
char *store_container_path(struct store *st, const char *name, const char *file);

/* Remove path (relative to dirfd) and everything below it, never following
 * symlinks; missing is success. Directories a non-root unpack left without
 * write permission are opened up first. */
int store_remove_tree(int dirfd, const char *path);
/* Replace the native config atomically. */
int store_container_write_config(struct store *st, const char *name, const char *text,
				 struct ctr_error *err);
/* Removes the container, its snapshots and the layers only it used. */
int store_container_destroy(struct store *st, const char *name, struct ctr_error *err);

/* What rootfs/ mounts as the container's root. */
struct store_mount_spec {
	char **lowerdirs; /* absolute, topmost first */
	char *upperdir;
	char *workdir;
	char *options; /* "lowerdir=...,upperdir=...,workdir=...,index=off,..." */
};
void store_mount_spec_free(struct store_mount_spec *spec);
int store_container_rootfs_mount_spec(struct store *st, const char *name,
				      struct store_mount_spec *spec, struct ctr_error *err);
/* Mount the container's overlay at target (tests, inspection). */
int store_overlay_mount_at(struct store *st, const char *name, const char *target,
			   struct ctr_error *err);

/* New container dst standing on everything src has now; src is unchanged
 * to its user. Constant time: src's upper becomes a shared layer. */
int store_container_clone(struct store *st, const char *src, const char *dst,
			  struct ctr_error *err);

/* ---- snapshots (of stopped containers) ---- */

/* Record the container's current content as snap. Constant time. */
int store_snapshot_create(struct store *st, const char *name, const char *snap,
			  struct ctr_error *err);
/* Sorted snapshot names. */
int store_snapshot_list(struct store *st, const char *name, char ***snaps, struct ctr_error *err);
/* The container's content becomes snap's again; changes since are dropped. */
int store_snapshot_restore(struct store *st, const char *name, const char *snap,
			   struct ctr_error *err);
int store_snapshot_remove(struct store *st, const char *name, const char *snap,
			  struct ctr_error *err);

#endif
