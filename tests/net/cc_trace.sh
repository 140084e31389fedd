# cc_trace_summary TRACE: reads a hp_cc_xfer trace ("t_us cwnd ssthresh srtt_us total_retrans
# ca_state") and prints "events=N beta=MEDIAN grow=FRACTION mean_cwnd=M":
#  - an event is a sample where total_retrans rose and ssthresh changed (a loss reduction);
#  - beta is ssthresh after the event / cwnd of the sample before it (CUBIC: 0.7, Reno: 0.5);
#  - grow is the fraction of inter-event epochs (>= 3 samples) in which cwnd rose above the
#    ssthresh the event set, i.e. cwnd grew again after the cut.
cc_trace_summary() {
	local betas
	betas=$(awk 'NR > 1 && $5 > pr && $3 != ps && $3 < 2147483647 && pc > 0 {
			printf "%.4f\n", $3 / pc }
		{ pc = $2; pr = $5; ps = $3 }' "$1" | sort -n)
	awk -v betas="$(echo $betas)" '
	BEGIN { n = split(betas, b, " ") }
	{
		if (NR > 1 && $5 > pr && $3 != ps && $3 < 2147483647) {
			if (ep_n >= 3) { epochs++; if (ep_max > ep_ss) grew++ }
			ev++; ep_n = 0; ep_max = 0; ep_ss = $3
		} else if (ev) {
			ep_n++; if ($2 > ep_max) ep_max = $2
		}
		sum += $2; cnt++; pr = $5; ps = $3
	}
	END {
		med = n ? b[int((n + 1) / 2)] : 0
		printf "events=%d beta=%.3f grow=%.2f mean_cwnd=%.1f\n", ev, med,
			epochs ? grew / epochs : 0, cnt ? sum / cnt : 0
	}' "$1"
}
