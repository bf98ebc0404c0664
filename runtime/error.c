/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "error.h"

static int set_message(struct ctr_error *err, int code, const char *suffix, const char *fmt,
		       va_list ap)
{
	int n;

	if (code < 0)
		code = -code;
	if (code == 0)
		code = EINVAL;
	err->code = code;
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (suffix && n >= 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", suffix);
	return -code;
}

int ctr_error(struct ctr_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set_message(err, code, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

int ctr_errno(struct ctr_error *err, const char *fmt, ...)
{
	int saved = errno ? errno : EIO;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set_message(err, saved, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
	return ret;
}

int ctr_errnum(struct ctr_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (errnum < 0)
		errnum = -errnum;
	if (errnum == 0)
		errnum = EIO;
	va_start(ap, fmt);
	ret = set_message(err, errnum, strerror(errnum), fmt, ap);
	va_end(ap);
	return ret;
}

int ctr_error_prefix(struct ctr_error *err, const char *fmt, ...)
{
	char prefix[CTR_ERROR_MSG_MAX];
	char old[CTR_ERROR_MSG_MAX];
	va_list ap;

	if (err->code == 0)
		err->code = EINVAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	return -err->code;
}

void ctr_error_clear(struct ctr_error *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}
