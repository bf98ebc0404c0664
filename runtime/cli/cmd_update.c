/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_update.c - `ctr update NAME limits.KEY=VALUE...`: the new values go
 * into the config (checked like any config) and, while the container runs,
 * into its cgroup through the same path as `ctr-oci update`. The live
 * cgroup is changed first: a limit the host refuses leaves the config as
 * it was.
 */
#include <string.h>

#include "events.h"
#include "util.h"
#include "verbs.h"

static const struct opt_def no_opts[] = {{NULL, 0, false, 0, NULL}};

static int apply_settings(char **text, const struct cli_args *a, struct ctr_error *err)
{
	for (size_t i = 1; i < a->n; i++) {
		_cleanup_free_ char *k = NULL, *v = NULL;
		int ret = cli_split_assignment(a->pos[i], &k, &v, err);

		if (ret < 0)
			return ret;
		if (!str_has_prefix(k, "limits."))
			return ctr_error(err, EINVAL, "%s: only limits.* can be updated", k);
		cli_config_set(text, k, v);
	}
	return 0;
}

static int update_live(struct cli_ctx *c, const char *name, const struct native_config *cfg,
		       struct ctr_error *err)
{
	struct spec *spec = NULL;
	struct spec_resources res;
	int ret;

	if (!cli_is_live(cli_status(c, name, NULL)))
		return 0;
	ret = cli_build_spec(&c->st, name, cfg, &spec, err);
	if (ret < 0)
		return ret;
	/* Device rules were set at start, with the runtime's defaults
	 * appended; rewriting them on a live cgroup would take those away. */
	res = spec->linux.resources;
	res.devices = NULL;
	res.n_devices = 0;
	ret = container_update(&c->rt, name, &res, err);
	spec_free(spec);
	return ret;
}

int cmd_update(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *origin = NULL;
	struct native_config *cfg = NULL, *old = NULL;
	struct cli_args a;
	int ret;

	ret = cli_parse(no_opts, argc, argv, NULL, NULL, &a, err);
	if (ret < 0)
		return ret;
	if (a.n < 2 || a.rest < argc)
		return ctr_error(err, EINVAL, "usage: ctr update NAME limits.KEY=VALUE...");
	if ((ret = state_validate_id(a.pos[0], err)) < 0 ||
	    (ret = cli_ctx_open(g, &c, true, err)) < 0 ||
	    (ret = cli_load_config(&c, a.pos[0], &old, &text, err)) < 0)
		return ret;
	native_config_free(old);
	origin = xasprintf("%s/config", a.pos[0]);
	ret = apply_settings(&text, &a, err);
	if (ret == 0)
		ret = config_native_parse(text, strlen(text), origin, &cfg, err);
	if (ret == 0)
		ret = update_live(&c, a.pos[0], cfg, err);
	if (ret == 0)
		ret = store_container_write_config(&c.st, a.pos[0], text, err);
	native_config_free(cfg);
	return ret;
}
