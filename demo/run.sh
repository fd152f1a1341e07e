#!/usr/bin/env bash
# `make demo`: a real, scripted, non-interactive run of a goswitch user's day.
# Everything happens under a temporary HOME; nothing of yours is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s deps venv >/dev/null
exec .venv/bin/python demo/day.py "$@"
