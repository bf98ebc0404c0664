/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - debug and warning messages from the library.
 *
 * The library never prints: it hands messages to a handler that the front
 * end installs (text to stderr, or runc-style JSON lines to --log). Without
 * a handler, messages are dropped.
 */
#ifndef CTR_LOG_H
#define CTR_LOG_H

enum ctr_log_level { CTR_LOG_ERROR, CTR_LOG_WARN, CTR_LOG_INFO, CTR_LOG_DEBUG };

typedef void (*ctr_log_handler)(enum ctr_log_level level, const char *msg);

void ctr_log_set_handler(ctr_log_handler handler, enum ctr_log_level max_level);
void ctr_log(enum ctr_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ctr_debug(...) ctr_log(CTR_LOG_DEBUG, __VA_ARGS__)
#define ctr_warn(...)  ctr_log(CTR_LOG_WARN, __VA_ARGS__)

#endif
