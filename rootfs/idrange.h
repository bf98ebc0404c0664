/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idrange.h - host id ranges for the user namespaces of system containers.
 *
 * The ids come from root's entries in the subordinate id files
 * (/etc/subuid, /etc/subgid; shadow's "NAME:START:COUNT" lines, NAME being
 * "root" or "0"). A file without an entry for root gets one appended
 * (IDRANGE_DEFAULT_START, IDRANGE_DEFAULT_COUNT); other lines are kept.
 *
 * Root's ranges are cut into blocks of IDRANGE_SIZE ids. The first block
 * is the range every `idmap = shared` container has in common; each
 * `idmap = isolated` container gets a block of its own, the lowest free
 * one. Who holds what is recorded in the store (ROOT/idranges, one
 * "NAME KIND UID GID SIZE" line each), read and replaced under the store's
 * exclusive lock, so two `ctr create` never hand out the same block. A
 * container keeps its block until idrange_release (destroy): a restart
 * gets the same ids, so the files it wrote keep their owners.
 */
#ifndef CTR_ROOTFS_IDRANGE_H
#define CTR_ROOTFS_IDRANGE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

#define IDRANGE_SIZE	      65536u
#define IDRANGE_SUBUID	      "/etc/subuid"
#define IDRANGE_SUBGID	      "/etc/subgid"
#define IDRANGE_DEFAULT_START 1000000u
#define IDRANGE_DEFAULT_COUNT 1000000000u

/* One "root:START:COUNT" entry. */
struct idrange {
	uint32_t start;
	uint32_t count;
};

/* Root's entries of a subordinate id file's text, in file order (*n may be
 * 0). Lines of other users, comments and blank lines are skipped;
 * a malformed entry of root's is an error naming its line. */
int idrange_parse(const char *text, const char *origin, struct idrange **out, size_t *n,
		  struct ctr_error *err);

/* Read root's entries from path, first appending the default entry when
 * the file has none (creating the file, 0644, when missing). */
int idrange_read_subid(const char *path, struct idrange **out, size_t *n, struct ctr_error *err);

enum idrange_kind {
	IDRANGE_ISOLATED,
	IDRANGE_SHARED,
};

/* A container's range: host ids uid.., gid.. (size each) are its 0... */
struct idrange_alloc {
	enum idrange_kind kind;
	uint32_t uid;
	uint32_t gid;
	uint32_t size;
};

/* Where root's ranges come from; NULL members mean the files above. */
struct idrange_files {
	const char *subuid;
	const char *subgid;
};

/* The container's range: the one it holds already if of this kind, else a
 * new one (a held range of the other kind is given back first). -ENOSPC
 * when every block is taken. */
int idrange_allocate(struct store *st, const char *name, enum idrange_kind kind,
		     const struct idrange_files *files, struct idrange_alloc *out,
		     struct ctr_error *err);

/* Record exactly this range for name (a config written elsewhere, a store
 * whose record went missing). Idempotent; -EBUSY naming the holder when
 * another container has any of these ids. */
int idrange_claim(struct store *st, const char *name, const struct idrange_alloc *want,
		  struct ctr_error *err);

/* The range name holds; -ENOENT when none. */
int idrange_lookup(struct store *st, const char *name, struct idrange_alloc *out,
		   struct ctr_error *err);

/* Give the range back; holding none is success. */
int idrange_release(struct store *st, const char *name, struct ctr_error *err);

#endif
