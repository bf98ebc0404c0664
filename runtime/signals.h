/* SPDX-License-Identifier: GPL-2.0-or-later */
/* signals.h - the signal name table: "KILL", "SIGKILL", "9", "RTMIN+3". */
#ifndef CTR_SIGNALS_H
#define CTR_SIGNALS_H

/* Signal number, or -EINVAL for an unknown name or a number out of range. */
int signal_parse(const char *s);
/* "SIGKILL"; "SIGRTMIN+3" for real-time signals; NULL if invalid. */
const char *signal_name(int sig);

#endif
