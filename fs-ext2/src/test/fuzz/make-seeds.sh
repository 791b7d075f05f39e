#!/bin/sh
# Makes the fuzzers' seed images (run once; the outputs are committed as regression inputs).
# Usage: fs-ext2/src/test/fuzz/make-seeds.sh OUTDIR
set -eu
PATH=$PATH:/usr/sbin:/sbin
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out" "$tmp/tree/dir/sub/deeper" "$tmp/tree/empty"
printf 'hello, fuzzer\n' > "$tmp/tree/small.txt"
head -c 5000 /dev/zero | tr '\0' 'a' > "$tmp/tree/dir/five-k"
seq 1 3000 > "$tmp/tree/dir/sub/numbers"          # ~14 KiB: indirect blocks at 1 KiB
printf 'x' > "$tmp/tree/dir/sub/deeper/one"
ln -s dir/sub/numbers "$tmp/tree/link"
ln -s "$(printf '%0100d' 0)/long/target/that/is/not/a/fast/symlink" "$tmp/tree/slowlink"
truncate -s 300K "$tmp/tree/sparse" && printf 'end' >> "$tmp/tree/sparse"
ln "$tmp/tree/small.txt" "$tmp/tree/dir/hardlink"
# 1 KiB blocks, 64 KiB: metadata is a large part of the image.
mke2fs -q -F -t ext2 -b 1024 -N 32 -d "$tmp/tree" -E root_owner=0:0 "$out/seed-1k-64k" 64k
# 4 KiB blocks, 256 KiB, no sparse superblocks, with a lost+found and the same tree.
mke2fs -q -F -t ext2 -b 4096 -N 32 -O ^sparse_super,^resize_inode -d "$tmp/tree" -E root_owner=0:0 "$out/seed-4k-256k" 256k
# 1 KiB blocks, 128 KiB, old revision 0 (no feature flags, 128-byte inodes).
mke2fs -q -F -t ext2 -b 1024 -N 32 -r 0 -d "$tmp/tree" -E root_owner=0:0 "$out/seed-1k-rev0-128k" 128k
# 1 KiB blocks, 256 blocks a group: two groups (so a second group descriptor and backup superblock).
mke2fs -q -F -t ext2 -b 1024 -g 256 -N 32 -d "$tmp/tree" -E root_owner=0:0 "$out/seed-1k-2groups-128k" 128k
for f in "$out"/seed-*; do e2fsck -fn "$f" >/dev/null; done
ls -l "$out"
