/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_internal.h - helpers shared by the store's files: names, JSON
 * metadata, layer chains, staged changes and their journal.
 */
#ifndef CTR_ROOTFS_STORE_INTERNAL_H
#define CTR_ROOTFS_STORE_INTERNAL_H

#include <json-c/json.h>

#include "store.h"

#define STORE_ID_LEN 16 /* hex characters of a layer id */

/* state_validate_id's rules, the message naming what (image, container...). */
int store_validate_name(const char *what, const char *name, struct ctr_error *err);


/* Does path (relative to the root) exist (lstat)? */
bool store_exists(struct store *st, const char *path);

/* Read/write a JSON metadata file relative to dirfd. Writing replaces the
 * file atomically (temp + rename). */
int store_json_read(int dirfd, const char *path, json_object **out, struct ctr_error *err);
int store_json_write(int dirfd, const char *path, json_object *obj, struct ctr_error *err);
/* The string member key of obj, or NULL. */
const char *store_json_string(json_object *obj, const char *key);

/* A random id of STORE_ID_LEN hex characters in buf. */
void store_new_id(char buf[STORE_ID_LEN + 1]);

/* The chain of layer ids from top down (NULL-terminated, malloc'd). */
int store_layer_chain(struct store *st, const char *top, char ***chain, struct ctr_error *err);

/* Stage a new layer tmp/.../layer in tmp (meta.json only: its root is moved
 * in by the journal). Returns its id in id. */
int store_stage_layer(struct store_tmp *tmp, const char *parent, const char *source,
		      char id[STORE_ID_LEN + 1], struct ctr_error *err);

/* store_stage_layer, then rename dir (on the store's filesystem) in as the
 * staged layer's root. */
int store_stage_dir_as_layer(struct store_tmp *tmp, const char *dir, const char *source,
			     char id[STORE_ID_LEN + 1], struct ctr_error *err);

/* A journal: renames (paths relative to the root) applied in order. MOVE
 * needs its target absent and is done once the target exists; REPLACE
 * renames a staged file over the target and is done once the source is
 * gone. */
struct store_journal {
	char **lines;
};
void store_journal_move(struct store_journal *j, const char *from, const char *to);
void store_journal_replace(struct store_journal *j, const char *from, const char *to);
/* Write the journal into tmp (the commit point), apply it, release tmp.
 * Called with the exclusive lock held. */
int store_journal_commit(struct store *st, struct store_tmp *tmp, struct store_journal *j,
			 struct ctr_error *err);

/* Remove the layers no image, container or snapshot reaches. Locked. */
int store_layers_gc(struct store *st, struct ctr_error *err);

/* Every layer id an image, container or snapshot stands on, with who
 * ("container 'x'") for each top layer, through a callback; stops at the
 * first non-zero return. */
typedef int (*store_ref_fn)(const char *who, const char *top, void *data);
int store_for_each_ref(struct store *st, store_ref_fn fn, void *data, struct ctr_error *err);

/* Sorted names of the valid entries of directory path (relative). */
int store_list_dir(struct store *st, const char *path, char ***names, struct ctr_error *err);

#endif
