/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Frame builder and steering-program harness shared by the test_steer*.c unit tests: the real
 * steer.bpf.c skeleton, loaded into the kernel and run with BPF_PROG_RUN.
 */
#ifndef HP_TEST_STEER_PKT_H
#define HP_TEST_STEER_PKT_H

#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <hybridpath/steer.h>
#include "steer.skel.h"

#define PKT_MAX 1600

struct pkt_spec {
	int nvlan;		/* 0..3 tags */
	__u16 vlan_tpid[3];
	__u16 vid[3];
	__u16 ethertype;	/* 0: from l3 */
	int l3;			/* 4, 6 or 0 */
	int ip_optlen;		/* IPv4 options, multiple of 4 */
	__u16 frag;		/* IPv4 frag field (flags|offset) */
	__u8 ext[12];		/* IPv6 extension header chain */
	int next;
	__u16 ext_fragoff;	/* IPv6 fragment header offset field (offset << 3 | M) */
	__u8 proto;
	__u8 src[16], dst[16];
	__u16 sport, dport;
	int payload;
	int tcp_doff;		/* 0: 5 */
};

/* Build the frame; returns its length. */
static inline int pkt_build(const struct pkt_spec *s, __u8 *b)
{
	int off = 12, i, l3off, l4off, plen;
	__u16 et;

	memset(b, 0, PKT_MAX);
	for (i = 0; i < 6; i++) {
		b[i] = 0x02;		/* dst 02:02:02:02:02:02 */
		b[6 + i] = 0x0a + i;	/* src 0a:0b:0c:0d:0e:0f */
	}
	for (i = 0; i < s->nvlan; i++) {
		__u16 tpid = s->vlan_tpid[i] ? s->vlan_tpid[i] : (i == 0 && s->nvlan > 1 ? 0x88a8 :
									0x8100);
		b[off] = tpid >> 8;
		b[off + 1] = tpid;
		b[off + 2] = s->vid[i] >> 8;
		b[off + 3] = s->vid[i];
		off += 4;
	}
	et = s->ethertype ? s->ethertype : s->l3 == 4 ? 0x0800 : s->l3 == 6 ? 0x86dd : 0x0806;
	b[off] = et >> 8;
	b[off + 1] = et;
	off += 2;
	l3off = off;
	if (s->l3 == 4) {
		int ihl = 20 + s->ip_optlen;

		b[off] = 0x40 | (ihl / 4);
		b[off + 6] = s->frag >> 8;
		b[off + 7] = s->frag;
		b[off + 8] = 64;
		b[off + 9] = s->proto;
		memcpy(b + off + 12, s->src, 4);
		memcpy(b + off + 16, s->dst, 4);
		for (i = 0; i < s->ip_optlen; i++)
			b[off + 20 + i] = 1;	/* NOP options */
		off += ihl;
	} else if (s->l3 == 6) {
		__u8 *nhp;

		b[off] = 0x60;
		b[off + 7] = 64;
		memcpy(b + off + 8, s->src, 16);
		memcpy(b + off + 24, s->dst, 16);
		nhp = &b[off + 6];
		off += 40;
		for (i = 0; i < s->next; i++) {
			*nhp = s->ext[i];
			nhp = &b[off];
			if (s->ext[i] == 44) {
				b[off + 2] = s->ext_fragoff >> 8;
				b[off + 3] = s->ext_fragoff;
				off += 8;
			} else if (s->ext[i] == 51) {
				b[off + 1] = 2;		/* (2 + 2) * 4 = 16 bytes */
				off += 16;
			} else {
				b[off + 1] = 1;		/* (1 + 1) * 8 = 16 bytes */
				b[off + 2] = 1;		/* PadN */
				b[off + 3] = 12;
				off += 16;
			}
		}
		*nhp = s->proto;
	}
	l4off = off;
	if (s->l3 && !(s->l3 == 4 && (s->frag & 0x1fff))) {
		if (s->proto == 6) {
			int doff = s->tcp_doff ? s->tcp_doff : 5;

			b[off] = s->sport >> 8;
			b[off + 1] = s->sport;
			b[off + 2] = s->dport >> 8;
			b[off + 3] = s->dport;
			b[off + 12] = doff << 4;
			off += doff * 4 > 20 ? doff * 4 : 20;
		} else if (s->proto == 17) {
			b[off] = s->sport >> 8;
			b[off + 1] = s->sport;
			b[off + 2] = s->dport >> 8;
			b[off + 3] = s->dport;
			off += 8;
		} else if (s->proto == 1 || s->proto == 58) {
			b[off] = 8;	/* echo request */
			off += 8;
		}
	}
	for (i = 0; i < s->payload && off < PKT_MAX; i++)
		b[off++] = i;
	plen = off - l3off;
	if (s->l3 == 4) {
		b[l3off + 2] = plen >> 8;
		b[l3off + 3] = plen;
	} else if (s->l3 == 6) {
		b[l3off + 4] = (plen - 40) >> 8;
		b[l3off + 5] = plen - 40;
	}
	(void)l4off;
	return off;
}

static inline void maps_of(struct steer *skel, struct hp_steer_maps *m)
{
	m->rules = bpf_map__fd(skel->maps.rules);
	m->tuples = bpf_map__fd(skel->maps.tuples);
	m->order = bpf_map__fd(skel->maps.order);
	m->flows = bpf_map__fd(skel->maps.flows);
	m->rule_cnt = bpf_map__fd(skel->maps.rule_cnt);
	m->act_cnt = bpf_map__fd(skel->maps.act_cnt);
	m->config = bpf_map__fd(skel->maps.config);
	m->xsks = bpf_map__fd(skel->maps.xsks);
}

/* Run one frame through prog; returns the XDP verdict or -errno. out may be NULL. */
static inline int pkt_run(int prog_fd, const void *pkt, int len, void *out, __u32 *out_len)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = 1, .rx_queue_index = 0 };
	__u8 buf[PKT_MAX + 64];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .data_out = out ? out : buf, .data_size_out = PKT_MAX + 64,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(prog_fd, &o);
	if (err)
		return -errno;
	if (out_len)
		*out_len = o.data_size_out;
	return o.retval;
}

static inline int set_default(struct steer *skel, __u32 action)
{
	struct hp_config c = { .default_action = action };
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(skel->maps.config), &zero, &c, BPF_ANY) ? -errno : 0;
}

static inline int add_rule_str(struct hp_ruleset *rs, const char *text, __u32 *id)
{
	char buf[256], *argv[32], err[256], *save = NULL, *t;
	struct hp_rule r;
	int argc = 0, rc;

	snprintf(buf, sizeof(buf), "%s", text);
	for (t = strtok_r(buf, " ", &save); t && argc < 32; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	rc = hp_rule_parse(argc, argv, &r, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "rule '%s': %s\n", text, err);
		return rc;
	}
	rc = hp_ruleset_add(rs, &r, id);
	if (rc)
		fprintf(stderr, "rule '%s': %s\n", text, hp_ruleset_errmsg(rs));
	return rc;
}

static inline __u32 v4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static inline void addr(int l3, const char *s, __u8 *out)
{
	memset(out, 0, 16);
	inet_pton(l3 == 4 ? AF_INET : AF_INET6, s, out);
}

#endif
