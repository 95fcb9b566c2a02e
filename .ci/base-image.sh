#!/usr/bin/env bash
# Builds the local Python 3.13 base image from Debian packages, because this machine can pull from no
# container registry. Idempotent: an existing image is reused, so repeated CI runs on one machine pay once.
set -euo pipefail

image="${1:-todoctl-ci/python:3.13-trixie}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image present"
  exit 0
fi

root=$(mktemp -d /var/tmp/todoctl-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "debootstrap trixie into $root (a few minutes)"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates trixie "$root" "$mirror" \
  >"$root.log" 2>&1 || { tail -n 30 "$root.log"; exit 1; }
rm -f "$root.log"
# What no service here needs at run time: package lists and caches, docs, man pages, translations,
# glibc's iconv converters (Python brings its own codecs), CPython's regression-test support and the
# text of help(). apt and dpkg stay, so an image's build stage can still install packages.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
  "$root"/usr/lib/x86_64-linux-gnu/gconv "$root"/usr/lib/aarch64-linux-gnu/gconv \
  "$root"/usr/lib/python3.*/test "$root"/usr/lib/python3.*/pydoc_data
tar -C "$root" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["python3"]' \
  - "$image" >/dev/null
echo "base image $image built: $(docker image inspect -f '{{.Size}}' "$image") bytes"
