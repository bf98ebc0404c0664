/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipam.c - leases of a bridge's addresses: the table, the allocation
 * rule, and the locked file.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "netns/ipam.h"
#include "util.h"

#define LEASES_HEADER "# ctr leases: ADDRESS CONTAINER N auto|static [nat]\n"

void ipam_table_free(struct ipam_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	t->v = NULL;
	t->n = 0;
	t->bridge_index = 0;
}

static struct ipam_lease *add_lease(struct ipam_table *t)
{
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	memset(&t->v[t->n], 0, sizeof(*t->v));
	return &t->v[t->n++];
}

static int parse_line(char *line, unsigned int lineno, struct ipam_table *t, struct ctr_error *err)
{
	char addr[32], name[256], kind[16], extra[16];
	unsigned int index;
	struct ipam_lease *l;
	int n = sscanf(line, "%31s %255s %u %15s %15s", addr, name, &index, kind, extra);
	struct in_addr a;

	if (n < 4 || inet_pton(AF_INET, addr, &a) != 1 ||
	    (strcmp(kind, "auto") != 0 && strcmp(kind, "static") != 0) ||
	    (n == 5 && strcmp(extra, "nat") != 0))
		return ctr_error(err, EINVAL,
				 "leases:%u: expected ADDRESS CONTAINER N auto|static [nat]",
				 lineno);
	l = add_lease(t);
	l->addr = a;
	l->name = xstrdup(name);
	l->index = index;
	l->is_static = strcmp(kind, "static") == 0;
	l->nat = n == 5;
	return 0;
}

int ipam_parse(const char *text, struct ipam_table *t, struct ctr_error *err)
{
	_cleanup_free_ char *copy = xstrdup(text);
	unsigned int lineno = 0;
	char *save = NULL;

	memset(t, 0, sizeof(*t));
	/* strtok_r skips empty lines, so line numbers count what it sees. */
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (sscanf(line, "#bridge %d", &t->bridge_index) == 1)
			continue;
		if (line[0] == '#')
			continue;
		if (parse_line(line, lineno, t, err) < 0) {
			ipam_table_free(t);
			return -EINVAL;
		}
	}
	return 0;
}

char *ipam_format(const struct ipam_table *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		abort();
	fputs(LEASES_HEADER, out);
	if (t->bridge_index > 0)
		fprintf(out, "#bridge %d\n", t->bridge_index);
	for (size_t i = 0; i < t->n; i++) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &t->v[i].addr, a, sizeof(a));
		fprintf(out, "%s %s %u %s%s\n", a, t->v[i].name, t->v[i].index,
			t->v[i].is_static ? "static" : "auto", t->v[i].nat ? " nat" : "");
	}
	fclose(out);
	return text;
}

static uint32_t host_mask(unsigned int prefix)
{
	return prefix >= 32 ? 0 : 0xffffffffu >> prefix;
}

static bool in_pool(const struct ipam_pool *p, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr), b = ntohl(p->bridge.s_addr), m = host_mask(p->prefix);

	return (h & ~m) == (b & ~m) && (h & m) != 0 && (h & m) != m && h != b;
}

static struct ipam_lease *find_addr(struct ipam_table *t, struct in_addr a)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].addr.s_addr == a.s_addr)
			return &t->v[i];
	return NULL;
}

static struct ipam_lease *find_owner(struct ipam_table *t, const char *name, unsigned int index)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].index == index && strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

static void drop_at(struct ipam_table *t, struct ipam_lease *l)
{
	size_t at = (size_t)(l - t->v);

	free(l->name);
	memmove(&t->v[at], &t->v[at + 1], (t->n - at - 1) * sizeof(*t->v));
	t->n--;
}

/* The lowest host address of the pool that no lease holds. */
static int pick_free(struct ipam_table *t, const struct ipam_pool *pool, struct in_addr *out)
{
	uint32_t m = host_mask(pool->prefix), net = ntohl(pool->bridge.s_addr) & ~m;

	for (uint32_t host = 1; host < m; host++) {
		struct in_addr a = {htonl(net | host)};

		if (a.s_addr != pool->bridge.s_addr && !find_addr(t, a)) {
			*out = a;
			return 0;
		}
	}
	return -ENOSPC;
}

static int assign_static(struct ipam_table *t, const struct ipam_pool *pool, const char *name,
			 unsigned int index, struct in_addr want, struct ipam_lease **lease,
			 struct ctr_error *err)
{
	struct ipam_lease *holder = find_addr(t, want);
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &want, a, sizeof(a));
	if (want.s_addr == pool->bridge.s_addr)
		return ctr_error(err, EADDRINUSE, "%s is the bridge's own address", a);
	if (holder && (holder->index != index || strcmp(holder->name, name) != 0))
		return ctr_error(err, EADDRINUSE, "%s is in use by container %s (net.%u)", a,
				 holder->name, holder->index);
	if (*lease && (*lease)->addr.s_addr != want.s_addr) {
		drop_at(t, *lease);
		*lease = NULL;
	}
	if (!in_pool(pool, want))
		return 0; /* another subnet: nothing to reserve here */
	if (!*lease) {
		*lease = add_lease(t);
		(*lease)->name = xstrdup(name);
		(*lease)->index = index;
		(*lease)->addr = want;
	}
	(*lease)->is_static = true;
	return 0;
}

int ipam_assign(struct ipam_table *t, const struct ipam_pool *pool, const char *name,
		unsigned int index, const struct in_addr *want, bool nat, struct in_addr *out,
		struct ctr_error *err)
{
	struct ipam_lease *lease = find_owner(t, name, index);
	int ret;

	if (want) {
		ret = assign_static(t, pool, name, index, *want, &lease, err);
		if (ret < 0)
			return ret;
		*out = *want;
	} else {
		/* A lease from another subnet (the bridge's changed) or one that
		 * was static is given up for a fresh one. */
		if (lease && (lease->is_static || !in_pool(pool, lease->addr))) {
			drop_at(t, lease);
			lease = NULL;
		}
		if (!lease) {
			struct in_addr a;

			if (pick_free(t, pool, &a) < 0)
				return ctr_error(err, ENOSPC, "no free address left on the bridge");
			lease = add_lease(t);
			lease->name = xstrdup(name);
			lease->index = index;
			lease->addr = a;
		}
		*out = lease->addr;
	}
	if (lease)
		lease->nat = nat;
	return 0;
}

size_t ipam_drop_if(struct ipam_table *t, bool (*gone)(const char *name, void *data), void *data)
{
	size_t dropped = 0;

	for (size_t i = 0; i < t->n;) {
		if (gone(t->v[i].name, data)) {
			drop_at(t, &t->v[i]);
			dropped++;
		} else {
			i++;
		}
	}
	return dropped;
}

static bool same_name(const char *name, void *data)
{
	return strcmp(name, data) == 0;
}

size_t ipam_drop_name(struct ipam_table *t, const char *name)
{
	return ipam_drop_if(t, same_name, (void *)name);
}

bool ipam_wants_nat(const struct ipam_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].nat)
			return true;
	return false;
}

int ipam_open(const char *store_root, const char *bridge, struct ipam_file *f,
	      struct ctr_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/net", store_root);
	_cleanup_free_ char *lock = xasprintf("%s.lock", bridge);
	int ret;

	memset(f, 0, sizeof(*f));
	f->lockfd = f->dirfd = -1;
	f->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0 && errno == ENOENT) {
		if (mkdir_p(dir, 0700) < 0)
			return ctr_errno(err, "create %s", dir);
		f->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (f->dirfd < 0)
		return ctr_errno(err, "open %s", dir);
	f->lockfd = openat(f->dirfd, lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (f->lockfd < 0)
		return ctr_errno(err, "open %s/%s", dir, lock);
	while ((ret = flock(f->lockfd, LOCK_EX)) < 0 && errno == EINTR)
		;
	if (ret < 0)
		return ctr_errno(err, "lock %s/%s", dir, lock);
	f->leases = xasprintf("%s.leases", bridge);
	ret = read_file_at(f->dirfd, f->leases, &f->text, NULL, err);
	if (ret == -ENOENT) {
		ctr_error_clear(err);
		return 0;
	}
	if (ret < 0)
		return ret;
	ret = ipam_parse(f->text, &f->table, err);
	return ret < 0 ? ctr_error_prefix(err, "%s/%s", dir, f->leases) : 0;
}

int ipam_commit(struct ipam_file *f, struct ctr_error *err)
{
	_cleanup_free_ char *text = ipam_format(&f->table);

	if (f->text && strcmp(text, f->text) == 0)
		return 0;
	return write_file_atomic_at(f->dirfd, f->leases, text, strlen(text), 0600, err);
}

void ipam_close(struct ipam_file *f)
{
	ipam_table_free(&f->table);
	free(f->leases);
	free(f->text);
	f->leases = f->text = NULL;
	if (f->lockfd >= 0)
		close(steal_fd(f->lockfd)); /* closing releases the lock */
	if (f->dirfd >= 0)
		close(steal_fd(f->dirfd));
}
