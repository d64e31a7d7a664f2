"""Saving a file so that it is either fully written or left as it was (DESIGN: a failed save
loses nothing), and never through a link or over a device.

See :func:`write_atomic`: the one way this tool writes a file a person chose (a scenario, a
goal-seek answer, a calibrated baseline).
"""

from __future__ import annotations

import errno
import glob
import os
import re
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import SimError
from sim.messages import Message, msg
from sim.text import printable


def write_atomic(path: str | os.PathLike, content: str | bytes, force: bool = False) -> Path:
    """Write a file so that it is either fully written or left as it was.

    The content goes to a temporary file in the same folder (flushed to disk), which
    then becomes the target: without ``force`` by a hard link, which fails when the
    target exists, so that of several writers at the same moment exactly one succeeds
    and none overwrites another's file; with ``force`` by a rename over the old file.
    Only a regular file is ever replaced: a folder, a device, a FIFO or a symbolic link
    (dangling too) is refused, since replacing it would turn ``/dev/full`` into a file
    or silently cut a link. The temporary file is removed when the write fails or a
    signal (SIGTERM, SIGHUP, SIGINT) stops it, and temporary files left by a killed
    writer are removed by the next write to the same folder.

    Parameters
    ----------
    path : path-like
        Not empty.
    content : str or bytes
        Text is written as UTF-8.
    force : bool
        Overwrite an existing regular file; otherwise an existing file is an error.

    Raises
    ------
    SimError
        No name given, the target exists (without ``force``) or is not a regular file,
        or the folder cannot be written.
    """
    if not os.fspath(path):
        raise SimError(msg("files.no_name"))
    target = Path(path)
    shown_name = printable(str(target))
    _check_target(target, shown_name, force)
    payload = content.encode("utf-8") if isinstance(content, str) else content
    folder = target.parent if str(target.parent) else Path(".")
    _remove_stale_temporaries(folder, target.name)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=_TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise SimError(msg("files.cannot_write", name=shown_name, reason=_reason(exc))) from None
    try:
        with _removed_on_signals(temporary), os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
            existing = _regular_mode(target)
            # mkstemp creates the file readable by its owner only; give it the mode the
            # file had, or the one a plain open() would give.
            os.chmod(temporary, existing if existing is not None else _default_file_mode())
            if force:
                _check_target(target, shown_name, force)
                os.replace(temporary, target)
            else:
                _link_exclusively(temporary, target, shown_name)
        _sync_folder(folder)
    except OSError as exc:
        raise SimError(msg("files.cannot_write", name=shown_name, reason=_reason(exc))) from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


_TEMP_SUFFIX = ".tmp"
#: A temporary file older than this is a leftover even if its writer's id is in use again.
_STALE_SECONDS = 24 * 3600


def _check_target(target: Path, shown_name: str, force: bool) -> None:
    """Refuse a target that exists (without ``force``) or is not a regular file."""
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise SimError(msg("files.cannot_write", name=shown_name, reason=_reason(exc))) from None
    if stat.S_ISLNK(status.st_mode):
        raise SimError(msg("files.symlink", name=shown_name))
    if stat.S_ISDIR(status.st_mode):
        raise SimError(msg("files.is_folder", name=shown_name))
    if not stat.S_ISREG(status.st_mode):
        raise SimError(msg("files.not_regular", name=shown_name))
    if not force:
        raise SimError(msg("files.exists", name=shown_name))


def _regular_mode(target: Path) -> int | None:
    try:
        status = os.lstat(target)
    except OSError:
        return None
    return stat.S_IMODE(status.st_mode) if stat.S_ISREG(status.st_mode) else None


def _link_exclusively(temporary: str, target: Path, shown_name: str) -> None:
    """Give the written file its name only if nothing has that name (atomically)."""
    try:
        os.link(temporary, target)
        return
    except FileExistsError:
        raise SimError(msg("files.exists", name=shown_name)) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
            raise
    # A file system without hard links: claim the name with O_EXCL, then rename over
    # the empty file this writer owns.
    try:
        claim = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        raise SimError(msg("files.exists", name=shown_name)) from None
    os.close(claim)
    os.replace(temporary, target)


def _remove_stale_temporaries(folder: Path, name: str) -> None:
    """Remove temporary files of earlier writes of ``name`` whose writer is gone (killed).

    Only names this function's writes make (``.NAME.PID.XXXXXXXX.tmp``) are touched, so
    another file's temporary file (``.NAME.1.PID...``) is never taken for one of them.
    """
    ours = re.compile(rf"\.{re.escape(name)}\.(\d+)\.[A-Za-z0-9_]{{8}}{re.escape(_TEMP_SUFFIX)}")
    try:
        candidates = [path for path in folder.glob(f".{glob.escape(name)}.*{_TEMP_SUFFIX}")]
    except OSError:
        return
    for candidate in candidates:
        found = ours.fullmatch(candidate.name)
        if found is None:
            continue
        try:
            old = time.time() - candidate.lstat().st_mtime > _STALE_SECONDS
            if old or not _alive(int(found.group(1))):
                candidate.unlink()
        except OSError:
            continue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


@contextmanager
def _removed_on_signals(temporary: str) -> Iterator[None]:
    """Remove ``temporary`` if SIGTERM, SIGHUP or SIGINT arrives while it exists, then let
    the signal end the process as it would have (main thread only: Python delivers
    signals there; the app's threads rely on the clean-up at the next write)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum, frame):
        Path(temporary).unlink(missing_ok=True)
        signal.signal(signum, previous.get(signum) or signal.SIG_DFL)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        os.kill(os.getpid(), signum)

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        try:
            previous[signum] = signal.signal(signum, handler)
        except (ValueError, OSError):
            continue
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the new file to disk (where the system allows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


#: System errors that have a message of their own (``files.os_<name>``); others are quoted.
_KNOWN_ERRNOS = ("ENOENT", "EACCES", "EPERM", "EISDIR", "ENOTDIR", "ENOSPC", "EROFS", "EEXIST", "ENAMETOOLONG",
                 "ELOOP", "EIO", "EDQUOT", "EMFILE", "EBUSY")


def os_reason(exc: OSError) -> Message | str:
    """Why the system refused a file, in words of the catalogue (``files.os_enoent``...).

    Examples
    --------
    >>> os_reason(FileNotFoundError(2, "No such file or directory")).render("zh")
    '文件或文件夹不存在'
    """
    name = errno.errorcode.get(exc.errno or -1, "")
    if name in _KNOWN_ERRNOS:
        return msg(f"files.os_{name.lower()}")
    return msg("files.os_other", reason=exc.strerror or type(exc).__name__)


_reason = os_reason


def _default_file_mode() -> int:
    """The permissions ``open(path, "w")`` gives a new file under the current umask."""
    try:  # Linux tells the umask without changing it (os.umask would, for every thread)
        with open("/proc/self/status", encoding="ascii") as status:
            umask = next(int(line.split()[1], 8) for line in status if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask
