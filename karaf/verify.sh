#!/usr/bin/env bash
# Proves that the "mpage" feature installs into Apache Karaf 4.4.10 on Java 17, that an ext2 image
# made by mke2fs can be mounted and read there through the mpage shell commands and its MBeans,
# and that feature "mpage-webconsole" serves the page in Karaf's Web Console behind its login.
#
#   karaf/verify.sh [WORK_DIR]
#
# It installs the feature's modules into the local Maven repository, downloads Karaf through Maven,
# runs it offline (Karaf's own system/ repository and ~/.m2 only), and stops it again.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$PATH:/usr/sbin:/sbin"
karaf_version=4.4.10
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)"
m2="$(cd "$HOME/.m2/repository" && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
step() { echo "karaf/verify: $*" >&2; }

step "installing the feature and its bundles into $m2"
(cd "$root" && mvn -B -q install -DskipTests -Dspotless.check.skip=true -pl karaf -am >&2)

if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  export JAVA_HOME
fi
step "fetching Apache Karaf $karaf_version"
# Fetched outside the project (from $work, no pom there), so that only the artifact is resolved.
fetch() { (cd "$work" && mvn -B -q dependency:copy -Dartifact="$1" -DoutputDirectory="$2" >&2); }
fetch "org.apache.karaf:apache-karaf:$karaf_version:tar.gz" "$work"
rm -rf "$work/apache-karaf-$karaf_version"
tar xzf "$work/apache-karaf-$karaf_version.tar.gz" -C "$work"
karaf="$work/apache-karaf-$karaf_version"

# Karaf's "scr", "webconsole" and "http" features (Pax Web 8) are not in its system/ repository:
# copy their missing bundles there, listed from its own feature descriptors, with Maven
# (dependency:copy, as some of their parent POMs are missing from the repository reached here), or
# from the local repository when an earlier run left them there. "http" is named because
# "webconsole" reaches it only through a requirement (an osgi.http implementation).
step "copying the bundles of scr, webconsole and http missing from Karaf's system/"
missing="$("$JAVA_HOME/bin/java" "$root/karaf/FeatureBundles.java" "$karaf" scr webconsole http)"
for a in $missing; do
  IFS=: read -r g id v type classifier <<<"$a"
  dir="$karaf/system/${g//.//}/$id/$v"
  file="$id-$v${classifier:+-$classifier}.$type"
  if [ -f "$m2/${g//.//}/$id/$v/$file" ]; then
    mkdir -p "$dir" && cp "$m2/${g//.//}/$id/$v/$file" "$dir/"
  else
    fetch "$g:$id:$v:$type${classifier:+:$classifier}" "$dir"
  fi
done

# Offline: Karaf's system/ repository and the local Maven repository, nothing remote.
cat > "$karaf/etc/org.ops4j.pax.url.mvn.cfg" <<CFG
org.ops4j.pax.url.mvn.useFallbackRepositories=false
org.ops4j.pax.url.mvn.localRepository=$m2
org.ops4j.pax.url.mvn.defaultRepositories=file:$karaf/system@id=system.repository@snapshots,file:$m2@id=local@snapshots
org.ops4j.pax.url.mvn.repositories=
CFG
# A user for bin/client.
sed -i -e 's/^#karaf = karaf,_g_:admingroup/karaf = karaf,_g_:admingroup/' \
  -e 's/^#_g_\\:admingroup = /_g_\\:admingroup = /' "$karaf/etc/users.properties"

src="$work/src"
mkdir -p "$src"
printf 'hello from mke2fs, read in Karaf\n' > "$src/hello.txt"
image="$work/disk.img"
mke2fs -q -F -t ext2 -b 1024 -d "$src" "$image" 8M

step "starting Karaf ($("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"
"$karaf/bin/start"
stop_karaf() {
  "$karaf/bin/stop" >/dev/null 2>&1 || true
  # bin/stop only asks: wait (at most 60 s) until Karaf has exited and stopped writing its files.
  for _ in $(seq 1 120); do
    pgrep -f "karaf.home=$karaf " >/dev/null 2>&1 || return 0
    sleep 0.5
  done
  echo "karaf/verify: Karaf did not stop within 60 s" >&2
}
trap stop_karaf EXIT

client() { "$karaf/bin/client" -r 60 -d 2 -u karaf -p karaf -b; }

# The ssh console answers before the boot features are all in place; on a loaded machine an
# install that early has failed to resolve the scr feature. Wait for the final start level.
for _ in $(seq 1 120); do
  if client <<<"system:start-level" 2>/dev/null | grep -q 'Level 100'; then
    break
  fi
  sleep 1
done

step "feature:install mpage"
installed=no
for attempt in 1 2 3; do
  client <<CMDS >&2
feature:repo-add mvn:org.mpage/mpage-karaf/$version/xml/features
feature:install mpage
CMDS
  if client <<<"feature:list -i" 2>/dev/null | grep -Eq '^mpage +\|'; then
    installed=yes
    break
  fi
  step "feature:install mpage did not take (attempt $attempt); retrying in 5 s"
  sleep 5
done
[ "$installed" = yes ] || { step "feature mpage not installed"; exit 1; }

step "mounting $image"
out="$(client <<CMDS
mpage:filedevice disk0 $image ro
mpage:mount ext2 disk0 ro
mpage:cat disk0 /hello.txt
mpage:ls disk0 /
mpage:mounts
CMDS
)"
echo "$out"
# mpage's MBeans (mpage-jmx) through Karaf's own JMX connector, while disk0 is mounted.
step "reading the MBeans through Karaf's JMX connector"
"$JAVA_HOME/bin/java" "$root/karaf/JmxCheck.java" \
  "service:jmx:rmi://127.0.0.1:44444/jndi/rmi://127.0.0.1:1099/karaf-root" karaf karaf disk0

# The Web Console page: Karaf's console (Felix Web Console 4 on javax.servlet, Pax Web 8) with the
# optional feature, read and driven over HTTP while disk0 is mounted.
step "feature:install webconsole mpage-webconsole"
started=$SECONDS
client <<<"feature:install webconsole mpage-webconsole" >&2
console=http://127.0.0.1:8181/system/console/mpage
status() { curl -s -o "$work/body" -w '%{http_code}' "$@" || true; }
for _ in $(seq 1 120); do
  [ "$(status -u karaf:karaf "$console/data.json")" = 200 ] && break
  sleep 1
done
[ "$(status "$console/data.json")" = 401 ] || { step "data.json without a login: not 401"; exit 1; }
# Without a login an action is refused before the page sees it: disk0 stays mounted.
[ "$(status -X POST -H 'X-Mpage-Action: 1' -d action=umount -d device=disk0 "$console")" = 401 ] \
  || { step "an action without a login: not 401"; exit 1; }
[ "$(status -u karaf:karaf "$console/data.json")" = 200 ] \
  || { step "data.json with karaf/karaf: not 200"; cat "$work/body" >&2; exit 1; }
grep -q '"mounts":\[{"device":"disk0","type":"ext2","mode":"ro"' "$work/body" \
  || { step "data.json does not list disk0 mounted"; cat "$work/body" >&2; exit 1; }
[ "$(status -u karaf:karaf -X POST -H 'X-Mpage-Action: 1' -d action=sync -d device=disk0 \
  "$console")" = 200 ] && grep -q '"ok":true' "$work/body" \
  || { step "the sync action: not 200 ok"; cat "$work/body" >&2; exit 1; }
[ "$(status -u karaf:karaf -X POST -d action=sync -d device=disk0 "$console")" = 403 ] \
  || { step "an action without X-Mpage-Action: not 403"; exit 1; }
# One bundle, two adapters: here (javax.servlet only) the javax one is the page's only servlet.
adapters="$(client <<<"service:list" 2>/dev/null \
  | sed -n 's/^ *component.name = \(org\.mpage\.webconsole\.MpagePlugin.*\)$/\1/p')"
[ "$adapters" = org.mpage.webconsole.MpagePluginJavax ] \
  || { step "not the javax adapter alone: $adapters"; exit 1; }
step "the Web Console page answered as expected ($((SECONDS - started)) s)"
out="$out
$(client <<CMDS
mpage:umount disk0
mpage:rmdevice disk0
CMDS
)"
grep -q '^disk0: ext2 .* (ro)' <<<"$out"
grep -qx 'hello from mke2fs, read in Karaf' <<<"$out"
grep -Eq '^- +33 hello.txt' <<<"$out"
grep -Eq '^disk0 +ext2 +ro ' <<<"$out"
grep -qx 'disk0: unmounted' <<<"$out"
step "passed: feature:install mpage in Karaf $karaf_version, ext2 mounted and read, its MBeans read\
 through JMX, its Web Console page"
