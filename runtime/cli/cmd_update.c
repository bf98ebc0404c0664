/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "verbs.h"

int cmd_update(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	(void)g;
	(void)argc;
	(void)argv;
	return ctr_error(err, ENOSYS, "not implemented yet");
}
