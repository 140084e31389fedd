/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Internal to user/afxdp: how a socket gets its frames (prog.c). */
#ifndef HP_AFXDP_PRIV_H
#define HP_AFXDP_PRIV_H
#include <stdbool.h>
#include <hybridpath/xsk.h>

struct redir;
struct afxdp_delivery {
	bool steered;		/* in the steering program's xsks map */
	struct redir *redir;	/* else: our fallback program, shared per interface */
};

/* Make frames of the socket's queue reach it (see prog.c). 0 or -errno (message printed). */
int afxdp_deliver(struct hp_xsk *xsk, bool skb_mode, struct afxdp_delivery *d);
void afxdp_undeliver(struct afxdp_delivery *d);
#endif
