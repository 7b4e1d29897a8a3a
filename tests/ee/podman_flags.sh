#!/bin/sh
# podman's flags for `podman build` and `podman run` on the machines of this project: runc as the
# runtime, explicit limits (the defaults podman derives from the host's are refused there), and the
# host's network (no network namespace is created; the lab's loopback addresses answer inside).
runc=$(command -v runc || echo /usr/sbin/runc)
echo "--runtime $runc --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --network host"
