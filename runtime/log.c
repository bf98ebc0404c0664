/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static ctr_log_handler log_handler;
static enum ctr_log_level log_max = CTR_LOG_WARN;

void ctr_log_set_handler(ctr_log_handler handler, enum ctr_log_level max_level)
{
	log_handler = handler;
	log_max = max_level;
}

void ctr_log(enum ctr_log_level level, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (!log_handler || level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_handler(level, buf);
}
