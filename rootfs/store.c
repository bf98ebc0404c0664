/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.c - the store's layout and locking: opening the root, the lock,
 * staging directories, the journal of multi-step changes and the recovery
 * that replays or removes what a killed process left.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "state.h"
#include "store_internal.h"
#include "util.h"

#define JOURNAL_FILE "journal"

static const char *const store_dirs[] = {"tmp", "layers", "images", "containers"};

int store_validate_name(const char *what, const char *name, struct ctr_error *err)
{
	struct ctr_error inner = CTR_ERROR_INIT;
	const char *reason;

	if (state_validate_id(name, &inner) == 0)
		return 0;
	/* Reuse the rules and their reason, but name the right thing. */
	reason = strstr(inner.msg, "': ");
	return ctr_error(err, EINVAL, "invalid %s name '%.64s': %s", what, name,
			 reason ? reason + 3 : inner.msg);
}

/* ---- opening ---- */

int store_open(const char *root, bool create, struct store *st, struct ctr_error *err)
{
	int ret;

	st->dirfd = st->lockfd = -1;
	st->lock_depth = 0;
	st->root = NULL;
	if (create) {
		ret = mkdir_p(root, 0700);
		if (ret < 0)
			return ctr_errnum(err, ret, "create store %s", root);
	}
	st->dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd < 0)
		return ctr_errno(err, "open store %s", root);
	st->root = xstrdup(root);
	for (size_t i = 0; create && i < ARRAY_SIZE(store_dirs); i++) {
		if (mkdirat(st->dirfd, store_dirs[i], 0700) < 0 && errno != EEXIST) {
			ret = ctr_errno(err, "create %s/%s", root, store_dirs[i]);
			store_close(st);
			return ret;
		}
	}
	st->lockfd = openat(st->dirfd, "lock", O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (st->lockfd < 0) {
		ret = ctr_errno(err, "open %s/lock", root);
		store_close(st);
		return ret;
	}
	return 0;
}

void store_close(struct store *st)
{
	closep(&st->lockfd);
	closep(&st->dirfd);
	st->dirfd = st->lockfd = -1;
	free(st->root);
	st->root = NULL;
}

/* ---- removing trees ---- */

static int remove_children(int dfd);

int store_remove_tree(int dirfd, const char *path)
{
	_cleanup_close_ int fd = -1;
	int ret;

	if (unlinkat(dirfd, path, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES && fchmodat(dirfd, path, 0700, 0) == 0)
		fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = remove_children(fd);
	if (ret == -EACCES && fchmod(fd, 0700) == 0)
		ret = remove_children(fd);
	if (ret < 0)
		return ret;
	return unlinkat(dirfd, path, AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
}

static int remove_children(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while (ret == 0 && (de = readdir(dir))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ret = store_remove_tree(dfd, de->d_name);
	}
	closedir(dir);
	return ret;
}

bool store_exists(struct store *st, const char *path)
{
	struct stat sb;

	return fstatat(st->dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

/* ---- JSON metadata ---- */

int store_json_read(int dirfd, const char *path, json_object **out, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int ret = read_file_at(dirfd, path, &text, &len, err);

	if (ret < 0)
		return ret;
	*out = json_tokener_parse(text);
	if (!*out || !json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return ctr_error(err, EINVAL, "%s: not a JSON object", path);
	}
	return 0;
}

int store_json_write(int dirfd, const char *path, json_object *obj, struct ctr_error *err)
{
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE);

	return write_file_atomic_at(dirfd, path, text, strlen(text), 0600, err);
}

const char *store_json_string(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void store_new_id(char buf[STORE_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bytes[STORE_ID_LEN / 2];

	/* Ids only need to be unique in one store; getrandom cannot fail for
	 * 8 bytes once the pool is up, and a fallback keeps it total. */
	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes)) {
		uint64_t v = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
		memcpy(bytes, &v, sizeof(bytes));
	}
	for (size_t i = 0; i < sizeof(bytes); i++) {
		buf[2 * i] = hex[bytes[i] >> 4];
		buf[2 * i + 1] = hex[bytes[i] & 15];
	}
	buf[STORE_ID_LEN] = '\0';
}

/* ---- staging directories ---- */

static int tmp_create_locked(struct store *st, struct store_tmp *tmp, struct ctr_error *err)
{
	char id[STORE_ID_LEN + 1];

	store_new_id(id);
	tmp->name = xasprintf("tmp/%s", id);
	tmp->path = xasprintf("%s/%s", st->root, tmp->name);
	if (mkdirat(st->dirfd, tmp->name, 0700) < 0)
		return ctr_errno(err, "create staging directory %s", tmp->path);
	tmp->fd = openat(st->dirfd, tmp->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* The flock says "alive": recovery skips staging it cannot lock. */
	if (tmp->fd < 0 || flock(tmp->fd, LOCK_EX | LOCK_NB) < 0)
		return ctr_errno(err, "lock staging directory %s", tmp->path);
	return 0;
}

int store_tmp_create(struct store *st, struct store_tmp *tmp, struct ctr_error *err)
{
	/* Under the store lock: recovery (which runs under it) must never see
	 * the directory before its flock is taken. */
	int ret = store_lock(st, true, err);

	*tmp = (struct store_tmp){.fd = -1};
	if (ret < 0)
		return ret;
	ret = tmp_create_locked(st, tmp, err);
	if (ret < 0)
		store_tmp_release(st, tmp);
	store_unlock(st);
	return ret;
}

void store_tmp_release(struct store *st, struct store_tmp *tmp)
{
	if (tmp->name)
		store_remove_tree(st->dirfd, tmp->name);
	closep(&tmp->fd);
	tmp->fd = -1;
	free(tmp->name);
	free(tmp->path);
	tmp->name = tmp->path = NULL;
}

/* ---- the journal ---- */

void store_journal_move(struct store_journal *j, const char *from, const char *to)
{
	_cleanup_free_ char *line = xasprintf("M %s %s", from, to);
	strv_append(&j->lines, line);
}

void store_journal_replace(struct store_journal *j, const char *from, const char *to)
{
	_cleanup_free_ char *line = xasprintf("R %s %s", from, to);
	strv_append(&j->lines, line);
}

static int journal_apply_line(struct store *st, char *line, struct ctr_error *err)
{
	char *from, *to, *save = NULL;
	char kind;

	kind = line[0];
	from = strtok_r(line + 1, " ", &save);
	to = strtok_r(NULL, " ", &save);
	if ((kind != 'M' && kind != 'R') || !from || !to)
		return ctr_error(err, EINVAL, "corrupt journal line '%s'", line);
	if (kind == 'M' ? store_exists(st, to) : !store_exists(st, from))
		return 0; /* done before the crash */
	if (renameat2(st->dirfd, from, st->dirfd, to, kind == 'M' ? RENAME_NOREPLACE : 0) < 0)
		return ctr_errno(err, "rename %s to %s", from, to);
	return 0;
}

/* Apply every line of the journal text in tmp dir name. */
static int journal_replay(struct store *st, const char *name, struct ctr_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/" JOURNAL_FILE, name);
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	size_t len;
	int ret;

	ret = read_file_at(st->dirfd, path, &text, &len, err);
	if (ret < 0)
		return ret == -ENOENT ? (ctr_error_clear(err), 0) : ret;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ret = journal_apply_line(st, line, err);
		if (ret < 0)
			return ctr_error_prefix(err, "replay %s/%s", st->root, path);
	}
	return 0;
}

int store_journal_commit(struct store *st, struct store_tmp *tmp, struct store_journal *j,
			 struct ctr_error *err)
{
	_cleanup_free_ char *text = xstrdup("");
	_cleanup_free_ char *path = xasprintf("%s/" JOURNAL_FILE, tmp->name);
	int ret;

	for (size_t i = 0; j->lines && j->lines[i]; i++) {
		char *next = xasprintf("%s%s\n", text, j->lines[i]);
		free(text);
		text = next;
	}
	/* Once the journal exists the change is committed: replay finishes it. */
	ret = write_file_atomic_at(st->dirfd, path, text, strlen(text), 0600, err);
	if (ret == 0)
		ret = journal_replay(st, tmp->name, err);
	strv_free(j->lines);
	j->lines = NULL;
	if (ret == 0)
		store_tmp_release(st, tmp);
	return ret;
}

/* ---- recovery and the lock ---- */

/* Replay or remove every staging directory whose owner is gone. */
static int store_recover(struct store *st, struct ctr_error *err)
{
	_cleanup_strv_ char **names = NULL;
	int ret = store_list_dir(st, "tmp", &names, err);

	for (size_t i = 0; ret == 0 && names[i]; i++) {
		_cleanup_free_ char *path = xasprintf("tmp/%s", names[i]);
		_cleanup_close_ int fd =
		    openat(st->dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue; /* its owner still works in it */
		ret = journal_replay(st, path, err);
		if (ret == 0 && store_remove_tree(st->dirfd, path) < 0)
			ret = ctr_errno(err, "remove %s/%s", st->root, path);
	}
	return ret;
}

int store_lock(struct store *st, bool exclusive, struct ctr_error *err)
{
	int ret;

	if (st->lock_depth++ > 0)
		return 0;
	while (flock(st->lockfd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			st->lock_depth = 0;
			return ctr_errno(err, "lock store %s", st->root);
		}
	}
	ret = store_recover(st, err);
	if (ret == 0 && !exclusive && flock(st->lockfd, LOCK_SH) < 0)
		ret = ctr_errno(err, "lock store %s", st->root);
	if (ret < 0)
		store_unlock(st);
	return ret;
}

void store_unlock(struct store *st)
{
	if (st->lock_depth > 0 && --st->lock_depth == 0)
		flock(st->lockfd, LOCK_UN);
}

int store_gc(struct store *st, struct ctr_error *err)
{
	int ret = store_lock(st, true, err);

	if (ret < 0)
		return ret;
	ret = store_layers_gc(st, err);
	store_unlock(st);
	return ret;
}

/* ---- listing ---- */

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int store_list_dir(struct store *st, const char *path, char ***names, struct ctr_error *err)
{
	_cleanup_strv_ char **list = xcalloc(1, sizeof(char *));
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct dirent *de;
	DIR *dir;
	int fd = openat(st->dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		*names = steal_ptr(list);
		return 0;
	}
	if (fd < 0 || !(dir = fdopendir(fd))) {
		int ret = ctr_errno(err, "read %s/%s", st->root, path);
		closep(&fd);
		return ret;
	}
	while ((de = readdir(dir))) {
		if (store_validate_name("", de->d_name, &ignored) == 0)
			strv_append(&list, de->d_name);
	}
	closedir(dir);
	qsort(list, strv_len(list), sizeof(char *), compare_strings);
	*names = steal_ptr(list);
	return 0;
}
