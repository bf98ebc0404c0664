/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * files.c - /etc/resolv.conf and /etc/hosts for a container that asks
 * (net.dns, net.hosts), written into its root before it starts: the
 * rootfs directory, or the upper directory of an image container's
 * overlay (so the image shared by many containers stays untouched). They
 * are the container's own files afterwards, rewritten at every start.
 * Not binds from outside: a container with a user namespace mounts as its
 * mapped root, which cannot reach the store's 0700 directories.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "netns/net.h"
#include "syscalls.h"
#include "util.h"

static char *resolv_conf(const struct native_config *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		abort();
	fputs("# written by ctr from net.dns\n", out);
	for (char **d = c->dns; *d; d++)
		fprintf(out, "nameserver %s\n", *d);
	fclose(out);
	return text;
}

static char *hosts_file(const struct net_plan *p, const char *hostname)
{
	char *text = NULL, a[INET6_ADDRSTRLEN];
	size_t len = 0;
	bool named = false;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		abort();
	fputs("# written by ctr (net.hosts)\n127.0.0.1\tlocalhost\n"
	      "::1\tlocalhost ip6-localhost ip6-loopback\n",
	      out);
	for (size_t i = 0; p && i < p->n_ifaces; i++) {
		if (p->ifaces[i].has_ipv4) {
			inet_ntop(AF_INET, &p->ifaces[i].ipv4, a, sizeof(a));
			fprintf(out, "%s\t%s\n", a, hostname);
			named = true;
		}
		if (p->ifaces[i].has_ipv6) {
			inet_ntop(AF_INET6, &p->ifaces[i].ipv6, a, sizeof(a));
			fprintf(out, "%s\t%s\n", a, hostname);
			named = true;
		}
	}
	/* Without an address the name still resolves, as Debian does it. */
	if (!named)
		fprintf(out, "127.0.1.1\t%s\n", hostname);
	fclose(out);
	return text;
}

/* ROOT/etc, resolved inside root (a symlinked /etc stays in the rootfs),
 * made when the root has none (a fresh overlay upper directory). */
static int open_etc(const char *root, struct ctr_error *err)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd;

	if (rootfd < 0)
		return ctr_errno(err, "open root %s", root);
	fd = sys_openat2(rootfd, "etc", &how);
	if (fd < 0 && errno == ENOENT) {
		if (mkdirat(rootfd, "etc", 0755) < 0 && errno != EEXIST)
			return ctr_errno(err, "create %s/etc", root);
		fd = sys_openat2(rootfd, "etc", &how);
	}
	return fd < 0 ? ctr_errno(err, "open %s/etc", root) : fd;
}

int net_write_files(const struct net_plan *p, const struct native_config *c, const char *hostname,
		    const char *root, struct ctr_error *err)
{
	_cleanup_close_ int etc = -1;
	int ret = 0;

	if (!c->dns && !(c->has_hosts && c->hosts))
		return 0;
	etc = open_etc(root, err);
	if (etc < 0)
		return etc;
	/* By rename: a symlink there (resolv.conf -> a resolver's stub) is
	 * replaced, never followed out of the rootfs. */
	if (c->dns) {
		_cleanup_free_ char *text = resolv_conf(c);

		ret = write_file_atomic_at(etc, "resolv.conf", text, strlen(text), 0644, err);
	}
	if (ret == 0 && c->has_hosts && c->hosts) {
		_cleanup_free_ char *text = hosts_file(p, hostname);

		ret = write_file_atomic_at(etc, "hosts", text, strlen(text), 0644, err);
	}
	return ret;
}
