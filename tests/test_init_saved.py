"""`goswitch init SHELL` prints the text saved by its first run until a source changes.

Each test runs the command in a fresh interpreter against a private copy of
the package, so it can edit sources and the saved files freely.  `-X
importtime` shows whether the shell adapters were imported, i.e. whether the
text was rendered or read back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import goswitch

PACKAGE = Path(goswitch.__file__).resolve().parent
RUN = "import sys; sys.argv[0] = 'goswitch'; from goswitch import run; run()"


@pytest.fixture()
def pkg(tmp_path) -> Path:
    """A copy of the package (data/shell copied, not linked) with no __pycache__."""
    root = tmp_path / "site"
    shutil.copytree(PACKAGE, root / "goswitch", ignore=shutil.ignore_patterns("__pycache__"))
    return root / "goswitch"


def init(pkg: Path, shell: str = "bash", python: str = sys.executable):
    done = subprocess.run([python, "-X", "importtime", "-c", RUN, "init", shell],
                          capture_output=True, text=True, cwd=pkg.parent,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(pkg.parent)})
    rendered = "goswitch.shells.bash" in done.stderr or "goswitch.shells.fish" in done.stderr
    return done, rendered


def saved(pkg: Path, shell: str = "bash") -> Path:
    return pkg / "__pycache__" / f"init-{shell}.{sys.implementation.cache_tag}.sh"


def test_second_run_prints_the_saved_text_without_rendering(pkg):
    first, rendered = init(pkg)
    assert first.returncode == 0 and rendered
    assert saved(pkg).read_text().split("\n", 1)[1] == first.stdout
    second, rendered = init(pkg)
    assert second.returncode == 0 and not rendered
    assert second.stdout == first.stdout
    assert f"{pkg}/__pycache__/hook-snapshot" in second.stdout
    assert "_goswitch_hook" in second.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_has_its_own_saved_text(pkg, shell):
    first, _ = init(pkg, shell)
    again, rendered = init(pkg, shell)
    assert not rendered and again.stdout == first.stdout
    assert f"goswitch shell hook for {shell}" in again.stdout.splitlines()[0]
    for other in {"bash", "zsh", "fish"} - {shell}:
        assert not saved(pkg, other).exists()


def test_edited_script_is_rendered_again(pkg):
    init(pkg)
    script = pkg / "data" / "shell" / "goswitch.bash"
    script.write_text(script.read_text() + "__goswitch_edited=1\n")
    done, rendered = init(pkg)
    assert rendered and "__goswitch_edited=1" in done.stdout
    again, rendered = init(pkg)
    assert not rendered and "__goswitch_edited=1" in again.stdout


@pytest.mark.parametrize("source", ["shells/__init__.py", "shells/bash.py", "shells/zsh.py"])
def test_touched_adapter_or_interface_renders_again(pkg, source):
    init(pkg, "zsh")
    path = pkg / source
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))  # same bytes, newer by 1 ns
    _, rendered = init(pkg, "zsh")
    assert rendered


def test_other_interpreter_renders_its_own_text(pkg, tmp_path):
    init(pkg)
    other = tmp_path / "bin" / "python3"
    other.parent.mkdir()
    other.symlink_to(sys.executable)
    done, rendered = init(pkg, python=str(other))
    assert rendered
    assert f"__goswitch_python='{other}'" in done.stdout


@pytest.mark.parametrize("content", [b"", b"garbage\n", b"\xff\xfe\n", b"goswitch-init x\n#"])
def test_damaged_saved_text_is_replaced(pkg, content):
    good, _ = init(pkg)
    saved(pkg).write_bytes(content)
    done, rendered = init(pkg)
    assert rendered and done.stdout == good.stdout
    _, rendered = init(pkg)
    assert not rendered


def test_unwritable_save_location_still_prints(pkg):
    """A read-only install renders every time (simulated: the file name is a directory)."""
    saved(pkg).mkdir(parents=True)
    first, _ = init(pkg)
    second, rendered = init(pkg)
    assert first.returncode == second.returncode == 0 and rendered
    assert second.stdout == first.stdout and "_goswitch_hook" in first.stdout
    assert not [p for p in saved(pkg).parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", ["../../etc/passwd", "bash/../fish", "sh", ""])
def test_unknown_shell_is_refused_without_touching_files(pkg, name):
    done, _ = init(pkg, name)
    assert done.returncode == 2 and done.stdout == ""
    assert "unsupported shell" in done.stderr
    assert not (pkg / "__pycache__").exists() or not [
        p for p in (pkg / "__pycache__").iterdir() if p.name.startswith("init-")]


def test_comment_lines_are_left_out_but_the_header_stays(pkg):
    done, _ = init(pkg)
    lines = done.stdout.splitlines()
    assert lines[1] == '# Put `eval "$(goswitch init bash)"` in ~/.bashrc.'
    comments = [line.strip() for line in lines[2:] if line.lstrip().startswith("#")]
    assert comments and all(c.startswith("# shellcheck") for c in comments)
    assert all(line.strip() for line in lines)


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck is not installed")
@pytest.mark.parametrize("shell", ["bash", "zsh"])  # shellcheck has no fish
def test_the_printed_script_passes_shellcheck(pkg, tmp_path, shell):
    done, _ = init(pkg, shell)
    script = tmp_path / f"init.{shell}"
    script.write_text(done.stdout)
    check = subprocess.run(["shellcheck", "--shell=bash", str(script)], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout


def test_prepare_writes_every_cache_for_a_read_only_install(pkg):
    """`python3 -m goswitch.prepare`, for root-owned installs (run after installing)."""
    done = subprocess.run([sys.executable, "-m", "goswitch.prepare"], capture_output=True,
                          text=True, cwd=pkg.parent, env={"PYTHONPATH": str(pkg.parent)})
    assert done.returncode == 0, done.stderr
    written = done.stdout.split()
    assert len(written) == 4 and all(Path(p).is_file() for p in written)
    assert written[0].endswith(f"hook-snapshot.{sys.implementation.cache_tag}.bin")
    for shell in ("bash", "zsh", "fish"):
        assert str(saved(pkg, shell)) in written
        _, rendered = init(pkg, shell)
        assert not rendered


def test_prepare_help_writes_nothing(pkg):
    done = subprocess.run([sys.executable, "-m", "goswitch.prepare", "--help"],
                          capture_output=True, text=True, cwd=pkg.parent,
                          env={"PYTHONPATH": str(pkg.parent)})
    assert done.returncode == 0 and done.stdout.startswith("usage: "), done.stderr
    assert not saved(pkg, "bash").exists()


@pytest.fixture()
def root_owned(pkg):
    """The package copy owned by root in a /tmp directory others may read, and a user."""
    as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root to run as another user")
    if subprocess.run([*as_nobody, sys.executable, "-c", "pass"], capture_output=True,
                      cwd="/").returncode:
        pytest.skip(f"{sys.executable} cannot run as nobody here (a private install)")
    site = Path(tempfile.mkdtemp(prefix="gs-ro-", dir="/tmp"))  # pytest's tmp is 0700
    os.chmod(site, 0o755)
    shutil.copytree(pkg, site / "goswitch")
    home = site / "home"
    home.mkdir()
    os.chown(home, *_nobody())

    def run(*args, env=None, cwd="/"):
        return subprocess.run([*as_nobody, sys.executable, *args], capture_output=True,
                              text=True, cwd=cwd,
                              env={"PYTHONPATH": str(site), "HOME": str(home),
                                   "PATH": "/usr/bin:/bin", **(env or {})})

    yield site / "goswitch", home, run
    shutil.rmtree(site)


def _nobody() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


def test_root_owned_install_keeps_its_caches_in_the_users_cache(root_owned, tmp_path):
    package, home, run = root_owned
    first = run("-X", "importtime", "-c", RUN, "init", "bash")
    second = run("-X", "importtime", "-c", RUN, "init", "bash")
    assert first.returncode == second.returncode == 0, first.stderr
    assert "goswitch.shells.bash" in first.stderr  # rendered
    assert "goswitch.shells.bash" not in second.stderr  # read back
    assert second.stdout == first.stdout
    mine = home / ".cache" / "goswitch" / "code" / str(package).replace("/", "%2F")
    assert (mine / f"init-bash.{sys.implementation.cache_tag}.sh").is_file()
    assert oct(mine.stat().st_mode & 0o777) == "0o700"
    assert not (package / "__pycache__").exists()
    # The hook builds its snapshot there too, at the path the launch code names.
    snap = mine / f"hook-snapshot.{sys.implementation.cache_tag}.bin"
    launch = _launch_code(first.stdout)
    assert f"S='{snap}'" in launch
    hook = run("-I", "-S", "-c", launch, "hook", "bash", "1", "1", "", cwd="/")
    assert hook.returncode == 0, hook.stderr
    assert snap.is_file()
    from goswitch.hook import snapshot

    assert snapshot.is_current(str(snap))


def test_a_cache_dir_others_can_write_is_never_used(root_owned):
    package, home, run = root_owned
    shared = home.parent / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)  # not sticky: anyone could swap what is in it
    for _ in range(2):
        done = run("-X", "importtime", "-c", RUN, "init", "bash",
                   env={"GOSWITCH_CACHE_DIR": str(shared)})
        assert done.returncode == 0 and "goswitch.shells.bash" in done.stderr  # rendered
        assert "_goswitch_hook" in done.stdout
    assert not (shared / "code").exists()
    assert f"S='{package}/__pycache__/hook-snapshot" in _launch_code(done.stdout)


def _launch_code(init_text: str) -> str:
    """The program the bash init script hands to python, unquoted by bash itself."""
    quoted = init_text.split("__goswitch_code=", 1)[1].split("\n", 1)[0]
    return subprocess.run(["bash", "-c", f"printf %s {quoted}"], capture_output=True,
                          text=True, check=True).stdout


def test_prepare_by_a_user_who_cannot_write_says_who_can(root_owned):
    package, _home, run = root_owned
    done = run("-m", "goswitch.prepare")
    assert done.returncode == 1
    assert "cannot prepare the caches" in done.stderr
    assert f"owner of {package}" in done.stderr
    assert not (package / "__pycache__").exists()
