/* SPDX-License-Identifier: GPL-2.0-or-later */
/* clone_names.c - a clone's name where its source's was: config, /etc. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clone_names.h"
#include "config_native.h"
#include "syscalls.h"
#include "util.h"

/* ---- the config ---- */

/* Is line "hostname = name" (blanks anywhere ctr-config(5) allows)? */
static bool is_hostname_line(const char *line, size_t len, const char *name)
{
	const char *p = line, *end = line + len;
	size_t n = strlen(name);

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) < 8 || strncmp(p, "hostname", 8) != 0)
		return false;
	for (p += 8; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	if (p == end || *p++ != '=')
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return (size_t)(end - p) == n && strncmp(p, name, n) == 0;
}

/* text with its "hostname = src" line now naming dst (or dropped, so the
 * default, the container's name, applies when dst is no valid hostname);
 * NULL when there is no such line. Everything else, comments too, stays. */
char *clone_config_text_renamed(const char *text, const char *src, const char *dst)
{
	_cleanup_free_ char *probe = xasprintf("image = probe\nhostname = %s\n", dst);
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *c = NULL;
	bool dst_ok = config_native_parse(probe, strlen(probe), "clone", &c, &err) == 0;
	char *out = NULL;
	size_t outlen = 0;
	bool found = false;
	FILE *f = open_memstream(&out, &outlen);

	if (!f)
		abort(); /* only without memory, like the x-allocators */
	native_config_free(c);
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (is_hostname_line(line, len, src)) {
			found = true;
			if (dst_ok)
				fprintf(f, "hostname = %s\n", dst);
		} else {
			fprintf(f, "%.*s%s", (int)len, line, nl ? "\n" : "");
		}
		line += len + (nl ? 1 : 0);
	}
	fclose(f);
	if (!found)
		free(steal_ptr(out));
	return out;
}

int clone_rename_config(struct store *st, const char *src, const char *dst, struct ctr_error *err)
{
	_cleanup_free_ char *path = store_container_path(st, dst, "config");
	_cleanup_free_ char *text = NULL, *renamed = NULL;
	size_t len;
	int ret = read_file_at(AT_FDCWD, path, &text, &len, err);

	if (ret == -ENOENT) {
		ctr_error_clear(err);
		return 0;
	}
	if (ret < 0)
		return ret;
	renamed = clone_config_text_renamed(text, src, dst);
	return renamed ? store_container_write_config(st, dst, renamed, err) : 0;
}

/* ---- the root ---- */

/* /etc/hostname that says src says dst; in /etc/hosts, the words src of
 * 127.0.1.1 lines become dst. NULL when nothing changes. */
char *clone_hostname_renamed(const char *text, const char *src, const char *dst)
{
	size_t n = strcspn(text, "\n");

	if (n != strlen(src) || strncmp(text, src, n) != 0 || text[n + (text[n] != 0)] != '\0')
		return NULL;
	return xasprintf("%s\n", dst);
}

char *clone_hosts_renamed(const char *text, const char *src, const char *dst)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *out = NULL, *save = NULL;
	size_t outlen = 0;
	bool changed = false;
	FILE *f = open_memstream(&out, &outlen);

	if (!f)
		abort();
	for (char *line = copy; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		if (!str_has_prefix(line, "127.0.1.1")) {
			fprintf(f, "%s%s", line, save ? "\n" : "");
			continue;
		}
		for (char *w = line, *end; *w; w = end) {
			size_t blanks = strspn(w, " \t");
			size_t len = strcspn(w + blanks, " \t");

			fprintf(f, "%.*s", (int)blanks, w);
			end = w + blanks + len;
			if (len == strlen(src) && strncmp(w + blanks, src, len) == 0) {
				fputs(dst, f);
				changed = true;
			} else {
				fprintf(f, "%.*s", (int)len, w + blanks);
			}
		}
		fputs(save ? "\n" : "", f);
	}
	fclose(f);
	if (!changed)
		free(steal_ptr(out));
	return out;
}

/* Rewrite etc/file of the root (never leaving it: the image's symlinks
 * resolve inside), keeping its mode and owner. */
static int rename_in_file(int etc, const char *file, const char *src, const char *dst,
			  char *(*rename_fn)(const char *, const char *, const char *))
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_close_ int fd = openat(etc, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *text = NULL, *renamed = NULL;
	char fdpath[32];
	struct stat sb;
	size_t len;

	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size > 65536)
		return 0; /* nothing a template wrote */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	if (read_file_at(AT_FDCWD, fdpath, &text, &len, &err) < 0)
		return -1;
	renamed = rename_fn(text, src, dst);
	if (!renamed)
		return 0;
	if (write_file_atomic_at(etc, file, renamed, strlen(renamed), sb.st_mode & 07777, &err) <
		0 ||
	    fchownat(etc, file, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return 0;
}

/* The child: DST's overlay in a mount namespace of its own (gone when it
 * exits), its two files rewritten. */
static _Noreturn void rename_in_root_child(struct store *st, const char *src, const char *dst,
					   const char *mnt)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	int root, etc;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    store_overlay_mount_at(st, dst, mnt, &err) < 0)
		_exit(1);
	root = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	etc = root < 0 ? -1 : sys_openat2(root, "etc", &how);
	if (etc < 0)
		_exit(0); /* a root without /etc names nothing */
	if (rename_in_file(etc, "hostname", src, dst, clone_hostname_renamed) < 0 ||
	    rename_in_file(etc, "hosts", src, dst, clone_hosts_renamed) < 0)
		_exit(1);
	_exit(0);
}

int clone_rename_root(struct store *st, const char *src, const char *dst, struct ctr_error *err)
{
	struct store_tmp tmp = {0};
	int status, ret;
	pid_t pid;

	if (geteuid() != 0)
		return 0; /* no overlay mounts; the config still names dst */
	ret = store_tmp_create(st, &tmp, err);
	if (ret < 0)
		return ret;
	pid = fork();
	if (pid == 0)
		rename_in_root_child(st, src, dst, tmp.path);
	if (pid < 0)
		ret = ctr_errno(err, "fork");
	while (pid > 0 && waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			ret = ctr_errno(err, "wait");
			break;
		}
	if (ret == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		ret =
		    ctr_error(err, EIO, "could not rename %s in /etc/hostname and /etc/hosts", dst);
	store_tmp_release(st, &tmp);
	return ret;
}
