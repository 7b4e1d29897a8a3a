#!/bin/sh
# Why the execution environment cannot be built and run on this machine, in one line; nothing when
# it can (`make ee` installs podman, runc and debootstrap from Debian's packages when root).
if [ "${EE_STAGE:-1}" = 0 ]; then
  echo "EE_STAGE=0 was set"; exit 0
fi
if [ "$(uname -s)" != Linux ]; then
  echo "podman containers need Linux, this is $(uname -s)"; exit 0
fi
if ! command -v podman > /dev/null || ! command -v debootstrap > /dev/null; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
    echo "podman or debootstrap is missing, and only root on Debian installs them here (apt-get install podman runc debootstrap)"
  fi
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "debootstrap and podman import of the Debian base need root (CI runs as root)"; exit 0
fi
# A container needs its own mount, PID, UTS and IPC namespaces (the network stays the host's).
if ! err=$(unshare --mount --pid --uts --ipc --fork true 2>&1); then
  echo "this machine cannot create the namespaces a container needs (unshare: $(echo "$err" | head -1))"; exit 0
fi
# podman's error message, not its report:
# shellcheck disable=SC2069
if ! err=$(podman info 2>&1 > /dev/null); then
  echo "podman info fails: $(echo "$err" | grep -v '^$' | tail -1)"; exit 0
fi
