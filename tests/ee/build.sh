#!/usr/bin/env bash
# `make ee`: the execution environment, built with ansible-builder on a Debian base made here from
# Debian's packages (tests/ee/base_image.py), tagged telephony-genesys-audiocodes-ee:<galaxy.yml version>.
#
# Run from the repository root after `make build` (the collection tarball) with .venv on PATH.
# What it needs from Debian (podman, runc, debootstrap) is installed when missing, as root.
# The definition keeps its public base image (CentOS Stream 9) as the default: the local base, its
# Python and its package manager are passed as build arguments. docs/awx.md explains both builds.
#
# EE_PODMAN_FLAGS: podman's runtime flags on these machines (runc, explicit limits, the host's
# network); tests/ee/proof.py runs the image with the same flags.
set -euo pipefail

EE_NAME=telephony-genesys-audiocodes-ee
version=$(python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')
tag="$EE_NAME:$version"

missing=""
for tool in podman runc debootstrap; do command -v "$tool" > /dev/null || missing="$missing $tool"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
    echo "ee: missing$missing, and this is not root on Debian: install them (apt-get install podman runc debootstrap)" >&2
    exit 1
  fi
  echo "ee: installing$missing from Debian's packages (log: .collections/ee-apt.log)"
  mkdir -p .collections
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc debootstrap; } \
    > .collections/ee-apt.log 2>&1 || { tail -20 .collections/ee-apt.log; exit 1; }
fi
flags="${EE_PODMAN_FLAGS:-$(tests/ee/podman_flags.sh)}"

started=$(date +%s)
base=$(python tests/ee/base_image.py)
echo "ee: base image $base ($(( $(date +%s) - started )) s)"

started=$(date +%s)
rm -rf .collections/ee-context
# The build's own dangling images (the galaxy and builder stages) go afterwards: they are rebuilt
# whenever the collection changes anyway. The base stage stays cached (a parent of the image).
dangling_before=$(podman images --filter dangling=true --quiet --no-trunc | sort)
log=.collections/ee-build.log
echo "ee: ansible-builder build -> $tag (log: $log)"
ansible-builder build -f execution-environment.yml --context .collections/ee-context --tag "$tag" \
  --container-runtime podman -v 3 \
  --build-arg EE_BASE_IMAGE="$base" --build-arg PYCMD=/opt/ee/bin/python3 \
  --build-arg PYPKG=python3 --build-arg PKGMGR=/usr/bin/apt-get \
  --extra-build-cli-args "$flags" > "$log" 2>&1 || { tail -40 "$log"; echo "ee: the build failed (log: $log)"; exit 1; }
leftovers=$(comm -13 <(echo "$dangling_before") <(podman images --filter dangling=true --quiet --no-trunc | sort))
# One image ID a word:
# shellcheck disable=SC2086
[ -z "$leftovers" ] || podman rmi $leftovers > /dev/null 2>&1 || true
# Base images of an earlier recipe or pip configuration go, now that no image stands on them.
podman images --format '{{.Repository}}:{{.Tag}}' "${base%:*}" | grep -vxF "$base" | xargs -r podman rmi > /dev/null 2>&1 || true
size=$(podman image inspect --format '{{.Size}}' "$tag")
echo "ee: built $tag in $(( $(date +%s) - started )) s, $(( size / 1000000 )) MB"
