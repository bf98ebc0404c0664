/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_native_internal.h - shared by the config_native*.c files: the key
 * tables (config_native_keys.c, config_native_net.c), the parse state that knows the line being
 * read and where each key was set (config_native.c), and the mount
 * conversion to_spec also uses.
 */
#ifndef CTR_CONFIG_NATIVE_INTERNAL_H
#define CTR_CONFIG_NATIVE_INTERNAL_H

#include <stdio.h>

#include "config_native.h"

/* A key set in the file: which table entry, for which interface, where. */
struct native_seen {
	const struct native_key *key;
	unsigned int net; /* N of net.N.*; 0 for other keys */
	unsigned int line;
};

struct native_parse {
	struct native_config *c;
	struct ctr_error *err;
	const char *origin;
	unsigned int line;	/* being read; 0 once the whole file is read */
	const char *key;	/* as written ("net.0.link") */
	struct native_net *net; /* the interface a net.N.* key is about */
	struct native_seen *seen;
	size_t n_seen;
};

typedef int (*native_parse_fn)(struct native_parse *p, const char *value);
/* Write the key's line(s), nothing when unset; key is the concrete name. */
typedef void (*native_format_fn)(FILE *out, const char *key, const struct native_config *c,
				 const struct native_net *n);

struct native_key {
	const char *name; /* "limits.memory"; "net.N.link" for interface keys */
	native_parse_fn parse;
	native_format_fn format;
	bool repeatable;
	/* Interface keys: the net types (bit per enum native_net_type) the key
	 * applies to; 0 for every other key. */
	unsigned int net_types;
	const char *help;
};

#define NET_TYPE_BIT(t) (1u << (t))

/* The tables, in the order the writer goes through them: general keys
 * (config_native_keys.c), limits.* (config_native_limits.c), net.N.*
 * (config_native_net.c). */
extern const struct native_key native_keys[];
extern const size_t native_n_keys;
extern const struct native_key native_limit_keys[];
extern const size_t native_n_limit_keys;
extern const struct native_key native_net_plain_keys[]; /* net.dns, net.hosts */
extern const size_t native_n_net_plain_keys;
extern const struct native_key native_net_keys[];
extern const size_t native_n_net_keys;

/* Every key has one of each; the table at the end names them. */
#define PARSE(name) static int parse_##name(struct native_parse *p, const char *v)
#define FORMAT(name)                                                                               \
	static void format_##name(FILE *out, const char *key, const struct native_config *c,       \
				  const struct native_net *n)

/* "ORIGIN:LINE: KEY: message" (no LINE once the file is read, no KEY when
 * p->key is NULL); returns -EINVAL. */
int native_fail(struct native_parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The line a key (table name) was first set on, for interface net; 0 if not. */
unsigned int native_seen_line(const struct native_parse *p, const char *name, unsigned int net);
/* Make the next messages about key (concrete name) on that line. */
void native_at(struct native_parse *p, const char *key, unsigned int line);

/* "key = value\n" */
void native_put(FILE *out, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The interface net.N, added (zeroed, in index order) if new. */
struct native_net *native_net_get(struct native_config *c, unsigned int index);
/* Checks across one interface's keys and across interfaces. */
int native_check_nets(struct native_parse *p);
void native_net_free(struct native_net *n);

/* A mount line as the spec takes it (options split into flags and data).
 * Does not check the destination; fills err without a prefix. */
int native_mount_to_spec(const struct native_mount *m, struct spec_mount *out,
			 struct ctr_error *err);
void native_mount_free(struct native_mount *m);

#endif
