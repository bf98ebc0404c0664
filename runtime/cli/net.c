/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net.c - `ctr net`: the store's network bookkeeping.
 *
 *   ctr net leases   every leased address: bridge, address, container, N
 *   ctr net prune    free the leases of containers that no longer exist
 *                    and remove NAT no container asks for any more
 *
 * and the network half of `ctr start` (cli_net_prepare).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "netns/net.h"
#include "util.h"
#include "verbs.h"

int cli_net_prepare(struct cli_ctx *c, const char *name, const struct native_config *cfg,
		    struct spec *spec, struct net_plan **plan, struct ctr_error *err)
{
	int ret = net_prepare(c->st.root, name, cfg, plan, err);

	static const char *const written[] = {"etc", "etc/resolv.conf", "etc/hosts", NULL};

	if (ret == 0)
		ret = net_write_files(*plan, cfg, cfg->hostname ? cfg->hostname : name,
				      spec->root_path, err);
	/* An image container's root_path is its overlay upper. */
	if (ret == 0 && cfg->image)
		ret = cli_userns_own_upper(spec->root_path, cfg, written, err);
	return ret;
}

static int leases(const struct ctr_globals *g, struct ctr_error *err)
{
	struct net_lease *v = NULL;
	size_t n = 0;
	int ret = net_list_leases(g->store_root, &v, &n, err);

	if (ret < 0)
		return ret;
	if (g->format == CLI_FORMAT_JSON) {
		/* Names are interface names and container ids: nothing to escape. */
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s{\"bridge\":\"%s\",\"address\":\"%s\",\"container\":\"%s\","
			       "\"index\":%u,\"static\":%s,\"nat\":%s}",
			       i ? "," : "", v[i].bridge, v[i].address, v[i].container, v[i].index,
			       v[i].is_static ? "true" : "false", v[i].nat ? "true" : "false");
		printf("]\n");
	} else {
		printf("%-15s %-15s %-24s %-3s %s\n", "BRIDGE", "ADDRESS", "CONTAINER", "N",
		       "KIND");
		for (size_t i = 0; i < n; i++)
			printf("%-15s %-15s %-24s %-3u %s%s\n", v[i].bridge, v[i].address,
			       v[i].container, v[i].index, v[i].is_static ? "static" : "auto",
			       v[i].nat ? ",nat" : "");
	}
	net_leases_free(v, n);
	return EXIT_OK;
}

int cli_net(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	if (argc == 1 && strcmp(argv[0], "leases") == 0)
		return leases(g, err);
	if (argc == 1 && strcmp(argv[0], "prune") == 0) {
		int ret = net_prune(g->store_root, err);
		return ret < 0 ? ret : EXIT_OK;
	}
	fprintf(stderr, "usage: ctr net leases | ctr net prune\n");
	return EXIT_USAGE;
}
