/* SPDX-License-Identifier: GPL-2.0-or-later */
/* checkpoint_internal.h - what checkpoint.c and restore.c share: the
 * criu_opts both directions send, and the record of the init's stdio. */
#ifndef CTR_CHECKPOINT_INTERNAL_H
#define CTR_CHECKPOINT_INTERNAL_H

#include "checkpoint.h"
#include "criu.h"
#include "spec.h"
#include "../cgroups/cgroup.h"

/* The init's fds 0-2 as /proc/PID/fd shows them ("pipe:[123]"), kept in
 * the image directory: restore hands the caller's own stdio to criu for
 * those that were pipes (an orchestrator's new pipes). */
#define CR_DESCRIPTORS "descriptors.json"
/* The container cgroup's cgroup.subtree_control at dump time, enabled
 * again in the new cgroup before criu restores (cg_enable_subtree). */
#define CR_SUBTREE_CONTROL "cgroup-subtree-control"

/* The image and work directories, opened; the log file named for the
 * direction ("dump.log", "restore.log"). */
struct cr_dirs {
	int image_fd;
	int work_fd;
	const char *log_name;
};

/* Options of both directions: directories, log, root (NULL: the spec's),
 * cgroups, the flags, network lock, orphan terminal. */
void cr_put_common(struct pb_buf *b, const struct criu_common_opts *c, const struct cr_dirs *d,
		   const struct spec *spec, const char *root);

/* Every bind mount of the spec as an external mount, keyed by its
 * destination: at dump the value is the key, at restore the spec's
 * (absolute) source. */
void cr_put_ext_mounts(struct pb_buf *b, const struct spec *spec, bool restore);

/* The container's cgroup directories that rootfs/cgroupfs.c bound under
 * a "cgroup" mount, as external mounts (keyed by where they show inside):
 * criu would otherwise mount each v1 hierarchy afresh on restore, which
 * costs up to ~200 ms for the memory controller here. At restore the
 * values are the new container's directories. cg may be NULL. */
void cr_put_cgroup_mounts(struct pb_buf *b, const struct spec *spec, const struct cg_handle *cg,
			  bool restore);

/* Mounts of the container whose filesystem the host has mounted too, but
 * which are not the spec's binds (device nodes bound from the host's
 * /dev, masks bound from /dev/null): criu cannot dump them, so they are
 * external, keyed by where they show inside. Dump (pid: the init) finds
 * them and keeps their host paths in the image directory (CR_HOST_BINDS);
 * restore (pid 0) reads them back as the values. */
#define CR_HOST_BINDS "host-binds.json"
int cr_put_host_binds(struct pb_buf *b, int image_fd, pid_t pid, const struct spec *spec,
		      struct ctr_error *err);

/* criu_notify_fn over the caller's notify (checkpoint.h): closes any fd
 * that came along. data: the criu_common_opts. */
int cr_forward_notify(void *data, const char *script, pid_t pid, int fd, struct ctr_error *err);

/* The host path a bind mount's source names (absolute, malloc'd). */
char *cr_bind_source(const struct spec *spec, const struct spec_mount *m);

/* inherit_fd {key, fd}: criu gives the restored tree fd (one in criu's
 * own process) wherever the image had the file named key. */
void cr_put_inherit_fd(struct pb_buf *b, const char *key, int fd);

/* Open (creating when asked) the image and work directories. */
int cr_open_dirs(const struct criu_common_opts *c, bool create, struct cr_dirs *d,
		 struct ctr_error *err);
void cr_close_dirs(struct cr_dirs *d);

/* criu's error, with the first error line of its log and where the log is. */
int cr_explain(const struct cr_dirs *d, const struct criu_common_opts *c, const char *what,
	       int ret, struct ctr_error *err);

#endif
