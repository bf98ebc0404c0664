/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * files.c - /etc/resolv.conf and /etc/hosts for a container that asks
 * (net.dns, net.hosts). They are written next to the container's other
 * files on the host and bound read-only over the rootfs's own, the way the
 * rootfs's files stay untouched and an image shared by many containers
 * serves each its own.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>

#include "netns/net.h"
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

static void bind_over(struct spec *spec, const char *source, const char *destination)
{
	struct spec_mount *m;

	spec->mounts = xrealloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*spec->mounts));
	m = &spec->mounts[spec->n_mounts++];
	memset(m, 0, sizeof(*m));
	m->destination = xstrdup(destination);
	m->source = xstrdup(source);
	m->type = xstrdup("bind");
	m->flags = MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	m->bind = true;
}

static int write_and_bind(const char *dir, const char *file, const char *text,
			  const char *destination, struct spec *spec, struct ctr_error *err)
{
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *source = xasprintf("%s/%s", dir, file);
	int ret;

	if (dfd < 0)
		return ctr_errno(err, "open %s", dir);
	ret = write_file_atomic_at(dfd, file, text, strlen(text), 0644, err);
	if (ret < 0)
		return ret;
	bind_over(spec, source, destination);
	return 0;
}

int net_write_files(const struct net_plan *p, const struct native_config *c, const char *hostname,
		    const char *dir, struct spec *spec, struct ctr_error *err)
{
	int ret = 0;

	if (c->dns) {
		_cleanup_free_ char *text = resolv_conf(c);

		ret = write_and_bind(dir, "resolv.conf", text, "/etc/resolv.conf", spec, err);
	}
	if (ret == 0 && c->has_hosts && c->hosts) {
		_cleanup_free_ char *text = hosts_file(p, hostname);

		ret = write_and_bind(dir, "hosts", text, "/etc/hosts", spec, err);
	}
	return ret;
}
