#!/usr/bin/env bash
# Builds the Debian 12 base image that the Dockerfiles name (debian:bookworm for the build stage,
# debian:bookworm-slim for the runtime stage) locally with debootstrap, so that no registry pull
# is needed: `debootstrap --variant=minbase bookworm`, then the same slimming as Debian's official
# *-slim images (no docs, man pages or locales, now or in later `apt-get install`s; no apt caches),
# then `podman import`. One root file system, tagged under both names.
# Cached: does nothing when both tags exist (MLPROD_REBUILD_BASE=1 forces a rebuild).
# Needs root, podman and debootstrap. Usage: docker/test/base-image.sh
set -euo pipefail
TAGS=(docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim)
# The Debian archive this host's apt uses (its sources name it; DEBIAN_MIRROR overrides).
host_uri() {  # host_uri SUITE: the first URI that serves SUITE in the host's apt sources
  local suite=$1 f uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && [ -z "$uri" ] || continue
    uri=$(awk -v s="$suite" 'BEGIN{RS="";FS="\n"} {u="";ok=0; for(i=1;i<=NF;i++){
      if($i ~ /^URIs:/){split($i,a," "); u=a[2]}
      if($i ~ /^Suites:/){n=split($i,b," "); for(j=2;j<=n;j++) if(b[j]==s) ok=1}}
      if(ok && u!=""){print u; exit}}' "$f")
  done
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk -v s="$suite" '$1=="deb" && $3==s {print $2; exit}' /etc/apt/sources.list)
  fi
  echo "$uri"
}
MIRROR=${DEBIAN_MIRROR:-$(host_uri bookworm)}
SECURITY=${DEBIAN_SECURITY_MIRROR:-$(host_uri bookworm-security)}
[ -n "$MIRROR" ] || { echo "base-image: no bookworm source in this host's apt sources; set DEBIAN_MIRROR" >&2; exit 1; }

if [ "${MLPROD_REBUILD_BASE:-0}" != 1 ]; then
  missing=0
  for t in "${TAGS[@]}"; do podman image exists "$t" || missing=1; done
  if [ $missing = 0 ]; then
    echo "base-image: ${TAGS[*]} already present"
    exit 0
  fi
fi

root=$(mktemp -d /tmp/mlprod-debian-root.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "base-image: debootstrap --variant=minbase bookworm ($MIRROR), about 2 minutes"
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$root.log" 2>&1 ||
  { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"

# The same sources as the official image: main, updates and security (from the host's archive).
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
if [ -n "$SECURITY" ]; then
  cat >>"$root/etc/apt/sources.list.d/debian.sources" <<SRC

Types: deb
URIs: $SECURITY
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
# Like the official images: apt deletes downloaded packages after installing them, and dpkg
# leaves out documentation and translations (the official slim variant's exclusions).
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
DPKG
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/{man,groff,info,lintian,linda}/* "$root"/var/cache/apt/archives/*.deb \
  "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/var/log/apt/*
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +

tar -C "$root" --numeric-owner -c . |
  podman import -q --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "${TAGS[0]}" >/dev/null
for t in "${TAGS[@]:1}"; do podman tag "${TAGS[0]}" "$t"; done
echo "base-image: built $(podman image inspect --format '{{.Size}}' "${TAGS[0]}") bytes, tagged ${TAGS[*]}"
