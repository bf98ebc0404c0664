/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.c - the runtime state store: one 0700 directory per container under
 * the store root, locked with flock on its fd, holding state.json (written
 * by rename) and whatever else the lifecycle keeps there.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <stddef.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "state.h"
#include "util.h"

#define STATE_FILE    "state.json"
#define STATE_ID_MAX  1024
#define OCI_VERSION   "1.0.2"
#define QUOTED_ID_MAX 64
/* Bumped when state.json changes incompatibly; older files are refused. */
#define STATE_FORMAT 1

/* ---- the store root ---- */

int state_store_open(const char *root, bool create, struct state_store *st, struct ctr_error *err)
{
	int ret;

	st->dirfd = -1;
	st->root = NULL;
	if (create) {
		ret = mkdir_p(root, 0700);
		if (ret < 0)
			return ctr_errnum(err, ret, "create state root %s", root);
	}
	st->dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd < 0)
		return ctr_errno(err, "open state root %s", root);
	st->root = xstrdup(root);
	return 0;
}

void state_store_close(struct state_store *st)
{
	closep(&st->dirfd);
	st->dirfd = -1;
	free(st->root);
	st->root = NULL;
}

/* ---- container ids ---- */

static bool id_char_allowed(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '+' || c == '-';
}

/* What is wrong with id, written to buf, or NULL when it is valid. */
static const char *id_problem(const char *id, char *buf, size_t size)
{
	size_t len = strlen(id);

	if (len == 0)
		return "must not be empty";
	if (len > STATE_ID_MAX) {
		snprintf(buf, size, "longer than %d bytes", STATE_ID_MAX);
		return buf;
	}
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return "must not be '.' or '..'";
	for (const char *p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (id_char_allowed(c))
			continue;
		if (c >= 0x20 && c < 0x7f)
			snprintf(buf, size, "must not contain '%c'", c);
		else
			snprintf(buf, size, "must not contain byte 0x%02x", c);
		return buf;
	}
	return NULL;
}

int state_validate_id(const char *id, struct ctr_error *err)
{
	char buf[64];
	const char *problem = id_problem(id, buf, sizeof(buf));

	if (!problem)
		return 0;
	/* A 1 MiB id would crowd out the reason: quote its start only. */
	return ctr_error(err, EINVAL, "invalid container id '%.*s%s': %s", QUOTED_ID_MAX, id,
			 strlen(id) > QUOTED_ID_MAX ? "..." : "", problem);
}

/* ---- container directories and locks ---- */

int state_lock(int dirfd, bool exclusive, struct ctr_error *err)
{
	while (flock(dirfd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno != EINTR)
			return ctr_errno(err, "lock container state");
	}
	return 0;
}

int state_create(struct state_store *st, const char *id, int *dirfd, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	int ret;

	ret = state_validate_id(id, err);
	if (ret < 0)
		return ret;
	if (mkdirat(st->dirfd, id, 0700) < 0) {
		if (errno == EEXIST)
			return ctr_error(err, EEXIST, "container '%s' already exists", id);
		return ctr_errno(err, "create state directory %s/%s", st->root, id);
	}
	fd = openat(st->dirfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = ctr_errno(err, "open state directory %s/%s", st->root, id);
		unlinkat(st->dirfd, id, AT_REMOVEDIR);
		return ret;
	}
	ret = state_lock(fd, true, err);
	if (ret < 0) {
		unlinkat(st->dirfd, id, AT_REMOVEDIR);
		return ret;
	}
	*dirfd = steal_fd(fd);
	return 0;
}

int state_open(struct state_store *st, const char *id, int *dirfd, struct ctr_error *err)
{
	int fd, ret;

	ret = state_validate_id(id, err);
	if (ret < 0)
		return ret;
	fd = openat(st->dirfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		/* Orchestrators match runc's exact wording. */
		if (errno == ENOENT)
			return ctr_error(err, ENOENT, "container does not exist");
		return ctr_errno(err, "open state directory %s/%s", st->root, id);
	}
	*dirfd = fd;
	return 0;
}

/* ---- state.json: a table of scalar fields, plus the annotations ---- */

enum state_field_type { FIELD_STRING, FIELD_BOOL, FIELD_PID, FIELD_U64 };

struct state_field {
	const char *key;
	enum state_field_type type;
	size_t offset;
};

#define FIELD(key, type, member)                                                                   \
	{                                                                                          \
		key, type, offsetof(struct container_state, member)                                \
	}

static const struct state_field state_fields[] = {
    FIELD("id", FIELD_STRING, id),
    FIELD("pid", FIELD_PID, pid),
    FIELD("start_time", FIELD_U64, start_time),
    FIELD("bundle", FIELD_STRING, bundle),
    FIELD("rootfs", FIELD_STRING, rootfs),
    FIELD("cgroup_path", FIELD_STRING, cgroup_path),
    FIELD("created", FIELD_STRING, created),
    FIELD("owner", FIELD_STRING, owner),
    FIELD("terminal", FIELD_BOOL, terminal),
    FIELD("systemd_cgroup", FIELD_BOOL, systemd_cgroup),
};

static json_object *field_to_json(const struct state_field *f, const struct container_state *cs)
{
	const char *base = (const char *)cs + f->offset;

	switch (f->type) {
	case FIELD_STRING: {
		const char *s = *(char *const *)base;
		return s ? json_object_new_string(s) : NULL;
	}
	case FIELD_BOOL:
		return json_object_new_boolean(*(const bool *)base);
	case FIELD_PID:
		return json_object_new_int(*(const pid_t *)base);
	case FIELD_U64:
		return json_object_new_uint64(*(const uint64_t *)base);
	}
	return NULL;
}

static int field_from_json(const struct state_field *f, json_object *v, struct container_state *cs,
			   struct ctr_error *err)
{
	char *base = (char *)cs + f->offset;
	static const json_type expected[] = {
	    [FIELD_STRING] = json_type_string,
	    [FIELD_BOOL] = json_type_boolean,
	    [FIELD_PID] = json_type_int,
	    [FIELD_U64] = json_type_int,
	};

	if (!json_object_is_type(v, expected[f->type]))
		return ctr_error(err, EINVAL, STATE_FILE ": '%s' must be a %s", f->key,
				 json_type_to_name(expected[f->type]));
	switch (f->type) {
	case FIELD_STRING:
		*(char **)base = xstrdup(json_object_get_string(v));
		break;
	case FIELD_BOOL:
		*(bool *)base = json_object_get_boolean(v);
		break;
	case FIELD_PID: {
		int64_t pid = json_object_get_int64(v);
		if (pid < 0 || pid > INT32_MAX)
			return ctr_error(err, EINVAL, STATE_FILE ": 'pid' out of range");
		*(pid_t *)base = (pid_t)pid;
		break;
	}
	case FIELD_U64:
		*(uint64_t *)base = json_object_get_uint64(v);
		break;
	}
	return 0;
}

/* json-c prints an empty object across two lines; runc (Go) prints "{}". */
static int print_empty_object(json_object *obj, struct printbuf *pb, int level, int flags)
{
	return printbuf_strappend(pb, "{}");
}

static json_object *annotations_to_json(const struct container_state *cs)
{
	json_object *obj = json_object_new_object();

	for (size_t i = 0; i < cs->n_annotations; i++)
		json_object_object_add(obj, cs->annotations[i].key,
				       json_object_new_string(cs->annotations[i].value));
	if (cs->n_annotations == 0)
		json_object_set_serializer(obj, print_empty_object, NULL, NULL);
	return obj;
}

static int annotations_from_json(json_object *obj, struct container_state *cs,
				 struct ctr_error *err)
{
	size_t n = 0;

	if (!json_object_is_type(obj, json_type_object))
		return ctr_error(err, EINVAL, STATE_FILE ": 'annotations' must be an object");
	cs->annotations = xcalloc(json_object_object_length(obj), sizeof(struct spec_kv));
	json_object_object_foreach(obj, key, val)
	{
		if (!json_object_is_type(val, json_type_string))
			return ctr_error(err, EINVAL,
					 STATE_FILE ": annotation '%s' must be a string", key);
		cs->annotations[n].key = xstrdup(key);
		cs->annotations[n].value = xstrdup(json_object_get_string(val));
		cs->n_annotations = ++n;
	}
	return 0;
}

int state_save(int dirfd, const struct container_state *cs, struct ctr_error *err)
{
	json_object *obj = json_object_new_object();
	const char *text;
	int ret;

	json_object_object_add(obj, "format", json_object_new_int(STATE_FORMAT));
	for (size_t i = 0; i < ARRAY_SIZE(state_fields); i++) {
		json_object *v = field_to_json(&state_fields[i], cs);
		if (v)
			json_object_object_add(obj, state_fields[i].key, v);
	}
	json_object_object_add(obj, "annotations", annotations_to_json(cs));
	text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	ret = write_file_atomic_at(dirfd, STATE_FILE, text, strlen(text), 0600, err);
	json_object_put(obj);
	if (ret < 0)
		return ctr_error_prefix(err, "save container state");
	return 0;
}

static int state_from_json(json_object *obj, struct container_state *cs, struct ctr_error *err)
{
	json_object *v;
	int ret;

	if (!json_object_is_type(obj, json_type_object))
		return ctr_error(err, EINVAL, STATE_FILE ": not a JSON object");
	if (!json_object_object_get_ex(obj, "format", &v) || json_object_get_int(v) != STATE_FORMAT)
		return ctr_error(err, EINVAL, STATE_FILE ": unknown format (want %d)",
				 STATE_FORMAT);
	for (size_t i = 0; i < ARRAY_SIZE(state_fields); i++) {
		if (!json_object_object_get_ex(obj, state_fields[i].key, &v))
			continue;
		ret = field_from_json(&state_fields[i], v, cs, err);
		if (ret < 0)
			return ret;
	}
	if (!cs->id)
		return ctr_error(err, EINVAL, STATE_FILE ": 'id' is missing");
	if (json_object_object_get_ex(obj, "annotations", &v))
		return annotations_from_json(v, cs, err);
	return 0;
}

int state_load(int dirfd, struct container_state *cs, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	enum json_tokener_error jerr;
	json_object *obj;
	size_t len;
	int ret;

	memset(cs, 0, sizeof(*cs));
	ret = read_file_at(dirfd, STATE_FILE, &text, &len, err);
	if (ret == -ENOENT)
		return ctr_error(err, ENOENT, "container state missing (creation did not finish)");
	if (ret < 0)
		return ctr_error_prefix(err, "load container state");
	obj = json_tokener_parse_verbose(text, &jerr);
	if (!obj)
		return ctr_error(err, EINVAL, "load container state: " STATE_FILE ": %s",
				 json_tokener_error_desc(jerr));
	ret = state_from_json(obj, cs, err);
	json_object_put(obj);
	if (ret < 0) {
		container_state_free(cs);
		return ctr_error_prefix(err, "load container state");
	}
	return 0;
}

void container_state_free(struct container_state *cs)
{
	for (size_t i = 0; i < ARRAY_SIZE(state_fields); i++) {
		if (state_fields[i].type == FIELD_STRING)
			free(*(char **)((char *)cs + state_fields[i].offset));
	}
	for (size_t i = 0; i < cs->n_annotations; i++) {
		free(cs->annotations[i].key);
		free(cs->annotations[i].value);
	}
	free(cs->annotations);
	memset(cs, 0, sizeof(*cs));
}

/* ---- removal and listing ---- */

/* Unlink every entry of the directory open at fd (one level: the store
 * keeps only files there). */
static int empty_directory(int fd, const char *path, struct ctr_error *err)
{
	DIR *dir;
	struct dirent *de;
	int ret = 0;

	/* A fresh open file description, so fd's offset stays untouched. */
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ctr_errno(err, "open %s", path);
	dir = fdopendir(dfd);
	if (!dir) {
		ret = ctr_errno(err, "read %s", path);
		close(dfd);
		return ret;
	}
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno == EISDIR && unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0)
			continue;
		/* The root a restore killed mid-way left attached (restore.c). */
		if (errno == EBUSY) {
			_cleanup_free_ char *mnt = xasprintf("%s/%s", path, de->d_name);

			if (umount2(mnt, MNT_DETACH) == 0 && unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0)
				continue;
		}
		ret = ctr_errno(err, "remove %s/%s", path, de->d_name);
		break;
	}
	closedir(dir);
	return ret;
}

int state_remove(struct state_store *st, const char *id, struct ctr_error *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	int ret;

	ret = state_validate_id(id, err);
	if (ret < 0)
		return ret;
	path = xasprintf("%s/%s", st->root, id);
	fd = openat(st->dirfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return ctr_errno(err, "open state directory %s", path);
	}
	ret = empty_directory(fd, path, err);
	if (ret < 0)
		return ret;
	if (unlinkat(st->dirfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return ctr_errno(err, "remove state directory %s", path);
	return 0;
}

static bool entry_is_directory(int dirfd, const struct dirent *de)
{
	struct stat sb;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return fstatat(dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list(struct state_store *st, char ***ids, struct ctr_error *err)
{
	_cleanup_strv_ char **list = xcalloc(1, sizeof(char *));
	char buf[64];
	struct dirent *de;
	DIR *dir;
	int dfd;

	dfd = openat(st->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ctr_errno(err, "open state root %s", st->root);
	dir = fdopendir(dfd);
	if (!dir) {
		int ret = ctr_errno(err, "read state root %s", st->root);
		close(dfd);
		return ret;
	}
	while ((de = readdir(dir))) {
		/* Anything that is not a container directory is not ours to list. */
		if (id_problem(de->d_name, buf, sizeof(buf)) || !entry_is_directory(dfd, de))
			continue;
		strv_append(&list, de->d_name);
	}
	closedir(dir);
	qsort(list, strv_len(list), sizeof(char *), compare_strings);
	*ids = steal_ptr(list);
	return 0;
}

/* ---- the OCI state object ---- */

static void add_string(json_object *obj, const char *key, const char *value)
{
	json_object_object_add(obj, key, json_object_new_string(value ? value : ""));
}

char *state_to_oci_json(const struct container_state *cs, const char *status)
{
	json_object *obj = json_object_new_object();
	char *text;

	/* Key order as `runc state` prints them. */
	add_string(obj, "ociVersion", OCI_VERSION);
	add_string(obj, "id", cs->id);
	if (cs->pid > 0)
		json_object_object_add(obj, "pid", json_object_new_int(cs->pid));
	add_string(obj, "status", status);
	add_string(obj, "bundle", cs->bundle);
	add_string(obj, "rootfs", cs->rootfs);
	add_string(obj, "created", cs->created);
	json_object_object_add(obj, "annotations", annotations_to_json(cs));
	add_string(obj, "owner", cs->owner);
	text = xstrdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return text;
}

/* ---- liveness ---- */

/* The state letter of /proc/PID/stat (field 3), or 0 if unreadable. */
static char proc_state(pid_t pid)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ char *stat = NULL;
	char path[64];
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file_at(AT_FDCWD, path, &stat, NULL, &ignored) < 0)
		return 0;
	/* comm may hold spaces and parentheses: the state follows the last ')'. */
	p = strrchr(stat, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

bool state_process_alive(const struct container_state *cs)
{
	uint64_t start_time;
	char st;

	if (cs->pid <= 0)
		return false;
	/* State first, then start time: if the pid was reused in between, the
	 * start time no longer matches and the answer is "dead". */
	st = proc_state(cs->pid);
	if (st == 0 || st == 'Z' || st == 'X' || st == 'x')
		return false;
	if (proc_start_time(cs->pid, &start_time) < 0)
		return false;
	return start_time == cs->start_time;
}
