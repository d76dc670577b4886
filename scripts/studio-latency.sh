#!/usr/bin/env bash
# Key → screen latency of the studio through ncurses: `posestudio open PROJECT` in a private tmux
# server (TERM=tmux-256color, 160×48), KEYS scrubbing keys typed 30 ms apart (h/l/H/L/Tab), then q;
# the studio logs each key's latency (POSESTUDIO_LATENCY_LOG) and this prints median, p99 and max.
# Usage: scripts/studio-latency.sh PROJECT [KEYS=400] [VIEW=skeleton|draft]
set -euo pipefail
project=$1 keys=${2:-400} view=${3:-skeleton}
bin=${POSESTUDIO_BIN:-.build/release/posestudio}
sock=posestudio-latency-$$ log=$(mktemp) 
trap 'tmux -L $sock kill-server 2>/dev/null || true; rm -f "$log"' EXIT
tmux -L $sock -f /dev/null new-session -d -s b -x 160 -y 48 \
  "env TERM=tmux-256color LANG=C.UTF-8 POSESTUDIO_LATENCY_LOG='$log' '$bin' open '$project'; sleep 5" </dev/null >/dev/null 2>&1
for _ in $(seq 600); do tmux -L $sock capture-pane -t b -p | grep -q NORMAL && break; sleep 0.1; done
skip=0
if [ "$view" = draft ]; then tmux -L $sock send-keys -t b t; skip=1; sleep 2; fi
pattern=(l l l L l Tab h l L H l BTab)
for i in $(seq 0 $((keys - 1))); do
  tmux -L $sock send-keys -t b "${pattern[$((i % ${#pattern[@]}))]}"
  sleep 0.03
done
tmux -L $sock send-keys -t b q
for _ in $(seq 100); do [ "$(wc -l < "$log")" -gt $((keys + skip)) ] && break; sleep 0.1; done
tail -n +$((skip + 1)) "$log" | head -n "$keys" | sort -n | awk -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
  '{ a[NR] = $1 } END { printf "through ncurses in tmux: %d keys, median %.2f ms, p99 %.2f ms, max %.2f ms (load average %s)\n", NR, a[int(NR * 0.5) + 1], a[int(NR * 0.99) + 1], a[NR], load }'
