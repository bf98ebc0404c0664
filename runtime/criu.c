/* SPDX-License-Identifier: GPL-2.0-or-later */
/* criu.c - finding criu, checking its version and `criu check` once. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "criu.h"
#include "log.h"
#include "util.h"

void criu_bin_free(struct criu_bin *b)
{
	free(b->path);
	free(b->version);
	*b = (struct criu_bin){0};
}

/* Run path with up to two args (NULL ends them); its stdout and stderr
 * together in *out. Returns the exit status (0-255, 256+signal when
 * killed) or -errno. */
static int run_capture(const char *path, const char *arg, const char *arg2, char **out)
{
	_cleanup_close_ int rd = -1, wr = -1;
	int pipefd[2], status;
	size_t len = 0, cap = 4096;
	pid_t pid;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	rd = pipefd[0];
	wr = pipefd[1];
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(wr, 1) < 0 || dup2(wr, 2) < 0)
			_exit(127);
		execl(path, path, arg, arg2, (char *)NULL);
		_exit(127);
	}
	close(steal_fd(wr));
	*out = xmalloc(cap);
	while ((n = read(rd, *out + len, cap - len - 1)) > 0 || (n < 0 && errno == EINTR)) {
		len += n > 0 ? (size_t)n : 0;
		if (cap - len < 512)
			*out = xrealloc(*out, cap *= 2);
	}
	(*out)[len] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
}

/* "Version: 4.1.1" -> "4.1.1"; NULL when the output has none. */
static char *parse_version(const char *out)
{
	const char *v = strstr(out, "Version:");
	size_t n;

	if (!v)
		return NULL;
	v += strlen("Version:");
	v += strspn(v, " \t");
	n = strspn(v, "0123456789.");
	return n ? xstrndup(v, n) : NULL;
}

static bool version_new_enough(const char *v)
{
	unsigned major = 0, minor = 0;

	if (sscanf(v, "%u.%u", &major, &minor) < 1)
		return false;
	return major > CRIU_MIN_MAJOR || (major == CRIU_MIN_MAJOR && minor >= CRIU_MIN_MINOR);
}

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static char *search_path(const char *name)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = xstrdup(path && *path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	char *save = NULL;

	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", dir, name);
		if (executable(cand))
			return cand;
		free(cand);
	}
	return NULL;
}

static int locate(const char *explicit, char **path, struct ctr_error *err)
{
	const char *env = getenv("CTR_CRIU");
	const char *given = explicit ? explicit : (env && *env ? env : NULL);

	if (given) {
		if (!executable(given))
			return ctr_error(err, ENOENT, "criu at %s (%s) is not an executable", given,
					 explicit ? "--criu" : "CTR_CRIU");
		*path = xstrdup(given);
		return 0;
	}
	if (executable(CRIU_DEFAULT_PATH)) {
		*path = xstrdup(CRIU_DEFAULT_PATH);
		return 0;
	}
	*path = search_path("criu");
	if (!*path)
		return ctr_error(err, ENOENT,
				 "criu not found (CTR_CRIU, " CRIU_DEFAULT_PATH ", PATH): need 4.1 or "
				 "later (tests/install-criu builds it)");
	return 0;
}

/* The cache line: what identifies the binary that passed, and its version. */
static char *cache_key(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return NULL;
	return xasprintf("%s %lld %lld.%09ld ", path, (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static char *cached_version(int dirfd, const char *key)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (dirfd < 0 || !key || read_file_at(dirfd, CRIU_CHECK_CACHE, &text, &len, &ignored) < 0)
		return NULL;
	if (!str_has_prefix(text, key))
		return NULL;
	return parse_version(text + strlen(key));
}

/* The last line of criu's output that says what is wrong. */
static char *last_complaint(const char *out)
{
	const char *best = NULL;

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (str_has_prefix(l, "Error") || strstr(l, "fail") || strstr(l, "FAIL"))
			best = l;
	if (!best)
		best = out;
	return xstrndup(best, strcspn(best, "\n"));
}

static int check_binary(const char *path, char **version, struct ctr_error *err)
{
	_cleanup_free_ char *out = NULL, *check = NULL, *why = NULL;
	int ret;

	ret = run_capture(path, "--version", NULL, &out);
	if (ret < 0)
		return ctr_errnum(err, ret, "run %s --version", path);
	*version = parse_version(out);
	if (ret != 0 || !*version)
		return ctr_error(err, ENOEXEC, "%s --version did not say its version", path);
	if (!version_new_enough(*version))
		return ctr_error(err, ENOTSUP,
				 "criu %s at %s is too old: need %d.%d or later "
				 "(tests/install-criu builds it)",
				 *version, path, CRIU_MIN_MAJOR, CRIU_MIN_MINOR);
	ret = run_capture(path, "check", NULL, &check);
	if (ret < 0)
		return ctr_errnum(err, ret, "run %s check", path);
	if (ret != 0) {
		why = last_complaint(check);
		return ctr_error(err, ENOTSUP, "criu check failed for %s on this kernel: %s", path,
				 why);
	}
	return 0;
}

int criu_find(const char *explicit, int cache_dirfd, struct criu_bin *out,
	      struct ctr_error *err)
{
	_cleanup_free_ char *path = NULL, *key = NULL, *version = NULL;
	int ret;

	ret = locate(explicit, &path, err);
	if (ret < 0)
		return ret;
	key = cache_key(path);
	version = cached_version(cache_dirfd, key);
	if (!version) {
		ret = check_binary(path, &version, err);
		if (ret < 0)
			return ret;
		ctr_debug("criu %s at %s passed criu check", version, path);
		if (cache_dirfd >= 0 && key) {
			_cleanup_free_ char *line = xasprintf("%sVersion: %s\n", key, version);
			struct ctr_error ignored = CTR_ERROR_INIT;
			write_file_atomic_at(cache_dirfd, CRIU_CHECK_CACHE, line, strlen(line), 0600,
					     &ignored);
		}
	}
	out->path = steal_ptr(path);
	out->version = steal_ptr(version);
	return 0;
}

bool criu_can_track_memory(const struct criu_bin *b)
{
	_cleanup_free_ char *out = NULL;

	return run_capture(b->path, "check", "--feature=mem_dirty_track", &out) == 0;
}

char *criu_log_error(int dirfd, const char *log_name)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ char *text = NULL;
	const char *l, *msg;
	size_t len;

	if (read_file_at(dirfd, log_name, &text, &len, &ignored) < 0)
		return NULL;
	/* "(00.042248) Error (criu/files-reg.c:1790): Can't lookup ..." -> the
	 * message; the rlimit complaint is harmless noise on this host. */
	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		msg = strstr(l, "Error (");
		if (!msg || msg > l + strcspn(l, "\n") || strstr(l, "RLIMIT_NOFILE"))
			continue;
		msg = strstr(msg, "): ");
		if (!msg)
			continue;
		msg += 3;
		return xstrndup(msg, strcspn(msg, "\n"));
	}
	return NULL;
}
