/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_seccomp.c - compiling a seccomp profile to BPF (once: in the
 * runtime before clone, or from a cache of earlier compilations) and
 * handing the program to the kernel; the notify fd to its listener.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "log.h"
#include "process.h"
#include "process_seccomp.h"
#include "syscalls.h"
#include "util.h"

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_free(struct buf *b)
{
	free(b->data);
	*b = (struct buf){0};
}

static void buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void buf_put_u64(struct buf *b, uint64_t v)
{
	buf_put(b, &v, sizeof(v));
}

static void buf_put_str(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	buf_put_u64(b, n);
	buf_put(b, s, n);
}

static bool buf_equal(const struct buf *a, const char *data, size_t len)
{
	return a->len == len && memcmp(a->data, data, len) == 0;
}

/* Everything the compiled program depends on: the rules, and the
 * libseccomp and kernel that turn names into numbers. Two profiles with
 * the same key compile to the same program. */
static void profile_key(const struct spec_seccomp *s, struct buf *key)
{
	const struct scmp_version *v = seccomp_version();
	struct utsname u;

	uname(&u);
	buf_put_str(key, "ctr-seccomp-1");
	buf_put_u64(key, ((uint64_t)v->major << 32) | (v->minor << 16) | v->micro);
	buf_put_str(key, u.release);
	buf_put_str(key, u.machine);
	buf_put_u64(key, s->default_action);
	buf_put_u64(key, s->n_archs);
	for (size_t i = 0; i < s->n_archs; i++)
		buf_put_u64(key, s->archs[i]);
	buf_put_u64(key, s->n_rules);
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct spec_seccomp_rule *r = &s->rules[i];

		buf_put_u64(key, r->action);
		buf_put_u64(key, strv_len(r->names));
		for (char **name = r->names; name && *name; name++)
			buf_put_str(key, *name);
		buf_put_u64(key, r->n_args);
		for (size_t a = 0; a < r->n_args; a++) {
			buf_put_u64(key, r->args[a].index);
			buf_put_u64(key, r->args[a].value);
			buf_put_u64(key, r->args[a].value_two);
			buf_put_u64(key, (uint64_t)r->args[a].op);
		}
	}
}

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

/* Hosts with vm.memfd_noexec=2 refuse memfds that could become
 * executable; kernels before 6.3 do not know the flag. */
static int data_memfd(void)
{
	int fd = sys_memfd_create("ctr-seccomp", MFD_CLOEXEC | MFD_NOEXEC_SEAL);

	if (fd < 0 && errno == EINVAL)
		fd = sys_memfd_create("ctr-seccomp", MFD_CLOEXEC);
	return fd;
}

static int export_bpf(scmp_filter_ctx ctx, struct buf *bpf, struct ctr_error *err)
{
	_cleanup_close_ int fd = data_memfd();
	struct stat st;
	ssize_t n;
	int ret;

	if (fd < 0)
		return ctr_errno(err, "seccomp: memfd");
	ret = seccomp_export_bpf(ctx, fd);
	if (ret < 0)
		return ctr_errnum(err, ret, "seccomp: export BPF");
	if (fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return ctr_errno(err, "seccomp: exported BPF");
	bpf->data = xmalloc((size_t)st.st_size + 1);
	bpf->len = bpf->cap = (size_t)st.st_size;
	n = read_all(fd, bpf->data, bpf->len);
	if (n != (ssize_t)bpf->len)
		return ctr_errnum(err, n < 0 ? (int)n : EIO, "seccomp: read exported BPF");
	return 0;
}

/* Where each arch's syscall numbers end: above is another ABI (x32 on
 * x86_64, ARM's private calls) that the main program handles itself. */
struct arch_range {
	uint32_t arch;
	uint32_t end;
};

static const struct arch_range arch_ranges[] = {
    {SCMP_ARCH_X86_64, 0x40000000U}, {SCMP_ARCH_X86, UINT32_MAX},
    {SCMP_ARCH_AARCH64, UINT32_MAX}, {SCMP_ARCH_ARM, 0x0f0000U},
    {SCMP_ARCH_RISCV64, UINT32_MAX},
};

/* For one arch: numbers above what libseccomp knows, below the arch's
 * end, answer ENOSYS; everything else falls through to the next
 * instruction. Classic BPF only jumps forward and relative, so the
 * program this is put in front of runs unchanged. */
static void put_enosys_block(struct buf *out, uint32_t arch, uint32_t end, uint32_t highest)
{
	const struct sock_filter block[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, 4),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, end, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, highest, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};

	buf_put(out, block, sizeof(block));
}

static bool profile_has_arch(const struct spec_seccomp *s, uint32_t arch)
{
	if (arch == seccomp_arch_native())
		return true;
	for (size_t i = 0; i < s->n_archs; i++)
		if (s->archs[i] == arch)
			return true;
	return false;
}

/* libseccomp can only name the syscalls in its table; the kernel has
 * newer ones (fchmodat2, mseal, ...) that newer libcs try first and
 * give up on after anything but ENOSYS. */
static void prepend_enosys_for_unknown(const struct spec_seccomp *s, struct buf *bpf)
{
	struct buf out = {0};

	if (!process_seccomp_wants_enosys(s))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(arch_ranges); i++) {
		const struct arch_range *r = &arch_ranges[i];
		int highest;

		if (!profile_has_arch(s, r->arch))
			continue;
		highest = process_seccomp_highest_known(r->arch);
		if (highest >= 0)
			put_enosys_block(&out, r->arch, r->end, (uint32_t)highest);
	}
	buf_put(&out, bpf->data, bpf->len);
	buf_free(bpf);
	*bpf = out;
}

static int compile(const struct spec_seccomp *s, struct buf *bpf, struct ctr_error *err)
{
	scmp_filter_ctx ctx = NULL;
	int ret = process_seccomp_build(s, &ctx, err);

	if (ret < 0)
		return ret;
	ret = export_bpf(ctx, bpf, err);
	seccomp_release(ctx);
	if (ret >= 0)
		prepend_enosys_for_unknown(s, bpf);
	return ret;
}

/* A cache another user could write would let them choose our filter. */
static bool cache_dir_usable(const char *dir)
{
	struct stat st;

	if (mkdir_p(dir, 0700) < 0 || stat(dir, &st) < 0)
		return false;
	return S_ISDIR(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 022);
}

/* FNV-1a names the file; the full key stored in it decides a hit. */
static char *cache_path(const char *dir, const struct buf *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < key->len; i++)
		h = (h ^ (unsigned char)key->data[i]) * 0x100000001b3ULL;
	return xasprintf("%s/%016llx.bpf", dir, (unsigned long long)h);
}

/* File layout: u64 key length, key, program. */
static bool cache_read(const char *path, const struct buf *key, struct buf *bpf)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ char *data = NULL;
	size_t len = 0, head = sizeof(uint64_t) + key->len;
	uint64_t key_len;

	if (read_file_at(AT_FDCWD, path, &data, &len, &ignored) < 0 || len < head)
		return false;
	memcpy(&key_len, data, sizeof(key_len));
	if (key_len != key->len || memcmp(data + sizeof(key_len), key->data, key->len) != 0 ||
	    (len - head) % sizeof(struct sock_filter) != 0 || len == head)
		return false;
	buf_put(bpf, data + head, len - head);
	return true;
}

static void cache_write(const char *path, const struct buf *key, const struct buf *bpf)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct buf file = {0};

	buf_put_u64(&file, key->len);
	buf_put(&file, key->data, key->len);
	buf_put(&file, bpf->data, bpf->len);
	if (write_file_atomic_at(AT_FDCWD, path, file.data, file.len, 0600, &err) < 0)
		ctr_debug("seccomp cache not written: %s", err.msg);
	buf_free(&file);
}

struct seccomp_flag {
	unsigned int flag;
	const char *name;
};

/* The flags a profile may ask for, passed to seccomp(2) unchanged. */
static const struct seccomp_flag profile_flags[] = {
    {SECCOMP_FILTER_FLAG_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC"},
    {SECCOMP_FILTER_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG"},
    {SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"},
    {SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
};

static int kernel_flags(const struct spec_seccomp *s, bool notify, unsigned int *out,
			struct ctr_error *err)
{
	unsigned int unknown = s->flags;

	for (size_t i = 0; i < ARRAY_SIZE(profile_flags); i++)
		unknown &= ~profile_flags[i].flag;
	if (unknown)
		return ctr_error(err, EINVAL, "seccomp flags 0x%x: unknown", unknown);
	*out = s->flags;
	if (notify)
		*out |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	/* TSYNC reports a failing thread's id, which would collide with the
	 * listener fd as return value. */
	if (notify && (s->flags & SECCOMP_FILTER_FLAG_TSYNC))
		*out |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	return 0;
}

static bool uses_notify(const struct spec_seccomp *s)
{
	if (s->default_action == SCMP_ACT_NOTIFY)
		return true;
	for (size_t i = 0; i < s->n_rules; i++)
		if (s->rules[i].action == SCMP_ACT_NOTIFY)
			return true;
	return false;
}

static int connect_listener(const char *path, struct ctr_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int sock = -1;

	if (strlen(path) >= sizeof(addr.sun_path))
		return ctr_error(err, ENAMETOOLONG, "seccomp listener %s: path too long", path);
	strcpy(addr.sun_path, path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return ctr_errno(err, "seccomp listener socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return ctr_errno(err, "connect to seccomp listener %s", path);
	return steal_fd(sock);
}

/* runc's container process state, without "pid": in a pid namespace our
 * own number names another process on the host. The kernel translates
 * the SCM_CREDENTIALS pid for the listener instead. */
static char *notify_message(const struct spec_seccomp *s)
{
	json_object *msg = json_object_new_object();
	json_object *fds = json_object_new_array();
	char *text;

	json_object_array_add(fds, json_object_new_string("seccompFd"));
	json_object_object_add(msg, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(msg, "fds", fds);
	json_object_object_add(
	    msg, "metadata",
	    json_object_new_string(s->listener_metadata ? s->listener_metadata : ""));
	text = xstrdup(json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN));
	json_object_put(msg);
	return text;
}

static void put_cmsg(struct cmsghdr *cm, int type, const void *data, size_t len)
{
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), data, len);
}

static int send_notify_fd(int sock, const struct spec_seccomp *s, int notify_fd,
			  struct ctr_error *err)
{
	_cleanup_free_ char *text = notify_message(s);
	struct ucred cred = {.pid = getpid(), .uid = getuid(), .gid = getgid()};
	char control[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(cred))] = {0};
	struct iovec iov = {.iov_base = text, .iov_len = strlen(text)};
	struct msghdr mh = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control,
	    .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	put_cmsg(cm, SCM_RIGHTS, &notify_fd, sizeof(notify_fd));
	put_cmsg(CMSG_NXTHDR(&mh, cm), SCM_CREDENTIALS, &cred, sizeof(cred));
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		return ctr_errno(err, "send seccomp notify fd to %s", s->listener_path);
	return 0;
}

/* What process_seccomp_prepare compiled, and the listener it connected to
 * while the host's paths were still in view; the child of clone inherits
 * both. */
static struct {
	struct buf key;
	struct buf bpf;
	int listener; /* connected socket + 1, 0 = none */
} prepared;

static void prepared_clear(void)
{
	buf_free(&prepared.key);
	buf_free(&prepared.bpf);
	if (prepared.listener)
		close(prepared.listener - 1);
	prepared.listener = 0;
}

static int prepare_program(const struct spec_seccomp *s, const char *cache_dir,
			   struct ctr_error *err)
{
	_cleanup_free_ char *path = NULL;
	int ret;

	if (cache_dir && cache_dir_usable(cache_dir)) {
		path = cache_path(cache_dir, &prepared.key);
		if (cache_read(path, &prepared.key, &prepared.bpf))
			return 0;
	}
	ret = compile(s, &prepared.bpf, err);
	if (ret >= 0 && path)
		cache_write(path, &prepared.key, &prepared.bpf);
	return ret;
}

int process_seccomp_prepare(const struct spec_seccomp *s, const char *cache_dir,
			    struct ctr_error *err)
{
	int ret;

	prepared_clear();
	profile_key(s, &prepared.key);
	ret = prepare_program(s, cache_dir, err);
	if (ret >= 0 && uses_notify(s) && s->listener_path) {
		ret = connect_listener(s->listener_path, err);
		prepared.listener = ret + 1;
	}
	if (ret < 0) {
		prepared_clear();
		return ret;
	}
	return 0;
}

/* Returns the listener fd (close-on-exec) with NEW_LISTENER, else 0. */
static int install(const struct buf *bpf, unsigned int flags, struct ctr_error *err)
{
	struct sock_fprog prog = {
	    .len = (unsigned short)(bpf->len / sizeof(struct sock_filter)),
	    .filter = (struct sock_filter *)bpf->data,
	};
	long ret;

	if (bpf->len / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return ctr_error(err, E2BIG,
				 "seccomp filter of %zu instructions: over the kernel's %d",
				 bpf->len / sizeof(struct sock_filter), BPF_MAXINSNS);
	ret = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (ret < 0)
		return ctr_errno(err, "load seccomp filter");
	/* Plain TSYNC answers a positive thread id when that thread failed. */
	if (ret > 0 && !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return ctr_error(err, EAGAIN, "load seccomp filter: thread %ld not synchronized",
				 ret);
	return (int)ret;
}

/* The prepared program when it was compiled from an identical profile,
 * else one compiled now into *compiled. */
static int program_for(const struct spec_seccomp *s, struct buf *compiled, bool *is_prepared,
		       struct ctr_error *err)
{
	struct buf key = {0};

	profile_key(s, &key);
	*is_prepared = prepared.bpf.len && buf_equal(&prepared.key, key.data, key.len);
	buf_free(&key);
	return *is_prepared ? 0 : compile(s, compiled, err);
}

static int hand_to_listener(const struct spec_seccomp *s, bool is_prepared, int notify_fd,
			    struct ctr_error *err)
{
	_cleanup_close_ int own = -1;
	int sock;

	if (is_prepared && prepared.listener) {
		sock = prepared.listener - 1;
	} else {
		own = connect_listener(s->listener_path, err);
		if (own < 0)
			return own;
		sock = own;
	}
	return send_notify_fd(sock, s, notify_fd, err);
}

int process_seccomp_load(const struct spec_seccomp *s, struct ctr_error *err)
{
	struct buf compiled = {0};
	bool notify = uses_notify(s), is_prepared = false;
	unsigned int flags = 0;
	int ret, fd;

	/* Without a listener every notified syscall would hang forever. */
	if (notify && !s->listener_path)
		return ctr_error(err, EINVAL, "seccomp: SCMP_ACT_NOTIFY needs a listenerPath");
	ret = kernel_flags(s, notify, &flags, err);
	if (ret >= 0)
		ret = program_for(s, &compiled, &is_prepared, err);
	fd = ret < 0 ? ret : install(is_prepared ? &prepared.bpf : &compiled, flags, err);
	buf_free(&compiled);
	if (fd < 0 || !notify)
		return fd < 0 ? fd : 0;
	ret = hand_to_listener(s, is_prepared, fd, err);
	close(fd);
	return ret;
}
