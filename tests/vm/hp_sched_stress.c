// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hp_sched_stress: workloads for the scheduler tests and benchmarks in the guest.
 *
 *	hp_sched_stress stress SECONDS        CPU hogs + fork/exit + pipe ping-pong, all bounded
 *	hp_sched_stress messaging GROUPS LOOPS hackbench-style: per group 10 senders, 10 receivers,
 *	                                       every sender writes LOOPS 100-byte messages to every
 *	                                       receiver over pipes; prints "messages_per_sec N"
 *	hp_sched_stress busy SECONDS          one busy thread; prints "tid N" first
 *	hp_sched_stress poller SECONDS PERIOD_US [HOGS]
 *	                                       a thread that wakes every PERIOD_US (absolute deadline)
 *	                                       and records how late it woke, with HOGS CPU hogs as
 *	                                       noise; prints "tid N" first, then "p50_us p99_us max_us"
 *	                                       (the poller waits for a line on stdin before measuring,
 *	                                       so the caller can register its tid first)
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile int done;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *hog(void *arg)
{
	volatile unsigned long x = 0;

	(void)arg;
	while (!done)
		x++;
	return NULL;
}

static void *pingpong(void *arg)
{
	int a[2], b[2];
	char c = 0;
	pid_t pid;
	long n = 0;

	(void)arg;
	if (pipe(a) || pipe(b))
		return NULL;
	pid = fork();
	if (pid == 0) {
		/* child: echo until it reads the stop byte (other forks hold copies of the
		 * write end, so EOF would never come) */
		while (read(a[0], &c, 1) == 1 && c != 1)
			if (write(b[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	while (!done && pid > 0) {
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			break;
		n++;
	}
	c = 1;
	if (write(a[1], &c, 1) != 1)
		kill(pid, SIGKILL);
	close(a[1]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(a[0]); close(b[0]); close(b[1]);
	return (void *)n;
}

static void *forker(void *arg)
{
	long n = 0;
	pid_t pid;

	(void)arg;
	while (!done) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0)
			break;
		waitpid(pid, NULL, 0);
		n++;
	}
	return (void *)n;
}

static int stress(int secs)
{
	pthread_t t[6];
	void *r;
	long pp = 0, forks = 0;
	int i;

	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, hog, NULL);
	pthread_create(&t[2], NULL, pingpong, NULL);
	pthread_create(&t[3], NULL, pingpong, NULL);
	pthread_create(&t[4], NULL, forker, NULL);
	pthread_create(&t[5], NULL, forker, NULL);
	sleep(secs);
	done = 1;
	for (i = 0; i < 6; i++) {
		pthread_join(t[i], &r);
		if (i == 2 || i == 3)
			pp += (long)r;
		if (i >= 4)
			forks += (long)r;
	}
	printf("stress %d s: %ld pipe round trips, %ld forks\n", secs, pp, forks);
	/* Fails if a part of the workload made no progress at all (something starved). */
	return pp > 0 && forks > 0 ? 0 : 1;
}

#define MSG_SZ 100
#define NR_FDS 10

/* One hackbench-style group: NR_FDS receiver processes, NR_FDS sender processes. */
static int messaging(int groups, int loops)
{
	int fds[64][NR_FDS][2], g, i, j, status, ok = 1;
	pid_t pids[64 * NR_FDS * 2];
	int np = 0, ready[2];
	char buf[MSG_SZ] = { 0 }, go;
	double t0, t1;

	if (groups < 1 || groups > 64)
		return 2;
	if (pipe(ready))
		return 1;
	for (g = 0; g < groups; g++) {
		for (i = 0; i < NR_FDS; i++) {
			if (pipe(fds[g][i]))
				return 1;
			pid_t p = fork();
			if (p == 0) {	/* receiver i: reads loops * NR_FDS messages */
				long want = (long)loops * NR_FDS * MSG_SZ, got = 0, n;

				close(ready[1]);
				while (got < want) {
					n = read(fds[g][i][0], buf, MSG_SZ);
					if (n <= 0)
						_exit(1);
					got += n;
				}
				_exit(0);
			}
			pids[np++] = p;
		}
		for (i = 0; i < NR_FDS; i++) {
			pid_t p = fork();
			if (p == 0) {	/* sender: waits for go, then loops over receivers */
				close(ready[1]);
				if (read(ready[0], &go, 1) < 0)
					_exit(1);
				for (j = 0; j < loops; j++) {
					int k;

					for (k = 0; k < NR_FDS; k++)
						if (write(fds[g][k][1], buf, MSG_SZ) != MSG_SZ)
							_exit(1);
				}
				_exit(0);
			}
			pids[np++] = p;
		}
	}
	t0 = now();
	close(ready[1]);	/* EOF on ready releases every sender at once */
	for (i = 0; i < np; i++) {
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			ok = 0;
	}
	t1 = now();
	printf("messaging groups %d loops %d: %.3f s\nmessages_per_sec %.0f\n", groups, loops,
	       t1 - t0, groups * NR_FDS * NR_FDS * (double)loops / (t1 - t0));
	return ok ? 0 : 1;
}

static int busy(int secs)
{
	double end = now() + secs;
	volatile unsigned long x = 0;

	printf("tid %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	while (now() < end)
		x++;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int poller(int secs, int period_us, int hogs)
{
	pthread_t t[16];
	struct timespec next;
	double *late, wake, deadline;
	long n = 0, max = (long)secs * 1000000 / period_us + 1;
	char line[16];
	int i;

	if (hogs > 16 || period_us < 100)
		return 2;
	late = calloc(max, sizeof(*late));
	if (!late)
		return 1;
	printf("tid %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	/* wait for the caller to register us (bounded: at most 30 s) */
	alarm(30);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	alarm(0);
	for (i = 0; i < hogs; i++)
		pthread_create(&t[i], NULL, hog, NULL);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (n < max) {
		next.tv_nsec += period_us * 1000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		wake = now();
		deadline = next.tv_sec + next.tv_nsec / 1e9;
		late[n++] = (wake - deadline) * 1e6;
	}
	done = 1;
	for (i = 0; i < hogs; i++)
		pthread_join(t[i], NULL);
	qsort(late, n, sizeof(*late), cmp_double);
	printf("samples %ld p50_us %.1f p99_us %.1f max_us %.1f\n", n, late[n / 2],
	       late[n * 99 / 100], late[n - 1]);
	free(late);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 3 && !strcmp(argv[1], "stress"))
		return stress(atoi(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "messaging"))
		return messaging(atoi(argv[2]), atoi(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "busy"))
		return busy(atoi(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "poller"))
		return poller(atoi(argv[2]), atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 0);
	fprintf(stderr, "usage: hp_sched_stress stress SECONDS | messaging GROUPS LOOPS | "
		"busy SECONDS | poller SECONDS PERIOD_US [HOGS]\n");
	return 2;
}
