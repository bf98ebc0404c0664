/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "runtime/state.h"
#include "runtime/util.h"

struct fixture {
	char tmp[64];
	char *root;
	struct state_store st;
};

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = xzalloc(sizeof(*f));
	struct ctr_error err = CTR_ERROR_INIT;

	strcpy(f->tmp, "/tmp/ctr-state-test.XXXXXX");
	assert_non_null(mkdtemp(f->tmp));
	f->root = xasprintf("%s/run/ctr-oci", f->tmp);
	assert_int_equal(state_store_open(f->root, true, &f->st, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	state_store_close(&f->st);
	nftw(f->tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->root);
	free(f);
	return 0;
}

static mode_t mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_mode & 07777;
}

static int create_container(struct fixture *f, const char *id)
{
	struct ctr_error err = CTR_ERROR_INIT;
	int fd = -1;

	assert_int_equal(state_create(&f->st, id, &fd, &err), 0);
	return fd;
}

/* A state with every field set, annotations included. */
static void fill_state(struct container_state *cs)
{
	static struct spec_kv annotations[] = {
	    {"io.kubernetes.cri.sandbox-id", "abc"},
	    {"org.example/empty", ""},
	};

	memset(cs, 0, sizeof(*cs));
	cs->id = "web";
	cs->pid = 4242;
	cs->start_time = (1ULL << 40) + 7;
	cs->bundle = "/var/lib/bundles/web";
	cs->rootfs = "/var/lib/bundles/web/rootfs";
	cs->cgroup_path = "/ctr/web";
	cs->created = "2026-11-22T00:45:17.123456789Z";
	cs->owner = "";
	cs->terminal = true;
	cs->systemd_cgroup = true;
	cs->annotations = annotations;
	cs->n_annotations = ARRAY_SIZE(annotations);
}

/* ---- store root and container directories ---- */

static void creates_root_and_container_dirs_with_mode_0700(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = create_container(f, "web");
	_cleanup_free_ char *dir = xasprintf("%s/web", f->root);

	assert_int_equal(mode_of(f->root), 0700);
	assert_int_equal(mode_of(dir), 0700);
}

static void opening_missing_root_without_create_fails(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *missing = xasprintf("%s/nope", f->tmp);
	struct ctr_error err = CTR_ERROR_INIT;
	struct state_store st;

	assert_int_equal(state_store_open(missing, false, &st, &err), -ENOENT);
	assert_non_null(strstr(err.msg, missing));
	assert_int_equal(st.dirfd, -1);
}

static void duplicate_create_says_container_already_exists(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = create_container(f, "web");
	struct ctr_error err = CTR_ERROR_INIT;
	int fd2 = -1;

	assert_int_equal(state_create(&f->st, "web", &fd2, &err), -EEXIST);
	assert_string_equal(err.msg, "container 'web' already exists");
	assert_int_equal(fd2, -1);
}

static void open_missing_container_uses_runc_wording(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	int fd = -1;

	assert_int_equal(state_open(&f->st, "ghost", &fd, &err), -ENOENT);
	assert_string_equal(err.msg, "container does not exist");
}

static void open_finds_created_container(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = create_container(f, "web");
	_cleanup_close_ int fd2 = -1;
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(state_open(&f->st, "web", &fd2, &err), 0);
	assert_true(fd2 >= 0);
	assert_true(fcntl(fd2, F_GETFD) & FD_CLOEXEC);
}

static void create_and_open_reject_invalid_ids(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	int fd = -1;

	assert_int_equal(state_create(&f->st, "../escape", &fd, &err), -EINVAL);
	assert_string_equal(err.msg, "invalid container id '../escape': must not contain '/'");
	assert_int_equal(state_open(&f->st, "..", &fd, &err), -EINVAL);
	assert_int_equal(fd, -1);
}

/* ---- state.json ---- */

static void save_and_load_round_trip_every_field(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = create_container(f, "web");
	struct ctr_error err = CTR_ERROR_INIT;
	struct container_state in, out;

	fill_state(&in);
	assert_int_equal(state_save(fd, &in, &err), 0);
	assert_int_equal(state_load(fd, &out, &err), 0);
	assert_string_equal(out.id, "web");
	assert_int_equal(out.pid, 4242);
	assert_true(out.start_time == (1ULL << 40) + 7);
	assert_string_equal(out.bundle, in.bundle);
	assert_string_equal(out.rootfs, in.rootfs);
	assert_string_equal(out.cgroup_path, "/ctr/web");
	assert_string_equal(out.created, in.created);
	assert_string_equal(out.owner, "");
	assert_true(out.terminal);
	assert_true(out.systemd_cgroup);
	assert_int_equal(out.n_annotations, 2);
	assert_string_equal(out.annotations[0].key, "io.kubernetes.cri.sandbox-id");
	assert_string_equal(out.annotations[0].value, "abc");
	assert_string_equal(out.annotations[1].key, "org.example/empty");
	assert_string_equal(out.annotations[1].value, "");
	container_state_free(&out);
}

static void round_trip_keeps_unset_fields_unset(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = create_container(f, "web");
	struct ctr_error err = CTR_ERROR_INIT;
	struct container_state in = {.id = "web"}, out;

	assert_int_equal(state_save(fd, &in, &err), 0);
	assert_int_equal(state_load(fd, &out, &err), 0);
	assert_string_equal(out.id, "web");
	assert_int_equal(out.pid, 0);
	assert_null(out.cgroup_path);
	assert_null(out.bundle);
	assert_false(out.terminal);
	assert_int_equal(out.n_annotations, 0);
	container_state_free(&out);
}

static size_t count_entries(int dirfd)
{
	DIR *d = fdopendir(openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void saving_leaves_only_the_state_file(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = create_container(f, "web");
	struct ctr_error err = CTR_ERROR_INIT;
	struct container_state cs;

	fill_state(&cs);
	for (int i = 0; i < 5; i++) {
		cs.pid = 100 + i;
		assert_int_equal(state_save(fd, &cs, &err), 0);
	}
	assert_int_equal(count_entries(fd), 1);
	assert_int_equal(faccessat(fd, "state.json", F_OK, 0), 0);
}

/* Rename semantics: a reader holding the old file sees it whole, and the
 * new content replaces it in one step. */
static void saving_replaces_the_file_instead_of_rewriting_it(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = create_container(f, "web");
	_cleanup_close_ int old = -1;
	struct ctr_error err = CTR_ERROR_INIT;
	struct container_state cs, out;
	char buf[8192];
	ssize_t n;

	fill_state(&cs);
	assert_int_equal(state_save(fd, &cs, &err), 0);
	old = openat(fd, "state.json", O_RDONLY | O_CLOEXEC);
	assert_true(old >= 0);
	cs.pid = 999;
	assert_int_equal(state_save(fd, &cs, &err), 0);
	n = read(old, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"pid\":4242"));
	assert_int_equal(state_load(fd, &out, &err), 0);
	assert_int_equal(out.pid, 999);
	container_state_free(&out);
}

static void load_without_state_file_returns_enoent(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = create_container(f, "web");
	struct ctr_error err = CTR_ERROR_INIT;
	struct container_state cs;

	assert_int_equal(state_load(fd, &cs, &err), -ENOENT);
	assert_null(cs.id);
}

static void load_rejects_corrupt_state_file(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = create_container(f, "web");
	struct ctr_error err = CTR_ERROR_INIT;
	struct container_state cs;
	static const char *const bad[] = {
	    "{\"format\":1,\"id\":",
	    "[1,2]",
	    "{\"format\":1,\"id\":\"web\",\"pid\":\"12\"}",
	    "{\"format\":1,\"id\":\"web\",\"pid\":-3}",
	    "{\"format\":1,\"pid\":3}",
	    "{\"format\":99,\"id\":\"web\"}",
	    "{\"format\":1,\"id\":\"web\",\"annotations\":{\"a\":1}}",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(
		    write_file_atomic_at(fd, "state.json", bad[i], strlen(bad[i]), 0600, &err), 0);
		ctr_error_clear(&err);
		assert_int_equal(state_load(fd, &cs, &err), -EINVAL);
		assert_true(str_has_prefix(err.msg, "load container state: state.json"));
		assert_null(cs.id);
	}
}

/* ---- ids ---- */

static void validates_ids(void **state)
{
	char long_id[1026];
	static const struct {
		const char *id;
		const char *msg; /* NULL: valid */
	} cases[] = {
	    {"web", NULL},
	    {"a", NULL},
	    {"A-Z_a.z+0-9", NULL},
	    {"...", NULL},
	    {".hidden", NULL},
	    {"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL},
	    {"a/b", "invalid container id 'a/b': must not contain '/'"},
	    {"..", "invalid container id '..': must not be '.' or '..'"},
	    {".", "invalid container id '.': must not be '.' or '..'"},
	    {"", "invalid container id '': must not be empty"},
	    {"my web", "invalid container id 'my web': must not contain ' '"},
	    {"a:b", "invalid container id 'a:b': must not contain ':'"},
	    {"tab\there", "invalid container id 'tab\there': must not contain byte 0x09"},
	    {"caf\xc3\xa9", "invalid container id 'caf\xc3\xa9': must not contain byte 0xc3"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ctr_error err = CTR_ERROR_INIT;
		int ret = state_validate_id(cases[i].id, &err);

		if (!cases[i].msg) {
			assert_int_equal(ret, 0);
			continue;
		}
		assert_int_equal(ret, -EINVAL);
		assert_string_equal(err.msg, cases[i].msg);
	}

	memset(long_id, 'x', sizeof(long_id));
	long_id[1024] = '\0';
	struct ctr_error err = CTR_ERROR_INIT;
	assert_int_equal(state_validate_id(long_id, &err), 0);
	long_id[1024] = 'x';
	long_id[1025] = '\0';
	assert_int_equal(state_validate_id(long_id, &err), -EINVAL);
	assert_true(str_has_prefix(err.msg, "invalid container id 'xxxx"));
	assert_non_null(strstr(err.msg, "...': longer than 1024 bytes"));
}

/* ---- listing and removal ---- */

static void list_is_sorted_and_holds_only_containers(void **state)
{
	struct fixture *f = *state;
	static const char *const ids[] = {"web", "db", "Cache", "app-2", "app-10"};
	static const char *const sorted[] = {"Cache", "app-10", "app-2", "db", "web"};
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_strv_ char **list = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		close(create_container(f, ids[i]));
	close(openat(f->st.dirfd, "stray-file", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	assert_int_equal(state_list(&f->st, &list, &err), 0);
	assert_int_equal(strv_len(list), ARRAY_SIZE(sorted));
	for (size_t i = 0; i < ARRAY_SIZE(sorted); i++)
		assert_string_equal(list[i], sorted[i]);
}

static void list_of_empty_store_is_empty(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_strv_ char **list = NULL;

	assert_int_equal(state_list(&f->st, &list, &err), 0);
	assert_non_null(list);
	assert_null(list[0]);
}

static void remove_deletes_directory_and_its_files(void **state)
{
	struct fixture *f = *state;
	int fd = create_container(f, "web");
	struct ctr_error err = CTR_ERROR_INIT;
	struct container_state cs;

	fill_state(&cs);
	assert_int_equal(state_save(fd, &cs, &err), 0);
	assert_int_equal(mkfifoat(fd, "exec.fifo", 0600), 0);
	close(openat(fd, "config.json", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	close(fd);
	assert_int_equal(state_remove(&f->st, "web", &err), 0);
	assert_int_equal(faccessat(f->st.dirfd, "web", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(errno, ENOENT);
	/* Again, once it is gone: still success. */
	assert_int_equal(state_remove(&f->st, "web", &err), 0);
}

/* ---- locking ---- */

/* In a child with its own open of the directory (flock belongs to the open
 * file description): can it take the lock without waiting? */
static bool child_can_lock(struct fixture *f, const char *id, int how)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct ctr_error err = CTR_ERROR_INIT;
		int fd = -1;

		if (state_open(&f->st, id, &fd, &err) < 0)
			_exit(2);
		_exit(flock(fd, how | LOCK_NB) == 0 ? 0 : errno == EWOULDBLOCK ? 1 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_true(WEXITSTATUS(status) <= 1);
	return WEXITSTATUS(status) == 0;
}

static void created_container_is_locked_until_closed(void **state)
{
	struct fixture *f = *state;
	int fd = create_container(f, "web");

	assert_false(child_can_lock(f, "web", LOCK_EX));
	assert_false(child_can_lock(f, "web", LOCK_SH));
	close(fd);
	assert_true(child_can_lock(f, "web", LOCK_EX));
}

static void shared_locks_coexist_and_exclude_writers(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_close_ int fd = -1;

	close(create_container(f, "web"));
	assert_int_equal(state_open(&f->st, "web", &fd, &err), 0);
	assert_int_equal(state_lock(fd, false, &err), 0);
	assert_true(child_can_lock(f, "web", LOCK_SH));
	assert_false(child_can_lock(f, "web", LOCK_EX));
}

/* ---- liveness ---- */

static void own_process_is_alive_with_its_start_time(void **state)
{
	struct container_state cs = {.pid = getpid()};

	assert_int_equal(proc_start_time(getpid(), &cs.start_time), 0);
	assert_true(state_process_alive(&cs));
}

static void wrong_start_time_means_not_alive(void **state)
{
	struct container_state cs = {.pid = getpid()};

	assert_int_equal(proc_start_time(getpid(), &cs.start_time), 0);
	cs.start_time += 1;
	assert_false(state_process_alive(&cs));
}

static void pid_zero_is_not_alive(void **state)
{
	struct container_state cs = {.pid = 0};

	assert_false(state_process_alive(&cs));
}

static void exited_child_is_not_alive_as_zombie_or_reaped(void **state)
{
	struct container_state cs;
	siginfo_t info;
	int pipefd[2];
	char c;

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	memset(&cs, 0, sizeof(cs));
	cs.pid = fork();
	assert_true(cs.pid >= 0);
	if (cs.pid == 0) {
		close(pipefd[1]);
		_exit(read(pipefd[0], &c, 1) == 0 ? 0 : 1);
	}
	close(pipefd[0]);
	assert_int_equal(proc_start_time(cs.pid, &cs.start_time), 0);
	assert_true(state_process_alive(&cs));
	close(pipefd[1]);
	/* Wait for the exit but leave the zombie in place. */
	assert_int_equal(waitid(P_PID, (id_t)cs.pid, &info, WEXITED | WNOWAIT), 0);
	assert_false(state_process_alive(&cs));
	assert_int_equal(waitpid(cs.pid, NULL, 0), cs.pid);
	assert_false(state_process_alive(&cs));
}

/* ---- the OCI state object ---- */

static const char *get_string(json_object *obj, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(obj, key, &v));
	assert_true(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

static void oci_json_has_runc_keys(void **state)
{
	struct container_state cs;
	_cleanup_free_ char *text = NULL;
	json_object *obj, *v;

	fill_state(&cs);
	text = state_to_oci_json(&cs, "running");
	obj = json_tokener_parse(text);
	assert_non_null(obj);
	assert_string_equal(get_string(obj, "ociVersion"), "1.0.2");
	assert_string_equal(get_string(obj, "id"), "web");
	assert_string_equal(get_string(obj, "status"), "running");
	assert_string_equal(get_string(obj, "bundle"), "/var/lib/bundles/web");
	assert_string_equal(get_string(obj, "rootfs"), "/var/lib/bundles/web/rootfs");
	assert_string_equal(get_string(obj, "created"), "2026-11-22T00:45:17.123456789Z");
	assert_string_equal(get_string(obj, "owner"), "");
	assert_true(json_object_object_get_ex(obj, "pid", &v));
	assert_int_equal(json_object_get_int(v), 4242);
	assert_true(json_object_object_get_ex(obj, "annotations", &v));
	assert_string_equal(get_string(v, "io.kubernetes.cri.sandbox-id"), "abc");
	assert_int_equal(json_object_object_length(obj), 9);
	json_object_put(obj);
	/* Printed like runc: two-space indent, "key": value, slashes as is. */
	assert_true(str_has_prefix(text, "{\n  \"ociVersion\": \"1.0.2\",\n  \"id\": \"web\","));
	assert_non_null(strstr(text, "\"bundle\": \"/var/lib/bundles/web\""));
}

static void oci_json_omits_pid_when_zero(void **state)
{
	struct container_state cs = {.id = "web"};
	_cleanup_free_ char *text = state_to_oci_json(&cs, "stopped");
	json_object *obj = json_tokener_parse(text);
	json_object *v;

	assert_non_null(obj);
	assert_false(json_object_object_get_ex(obj, "pid", &v));
	assert_string_equal(get_string(obj, "status"), "stopped");
	assert_string_equal(get_string(obj, "bundle"), "");
	assert_true(json_object_object_get_ex(obj, "annotations", &v));
	assert_int_equal(json_object_object_length(v), 0);
	assert_non_null(strstr(text, "\"annotations\": {}"));
	json_object_put(obj);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(creates_root_and_container_dirs_with_mode_0700),
	    T(opening_missing_root_without_create_fails),
	    T(duplicate_create_says_container_already_exists),
	    T(open_missing_container_uses_runc_wording),
	    T(open_finds_created_container),
	    T(create_and_open_reject_invalid_ids),
	    T(save_and_load_round_trip_every_field),
	    T(round_trip_keeps_unset_fields_unset),
	    T(saving_leaves_only_the_state_file),
	    T(saving_replaces_the_file_instead_of_rewriting_it),
	    T(load_without_state_file_returns_enoent),
	    T(load_rejects_corrupt_state_file),
	    cmocka_unit_test(validates_ids),
	    T(list_is_sorted_and_holds_only_containers),
	    T(list_of_empty_store_is_empty),
	    T(remove_deletes_directory_and_its_files),
	    T(created_container_is_locked_until_closed),
	    T(shared_locks_coexist_and_exclude_writers),
	    cmocka_unit_test(own_process_is_alive_with_its_start_time),
	    cmocka_unit_test(wrong_start_time_means_not_alive),
	    cmocka_unit_test(pid_zero_is_not_alive),
	    cmocka_unit_test(exited_child_is_not_alive_as_zombie_or_reaped),
	    cmocka_unit_test(oci_json_has_runc_keys),
	    cmocka_unit_test(oci_json_omits_pid_when_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
