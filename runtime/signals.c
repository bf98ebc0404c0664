/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * signals.c - signal names <-> numbers, as `kill` and the OCI front end
 * accept them: "KILL", "SIGKILL", "kill", "9", "RTMIN+3", "SIGRTMAX-2".
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "signals.h"
#include "util.h"

struct signal_entry {
	const char *name; /* "SIGHUP"; matched without its prefix */
	int sig;
};

/* The first entry for a number is its canonical name; aliases follow. */
static const struct signal_entry signal_table[] = {
    {"SIGHUP", SIGHUP},	  {"SIGINT", SIGINT},	    {"SIGQUIT", SIGQUIT}, {"SIGILL", SIGILL},
    {"SIGTRAP", SIGTRAP}, {"SIGABRT", SIGABRT},	    {"SIGBUS", SIGBUS},	  {"SIGFPE", SIGFPE},
    {"SIGKILL", SIGKILL}, {"SIGUSR1", SIGUSR1},	    {"SIGSEGV", SIGSEGV}, {"SIGUSR2", SIGUSR2},
    {"SIGPIPE", SIGPIPE}, {"SIGALRM", SIGALRM},	    {"SIGTERM", SIGTERM}, {"SIGSTKFLT", SIGSTKFLT},
    {"SIGCHLD", SIGCHLD}, {"SIGCONT", SIGCONT},	    {"SIGSTOP", SIGSTOP}, {"SIGTSTP", SIGTSTP},
    {"SIGTTIN", SIGTTIN}, {"SIGTTOU", SIGTTOU},	    {"SIGURG", SIGURG},	  {"SIGXCPU", SIGXCPU},
    {"SIGXFSZ", SIGXFSZ}, {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF}, {"SIGWINCH", SIGWINCH},
    {"SIGIO", SIGIO},	  {"SIGPWR", SIGPWR},	    {"SIGSYS", SIGSYS},	  {"SIGIOT", SIGIOT},
    {"SIGPOLL", SIGPOLL}, {"SIGCLD", SIGCHLD},
};

/* Static names for the real-time range, so signal_name never allocates.
 * glibc reserves 32 and 33 for itself; SIGRTMIN is 34 there. */
static const char *const rt_names[] = {
    "SIGRTMIN",	   "SIGRTMIN+1",  "SIGRTMIN+2",	 "SIGRTMIN+3",	"SIGRTMIN+4",  "SIGRTMIN+5",
    "SIGRTMIN+6",  "SIGRTMIN+7",  "SIGRTMIN+8",	 "SIGRTMIN+9",	"SIGRTMIN+10", "SIGRTMIN+11",
    "SIGRTMIN+12", "SIGRTMIN+13", "SIGRTMIN+14", "SIGRTMIN+15", "SIGRTMIN+16", "SIGRTMIN+17",
    "SIGRTMIN+18", "SIGRTMIN+19", "SIGRTMIN+20", "SIGRTMIN+21", "SIGRTMIN+22", "SIGRTMIN+23",
    "SIGRTMIN+24", "SIGRTMIN+25", "SIGRTMIN+26", "SIGRTMIN+27", "SIGRTMIN+28", "SIGRTMIN+29",
    "SIGRTMIN+30", "SIGRTMIN+31", "SIGRTMIN+32",
};
static const char *const reserved_names[] = {"SIG32", "SIG33"};

/* "RTMIN", "RTMIN+3", "RTMAX-2" (after the optional SIG prefix). */
static int parse_realtime(const char *s)
{
	int base, sign, sig;
	uint64_t off = 0;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		sign = 1;
	} else if (strncasecmp(s, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		sign = -1;
	} else {
		return -EINVAL;
	}
	s += 5;
	if (*s) {
		if (*s != (sign > 0 ? '+' : '-') || parse_u64(s + 1, &off) < 0 || off > 64)
			return -EINVAL;
	}
	sig = base + sign * (int)off;
	if (sig < SIGRTMIN || sig > SIGRTMAX)
		return -EINVAL;
	return sig;
}

int signal_parse(const char *s)
{
	uint64_t num;

	if (!s || !*s)
		return -EINVAL;
	/* "SIG32" is how signal_name spells the numbers glibc keeps for itself. */
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (s[0] >= '0' && s[0] <= '9') {
		if (parse_u64(s, &num) < 0 || num < 1 || num > (uint64_t)SIGRTMAX)
			return -EINVAL;
		return (int)num;
	}
	for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
		if (strcasecmp(s, signal_table[i].name + 3) == 0)
			return signal_table[i].sig;
	return parse_realtime(s);
}

const char *signal_name(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
		if (signal_table[i].sig == sig)
			return signal_table[i].name;
	if (sig >= SIGRTMIN && sig <= SIGRTMAX && (size_t)(sig - SIGRTMIN) < ARRAY_SIZE(rt_names))
		return rt_names[sig - SIGRTMIN];
	if (sig >= 32 && sig < SIGRTMIN && (size_t)(sig - 32) < ARRAY_SIZE(reserved_names))
		return reserved_names[sig - 32];
	return NULL;
}
