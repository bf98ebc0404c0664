/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup.c - the public interface (cgroup.h) over the probed host: a handle
 * is the container's directory in every hierarchy; each directory's driver
 * (v1 or v2) does what differs between the two.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "cg_internal.h"
#include "cg_tree.h"
#include "util.h"

#define DESTROY_TIMEOUT_MS 1000
#define KILL_PASSES	   16

static struct cg_handle *handle_new(const struct cg_host *host, const char *path)
{
	struct cg_handle *h = xzalloc(sizeof(*h));

	h->path = xstrdup(path);
	h->host = host;
	h->dirs = xcalloc(host->n, sizeof(*h->dirs));
	h->v2_dir = -1;
	return h;
}

static void dir_add(struct cg_handle *h, const struct cg_hier *hier, int fd, char **made)
{
	struct cg_dir *d = &h->dirs[h->n];

	d->hier = hier;
	d->abs = xasprintf("%s%s", hier->mountpoint, h->path);
	d->fd = fd;
	d->made = made;
	/* Opened now, with our credentials, so a cloned init can still write
	 * to it after it was born in a user namespace. An opened handle
	 * (delete, events, exec) leaves it to attach_self: only exec attaches,
	 * from a child that still has our credentials. */
	d->tasks_fd = fd >= 0 && made && !hier->v2 ? openat(fd, "tasks", O_WRONLY | O_CLOEXEC) : -1;
	if (hier->v2)
		h->v2_dir = (int)h->n;
	h->n++;
}

static void drop_pending(struct cg_handle *h)
{
	for (size_t i = 0; h->pending_root && i < h->n_pending; i++)
		closep(&h->pending_root[i]);
	free(h->pending);
	free(h->pending_root);
	h->pending = NULL;
	h->pending_root = NULL;
	h->n_pending = 0;
}

void cg_free(struct cg_handle *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		closep(&h->dirs[i].fd);
		closep(&h->dirs[i].tasks_fd);
		free(h->dirs[i].abs);
		strv_free(h->dirs[i].made);
	}
	free(h->dirs);
	free(h->path);
	drop_pending(h);
	free(h);
}

const char *cg_path(const struct cg_handle *h)
{
	return h->path;
}

int cg_clone_fd(const struct cg_handle *h)
{
	return h->v2_dir >= 0 ? h->dirs[h->v2_dir].fd : -1;
}

static int check_path(const char *path, struct ctr_error *err)
{
	size_t len = path ? strlen(path) : 0;

	/* cg_resolve_path's output form: no empty, "." or ".." component. */
	if (!path || path[0] != '/' || path[len - 1] == '/' || strstr(path, "//") ||
	    strstr(path, "/./") || strstr(path, "/../") ||
	    (len >= 2 && !strcmp(path + len - 2, "/.")) ||
	    (len >= 3 && !strcmp(path + len - 3, "/..")))
		return ctr_error(err, EINVAL, "cgroup path '%s' is not a clean absolute path",
				 path ? path : "");
	return 0;
}

/* An existing leaf is adopted only when nothing runs in it. */
static int check_adoptable(int fd, const char *abs, struct ctr_error *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int ret;

	ret = cg_tree_pids(fd, &pids, &n, err);
	if (ret < 0)
		return ret;
	if (n > 0)
		return ctr_error(err, EBUSY, "cgroup %s already exists and has processes", abs);
	return 0;
}

static int make_dir(struct cg_handle *h, const struct cg_hier *hier, struct ctr_error *err)
{
	_cleanup_free_ char *abs = xasprintf("%s%s", hier->mountpoint, h->path);
	_cleanup_strv_ char **made = xcalloc(1, sizeof(char *));
	_cleanup_close_ int fd = -1;
	int ret;

	ret = cg_tree_mkdir(hier->mountpoint, h->path, &made);
	if (ret < 0) {
		dir_add(h, hier, -1, steal_ptr(made)); /* so destroy undoes a partial mkdir -p */
		return ctr_errnum(err, ret, "mkdir %s", abs);
	}
	fd = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = ctr_errno(err, "open %s", abs);
		dir_add(h, hier, -1, steal_ptr(made));
		return ret;
	}
	bool leaf_made = made[0] && strcmp(made[strv_len(made) - 1], abs) == 0;
	if (!leaf_made && (ret = check_adoptable(fd, abs, err)) < 0)
		return ret;
	dir_add(h, hier, steal_fd(fd), steal_ptr(made));
	return 0;
}

/* After the last container below them is gone, parents such as /ctr-oci
 * would stay forever: remove every ancestor that is now empty, stopping at
 * the first that is not (another container's) and never at or above the
 * hierarchy's root. A create racing with this retries its mkdir -p. */
static void remove_empty_ancestors(const struct cg_dir *d)
{
	_cleanup_free_ char *p = xstrdup(d->abs);
	size_t root_len = strlen(d->hier->mountpoint);
	char *slash;

	while ((slash = strrchr(p, '/')) && (size_t)(slash - p) > root_len) {
		*slash = '\0';
		if (rmdir(p) < 0)
			break;
	}
}

/* Remove what this handle made (or, for an opened one, the leaf), bottom-up. */
static int destroy_dirs(struct cg_handle *h, bool opened, struct ctr_error *err)
{
	int first = 0;

	for (size_t i = 0; i < h->n; i++) {
		struct cg_dir *d = &h->dirs[i];
		size_t n_made = strv_len(d->made);
		int ret = 0;

		if (opened || (n_made && strcmp(d->made[n_made - 1], d->abs) == 0))
			ret = cg_tree_remove(d->abs, DESTROY_TIMEOUT_MS);
		else if (d->fd >= 0)
			continue; /* adopted: not ours to remove */
		if (ret < 0 && !first)
			first = ctr_errnum(err, ret, "remove cgroup %s", d->abs);
		if (ret == 0 && opened)
			remove_empty_ancestors(d);
		/* Parents we made may now hold another container: leave them then. */
		for (size_t k = n_made; k-- > 0;) {
			if (strcmp(d->made[k], d->abs) != 0)
				(void)rmdir(d->made[k]);
		}
	}
	return first;
}

static int prepare_dirs(struct cg_handle *h, unsigned int v2_needed, struct ctr_error *err)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct cg_dir *d = &h->dirs[i];
		int ret = d->hier->drv->prepare(d, d->hier->v2 ? v2_needed : 0, err);

		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The probed host, once path is known to be a container's. */
static const struct cg_host *host_for(const char *path, struct ctr_error *err)
{
	const struct cg_host *host = cg_host_get(err);

	return host && check_path(path, err) == 0 ? host : NULL;
}

/*
 * On a hybrid host the cgroup2 directory places the init (CLONE_INTO_CGROUP),
 * freezes and kills it, so a v1 hierarchy only gets a directory where the
 * container needs one: the accounting `events --stats` reads (memory, cpu,
 * cpuacct, pids, blkio), a hierarchy without controllers (name=systemd, for
 * an init that manages it), and any hierarchy a limit in res is written to.
 * cpuset and devices without a limit, and the v1 freezer when cgroup2 can
 * freeze, are left out where a directory of ours would change nothing: this
 * process runs in that hierarchy's root cgroup (so the container's processes
 * stay in the root, in nobody else's cgroup) and no ancestor of the path
 * exists there to hold a policy of its own. Each one left out saves a mkdir,
 * a self-attach and an rmdir per start (and cpuset's seeding). cg_update
 * makes a directory on demand when a limit for one arrives later.
 */
static bool optional_here(const struct cg_handle *h, const struct cg_hier *hier,
			  unsigned int optional)
{
	_cleanup_free_ char *parent = NULL;
	const char *slash = strrchr(h->path, '/');

	if (hier->v2 || !hier->self_root || !hier->ctrls || (hier->ctrls & ~optional))
		return false;
	if (slash == h->path)
		return true; /* directly below the root */
	parent = xasprintf("%s%.*s", hier->mountpoint, (int)(slash - h->path), h->path);
	return access(parent, F_OK) < 0 && errno == ENOENT;
}

static unsigned int optional_ctrls(const struct cg_handle *h, const struct spec_resources *res)
{
	unsigned int optional = CG_CPUSET | CG_DEVICES;

	if (h->v2_dir < 0)
		return 0; /* pure v1: every hierarchy places the init */
	if (cg_file_exists(h->dirs[h->v2_dir].fd, "cgroup.freeze"))
		optional |= CG_FREEZER;
	return optional & ~cg_limits_ctrls(res);
}

/* The cgroup2 directory first: what it can do decides which v1 ones the
 * container can do without. Those it needs become h->pending. */
static int make_v2_dir(struct cg_handle *h, const struct spec_resources *res, struct ctr_error *err)
{
	const struct cg_host *host = h->host;
	unsigned int optional;
	int ret;

	if (host->v2_index >= 0 && (ret = make_dir(h, &host->hiers[host->v2_index], err)) < 0)
		return ret;
	optional = host->kind == CG_DRIVER_V1 ? optional_ctrls(h, res) : 0;
	h->pending = xcalloc(host->n, sizeof(*h->pending));
	for (size_t i = 0; i < host->n; i++) {
		if ((int)i != host->v2_index && !optional_here(h, &host->hiers[i], optional))
			h->pending[h->n_pending++] = &host->hiers[i];
	}
	return 0;
}

/* An init cloned into the cgroup2 directory before the v1 ones exist joins
 * them later through these, as the credentials it was born with allow. */
static int open_pending_roots(struct cg_handle *h, struct ctr_error *err)
{
	h->pending_root = xcalloc(h->n_pending, sizeof(*h->pending_root));
	for (size_t i = 0; i < h->n_pending; i++)
		h->pending_root[i] = -1;
	for (size_t i = 0; i < h->n_pending; i++) {
		const char *mp = h->pending[i]->mountpoint;

		h->pending_root[i] = open(mp, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (h->pending_root[i] < 0)
			return ctr_errno(err, "open %s", mp);
	}
	return 0;
}

static int make_pending_dirs(struct cg_handle *h, struct ctr_error *err)
{
	size_t first = h->n;
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < h->n_pending; i++)
		ret = make_dir(h, h->pending[i], err);
	for (size_t i = first; ret == 0 && i < h->n; i++)
		ret = h->dirs[i].hier->drv->prepare(&h->dirs[i], 0, err);
	drop_pending(h);
	return ret;
}

static void undo_create(struct cg_handle *h)
{
	struct ctr_error ignored = CTR_ERROR_INIT;

	destroy_dirs(h, false, &ignored);
	cg_free(h);
}

static int finish(struct cg_handle *h, const struct spec_resources *res, struct ctr_error *err)
{
	int ret = make_pending_dirs(h, err);

	return ret == 0 && res ? cg_limits_apply(h, res, err) : ret;
}

/* defer: leave the v1 directories to cg_create_finish where that helps. */
static int create_begin(const char *path, const struct spec_resources *res, bool defer,
			struct cg_handle **out, struct ctr_error *err)
{
	const struct cg_host *host = host_for(path, err);
	struct cg_handle *h;
	unsigned int v2_needed = 0;
	int ret = 0;

	if (!host)
		return -err->code;
	if (res && (ret = cg_limits_check(host, res, &v2_needed, err)) < 0)
		return ret;
	h = handle_new(host, path);
	ret = make_v2_dir(h, res, err);
	if (ret == 0)
		ret = prepare_dirs(h, v2_needed, err);
	defer = defer && h->v2_dir >= 0 && h->n_pending > 0;
	if (ret == 0 && defer)
		ret = open_pending_roots(h, err);
	if (ret == 0 && !defer)
		ret = finish(h, res, err);
	if (ret < 0) {
		undo_create(h);
		return ctr_error_prefix(err, "create cgroup %s", path);
	}
	*out = h;
	return 0;
}

int cg_create_begin(const char *path, const struct spec_resources *res, struct cg_handle **out,
		    struct ctr_error *err)
{
	return create_begin(path, res, true, out, err);
}

bool cg_create_pending(const struct cg_handle *h)
{
	return h->pending_root && h->n_pending > 0;
}

/* On failure the caller still owns h and undoes it with cg_destroy. */
int cg_create_finish(struct cg_handle *h, const struct spec_resources *res, struct ctr_error *err)
{
	return finish(h, res, err) < 0 ? ctr_error_prefix(err, "create cgroup %s", h->path) : 0;
}

int cg_create(const char *path, const struct spec_resources *res, struct cg_handle **out,
	      struct ctr_error *err)
{
	return create_begin(path, res, false, out, err);
}

int cg_complete(struct cg_handle *h, struct ctr_error *err)
{
	for (size_t i = 0; i < h->host->n; i++) {
		const struct cg_hier *hier = &h->host->hiers[i];
		bool have = false;
		int ret;

		for (size_t k = 0; k < h->n; k++)
			have = have || h->dirs[k].hier == hier;
		if (have)
			continue;
		ret = make_dir(h, hier, err);
		if (ret == 0)
			ret = hier->drv->prepare(&h->dirs[h->n - 1], 0, err);
		if (ret < 0)
			return ctr_error_prefix(err, "create cgroup %s", h->path);
	}
	return 0;
}

int cg_open(const char *path, struct cg_handle **out, struct ctr_error *err)
{
	const struct cg_host *host = host_for(path, err);
	struct cg_handle *h;
	int ret;

	if (!host)
		return -err->code;
	h = handle_new(host, path);
	for (size_t i = 0; i < host->n; i++) {
		_cleanup_free_ char *abs = xasprintf("%s%s", host->hiers[i].mountpoint, path);
		int fd = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0 && errno == ENOENT)
			continue; /* e.g. a hierarchy mounted after the container started */
		if (fd < 0) {
			ret = ctr_errno(err, "open %s", abs);
			cg_free(h);
			return ret;
		}
		dir_add(h, &host->hiers[i], fd, NULL);
	}
	if (h->n == 0) {
		cg_free(h);
		return ctr_error(err, ENOENT, "cgroup %s does not exist", path);
	}
	*out = h;
	return 0;
}

int cg_destroy(struct cg_handle *h, struct ctr_error *err)
{
	bool opened = false;

	/* cg_open's directories have no list of what was made (cg_update may
	 * have added some that do): such a handle removes every directory. */
	for (size_t i = 0; i < h->n; i++) {
		if (!h->dirs[i].made)
			opened = true;
	}
	return destroy_dirs(h, opened, err);
}

int cg_remove(const char *path, struct ctr_error *err)
{
	const struct cg_host *host = host_for(path, err);
	int first = 0;

	if (!host)
		return -err->code;
	for (size_t i = 0; i < host->n; i++) {
		struct cg_dir d = {.hier = &host->hiers[i], .fd = -1, .tasks_fd = -1};
		_cleanup_free_ char *abs = xasprintf("%s%s", d.hier->mountpoint, path);
		int ret = 0;

		d.abs = abs;
		if (rmdir(abs) == 0)
			ret = 0;
		else if (errno == ENOENT)
			continue; /* a hierarchy the container had no directory in */
		else if (errno == EBUSY || errno == ENOTEMPTY)
			ret = cg_tree_remove(abs, DESTROY_TIMEOUT_MS); /* sub-cgroups */
		else
			ret = -errno;
		if (ret < 0 && !first)
			first = ctr_errnum(err, ret, "remove cgroup %s", abs);
		if (ret == 0)
			remove_empty_ancestors(&d);
	}
	return first;
}

/*
 * Writing a pid to cgroup.procs takes cgroup_threadgroup_rwsem for writing,
 * which waits for an RCU grace period (~7 ms measured, per hierarchy when
 * the host is idle). A thread moving itself ("0" into v1's "tasks") skips
 * that lock, so a freshly cloned, single-threaded child attaches itself in
 * about 0.1 ms for all nine hierarchies of this host.
 */
static int attach_self_late(const struct cg_handle *h, struct ctr_error *err)
{
	_cleanup_free_ char *tasks = xasprintf("%s/tasks", h->path + 1);

	for (size_t i = 0; i < h->n_pending; i++) {
		_cleanup_close_ int fd = openat(h->pending_root[i], tasks, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "0", 1) != 1)
			return ctr_errno(err, "attach self to %s%s", h->pending[i]->mountpoint,
					 h->path);
	}
	return 0;
}

static int attach_self(struct cg_handle *h, bool cloned_into, struct ctr_error *err)
{
	for (size_t i = 0; i < h->n; i++) {
		struct cg_dir *d = &h->dirs[i];
		int ret;

		if ((int)i == h->v2_dir) {
			if (!cloned_into && cg_write(d->fd, "cgroup.procs", "0", err) < 0)
				return ctr_error_prefix(err, "attach self to %s", d->abs);
			continue;
		}
		if (d->fd < 0)
			return ctr_error(err, EBADF, "attach self to %s: not open", d->abs);
		if (d->tasks_fd < 0 &&
		    (d->tasks_fd = openat(d->fd, "tasks", O_WRONLY | O_CLOEXEC)) < 0)
			return ctr_errno(err, "attach self to %s: open tasks", d->abs);
		/* The fd (and its offset) is shared with every child cloned from
		 * this handle: pwrite at 0 keeps them independent. */
		do
			ret = (int)pwrite(d->tasks_fd, "0", 1, 0);
		while (ret < 0 && errno == EINTR);
		if (ret < 0)
			return ctr_errno(err, "attach self to %s", d->abs);
	}
	return attach_self_late(h, err);
}

int cg_attach(struct cg_handle *h, pid_t pid, bool cloned_into, struct ctr_error *err)
{
	char buf[32];

	if (pid == 0)
		return attach_self(h, cloned_into, err);
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < h->n; i++) {
		const struct cg_dir *d = &h->dirs[i];
		int ret;

		if (cloned_into && (int)i == h->v2_dir)
			continue;
		ret = cg_write(d->fd, "cgroup.procs", buf, err);
		if (ret < 0)
			return ctr_error_prefix(err, "attach %d to %s", (int)pid, d->abs);
	}
	return 0;
}

/* Documentation/admin-guide/cgroup-v2.rst, "Delegation". */
static const char *const delegated_files[] = {"cgroup.procs", "cgroup.threads",
					      "cgroup.subtree_control"};

int cg_delegate(struct cg_handle *h, uid_t uid, gid_t gid, struct ctr_error *err)
{
	const struct cg_dir *d;

	if (h->v2_dir < 0)
		return 0;
	d = &h->dirs[h->v2_dir];
	if (fchownat(d->fd, "", uid, gid, AT_EMPTY_PATH) < 0)
		return ctr_errno(err, "delegate %s", d->abs);
	for (size_t i = 0; i < ARRAY_SIZE(delegated_files); i++) {
		/* cgroup.threads is younger than the others. */
		if (fchownat(d->fd, delegated_files[i], uid, gid, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno != ENOENT)
			return ctr_errno(err, "delegate %s/%s", d->abs, delegated_files[i]);
	}
	return 0;
}

/* Every directory and file below dirfd, chowned (depth: cgroups nest a
 * few levels; systemd's are at most ~6). */
static int chown_below(int at, uid_t uid, gid_t gid, int depth)
{
	int fd = openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *d;
	int ret = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while (ret == 0 && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fchownat(dirfd(d), e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
			ret = -errno;
		else if (e->d_type == DT_DIR && depth < 32) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			ret = sub < 0 ? (errno == ENOENT ? 0 : -errno) : chown_below(sub, uid, gid, depth + 1);
			if (sub >= 0)
				close(sub);
		}
	}
	closedir(d);
	return ret;
}

int cg_delegate_subtree(struct cg_handle *h, uid_t uid, gid_t gid, struct ctr_error *err)
{
	const struct cg_dir *d;
	struct dirent *e;
	int fd, ret = cg_delegate(h, uid, gid, err);
	DIR *dir;

	if (ret < 0 || h->v2_dir < 0)
		return ret;
	d = &h->dirs[h->v2_dir];
	/* Below the delegated cgroup only: its own limit files stay root's. */
	fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return ctr_errno(err, "read %s", d->abs);
	}
	while (ret == 0 && (e = readdir(dir))) {
		int sub;

		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0 || fchown(sub, uid, gid) < 0)
			ret = -errno;
		else
			ret = chown_below(sub, uid, gid, 0);
		if (sub >= 0)
			close(sub);
	}
	closedir(dir);
	return ret < 0 ? ctr_errnum(err, ret, "delegate the cgroups below %s", d->abs) : 0;
}

/* pid's line "0::/path" of /proc/PID/cgroup (as this process's cgroup
 * namespace shows it), malloc'd; NULL without one. */
static char *v2_path_of(pid_t pid, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	char file[64], *line, *save = NULL;
	size_t len;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	if (read_file_at(AT_FDCWD, file, &text, &len, err) < 0)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "0::/", 4) == 0)
			return xstrdup(line + 3);
	return NULL;
}

int cg_open_member_dir(const struct cg_handle *h, pid_t pid, struct ctr_error *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *abs = NULL;
	size_t n = strlen(h->path);
	int fd;

	if (h->v2_dir < 0)
		return ctr_error(err, ENOENT, "no cgroup2 hierarchy");
	path = v2_path_of(pid, err);
	if (!path)
		return err->code ? -err->code
				 : ctr_error(err, ENOENT, "pid %d: no cgroup2 path", (int)pid);
	/* Below the container's cgroup only: whatever the container did, exec
	 * never lands in a cgroup outside it. */
	if (strncmp(path, h->path, n) != 0 || (path[n] != '/' && path[n] != '\0') ||
	    strstr(path + n, "/..") || strstr(path + n, "//"))
		return ctr_error(err, ENOENT, "pid %d is in %s, outside %s", (int)pid, path,
				 h->path);
	abs = xasprintf("%s%s", h->host->hiers[h->host->v2_index].mountpoint, path);
	fd = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? ctr_errno(err, "open %s", abs) : fd;
}

/* A limit for a hierarchy the container was started without (see
 * optional_here): make its directory now. */
static int make_missing_dirs(struct cg_handle *h, const struct spec_resources *res,
			     struct ctr_error *err)
{
	unsigned int needed = cg_limits_ctrls(res);

	for (size_t i = 0; i < h->host->n; i++) {
		const struct cg_hier *hier = &h->host->hiers[i];
		bool have = false;

		if (hier->v2 || !(hier->ctrls & needed))
			continue;
		for (size_t k = 0; k < h->n; k++)
			have = have || h->dirs[k].hier == hier;
		if (!have) {
			int ret = make_dir(h, hier, err);

			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* Move every process of the container into the directories from first on,
 * frozen meanwhile so that none forks past the move. cgroup.procs moves a
 * whole thread group; a process that exited meanwhile is no error. */
static int move_into(struct cg_handle *h, size_t first, struct ctr_error *err)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ pid_t *pids = NULL;
	bool frozen = true, froze;
	size_t n = 0;
	int ret;

	if (first == h->n)
		return 0;
	(void)cg_is_frozen(h, &frozen, &ignored);
	froze = !frozen && cg_freeze(h, true, &ignored) == 0;
	ret = cg_pids(h, &pids, &n, err);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		for (size_t k = first; ret == 0 && k < h->n; k++) {
			ret = cg_writef(h->dirs[k].fd, err, "cgroup.procs", "%d", (int)pids[i]);
			if (ret == -ESRCH) {
				ctr_error_clear(err);
				ret = 0;
			}
		}
	}
	if (froze)
		(void)cg_freeze(h, false, &ignored);
	return ret;
}

int cg_update(struct cg_handle *h, const struct spec_resources *res, struct ctr_error *err)
{
	unsigned int v2_needed = 0;
	size_t first = h->n;
	int ret;

	ret = cg_limits_check(h->host, res, &v2_needed, err);
	if (ret == 0)
		ret = make_missing_dirs(h, res, err);
	if (ret == 0)
		ret = prepare_dirs(h, v2_needed, err);
	if (ret == 0)
		ret = cg_limits_apply(h, res, err);
	if (ret == 0)
		ret = move_into(h, first, err);
	if (ret < 0 && first < h->n) {
		struct ctr_error ignored = CTR_ERROR_INIT;

		destroy_dirs(h, false, &ignored); /* only what this update made */
	}
	return ret < 0 ? ctr_error_prefix(err, "update cgroup %s", h->path) : 0;
}

/* The directory that freezes: cgroup2's where it has cgroup.freeze (v2, and
 * hybrid hosts' unified), else the v1 freezer. */
static const struct cg_dir *freezer_dir(const struct cg_handle *h)
{
	if (h->v2_dir >= 0 && cg_file_exists(h->dirs[h->v2_dir].fd, "cgroup.freeze"))
		return &h->dirs[h->v2_dir];
	for (size_t i = 0; i < h->n; i++) {
		if (!h->dirs[i].hier->v2 && (h->dirs[i].hier->ctrls & CG_FREEZER))
			return &h->dirs[i];
	}
	return NULL;
}

/* Where to read pids: every process is in every hierarchy; cgroup2 first. */
static const struct cg_dir *pids_dir(const struct cg_handle *h)
{
	const struct cg_dir *f;

	if (h->v2_dir >= 0)
		return &h->dirs[h->v2_dir];
	f = freezer_dir(h);
	return f ? f : &h->dirs[0];
}

int cg_freeze(struct cg_handle *h, bool frozen, struct ctr_error *err)
{
	const struct cg_dir *d = freezer_dir(h);

	if (!d)
		return ctr_error(err, ENOTSUP, "no freezer for cgroup %s on this host", h->path);
	return d->hier->drv->freeze(d, frozen, err);
}

int cg_is_frozen(struct cg_handle *h, bool *frozen, struct ctr_error *err)
{
	const struct cg_dir *d = freezer_dir(h);

	if (!d) {
		*frozen = false;
		return 0;
	}
	return d->hier->drv->is_frozen(d, frozen, err);
}

int cg_pids(struct cg_handle *h, pid_t **pids, size_t *n, struct ctr_error *err)
{
	const struct cg_dir *d = pids_dir(h);
	int ret = cg_tree_pids(d->fd, pids, n, err);

	return ret < 0 ? ctr_error_prefix(err, "list processes of %s", d->abs) : 0;
}

/* Signal every pid once; returns how many were signalled. */
static int signal_pass(struct cg_handle *h, int sig, struct ctr_error *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int ret, hit = 0;

	ret = cg_pids(h, &pids, &n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (kill(pids[i], sig) == 0)
			hit++;
		else if (errno != ESRCH)
			return ctr_errno(err, "kill %d", (int)pids[i]);
	}
	return hit;
}

int cg_kill(struct cg_handle *h, int sig, struct ctr_error *err)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	bool frozen;
	int ret;

	/* Note: on kernel 6.18 a cgroup that had cgroup.kill written SIGKILLs
	 * every process later cloned into it with CLONE_INTO_CGROUP (measured;
	 * fork from inside is unaffected). Killed containers are destroyed, so
	 * the cgroup is never reused; an adopted leftover could be, which is
	 * one more reason cg_destroy removes what it made. */
	if (sig == SIGKILL && h->v2_dir >= 0) {
		const struct cg_dir *d = &h->dirs[h->v2_dir];

		ret = d->hier->drv->kill_all(d, err);
		if (ret != -EOPNOTSUPP)
			return ret;
		ctr_error_clear(err);
	}
	/* Frozen, nothing can fork between reading the pids and signalling them;
	 * without a freezer, walk again until a pass finds nothing new. */
	frozen = cg_freeze(h, true, &ignored) == 0;
	for (int pass = 0; pass < (frozen ? 1 : KILL_PASSES); pass++) {
		ret = signal_pass(h, sig, err);
		if (ret <= 0 || sig != SIGKILL)
			break;
	}
	if (frozen)
		(void)cg_freeze(h, false, &ignored);
	return ret < 0 ? ret : 0;
}

int cg_mount_layout(const struct cg_handle *h, struct cg_mount_entry **entries, size_t *n,
		    struct ctr_error *err)
{
	struct cg_mount_entry *e = xcalloc(h->n, sizeof(*e));

	(void)err;
	for (size_t i = 0; i < h->n; i++) {
		e[i].name = xstrdup(h->dirs[i].hier->name);
		e[i].host_path = xstrdup(h->dirs[i].abs);
		e[i].v2 = h->dirs[i].hier->v2;
	}
	*entries = e;
	*n = h->n;
	return 0;
}

void cg_mount_layout_free(struct cg_mount_entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(entries[i].name);
		free(entries[i].host_path);
	}
	free(entries);
}
