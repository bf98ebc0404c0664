/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat.c - masquerade for a bridge's subnet with nftables. libnftables is
 * not one of ctr's libraries, so the rules go through the nft program:
 * it runs only when a container asks for NAT, never on the plain start
 * path.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "netns/net_internal.h"
#include "util.h"

static const char *const nft_paths[] = {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"};

void nat_table_name(const char *bridge, char *buf, size_t len)
{
	size_t at = (size_t)snprintf(buf, len, "ctr_");

	for (const char *s = bridge; *s && at + 1 < len; s++)
		buf[at++] = isalnum((unsigned char)*s) || *s == '_' ? *s : '_';
	buf[at < len ? at : len - 1] = '\0';
}

static const char *find_nft(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(nft_paths); i++)
		if (access(nft_paths[i], X_OK) == 0)
			return nft_paths[i];
	return NULL;
}

/* `nft -f -` with script on its stdin; its stderr goes to ours (the front
 * end's), which is where a person reads why a rule was refused. */
static int run_nft(const char *script, struct ctr_error *err)
{
	const char *nft = find_nft();
	int in[2], status;
	pid_t pid;

	if (!nft)
		return ctr_error(err, ENOENT, "nft not found (apt-get install nftables)");
	if (pipe2(in, O_CLOEXEC) < 0)
		return ctr_errno(err, "pipe");
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return ctr_errno(err, "fork");
	}
	if (pid == 0) {
		char *const argv[] = {(char *)nft, "-f", "-", NULL};
		char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};

		signal(SIGPIPE, SIG_DFL);
		if (dup2(in[0], 0) < 0)
			_exit(127);
		execve(nft, argv, envp);
		_exit(127);
	}
	close(in[0]);
	write_all(in[1], script, strlen(script));
	close(in[1]);
	status = wait_exit_status(pid);
	if (status < 0)
		return ctr_errnum(err, status, "wait for nft");
	if (status != 0)
		return ctr_error(err, EIO, "nft refused the rules (exit status %d)", status);
	return 0;
}

/* Per interface, not the host-wide ip_forward: IPv4 forwards what arrives
 * on an interface whose forwarding is on. */
static int set_forwarding(const char *bridge, bool on, struct ctr_error *err)
{
	_cleanup_free_ char *knob = xasprintf("/proc/sys/net/ipv4/conf/%s/forwarding", bridge);

	return write_file_at(AT_FDCWD, knob, on ? "1" : "0", 1, err);
}

int nat_install(const char *bridge, struct in_addr net, unsigned int prefix, struct ctr_error *err)
{
	_cleanup_free_ char *script = NULL;
	char table[40], subnet[INET_ADDRSTRLEN];
	uint32_t mask = prefix ? 0xffffffffu << (32 - prefix) : 0;
	struct in_addr n = {htonl(ntohl(net.s_addr) & mask)};
	int ret;

	nat_table_name(bridge, table, sizeof(table));
	inet_ntop(AF_INET, &n, subnet, sizeof(subnet));
	/* Declaring the table first makes the flush valid when it is new;
	 * the whole file is one transaction. */
	script = xasprintf("table ip %s\n"
			   "flush table ip %s\n"
			   "table ip %s {\n"
			   "\tchain postrouting {\n"
			   "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
			   "\t\tip saddr %s/%u ip daddr != %s/%u masquerade\n"
			   "\t}\n"
			   "}\n",
			   table, table, table, subnet, prefix, subnet, prefix);
	ret = run_nft(script, err);
	if (ret == 0)
		ret = set_forwarding(bridge, true, err);
	return ret < 0 ? ctr_error_prefix(err, "NAT for bridge %s", bridge) : 0;
}

int nat_remove(const char *bridge, struct ctr_error *err)
{
	_cleanup_free_ char *script = NULL;
	char table[40];

	nat_table_name(bridge, table, sizeof(table));
	/* Declare-then-delete: no error when it was never there. */
	script = xasprintf("table ip %s\ndelete table ip %s\n", table, table);
	if (run_nft(script, err) < 0)
		return ctr_error_prefix(err, "remove NAT of bridge %s", bridge);
	/* A bridge already gone took its setting with it. */
	if (set_forwarding(bridge, false, err) == -ENOENT)
		ctr_error_clear(err);
	return ctr_error_isset(err) ? -err->code : 0;
}
