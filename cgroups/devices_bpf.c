/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices_bpf.c - linux.resources.devices on cgroup2: a
 * BPF_PROG_TYPE_CGROUP_DEVICE program built instruction by instruction,
 * loaded and attached with raw bpf(2).
 *
 * Semantics are v1's, so a spec means the same on both drivers: the rules
 * are read last-match-wins; a blanket "a *:* rwm" rule resets everything
 * before it and sets the default (deny for the usual "deny all, then allow
 * a few" list; allow when no blanket rule exists, as a new v1 cgroup inherits
 * "a *:* rwm"). An allow rule matches when it grants every requested access
 * bit; a deny rule when it covers any of them (v1's exception matching).
 *
 * The program walks the surviving rules from the last to the first, so the
 * first hit decides:
 *   r2 = type, r3 = access, r4 = major, r5 = minor
 *   per rule: skip unless type/access/major/minor match; r0 = verdict; exit
 *   r0 = default; exit
 */
#include <linux/bpf.h>
#include <string.h>

#include "cg_internal.h"
#include "syscalls.h"
#include "util.h"

#define PROG_NAME "ctr_devices"
#define MAX_PROGS 64

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};

	return i;
}

static unsigned int rule_access(const struct spec_device_rule *r)
{
	unsigned int acc = 0;

	for (const char *p = r->access; *p && p < r->access + sizeof(r->access); p++)
		acc |= *p == 'r'   ? BPF_DEVCG_ACC_READ
		       : *p == 'w' ? BPF_DEVCG_ACC_WRITE
		       : *p == 'm' ? BPF_DEVCG_ACC_MKNOD
				   : 0;
	return acc ? acc : BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
}

static bool is_blanket(const struct spec_device_rule *r)
{
	return (r->type == 'a' || r->type == 0) && r->major < 0 && r->minor < 0 &&
	       rule_access(r) == (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD);
}

struct builder {
	struct bpf_insn *insns;
	size_t n, cap;
};

static void emit(struct builder *b, struct bpf_insn i)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->insns = xrealloc(b->insns, b->cap * sizeof(*b->insns));
	}
	b->insns[b->n++] = i;
}

/* Conditions that jump past the rule's block when they do not hold. */
static size_t rule_block_len(const struct spec_device_rule *r)
{
	size_t len = 2; /* r0 = verdict; exit */

	len += (r->type == 'b' || r->type == 'c') ? 1 : 0;
	len += rule_access(r) != 7 ? 3 : 0;
	len += r->major >= 0 ? 1 : 0;
	len += r->minor >= 0 ? 1 : 0;
	return len;
}

static void emit_rule(struct builder *b, const struct spec_device_rule *r)
{
	size_t next = b->n + rule_block_len(r);
#define SKIP ((int16_t)(next - b->n - 1))

	if (r->type == 'b' || r->type == 'c')
		emit(b, insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, SKIP,
			     r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
	if (rule_access(r) != 7) {
		emit(b, insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
		if (r->allow) { /* every requested bit granted: request & ~acc == 0 */
			emit(b, insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0,
				     (int32_t)(~rule_access(r) & 7)));
			emit(b, insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, SKIP, 0));
		} else { /* any requested bit covered: request & acc != 0 */
			emit(b, insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0,
				     (int32_t)rule_access(r)));
			emit(b, insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, SKIP, 0));
		}
	}
	if (r->major >= 0)
		emit(b, insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, SKIP, (int32_t)r->major));
	if (r->minor >= 0)
		emit(b, insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, SKIP, (int32_t)r->minor));
	emit(b, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0));
	emit(b, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
#undef SKIP
}

size_t cg_devices_bpf_build(const struct spec_device_rule *rules, size_t n, struct bpf_insn **out)
{
	struct builder b = {0};
	size_t first = 0;
	bool default_allow = true;

	for (size_t i = 0; i < n; i++) {
		if (is_blanket(&rules[i])) {
			first = i + 1;
			default_allow = rules[i].allow;
		}
	}
	/* struct bpf_cgroup_dev_ctx: access_type = access << 16 | type, major, minor */
	emit(&b, insn(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0));
	emit(&b, insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xFFFF));
	emit(&b, insn(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 0, 0));
	emit(&b, insn(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16));
	emit(&b, insn(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0));
	emit(&b, insn(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0));
	for (size_t i = n; i-- > first;)
		emit_rule(&b, &rules[i]);
	emit(&b, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, default_allow ? 1 : 0));
	emit(&b, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	*out = b.insns;
	return b.n;
}

static int load(const struct bpf_insn *insns, size_t n, char *log, size_t log_len)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = (uint32_t)log_len;
	attr.log_level = log ? 1 : 0;
	memcpy(attr.prog_name, PROG_NAME, sizeof(PROG_NAME));
	return sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
}

/* Load quietly; on failure load again with the verifier log for the message. */
static int load_program(const struct bpf_insn *insns, size_t n, struct ctr_error *err)
{
	_cleanup_free_ char *log = NULL;
	int fd = load(insns, n, NULL, 0), saved;
	char *last;

	if (fd >= 0)
		return fd;
	saved = errno;
	log = xzalloc(65536);
	if (load(insns, n, log, 65536) >= 0 || !log[0]) /* cannot happen, but do not leak */
		return ctr_errnum(err, saved, "load device filter");
	while ((last = strrchr(log, '\n')) && last[1] == '\0')
		*last = '\0';
	last = strrchr(log, '\n');
	return ctr_errnum(err, saved, "load device filter (verifier: %s)", last ? last + 1 : log);
}

static bool is_ours(uint32_t id)
{
	union bpf_attr attr;
	struct bpf_prog_info info;
	_cleanup_close_ int fd = -1;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
	if (fd < 0)
		return false;
	memset(&attr, 0, sizeof(attr));
	memset(&info, 0, sizeof(info));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uint64_t)(uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) < 0)
		return false;
	return strcmp(info.name, PROG_NAME) == 0;
}

static int query_attached(int dirfd, uint32_t *ids, uint32_t *n)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)dirfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = *n;
	if (sys_bpf(BPF_PROG_QUERY, &attr, sizeof(attr)) < 0)
		return -errno;
	*n = attr.query.prog_cnt;
	return 0;
}

static int attach_or_detach(int cmd, int dirfd, int prog_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)dirfd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = cmd == BPF_PROG_ATTACH ? BPF_F_ALLOW_MULTI : 0;
	return sys_bpf(cmd, &attr, sizeof(attr));
}

/* After the new filter is in place, so there is no unfiltered moment. */
static void detach_old(int dirfd, const uint32_t *ids, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		union bpf_attr attr;
		_cleanup_close_ int fd = -1;

		if (!is_ours(ids[i]))
			continue;
		memset(&attr, 0, sizeof(attr));
		attr.prog_id = ids[i];
		fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
		if (fd >= 0)
			(void)attach_or_detach(BPF_PROG_DETACH, dirfd, fd);
	}
}

int cg_devices_bpf_apply(int dirfd, const struct spec_device_rule *rules, size_t n,
			 struct ctr_error *err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	_cleanup_close_ int prog = -1;
	uint32_t ids[MAX_PROGS], n_ids = MAX_PROGS;
	size_t count;

	if (query_attached(dirfd, ids, &n_ids) < 0)
		n_ids = 0;
	count = cg_devices_bpf_build(rules, n, &insns);
	prog = load_program(insns, count, err);
	if (prog < 0)
		return prog;
	if (attach_or_detach(BPF_PROG_ATTACH, dirfd, prog) < 0)
		return ctr_errno(err, "attach device filter");
	detach_old(dirfd, ids, n_ids);
	return 0;
}
