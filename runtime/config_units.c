/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_units.c - sizes, cpu counts and durations of the native config.
 *
 * A decimal ("1.5") is read as a whole part and a fraction with its number
 * of digits, then scaled in 128-bit arithmetic, so "1.5G" is exactly
 * 1610612736 and no float rounding ever reaches a limit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config_units.h"
#include "util.h"

#define FRACTION_DIGITS_MAX 18

struct decimal {
	uint64_t whole;
	uint64_t fraction;
	unsigned int digits; /* of the fraction */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int read_digits(const char **s, uint64_t *out, unsigned int *count, unsigned int max)
{
	uint64_t v = 0;
	unsigned int n = 0;

	for (; is_digit(**s); (*s)++, n++) {
		unsigned int d = (unsigned int)(**s - '0');

		if (n >= max || v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (n == 0)
		return -EINVAL;
	*out = v;
	*count = n;
	return 0;
}

/* "12", "1.5": a digit is required on both sides of a '.'. */
static int read_decimal(const char **s, struct decimal *d)
{
	unsigned int n;
	int r;

	memset(d, 0, sizeof(*d));
	r = read_digits(s, &d->whole, &n, 20);
	if (r < 0 || **s != '.')
		return r;
	(*s)++;
	return read_digits(s, &d->fraction, &d->digits, FRACTION_DIGITS_MAX);
}

static unsigned __int128 pow10_u128(unsigned int n)
{
	unsigned __int128 p = 1;

	while (n--)
		p *= 10;
	return p;
}

/* value * scale, truncated to a whole number, or -ERANGE past INT64_MAX. */
static int scale_decimal(const struct decimal *d, uint64_t scale, int64_t *out)
{
	unsigned __int128 v = (unsigned __int128)d->whole * scale;

	v += (unsigned __int128)d->fraction * scale / pow10_u128(d->digits);
	if (v > INT64_MAX)
		return -ERANGE;
	*out = (int64_t)v;
	return 0;
}

/* "max" (no limit) is -1 in the spec model. */
static bool is_max(const char *s, int64_t *out)
{
	if (strcasecmp(s, "max") != 0)
		return false;
	*out = -1;
	return true;
}

static const struct {
	char letter;
	unsigned int shift;
} size_units[] = {
    {'P', 50}, {'T', 40}, {'G', 30}, {'M', 20}, {'K', 10},
};

/* "", "B", "K", "KB", "KiB" (any case for the multiple). */
static int size_suffix_shift(const char *s, unsigned int *shift)
{
	*shift = 0;
	for (size_t i = 0; i < ARRAY_SIZE(size_units); i++)
		if ((*s & ~0x20) == size_units[i].letter) {
			*shift = size_units[i].shift;
			s++;
			if (*s == 'i' && s[1] == 'B')
				s++;
			break;
		}
	if (*s == 'B')
		s++;
	return *s ? -EINVAL : 0;
}

int units_parse_size(const char *s, int64_t *out)
{
	struct decimal d;
	unsigned int shift;
	int r;

	if (is_max(s, out))
		return 0;
	r = read_decimal(&s, &d);
	if (r < 0)
		return r;
	r = size_suffix_shift(s, &shift);
	if (r < 0)
		return r;
	return scale_decimal(&d, UINT64_C(1) << shift, out);
}

void units_format_size(int64_t bytes, char *buf, size_t len)
{
	if (bytes < 0) {
		snprintf(buf, len, "max");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(size_units); i++) {
		int64_t unit = INT64_C(1) << size_units[i].shift;

		if (bytes && bytes % unit == 0) {
			snprintf(buf, len, "%" PRId64 "%c", bytes / unit, size_units[i].letter);
			return;
		}
	}
	snprintf(buf, len, "%" PRId64, bytes);
}

int units_parse_cpus(const char *s, int64_t *quota)
{
	struct decimal d;
	int r;

	if (is_max(s, quota))
		return 0;
	r = read_decimal(&s, &d);
	if (r < 0)
		return r;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s && strcasecmp(s, "cpus") != 0 && strcasecmp(s, "cpu") != 0)
		return -EINVAL;
	/* One µs of a 100 ms period is 0.00001 cpus: finer would be lost. */
	if (d.digits > 5)
		return -EINVAL;
	r = scale_decimal(&d, UNITS_CPU_PERIOD, quota);
	if (r == 0 && *quota < UNITS_CPU_QUOTA_MIN)
		r = -ERANGE;
	return r;
}

void units_format_cpus(int64_t quota, char *buf, size_t len)
{
	char fraction[8];
	size_t n;

	if (quota < 0) {
		snprintf(buf, len, "max");
		return;
	}
	snprintf(fraction, sizeof(fraction), "%05" PRId64, quota % UNITS_CPU_PERIOD);
	n = strlen(fraction);
	while (n && fraction[n - 1] == '0')
		fraction[--n] = '\0';
	if (n)
		snprintf(buf, len, "%" PRId64 ".%s", quota / UNITS_CPU_PERIOD, fraction);
	else
		snprintf(buf, len, "%" PRId64, quota / UNITS_CPU_PERIOD);
}

static const struct {
	const char *suffix;
	uint64_t seconds;
} duration_units[] = {
    {"", 1},
    {"s", 1},
    {"m", 60},
    {"h", 3600},
};

int units_parse_duration(const char *s, uint64_t *seconds)
{
	uint64_t v;
	unsigned int n;
	int r = read_digits(&s, &v, &n, 20);

	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(duration_units); i++) {
		if (strcmp(s, duration_units[i].suffix) != 0)
			continue;
		if (v > UINT32_MAX / duration_units[i].seconds)
			return -ERANGE;
		*seconds = v * duration_units[i].seconds;
		return 0;
	}
	return -EINVAL;
}
