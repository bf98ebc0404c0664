/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * error.h - the one error convention of ctr.
 *
 * A function that can fail returns a negative errno value (or NULL) and fills
 * a caller-owned struct ctr_error. Context is added on the way up, so the
 * printed message reads outermost first:
 *   "start web: mount /proc in rootfs: Operation not permitted".
 * The library never prints and never exits; only the front ends do.
 */
#ifndef CTR_ERROR_H
#define CTR_ERROR_H

#include <errno.h>
#include <stdarg.h>

#define CTR_ERROR_MSG_MAX 2048

struct ctr_error {
	int code;                    /* positive errno, 0 while no error */
	char msg[CTR_ERROR_MSG_MAX]; /* "" while no error */
};

#define CTR_ERROR_INIT {0, ""}

/* Set a message without an strerror() suffix (validation, protocol errors).
 * code is a positive errno; returns -code. */
int ctr_error(struct ctr_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set a message from errno, suffixed ": <strerror(errno)>"; returns -errno. */
int ctr_errno(struct ctr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Same with an explicit positive or negative errno value. */
int ctr_errnum(struct ctr_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix context to an existing message: "ctx: old message". Returns -code. */
int ctr_error_prefix(struct ctr_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void ctr_error_clear(struct ctr_error *err);

static inline int ctr_error_isset(const struct ctr_error *err)
{
	return err->code != 0;
}

#endif
