#!/usr/bin/env bash
# ./mpage put of a 512 MiB file against debugfs -w -R "write" into the same kind of fresh image.
# Usage: benchmarks/scripts/put-vs-debugfs.sh [WORKDIR]   (prints medians of 5 runs each)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
PATH="$PATH:/usr/sbin:/sbin"
[ -f "$work/src.bin" ] || head -c $((512 << 20)) /dev/urandom > "$work/src.bin"
"$root/mpage" --help > /dev/null 2>&1 || true   # builds on first use

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fresh() { rm -f "$work/t.img"; mke2fs -q -F -t ext2 -b 4096 "$work/t.img" 600M > /dev/null 2>&1; }
time_of() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }

for i in 1 2 3 4 5; do fresh; time_of "$root/mpage" put "$work/t.img" "$work/src.bin" /big; done | median > "$work/mpage.t"
for i in 1 2 3 4 5; do fresh; time_of debugfs -w -R "write $work/src.bin big" "$work/t.img"; done | median > "$work/debugfs.t"
m=$(cat "$work/mpage.t"); d=$(cat "$work/debugfs.t")
echo "mpage put: ${m}s  debugfs write: ${d}s  ratio (debugfs time / mpage time): $(echo "scale=2; $d / $m" | bc)"
