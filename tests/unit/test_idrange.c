/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests of rootfs/idrange.c: subordinate id files, per-container blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "rootfs/idrange.h"
#include "store_test_helpers.h"

struct fixture {
	struct store_fixture s;
	char subuid[128], subgid[128];
	struct idrange_files files;
};

static void write_file(const char *path, const char *text)
{
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(write_file_atomic_at(AT_FDCWD, path, text, strlen(text), 0644, &err), 0);
}

static char *slurp(const char *path)
{
	struct ctr_error err = CTR_ERROR_INIT;
	char *text = NULL;
	size_t len;

	assert_int_equal(read_file_at(AT_FDCWD, path, &text, &len, &err), 0);
	return text;
}

/* Root owns 4 blocks: the shared one and 3 for isolated containers. */
static int setup(void **state)
{
	void *sf = NULL;
	struct fixture *f;

	if (store_fixture_setup(&sf) < 0)
		return -1;
	f = xzalloc(sizeof(*f));
	f->s = *(struct store_fixture *)sf;
	free(sf);
	snprintf(f->subuid, sizeof(f->subuid), "%s/subuid", f->s.dir);
	snprintf(f->subgid, sizeof(f->subgid), "%s/subgid", f->s.dir);
	write_file(f->subuid, "alice:100000:65536\nroot:1000000:262144\n");
	write_file(f->subgid, "root:2000000:262144\n");
	f->files = (struct idrange_files){f->subuid, f->subgid};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	void *sf = xmalloc(sizeof(struct store_fixture));

	memcpy(sf, &f->s, sizeof(f->s));
	/* The fixture's store must be closed through its own copy. */
	store_fixture_teardown(&sf);
	free(f);
	return 0;
}

static struct idrange_alloc must_allocate(struct fixture *f, const char *name,
					  enum idrange_kind kind)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct idrange_alloc a;

	if (idrange_allocate(&f->s.st, name, kind, &f->files, &a, &err) < 0)
		fail_msg("allocate %s: %s", name, err.msg);
	return a;
}

static void parse_reads_root_entries_and_skips_others(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct idrange *r = NULL;
	size_t n = 0;
	(void)state;

	assert_int_equal(idrange_parse("# comment\nalice:100000:65536\n\nroot:1000000:65536\n"
				       "0:5000000:131072\nbob:1:2\n",
				       "subuid", &r, &n, &err),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].start, 1000000);
	assert_int_equal(r[0].count, 65536);
	assert_int_equal(r[1].start, 5000000);
	assert_int_equal(r[1].count, 131072);
	free(r);
}

static void parse_rejects_malformed_root_entry_naming_its_line(void **state)
{
	static const char *const bad[] = {"root:1000000\n", "root:x:65536\n", "root:1:0\n",
					  "root:4294967295:2\n", "root:1:2:3\n"};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct ctr_error err = CTR_ERROR_INIT;
		struct idrange *r = NULL;
		size_t n = 0;
		_cleanup_free_ char *text = xasprintf("alice:1:2\n%s", bad[i]);

		assert_int_equal(idrange_parse(text, "subuid", &r, &n, &err), -EINVAL);
		assert_string_equal(err.msg, "subuid:2: expected root:START:COUNT");
	}
}

static void read_subid_appends_root_entry_keeping_other_lines(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	struct idrange *r = NULL;
	size_t n = 0;

	write_file(f->subuid, "alice:100000:65536"); /* no final newline */
	assert_int_equal(idrange_read_subid(f->subuid, &r, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].start, IDRANGE_DEFAULT_START);
	assert_int_equal(r[0].count, IDRANGE_DEFAULT_COUNT);
	free(r);
	_cleanup_free_ char *text = slurp(f->subuid);
	assert_string_equal(text, "alice:100000:65536\nroot:1000000:1000000000\n");
}

static void read_subid_creates_a_missing_file(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	struct idrange *r = NULL;
	size_t n = 0;

	unlink(f->subgid);
	assert_int_equal(idrange_read_subid(f->subgid, &r, &n, &err), 0);
	assert_int_equal(n, 1);
	free(r);
	_cleanup_free_ char *text = slurp(f->subgid);
	assert_string_equal(text, "root:1000000:1000000000\n");
}

static void read_subid_leaves_a_file_with_a_root_entry_alone(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	struct idrange *r = NULL;
	size_t n = 0;

	assert_int_equal(idrange_read_subid(f->subuid, &r, &n, &err), 0);
	free(r);
	_cleanup_free_ char *text = slurp(f->subuid);
	assert_string_equal(text, "alice:100000:65536\nroot:1000000:262144\n");
}

static void isolated_containers_get_disjoint_blocks_after_the_shared_one(void **state)
{
	struct fixture *f = *state;
	struct idrange_alloc a = must_allocate(f, "a", IDRANGE_ISOLATED);
	struct idrange_alloc b = must_allocate(f, "b", IDRANGE_ISOLATED);

	assert_int_equal(a.uid, 1000000 + 65536);
	assert_int_equal(a.gid, 2000000 + 65536);
	assert_int_equal(a.size, 65536);
	assert_int_equal(b.uid, 1000000 + 2 * 65536);
	assert_int_equal(b.gid, 2000000 + 2 * 65536);
}

static void shared_containers_have_the_first_block_in_common(void **state)
{
	struct fixture *f = *state;
	struct idrange_alloc a = must_allocate(f, "a", IDRANGE_SHARED);
	struct idrange_alloc b = must_allocate(f, "b", IDRANGE_SHARED);
	struct idrange_alloc c = must_allocate(f, "c", IDRANGE_ISOLATED);

	assert_int_equal(a.uid, 1000000);
	assert_int_equal(b.uid, 1000000);
	assert_int_equal(b.gid, 2000000);
	assert_int_equal(b.kind, IDRANGE_SHARED);
	assert_int_equal(c.uid, 1000000 + 65536);
}

static void a_container_gets_its_range_back_on_the_next_start(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	struct idrange_alloc first = must_allocate(f, "a", IDRANGE_ISOLATED);
	struct idrange_alloc again, found;

	must_allocate(f, "b", IDRANGE_ISOLATED);
	/* A new store handle: what counts is what was written. */
	store_close(&f->s.st);
	assert_int_equal(store_open(f->s.root, false, &f->s.st, &err), 0);
	again = must_allocate(f, "a", IDRANGE_ISOLATED);
	assert_memory_equal(&first, &again, sizeof(first));
	assert_int_equal(idrange_lookup(&f->s.st, "a", &found, &err), 0);
	assert_memory_equal(&first, &found, sizeof(first));
}

static void exhaustion_is_enospc_and_release_makes_room(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	struct idrange_alloc a, d;

	must_allocate(f, "a", IDRANGE_ISOLATED);
	struct idrange_alloc b = must_allocate(f, "b", IDRANGE_ISOLATED);
	must_allocate(f, "c", IDRANGE_ISOLATED);
	assert_int_equal(idrange_allocate(&f->s.st, "d", IDRANGE_ISOLATED, &f->files, &a, &err),
			 -ENOSPC);
	assert_non_null(strstr(err.msg, "no free range of 65536 ids"));
	ctr_error_clear(&err);
	assert_int_equal(idrange_release(&f->s.st, "b", &err), 0);
	assert_int_equal(idrange_lookup(&f->s.st, "b", &a, &err), -ENOENT);
	ctr_error_clear(&err);
	d = must_allocate(f, "d", IDRANGE_ISOLATED);
	assert_int_equal(d.uid, b.uid);
	/* Releasing what is not held is fine. */
	assert_int_equal(idrange_release(&f->s.st, "nobody", &err), 0);
}

static void changing_kind_gives_the_old_range_back(void **state)
{
	struct fixture *f = *state;
	struct idrange_alloc a = must_allocate(f, "a", IDRANGE_ISOLATED);
	struct idrange_alloc s = must_allocate(f, "a", IDRANGE_SHARED);
	struct idrange_alloc b = must_allocate(f, "b", IDRANGE_ISOLATED);

	assert_int_equal(s.uid, 1000000);
	assert_int_equal(b.uid, a.uid);
}

static void claim_records_a_free_range_and_refuses_a_held_one(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	struct idrange_alloc a = must_allocate(f, "a", IDRANGE_ISOLATED);
	struct idrange_alloc want = {IDRANGE_ISOLATED, a.uid + 100, 3000000, 65536};
	struct idrange_alloc mine = {IDRANGE_ISOLATED, 1000000 + 3 * 65536, 2000000 + 3 * 65536,
				     65536};
	struct idrange_alloc got;

	assert_int_equal(idrange_claim(&f->s.st, "b", &want, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "container 'a'"));
	ctr_error_clear(&err);
	assert_int_equal(idrange_claim(&f->s.st, "b", &mine, &err), 0);
	assert_int_equal(idrange_claim(&f->s.st, "b", &mine, &err), 0);
	assert_int_equal(idrange_lookup(&f->s.st, "b", &got, &err), 0);
	assert_memory_equal(&got, &mine, sizeof(got));
	/* The next allocation steps around the claimed block. */
	assert_int_equal(idrange_allocate(&f->s.st, "c", IDRANGE_ISOLATED, &f->files, &got, &err),
			 0);
	assert_int_equal(got.uid, 1000000 + 2 * 65536);
	assert_int_equal(idrange_allocate(&f->s.st, "d", IDRANGE_ISOLATED, &f->files, &got, &err),
			 -ENOSPC);
}

static void concurrent_allocations_never_share_a_block(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	enum { N = 6 };
	pid_t pids[N];
	uint32_t seen[N];

	write_file(f->subuid, "root:1000000:1000000000\n");
	write_file(f->subgid, "root:1000000:1000000000\n");
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct store st;
			struct idrange_alloc a;
			char name[16];
			int ok;

			snprintf(name, sizeof(name), "c%d", i);
			ok =
			    store_open(f->s.root, false, &st, &err) == 0 &&
			    idrange_allocate(&st, name, IDRANGE_ISOLATED, &f->files, &a, &err) == 0;
			_exit(ok ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int status;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	for (int i = 0; i < N; i++) {
		struct idrange_alloc a;
		char name[16];

		snprintf(name, sizeof(name), "c%d", i);
		assert_int_equal(idrange_lookup(&f->s.st, name, &a, &err), 0);
		seen[i] = a.uid;
		assert_true(a.uid >= 1000000 + 65536);
		for (int j = 0; j < i; j++)
			assert_true(seen[j] != seen[i]);
	}
}

static void a_corrupt_record_file_is_an_error_not_a_reset(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	struct idrange_alloc a;
	_cleanup_free_ char *path = xasprintf("%s/idranges", f->s.root);

	write_file(path, "a isolated 1065536 2065536 65536\nb strange 1 2 3\n");
	assert_int_equal(idrange_allocate(&f->s.st, "c", IDRANGE_ISOLATED, &f->files, &a, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "idranges:2: corrupt id range record"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_reads_root_entries_and_skips_others),
	    cmocka_unit_test(parse_rejects_malformed_root_entry_naming_its_line),
	    cmocka_unit_test_setup_teardown(read_subid_appends_root_entry_keeping_other_lines,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(read_subid_creates_a_missing_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(read_subid_leaves_a_file_with_a_root_entry_alone, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		isolated_containers_get_disjoint_blocks_after_the_shared_one, setup, teardown),
	    cmocka_unit_test_setup_teardown(shared_containers_have_the_first_block_in_common, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(a_container_gets_its_range_back_on_the_next_start,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(exhaustion_is_enospc_and_release_makes_room, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(changing_kind_gives_the_old_range_back, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(claim_records_a_free_range_and_refuses_a_held_one,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(concurrent_allocations_never_share_a_block, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(a_corrupt_record_file_is_an_error_not_a_reset, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
