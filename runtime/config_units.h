/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_units.h - the units people write in ctr's native config, and their
 * canonical spelling for writing a config back:
 *   sizes      "512M", "1.5G", "64k", "1048576", "max" (binary multiples)
 *   cpus       "1.5", "0.25 cpus", "max" (a quota per 100 ms period)
 *   durations  "30", "30s", "2m", "1h" (whole seconds)
 * Parsers return 0, -EINVAL for a malformed value or -ERANGE for one that
 * does not fit; they never fill an error object (the caller knows the key
 * and line to name).
 */
#ifndef CTR_CONFIG_UNITS_H
#define CTR_CONFIG_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* The cgroup cpu period a cpu count is expressed in (µs), as runc and the
 * kernel default. */
#define UNITS_CPU_PERIOD 100000

/* The kernel refuses a cpu quota under 1 ms. */
#define UNITS_CPU_QUOTA_MIN 1000

/* Large enough for any value the formatters write. */
#define UNITS_BUF_MAX 32

/* Bytes; "max" gives -1. */
int units_parse_size(const char *s, int64_t *out);
/* The largest unit that divides exactly: 536870912 -> "512M",
 * 1610612736 -> "1536M", 1000 -> "1000", -1 -> "max". */
void units_format_size(int64_t bytes, char *buf, size_t len);

/* A cpu count into a quota in µs per UNITS_CPU_PERIOD; "max" gives -1.
 * At most 5 decimals (1 µs); a quota below UNITS_CPU_QUOTA_MIN is -ERANGE. */
int units_parse_cpus(const char *s, int64_t *quota);
/* 150000 -> "1.5", 100000 -> "1", -1 -> "max". */
void units_format_cpus(int64_t quota, char *buf, size_t len);

/* Seconds; a bare number is seconds. */
int units_parse_duration(const char *s, uint64_t *seconds);

#endif
