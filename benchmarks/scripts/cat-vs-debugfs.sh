#!/usr/bin/env bash
# ./mpage cat of a 512 MiB file against debugfs -R "dump" on the same image, in one run.
# Usage: benchmarks/scripts/cat-vs-debugfs.sh [WORKDIR]   (prints medians of 5 runs each)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work/src"
PATH="$PATH:/usr/sbin:/sbin"
if [ ! -f "$work/big.img" ]; then
  head -c $((512 << 20)) /dev/urandom > "$work/src/big"
  mke2fs -q -F -t ext2 -b 4096 -d "$work/src" "$work/big.img" 600M
  rm -f "$work/src/big"
fi
"$root/mpage" info "$work/big.img" > /dev/null   # builds on first use

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_of() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }

for i in 1 2 3 4 5; do time_of "$root/mpage" cat "$work/big.img" /big; done | median > "$work/mpage.t"
for i in 1 2 3 4 5; do time_of debugfs -R "dump /big /dev/stdout" "$work/big.img"; done | median > "$work/debugfs.t"
m=$(cat "$work/mpage.t"); d=$(cat "$work/debugfs.t")
echo "mpage cat: ${m}s  debugfs dump: ${d}s  ratio (debugfs time / mpage time): $(echo "scale=2; $d / $m" | bc)"
