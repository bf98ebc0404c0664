/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.h - ownership helpers and small I/O routines shared by every module.
 *
 * Owned locals carry a cleanup attribute and are handed on explicitly with
 * steal_ptr()/steal_fd(). Allocation failure aborts (x* helpers): a runtime
 * that cannot allocate a few bytes has no sane way to go on, and checking
 * every strdup would hide the real error paths.
 */
#ifndef CTR_UTIL_H
#define CTR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

void strv_free(char **v);
static inline void strv_freep(char ***v)
{
	strv_free(*v);
}

#define _cleanup_(f)     __attribute__((cleanup(f)))
#define _cleanup_free_   _cleanup_(freep)
#define _cleanup_close_  _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_strv_   _cleanup_(strv_freep)

#define steal_ptr(p)                                                                               \
	({                                                                                         \
		__typeof__(p) _stolen = (p);                                                       \
		(p) = NULL;                                                                        \
		_stolen;                                                                           \
	})
#define steal_fd(fd)                                                                               \
	({                                                                                         \
		int _stolen = (fd);                                                                \
		(fd) = -1;                                                                         \
		_stolen;                                                                           \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that aborts on failure. */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
void *xcalloc(size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
char **strv_dup(char *const *v);
void strv_append(char ***v, const char *s); /* copies s */

bool str_has_prefix(const char *s, const char *prefix);

/* Full reads and writes that retry on EINTR and short counts.
 * Return 0 (write) or the number of bytes read, or -errno. */
int write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);

/* Read a whole file (relative to dirfd, AT_FDCWD allowed) into a
 * NUL-terminated malloc'd buffer. Returns 0 or -errno (err filled). */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct ctr_error *err);

/* Write data to an existing file (O_WRONLY|O_CLOEXEC, no create), e.g. a
 * cgroup or /proc knob. Returns 0 or -errno (err names the path). */
int write_file_at(int dirfd, const char *path, const char *data, size_t len,
		  struct ctr_error *err);

/* Write a file atomically: temp file in the same directory, fsync-free
 * (state lives on tmpfs), then rename over path. mode for the new file. */
int write_file_atomic_at(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
			 struct ctr_error *err);

/* Parse a base-10 unsigned/signed integer that must span the whole string. */
int parse_u64(const char *s, uint64_t *out);
int parse_i64(const char *s, int64_t *out);

/* mkdir -p with mode for every created component; 0 or -errno. */
int mkdir_p(const char *path, mode_t mode);

/* The start time of a process (field 22 of /proc/PID/stat, clock ticks since
 * boot): with the pid it identifies a process even after pid reuse.
 * Returns 0 or -errno (-ESRCH when there is no such process). */
int proc_start_time(pid_t pid, uint64_t *out);

/* The last non-empty line of what fd holds (a file or memfd that caught
 * a command's output; read from its last 4 KiB, fd's offset untouched),
 * or NULL when there is none. */
char *fd_last_line(int fd);

/* Wait for a child (EINTR retried): its exit status, 128 + the signal
 * that killed it (as a shell reports it), or -errno. */
int wait_exit_status(pid_t pid);

/* Current time as RFC 3339 with nanoseconds, UTC ("2026-11-22T00:45:17.123456789Z"). */
char *rfc3339_now(void);

#endif
