/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec_oci_seccomp.c - config.json linux.seccomp into libseccomp values:
 * actions with their errno folded in, SCMP_ARCH_* and SCMP_CMP_* numbers,
 * filter flags. Syscall names stay strings: whether a name exists depends
 * on the architecture, which the filter builder knows.
 */
#include <ctype.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>

#include "spec_oci.h"
#include "spec_oci_json.h"
#include "util.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

enum { ACT_PLAIN, ACT_WITH_ERRNO };

static const struct {
	const char *name;
	uint32_t action;
	int takes_errno;
} seccomp_actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL, ACT_PLAIN},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, ACT_PLAIN},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, ACT_PLAIN},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, ACT_PLAIN},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), ACT_WITH_ERRNO},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), ACT_WITH_ERRNO},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, ACT_PLAIN},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, ACT_PLAIN},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, ACT_PLAIN},
};

static const struct {
	const char *name;
	int op;
} seccomp_ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static const struct {
	const char *name;
	unsigned int flag;
} seccomp_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* "SCMP_ACT_ERRNO" with errnoRet (EPERM when absent) -> SCMP_ACT_ERRNO(n). */
static int parse_action(struct oci_ctx *c, json_object *obj, const char *key, const char *errno_key,
			uint32_t *out)
{
	_cleanup_free_ char *name = NULL;
	int64_t errno_ret = EPERM;
	bool has_errno;
	size_t i;

	if (oci_string_required(c, obj, key, &name) < 0)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(seccomp_actions); i++)
		if (strcmp(name, seccomp_actions[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(seccomp_actions))
		return oci_fail(c, key, "unknown action '%s'", name);
	if (oci_int(c, obj, errno_key, 0, 0xffff, &errno_ret, &has_errno) < 0)
		return -EINVAL;
	if (has_errno && seccomp_actions[i].takes_errno != ACT_WITH_ERRNO)
		return oci_fail(c, errno_key, "only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	*out = seccomp_actions[i].action;
	if (seccomp_actions[i].takes_errno == ACT_WITH_ERRNO)
		*out |= (uint32_t)errno_ret;
	return 0;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's own name "x86_64" -> its token. */
static int parse_arch(struct oci_ctx *c, json_object *v, void *elem)
{
	char name[32];
	const char *s;
	size_t len;

	if (oci_expect(c, v, NULL, json_type_string) < 0)
		return -EINVAL;
	s = json_object_get_string(v);
	len = strlen(s);
	if (!str_has_prefix(s, "SCMP_ARCH_") || len - 10 >= sizeof(name))
		return oci_fail(c, NULL, "unknown architecture '%s'", s);
	for (size_t i = 10; i <= len; i++)
		name[i - 10] = (char)tolower((unsigned char)s[i]);
	*(uint32_t *)elem = seccomp_arch_resolve_name(name);
	if (*(uint32_t *)elem == 0)
		return oci_fail(c, NULL, "unknown architecture '%s'", s);
	return 0;
}

static int parse_flags(struct oci_ctx *c, json_object *obj, struct spec_seccomp *s)
{
	json_object *arr;
	size_t n, j;

	if (oci_array(c, obj, "flags", &arr, &n) < 0)
		return -EINVAL;
	oci_push(c, "flags");
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		oci_push_index(c, i);
		if (oci_expect(c, v, NULL, json_type_string) < 0)
			return -EINVAL;
		for (j = 0; j < ARRAY_SIZE(seccomp_flags); j++)
			if (strcmp(json_object_get_string(v), seccomp_flags[j].name) == 0)
				break;
		if (j == ARRAY_SIZE(seccomp_flags))
			return oci_fail(c, NULL, "unknown flag '%s'", json_object_get_string(v));
		s->flags |= seccomp_flags[j].flag;
		oci_pop(c);
	}
	oci_pop(c);
	return 0;
}

static int parse_arg(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_seccomp_arg *a = elem;
	_cleanup_free_ char *op = NULL;
	int64_t index;
	bool has;
	size_t i;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_int(c, v, "index", 0, 5, &index, &has) < 0)
		return -EINVAL;
	if (!has)
		return oci_fail(c, "index", "required");
	a->index = (unsigned int)index;
	if (oci_u64(c, v, "value", &a->value, &has) < 0)
		return -EINVAL;
	if (!has)
		return oci_fail(c, "value", "required");
	if (oci_u64(c, v, "valueTwo", &a->value_two, NULL) < 0)
		return -EINVAL;
	if (oci_string_required(c, v, "op", &op) < 0)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(seccomp_ops); i++)
		if (strcmp(op, seccomp_ops[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(seccomp_ops))
		return oci_fail(c, "op", "unknown operator '%s'", op);
	a->op = seccomp_ops[i].op;
	return 0;
}

static int parse_rule(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_seccomp_rule *r = elem;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_strv(c, v, "names", &r->names) < 0)
		return -EINVAL;
	if (!r->names || !r->names[0])
		return oci_fail(c, "names", "must not be empty");
	if (parse_action(c, v, "action", "errnoRet", &r->action) < 0)
		return -EINVAL;
	return oci_each(c, v, "args", sizeof(struct spec_seccomp_arg), &r->args, &r->n_args,
			parse_arg);
}

/* A notify action hands syscalls to a listener; without one the process
 * would block forever, and as default it would catch the runtime's own
 * execve. */
static int check_notify(struct oci_ctx *c, const struct spec_seccomp *s)
{
	bool notify = false;

	if (s->default_action == SCMP_ACT_NOTIFY)
		return oci_fail(c, "defaultAction", "SCMP_ACT_NOTIFY cannot be the default");
	for (size_t i = 0; i < s->n_rules; i++)
		notify |= s->rules[i].action == SCMP_ACT_NOTIFY;
	if (notify && !s->listener_path)
		return oci_fail(c, "listenerPath", "required when an action is SCMP_ACT_NOTIFY");
	return 0;
}

int oci_parse_seccomp(struct oci_ctx *c, json_object *obj, struct spec_seccomp **out)
{
	struct spec_seccomp *s = xzalloc(sizeof(*s));

	*out = s;
	if (parse_action(c, obj, "defaultAction", "defaultErrnoRet", &s->default_action) < 0)
		return -EINVAL;
	if (oci_each(c, obj, "architectures", sizeof(uint32_t), &s->archs, &s->n_archs,
		     parse_arch) < 0)
		return -EINVAL;
	if (parse_flags(c, obj, s) < 0)
		return -EINVAL;
	if (oci_string(c, obj, "listenerPath", &s->listener_path) < 0 ||
	    oci_string(c, obj, "listenerMetadata", &s->listener_metadata) < 0)
		return -EINVAL;
	if (s->listener_path && !s->listener_path[0])
		free(steal_ptr(s->listener_path)); /* "" is how Go writes "unset" */
	if (oci_each(c, obj, "syscalls", sizeof(struct spec_seccomp_rule), &s->rules, &s->n_rules,
		     parse_rule) < 0)
		return -EINVAL;
	return check_notify(c, s);
}

int spec_oci_parse_seccomp(const char *json, size_t len, const char *filename,
			   struct spec_seccomp **out, struct ctr_error *err)
{
	_cleanup_json_ json_object *doc = NULL;
	struct oci_ctx c = {.filename = filename, .err = err};
	struct spec_seccomp *s = NULL;
	int ret;

	ret = oci_parse_document(json, len, filename, &doc, err);
	if (ret < 0)
		return ret;
	if (!json_object_is_type(doc, json_type_object))
		return oci_fail(&c, NULL, "expected a JSON object at the top level");
	ret = oci_parse_seccomp(&c, doc, &s);
	if (ret < 0) {
		spec_seccomp_free(s);
		return ret;
	}
	*out = s;
	return 0;
}
