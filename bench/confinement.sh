#!/usr/bin/env bash
# What jvmm's confinement (-sandbox on: seccomp filter and Landlock) costs at start, against
# -sandbox off, on the same guest, alternating: bench/confinement.py says what it prints.
exec "$(dirname "$0")/in-sandbox.sh" confinement.py "$@"
