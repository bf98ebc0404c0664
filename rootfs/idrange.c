/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idrange.c - root's subordinate id ranges, cut into per-container blocks
 * recorded in the store (see idrange.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "idrange.h"
#include "util.h"

#define RECORDS_FILE "idranges"

/* ---- subordinate id files ---- */

static bool is_root_entry(const char *line, size_t name_len)
{
	return (name_len == 4 && strncmp(line, "root", 4) == 0) ||
	       (name_len == 1 && line[0] == '0');
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) < 0 || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_entry(char *line, struct idrange *r)
{
	char *start = strchr(line, ':');
	char *count = start ? strchr(start + 1, ':') : NULL;

	if (!count)
		return -EINVAL;
	*start++ = '\0';
	*count++ = '\0';
	if (parse_u32(start, &r->start) < 0 || parse_u32(count, &r->count) < 0 || r->count == 0 ||
	    (uint64_t)r->start + r->count > (uint64_t)UINT32_MAX + 1)
		return -EINVAL;
	return 0;
}

int idrange_parse(const char *text, const char *origin, struct idrange **out, size_t *n,
		  struct ctr_error *err)
{
	_cleanup_free_ char *copy = xstrdup(text);
	_cleanup_free_ struct idrange *ranges = NULL;
	char *save = NULL;
	unsigned int lineno = 0;
	size_t count = 0;

	for (char *line = copy; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		line += strspn(line, " \t");
		if (!line[0] || line[0] == '#' || !is_root_entry(line, strcspn(line, ":")))
			continue;
		ranges = xrealloc(ranges, (count + 1) * sizeof(*ranges));
		if (parse_entry(line, &ranges[count]) < 0)
			return ctr_error(err, EINVAL, "%s:%u: expected root:START:COUNT", origin,
					 lineno);
		count++;
	}
	*out = steal_ptr(ranges);
	*n = count;
	return 0;
}

static int append_default_entry(const char *path, struct ctr_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	_cleanup_free_ char *line = NULL;
	struct stat st;

	if (fd < 0)
		return ctr_errno(err, "open %s", path);
	if (fstat(fd, &st) < 0)
		return ctr_errno(err, "stat %s", path);
	/* A last line without its newline must not swallow ours. */
	line = xasprintf("%sroot:%u:%u\n", st.st_size > 0 ? "\n" : "", IDRANGE_DEFAULT_START,
			 IDRANGE_DEFAULT_COUNT);
	if (st.st_size > 0) {
		char last;
		if (pread(fd, &last, 1, st.st_size - 1) == 1 && last == '\n')
			memmove(line, line + 1, strlen(line));
	}
	if (write_all(fd, line, strlen(line)) < 0)
		return ctr_errno(err, "append to %s", path);
	return 0;
}

int idrange_read_subid(const char *path, struct idrange **out, size_t *n, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = read_file_at(AT_FDCWD, path, &text, &len, err);
	if (r == -ENOENT) {
		ctr_error_clear(err);
		text = xstrdup("");
	} else if (r < 0) {
		return r;
	}
	r = idrange_parse(text, path, out, n, err);
	if (r < 0 || *n > 0)
		return r;
	free(*out);
	*out = NULL;
	r = append_default_entry(path, err);
	if (r < 0)
		return r;
	*out = xmalloc(sizeof(**out));
	**out = (struct idrange){IDRANGE_DEFAULT_START, IDRANGE_DEFAULT_COUNT};
	*n = 1;
	return 0;
}

/* ---- records in the store ---- */

struct record {
	char *name;
	struct idrange_alloc a;
};

struct records {
	struct record *v;
	size_t n;
};

static void records_free(struct records *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i].name);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

static const char *const kind_names[] = {"isolated", "shared"};

static int parse_kind(const char *s, enum idrange_kind *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum idrange_kind)i;
			return 0;
		}
	return -EINVAL;
}

static int parse_record(char *line, struct record *rec)
{
	char *f[5], *save = NULL;
	size_t n = 0;

	for (char *t = strtok_r(line, " ", &save); t && n < 5; t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	if (n != 5 || strtok_r(NULL, " ", &save) || parse_kind(f[1], &rec->a.kind) < 0 ||
	    parse_u32(f[2], &rec->a.uid) < 0 || parse_u32(f[3], &rec->a.gid) < 0 ||
	    parse_u32(f[4], &rec->a.size) < 0 || rec->a.size == 0)
		return -EINVAL;
	rec->name = xstrdup(f[0]);
	return 0;
}

static int records_load(struct store *st, struct records *rs, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	unsigned int lineno = 0;
	size_t len;
	int r;

	rs->v = NULL;
	rs->n = 0;
	r = read_file_at(st->dirfd, RECORDS_FILE, &text, &len, err);
	if (r == -ENOENT) {
		ctr_error_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
		if (parse_record(line, &rs->v[rs->n]) < 0) {
			records_free(rs);
			return ctr_error(err, EINVAL, "%s/%s:%u: corrupt id range record", st->root,
					 RECORDS_FILE, lineno);
		}
		rs->n++;
	}
	return 0;
}

static int records_save(struct store *st, const struct records *rs, struct ctr_error *err)
{
	_cleanup_free_ char *text = xstrdup("");

	for (size_t i = 0; i < rs->n; i++) {
		const struct record *rec = &rs->v[i];
		char *next =
		    xasprintf("%s%s %s %u %u %u\n", text, rec->name, kind_names[rec->a.kind],
			      rec->a.uid, rec->a.gid, rec->a.size);
		free(text);
		text = next;
	}
	return write_file_atomic_at(st->dirfd, RECORDS_FILE, text, strlen(text), 0600, err);
}

static struct record *records_find(struct records *rs, const char *name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].name, name) == 0)
			return &rs->v[i];
	return NULL;
}

static void records_remove(struct records *rs, struct record *rec)
{
	free(rec->name);
	memmove(rec, rec + 1, (size_t)(rs->v + rs->n - (rec + 1)) * sizeof(*rec));
	rs->n--;
}

static void records_add(struct records *rs, const char *name, const struct idrange_alloc *a)
{
	rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
	rs->v[rs->n++] = (struct record){xstrdup(name), *a};
}

static bool overlaps(uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size)
{
	return (uint64_t)a < (uint64_t)b + b_size && (uint64_t)b < (uint64_t)a + a_size;
}

/* The record (not name's own, not a fellow shared one) holding any of a's ids. */
static const struct record *holder_of(const struct records *rs, const char *name,
				      const struct idrange_alloc *a)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct record *rec = &rs->v[i];

		if (name && strcmp(rec->name, name) == 0)
			continue;
		if (a->kind == IDRANGE_SHARED && rec->a.kind == IDRANGE_SHARED &&
		    rec->a.uid == a->uid && rec->a.gid == a->gid)
			continue;
		if (overlaps(rec->a.uid, rec->a.size, a->uid, a->size) ||
		    overlaps(rec->a.gid, rec->a.size, a->gid, a->size))
			return rec;
	}
	return NULL;
}

/* ---- allocation ---- */

/* The start of block i of root's ranges (blocks never straddle entries). */
static bool block_start(const struct idrange *r, size_t n, size_t i, uint32_t *out)
{
	for (size_t k = 0; k < n; k++) {
		size_t blocks = r[k].count / IDRANGE_SIZE;

		if (i < blocks) {
			*out = r[k].start + (uint32_t)(i * IDRANGE_SIZE);
			return true;
		}
		i -= blocks;
	}
	return false;
}

struct subids {
	struct idrange *uid, *gid;
	size_t n_uid, n_gid;
};

static void subids_free(struct subids *s)
{
	free(s->uid);
	free(s->gid);
}

static int subids_read(const struct idrange_files *files, struct subids *s, struct ctr_error *err)
{
	const char *uidf = files && files->subuid ? files->subuid : IDRANGE_SUBUID;
	const char *gidf = files && files->subgid ? files->subgid : IDRANGE_SUBGID;
	int r;

	*s = (struct subids){0};
	r = idrange_read_subid(uidf, &s->uid, &s->n_uid, err);
	if (r == 0)
		r = idrange_read_subid(gidf, &s->gid, &s->n_gid, err);
	return r;
}

static bool block_of(const struct subids *s, size_t i, struct idrange_alloc *a)
{
	a->size = IDRANGE_SIZE;
	return block_start(s->uid, s->n_uid, i, &a->uid) &&
	       block_start(s->gid, s->n_gid, i, &a->gid);
}

/* Block 0 is the shared range; isolated containers take the lowest free
 * block after it, never one that overlaps any recorded range. */
static int pick_block(const struct subids *s, const struct records *rs, enum idrange_kind kind,
		      struct idrange_alloc *a, struct ctr_error *err)
{
	a->kind = kind;
	if (kind == IDRANGE_SHARED) {
		if (!block_of(s, 0, a))
			return ctr_error(err, ENOSPC, "root's subordinate ids hold no range of %u",
					 IDRANGE_SIZE);
		const struct record *rec = holder_of(rs, NULL, a);
		if (rec)
			return ctr_error(
			    err, EBUSY, "the shared id range is held by container '%s'", rec->name);
		return 0;
	}
	for (size_t i = 1; block_of(s, i, a); i++)
		if (!holder_of(rs, NULL, a))
			return 0;
	return ctr_error(err, ENOSPC,
			 "no free range of %u ids left in root's subordinate ids (%s, %s)",
			 IDRANGE_SIZE, IDRANGE_SUBUID, IDRANGE_SUBGID);
}

static int allocate_locked(struct store *st, const char *name, enum idrange_kind kind,
			   const struct idrange_files *files, struct idrange_alloc *out,
			   struct ctr_error *err)
{
	struct records rs;
	struct subids s;
	struct record *held;
	int r;

	r = records_load(st, &rs, err);
	if (r < 0)
		return r;
	held = records_find(&rs, name);
	if (held && held->a.kind == kind) {
		*out = held->a;
		records_free(&rs);
		return 0;
	}
	if (held)
		records_remove(&rs, held);
	r = subids_read(files, &s, err);
	if (r == 0)
		r = pick_block(&s, &rs, kind, out, err);
	if (r == 0) {
		records_add(&rs, name, out);
		r = records_save(st, &rs, err);
	}
	subids_free(&s);
	records_free(&rs);
	return r;
}

int idrange_allocate(struct store *st, const char *name, enum idrange_kind kind,
		     const struct idrange_files *files, struct idrange_alloc *out,
		     struct ctr_error *err)
{
	int r = store_lock(st, true, err);

	if (r < 0)
		return r;
	r = allocate_locked(st, name, kind, files, out, err);
	store_unlock(st);
	return r < 0 ? ctr_error_prefix(err, "id range for %s", name) : 0;
}

static int claim_locked(struct store *st, const char *name, const struct idrange_alloc *want,
			struct ctr_error *err)
{
	const struct record *other;
	struct record *held;
	struct records rs;
	int r;

	r = records_load(st, &rs, err);
	if (r < 0)
		return r;
	held = records_find(&rs, name);
	if (held && memcmp(&held->a, want, sizeof(*want)) == 0) {
		records_free(&rs);
		return 0;
	}
	other = holder_of(&rs, name, want);
	if (other) {
		r = ctr_error(err, EBUSY, "ids %u-%u overlap those of container '%s'", want->uid,
			      want->uid + want->size - 1, other->name);
	} else {
		if (held)
			records_remove(&rs, held);
		records_add(&rs, name, want);
		r = records_save(st, &rs, err);
	}
	records_free(&rs);
	return r;
}

int idrange_claim(struct store *st, const char *name, const struct idrange_alloc *want,
		  struct ctr_error *err)
{
	int r;

	if (want->size == 0 || (uint64_t)want->uid + want->size > (uint64_t)UINT32_MAX + 1 ||
	    (uint64_t)want->gid + want->size > (uint64_t)UINT32_MAX + 1)
		return ctr_error(err, EINVAL, "id range for %s: invalid range", name);
	r = store_lock(st, true, err);
	if (r < 0)
		return r;
	r = claim_locked(st, name, want, err);
	store_unlock(st);
	return r < 0 ? ctr_error_prefix(err, "id range for %s", name) : 0;
}

int idrange_lookup(struct store *st, const char *name, struct idrange_alloc *out,
		   struct ctr_error *err)
{
	struct records rs;
	struct record *held;
	int r = store_lock(st, false, err);

	if (r < 0)
		return r;
	r = records_load(st, &rs, err);
	store_unlock(st);
	if (r < 0)
		return r;
	held = records_find(&rs, name);
	if (held)
		*out = held->a;
	else
		r = ctr_error(err, ENOENT, "container %s holds no id range", name);
	records_free(&rs);
	return r;
}

int idrange_release(struct store *st, const char *name, struct ctr_error *err)
{
	struct records rs;
	struct record *held;
	int r = store_lock(st, true, err);

	if (r < 0)
		return r;
	r = records_load(st, &rs, err);
	if (r == 0 && (held = records_find(&rs, name))) {
		records_remove(&rs, held);
		r = records_save(st, &rs, err);
	}
	records_free(&rs);
	store_unlock(st);
	return r < 0 ? ctr_error_prefix(err, "release id range of %s", name) : 0;
}
