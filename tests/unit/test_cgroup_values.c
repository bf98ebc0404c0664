/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of cgroups/ that need no root: value conversions, cgroupsPath
 * resolution, mountinfo probing, limit validation against a described host,
 * v1 device lines, and the eBPF device filter (run in a small interpreter).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/bpf.h>

#include "cgroups/cg_internal.h"
#include "util.h"

static void converts_cpu_shares_to_weight_like_runc(void **state)
{
	assert_int_equal(cg_shares_to_weight(2), 1);
	assert_int_equal(cg_shares_to_weight(1024), 39);
	assert_int_equal(cg_shares_to_weight(262144), 10000);
	assert_int_equal(cg_shares_to_weight(1), 1);
	assert_int_equal(cg_shares_to_weight(1000000), 10000);
}

static void converts_blkio_weight_to_io_weight(void **state)
{
	assert_int_equal(cg_blkio_weight_to_io_weight(10), 1);
	assert_int_equal(cg_blkio_weight_to_io_weight(500), 4950);
	assert_int_equal(cg_blkio_weight_to_io_weight(1000), 10000);
}

static void formats_unlimited_as_max_on_v2_and_minus_one_on_v1(void **state)
{
	char buf[32];

	cg_format_limit(-1, buf, sizeof(buf), true);
	assert_string_equal(buf, "max");
	cg_format_limit(-1, buf, sizeof(buf), false);
	assert_string_equal(buf, "-1");
	cg_format_limit(4096, buf, sizeof(buf), true);
	assert_string_equal(buf, "4096");
}

static void computes_v2_swap_as_swap_minus_limit(void **state)
{
	struct spec_resources r = {.has_memory_limit = true,
				   .memory_limit = 1 << 30,
				   .has_memory_swap = true,
				   .memory_swap = 3 << 29};
	struct ctr_error err = CTR_ERROR_INIT;
	char buf[32];

	assert_int_equal(cg_swap_v2_value(&r, buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "536870912");
	r.memory_swap = -1;
	assert_int_equal(cg_swap_v2_value(&r, buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "max");
}

static void rejects_swap_below_limit_naming_the_field(void **state)
{
	struct spec_resources r = {.has_memory_limit = true,
				   .memory_limit = 1 << 30,
				   .has_memory_swap = true,
				   .memory_swap = 1 << 20};
	struct ctr_error err = CTR_ERROR_INIT;
	char buf[32];

	assert_int_equal(cg_swap_v2_value(&r, buf, sizeof(buf), &err), -EINVAL);
	assert_non_null(strstr(err.msg, "linux.resources.memory.swap"));
	r.has_memory_limit = false;
	ctr_error_clear(&err);
	assert_int_equal(cg_swap_v2_value(&r, buf, sizeof(buf), &err), -EINVAL);
	assert_non_null(strstr(err.msg, "needs a memory limit"));
}

static void writes_device_rules_as_v1_lines(void **state)
{
	struct spec_device_rule all = {
	    .allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"};
	struct spec_device_rule null = {
	    .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rw"};
	struct spec_device_rule pts = {.allow = true, .type = 'c', .major = 136, .minor = -1};
	char line[64];

	cg_device_rule_line(&all, line, sizeof(line));
	assert_string_equal(line, "a *:* rwm");
	cg_device_rule_line(&null, line, sizeof(line));
	assert_string_equal(line, "c 1:3 rw");
	cg_device_rule_line(&pts, line, sizeof(line));
	assert_string_equal(line, "c 136:* rwm");
}

static void parses_hugepage_sizes_and_names_them_like_the_kernel(void **state)
{
	char name[32];

	assert_int_equal(cg_hugepage_size_bytes("2MB"), 2 << 20);
	assert_int_equal(cg_hugepage_size_bytes("1GB"), 1 << 30);
	assert_int_equal(cg_hugepage_size_bytes("64KB"), 64 << 10);
	assert_int_equal(cg_hugepage_size_bytes("MB"), 0);
	assert_int_equal(cg_hugepage_size_bytes("2XB"), 0);
	assert_int_equal(cg_hugepage_size_bytes(""), 0);
	cg_hugepage_name("2048KB", name, sizeof(name));
	assert_string_equal(name, "2MB");
	cg_hugepage_name("1024MB", name, sizeof(name));
	assert_string_equal(name, "1GB");
}

static void expect_path(const char *spec, const char *want)
{
	_cleanup_free_ char *got = cg_resolve_path(spec, "/ctr", "web");

	if (!want) {
		assert_null(got);
		assert_int_equal(errno, EINVAL);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void resolves_cgroups_path_forms(void **state)
{
	expect_path(NULL, "/ctr/web");
	expect_path("", "/ctr/web");
	expect_path("/a//b/", "/a/b");
	expect_path("a/b", "/ctr/a/b");
	expect_path("/", NULL);
	expect_path("/a/../b", NULL);
	expect_path("..", NULL);
}

static void resolves_systemd_form_to_the_unit_path(void **state)
{
	expect_path("system.slice:docker:abc", "/system.slice/docker-abc.scope");
	expect_path("machine-web.slice:ctr:x", "/machine.slice/machine-web.slice/ctr-x.scope");
	expect_path(":ctr:x", "/system.slice/ctr-x.scope");
	expect_path("-.slice:ctr:x", "/ctr-x.scope");
	expect_path("user.slice::x", "/user.slice/x.scope");
	expect_path("a:b", NULL);
	expect_path("bad:ctr:x", NULL);
	expect_path("a--b.slice:ctr:x", NULL);
	expect_path("system.slice:ctr:", NULL);
}

static void rejects_unclean_paths_before_touching_the_host(void **state)
{
	static const char *bad[] = {"relative", "/",   "/a/",	  "/a//b", "/a/./b",
				    "/a/..",	"/..", "/a/../b", "/a/."};
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h = NULL;

	if (!cg_host_get(&err)) {
		print_message("skipped: no cgroup hierarchy here (the probe error comes first)\n");
		skip();
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ctr_error_clear(&err);
		assert_int_equal(cg_create(bad[i], NULL, &h, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "is not a clean absolute path"));
		assert_int_equal(cg_open(bad[i], &h, &err), -EINVAL);
	}
}

static const char hybrid_mountinfo[] =
    "22 1 254:0 / / rw - ext4 /dev/vda rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
    "50 22 0:40 / /mnt/other\\040cg rw - cgroup cgroup rw,pids\n";

static void probes_hybrid_hierarchies_with_comounted_controllers(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_host host;

	assert_int_equal(cg_host_from_mountinfo(hybrid_mountinfo, false, &host, &err), 0);
	assert_int_equal(host.kind, CG_DRIVER_V1);
	assert_int_equal(host.n, 5);
	assert_string_equal(host.hiers[0].name, "cpu,cpuacct");
	assert_int_equal(host.hiers[0].ctrls, CG_CPU | CG_CPUACCT);
	assert_false(host.hiers[0].v2);
	assert_string_equal(host.hiers[3].name, "systemd");
	assert_int_equal(host.hiers[3].ctrls, 0);
	assert_int_equal(host.v2_index, 4);
	assert_string_equal(host.hiers[4].mountpoint, "/sys/fs/cgroup/unified");
	assert_ptr_equal(host.hiers[4].drv, &cg_driver_v2);
	assert_ptr_equal(host.hiers[1].drv, &cg_driver_v1);
	cg_host_clear(&host);
}

static void a_tmpfs_over_a_hierarchy_hides_it(void **state)
{
	static const char text[] =
	    "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
	    "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	    "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
	    "90 41 0:99 / /sys/fs/cgroup/unified rw - tmpfs tmpfs rw\n";
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_host host;

	assert_int_equal(cg_host_from_mountinfo(text, false, &host, &err), 0);
	assert_int_equal(host.n, 1);
	assert_string_equal(host.hiers[0].name, "memory");
	assert_int_equal(host.v2_index, -1);
	cg_host_clear(&host);
}

static void probes_a_pure_v2_host_as_one_hierarchy(void **state)
{
	static const char text[] = "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_host host;

	assert_int_equal(cg_host_from_mountinfo(text, true, &host, &err), 0);
	assert_int_equal(host.kind, CG_DRIVER_V2);
	assert_int_equal(host.n, 1);
	assert_string_equal(host.hiers[0].name, "");
	assert_int_equal(host.v2_index, 0);
	cg_host_clear(&host);
}

static void fails_when_no_hierarchy_is_mounted(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_host host;

	assert_int_equal(
	    cg_host_from_mountinfo("22 1 254:0 / / rw - ext4 /dev/vda rw\n", false, &host, &err),
	    -ENOENT);
}

/* A host described by hand: v1 memory (no swap accounting: the mountpoint
 * does not exist), v1 cpu, and a cgroup2 mount holding only hugetlb. */
static struct cg_hier fake_hiers[] = {
    {"memory", "/nonexistent/memory", CG_MEMORY, false, &cg_driver_v1, false},
    {"cpu", "/nonexistent/cpu", CG_CPU, false, &cg_driver_v1, false},
    {"unified", "/nonexistent/unified", CG_HUGETLB, true, &cg_driver_v2, false},
};
static const struct cg_host fake_hybrid = {CG_DRIVER_V1, fake_hiers, 3, 2};
static struct cg_hier fake_v2_hiers[] = {
    {"", "/nonexistent", CG_MEMORY | CG_CPU | CG_PIDS, true, &cg_driver_v2, false},
};
static const struct cg_host fake_v2 = {CG_DRIVER_V2, fake_v2_hiers, 1, 0};

static int check(const struct cg_host *host, const struct spec_resources *r, unsigned int *needed,
		 struct ctr_error *err)
{
	ctr_error_clear(err);
	return cg_limits_check(host, r, needed, err);
}

static void rejects_limits_for_controllers_the_host_lacks(void **state)
{
	struct spec_resources r = {.has_blkio_weight = true, .blkio_weight = 500};
	struct ctr_error err = CTR_ERROR_INIT;
	unsigned int needed;

	assert_int_equal(check(&fake_hybrid, &r, &needed, &err), -ENOTSUP);
	assert_string_equal(err.msg, "linux.resources.blockIO.weight: the blkio controller is not "
				     "mounted on this host");
}

static void rejects_swap_without_swap_accounting(void **state)
{
	struct spec_resources r = {.has_memory_limit = true,
				   .memory_limit = 1 << 20,
				   .has_memory_swap = true,
				   .memory_swap = 2 << 20};
	struct ctr_error err = CTR_ERROR_INIT;
	unsigned int needed;

	assert_int_equal(check(&fake_hybrid, &r, &needed, &err), -ENOTSUP);
	assert_string_equal(err.msg, "linux.resources.memory.swap: swap accounting is not enabled "
				     "on this host");
}

static void rejects_v1_only_knobs_on_v2(void **state)
{
	struct spec_resources r = {.has_memory_swappiness = true, .memory_swappiness = 10};
	struct ctr_error err = CTR_ERROR_INIT;
	unsigned int needed;

	assert_int_equal(check(&fake_v2, &r, &needed, &err), -ENOTSUP);
	assert_string_equal(err.msg,
			    "linux.resources.memory.swappiness: not supported by cgroup v2");
	r = (struct spec_resources){.has_net_class_id = true, .net_class_id = 1};
	assert_int_equal(check(&fake_v2, &r, &needed, &err), -ENOTSUP);
}

static void accepts_supported_limits_and_lists_v2_controllers_needed(void **state)
{
	struct spec_kv kv = {"hugetlb.2MB.max", "0"};
	struct spec_resources r = {.has_memory_limit = true,
				   .memory_limit = 1 << 20,
				   .has_cpu_shares = true,
				   .cpu_shares = 512,
				   .unified = &kv,
				   .n_unified = 1};
	struct ctr_error err = CTR_ERROR_INIT;
	unsigned int needed;

	assert_int_equal(check(&fake_hybrid, &r, &needed, &err), 0);
	assert_int_equal(needed, CG_HUGETLB);
	r = (struct spec_resources){.has_memory_limit = true,
				    .memory_limit = 1 << 20,
				    .has_pids_limit = true,
				    .pids_limit = 10};
	assert_int_equal(check(&fake_v2, &r, &needed, &err), 0);
	assert_int_equal(needed, CG_MEMORY | CG_PIDS);
}

static void rejects_unified_keys_outside_the_cgroup2_hierarchy(void **state)
{
	struct spec_kv kv = {"memory.max", "1000"};
	struct spec_resources r = {.unified = &kv, .n_unified = 1};
	struct ctr_error err = CTR_ERROR_INIT;
	unsigned int needed;

	assert_int_equal(check(&fake_hybrid, &r, &needed, &err), -ENOTSUP);
	assert_non_null(
	    strstr(err.msg, "linux.resources.unified.memory.max: the memory controller"));
	kv.key = "../memory.max";
	assert_int_equal(check(&fake_hybrid, &r, &needed, &err), -EINVAL);
	kv.key = "cgroup.max.depth";
	assert_int_equal(check(&fake_hybrid, &r, &needed, &err), 0);
}

/* ---- eBPF device filter, executed by a minimal interpreter ---- */

static int run_filter(const struct bpf_insn *p, size_t n, char type, unsigned int access,
		      uint32_t major, uint32_t minor)
{
	uint32_t ctx[3] = {(access << 16) |
			       (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
			   major, minor};
	uint64_t reg[11] = {0};

	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		uint64_t *dst = &reg[i->dst_reg];

		switch (i->code) {
		case BPF_LDX | BPF_W | BPF_MEM:
			assert_int_equal(i->src_reg, BPF_REG_1);
			*dst = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			*dst = (uint32_t)(*dst & (uint32_t)i->imm);
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			*dst = (uint32_t)*dst >> i->imm;
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			*dst = (uint32_t)reg[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			*dst = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (*dst != (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (*dst == (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)reg[0];
		default:
			fail_msg("unexpected instruction code 0x%x", i->code);
		}
	}
	fail_msg("program fell off its end");
	return -1;
}

#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void device_filter_has_prologue_rule_blocks_and_default(void **state)
{
	struct spec_device_rule rules[] = {
	    {.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
	    {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
	};
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t n = cg_devices_bpf_build(rules, 2, &p);

	/* 6 loads, rule: type, major, minor, verdict, exit; default, exit */
	assert_int_equal(n, 13);
	assert_int_equal(p[0].code, BPF_LDX | BPF_W | BPF_MEM);
	assert_int_equal(p[6].code, BPF_JMP | BPF_JNE | BPF_K);
	assert_int_equal(p[6].imm, BPF_DEVCG_DEV_CHAR);
	assert_int_equal(p[11].code, BPF_ALU64 | BPF_MOV | BPF_K);
	assert_int_equal(p[11].imm, 0); /* default deny */
	assert_int_equal(p[12].code, BPF_JMP | BPF_EXIT);
}

static void device_filter_allows_everything_without_rules(void **state)
{
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t n = cg_devices_bpf_build(NULL, 0, &p);

	assert_int_equal(n, 8);
	assert_int_equal(run_filter(p, n, 'b', R | W, 8, 0), 1);
}

static void device_filter_evaluates_last_match_wins(void **state)
{
	struct spec_device_rule rules[] = {
	    {.allow = true, .type = 'c', .major = 9, .minor = 9, .access = "rwm"}, /* reset below */
	    {.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
	    {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
	    {.allow = true, .type = 'c', .major = 1, .minor = 5, .access = "rw"},
	    {.allow = false, .type = 'c', .major = 1, .minor = 3, .access = "w"},
	    {.allow = true, .type = 'c', .major = 136, .minor = -1, .access = "rwm"},
	};
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t n = cg_devices_bpf_build(rules, ARRAY_SIZE(rules), &p);

	assert_int_equal(run_filter(p, n, 'c', R, 1, 3), 1);
	assert_int_equal(run_filter(p, n, 'c', W, 1, 3), 0);	 /* later deny wins */
	assert_int_equal(run_filter(p, n, 'c', R | W, 1, 3), 0); /* deny covers one bit */
	assert_int_equal(run_filter(p, n, 'c', R | W, 1, 5), 1);
	assert_int_equal(run_filter(p, n, 'c', M, 1, 5), 0); /* allow must grant all bits */
	assert_int_equal(run_filter(p, n, 'c', R | W, 136, 7), 1);
	assert_int_equal(run_filter(p, n, 'b', R, 136, 7), 0);
	assert_int_equal(run_filter(p, n, 'c', R, 9, 9), 0); /* before the reset */
	assert_int_equal(run_filter(p, n, 'b', R, 8, 0), 0);
}

static void device_filter_defaults_to_allow_without_a_blanket_rule(void **state)
{
	struct spec_device_rule rules[] = {
	    {.allow = false, .type = 'b', .major = 8, .minor = -1, .access = "rwm"},
	};
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t n = cg_devices_bpf_build(rules, 1, &p);

	assert_int_equal(run_filter(p, n, 'b', R, 8, 1), 0);
	assert_int_equal(run_filter(p, n, 'c', R, 8, 1), 1);
	assert_int_equal(run_filter(p, n, 'b', R, 9, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(converts_cpu_shares_to_weight_like_runc),
	    cmocka_unit_test(converts_blkio_weight_to_io_weight),
	    cmocka_unit_test(formats_unlimited_as_max_on_v2_and_minus_one_on_v1),
	    cmocka_unit_test(computes_v2_swap_as_swap_minus_limit),
	    cmocka_unit_test(rejects_swap_below_limit_naming_the_field),
	    cmocka_unit_test(writes_device_rules_as_v1_lines),
	    cmocka_unit_test(parses_hugepage_sizes_and_names_them_like_the_kernel),
	    cmocka_unit_test(resolves_cgroups_path_forms),
	    cmocka_unit_test(resolves_systemd_form_to_the_unit_path),
	    cmocka_unit_test(rejects_unclean_paths_before_touching_the_host),
	    cmocka_unit_test(probes_hybrid_hierarchies_with_comounted_controllers),
	    cmocka_unit_test(a_tmpfs_over_a_hierarchy_hides_it),
	    cmocka_unit_test(probes_a_pure_v2_host_as_one_hierarchy),
	    cmocka_unit_test(fails_when_no_hierarchy_is_mounted),
	    cmocka_unit_test(rejects_limits_for_controllers_the_host_lacks),
	    cmocka_unit_test(rejects_swap_without_swap_accounting),
	    cmocka_unit_test(rejects_v1_only_knobs_on_v2),
	    cmocka_unit_test(accepts_supported_limits_and_lists_v2_controllers_needed),
	    cmocka_unit_test(rejects_unified_keys_outside_the_cgroup2_hierarchy),
	    cmocka_unit_test(device_filter_has_prologue_rule_blocks_and_default),
	    cmocka_unit_test(device_filter_allows_everything_without_rules),
	    cmocka_unit_test(device_filter_evaluates_last_match_wins),
	    cmocka_unit_test(device_filter_defaults_to_allow_without_a_blanket_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
