// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hp_cc_impair: run a command while cc/tc_loss.bpf.c drops or CE-marks a deterministic, seeded
 * sequence of TCP data packets at tc egress of a device (the host kernel has no netem).
 *
 *   hp_cc_impair -d DEV [--ingress] (--every N | --ppm PPM [--seed S]) [--mark] [--skip K] --
 *		  CMD ARGS...
 *
 * Use --ingress on the receiver's device: a packet dropped at the sender's own egress is a local
 * transmit failure that TCP simply retries (no retransmission, no cwnd reaction), and GRO at the
 * receiver would merge packets before tc sees them, so tests turn GRO off there.
 * Attaches (clsact + cls_bpf in direct-action mode), runs CMD, waits for it, prints
 * "impair data_pkts=N hits=H not_ect=E" to stderr, detaches (removing the clsact qdisc only if
 * it created it) and exits with CMD's status. Run it in the device's network namespace.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "tc_loss.skel.h"

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dev", required_argument, NULL, 'd' }, { "every", required_argument, NULL, 'e' },
		{ "ppm", required_argument, NULL, 'p' }, { "seed", required_argument, NULL, 's' },
		{ "mark", no_argument, NULL, 'm' }, { "skip", required_argument, NULL, 'k' },
		{ "ingress", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, topts, .handle = 1, .priority = 1);
	unsigned long every = 0, ppm = 0, skip = 0, seed = 1;
	const char *dev = NULL;
	struct tc_loss *skel = NULL;
	bool mark = false, created = false;
	int c, rc = 1, status, err;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "+d:e:p:s:mk:i", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'e': every = strtoul(optarg, NULL, 0); break;
		case 'p': ppm = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'm': mark = true; break;
		case 'k': skip = strtoul(optarg, NULL, 0); break;
		case 'i': hook.attach_point = BPF_TC_INGRESS; break;
		default: goto usage;
		}
	}
	if (!dev || optind >= argc || (!every && !ppm) || ppm > 1000000)
		goto usage;
	hook.ifindex = if_nametoindex(dev);
	if (!hook.ifindex) {
		fprintf(stderr, "hp_cc_impair: no device %s in this network namespace\n", dev);
		return 1;
	}
	skel = tc_loss__open();
	if (!skel)
		goto fail;
	skel->rodata->mode = mark;
	skel->rodata->every_n = every;
	skel->rodata->ppm = ppm;
	skel->rodata->seed = seed;
	skel->rodata->skip = skip;
	if (tc_loss__load(skel))
		goto fail;
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		goto fail;
	created = !err;
	topts.prog_fd = bpf_program__fd(skel->progs.tc_loss);
	if (bpf_tc_attach(&hook, &topts))
		goto fail;

	pid = fork();
	if (pid == 0) {
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		goto fail;
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(stderr, "impair data_pkts=%llu hits=%llu not_ect=%llu\n",
		(unsigned long long)skel->bss->data_pkts, (unsigned long long)skel->bss->hits,
		(unsigned long long)skel->bss->not_ect);
	goto out;
fail:
	fprintf(stderr, "hp_cc_impair: setting up tc on %s failed: %s\n", dev, strerror(errno));
out:
	if (skel) {
		topts.prog_fd = topts.prog_id = topts.flags = 0;
		bpf_tc_detach(&hook, &topts);
		if (created) {
			/* both attach points: deletes the clsact qdisc, not only one side's
			 * filters */
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
		tc_loss__destroy(skel);
	}
	return rc;
usage:
	fprintf(stderr, "usage: hp_cc_impair -d DEV [--ingress] (--every N | --ppm PPM [--seed S]) "
		"[--mark] [--skip K] -- CMD ARGS...\n");
	return 2;
}
