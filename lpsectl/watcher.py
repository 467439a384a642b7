"""The watcher: tells git which paths changed, so git's look need not stat every file.

git's ``core.fsmonitor`` names a hook git runs before it looks at the work
tree (protocol version 2): ``HOOK 2 TOKEN`` prints a new token, a NUL, and
the paths changed since TOKEN, each ended by a NUL; git then trusts every
entry of its index the hook does not name, without an ``lstat``. A hook
that answers ``/`` makes git look at every file: when in doubt, that is the
answer, and it is always right.

This module is both ends, and runs in ``python -I -S`` (the standard
library only, nothing of lpsectl, so the hook starts in about 10 ms;
:func:`lpsectl.watching.hook_command` is the command git runs):

- ``hook 2 TOKEN`` is what git runs (:func:`hook`): it asks the
  watcher of the work tree over a Unix socket, starts one when none runs
  (and answers ``/`` that time), and answers ``/`` on any error or timeout.
- ``watcher.py serve ROOT`` (run by its path) is the watcher (:class:`Watcher`): one process
  per work tree, watching every folder of it (but ``.git``) with Linux's
  inotify, and keeping each path changed with the number of the token it
  changed after. A query first drains every pending event: the kernel
  queues an event in the writing system call itself, so a write finished
  before the query is in the answer. An overflowed queue, a folder it
  could not watch, a token of another watcher (a restart): ``/``. A new
  folder is watched first, then named whole (``dir/``), so nothing made in
  it meanwhile is missed. It stops when the work tree goes away, when told
  to, or after :data:`IDLE_SECONDS` without a query.

The socket and the lock that keeps one watcher per work tree live in the
work tree's git folder, in ``lpsectl-watch/`` (owner-only).
"""

from __future__ import annotations

import os
import sys
import time

# The hook imports nothing more (``socket`` alone imports ``enum``, ``selectors`` and more: the C
# module ``_socket`` is enough); the watcher imports what it needs in :func:`serve`.

FOLDER = "lpsectl-watch"  # in the git folder of the work tree
SOCKET = "sock"
LOCK = "lock"
IDLE_SECONDS = 3600.0  # a watcher no one asked for an hour stops
HOOK_TIMEOUT = 1.0  # the hook gives up on a watcher that does not answer (and answers "/")
START_WAIT = 2.0  # how long `start` waits for a new watcher's socket
MAX_CHANGED = 200_000  # paths kept; beyond that the older tokens are answered "/"
EVERYTHING = b"/"

# inotify (linux/inotify.h)
IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x1000000
IN_DONT_FOLLOW = 0x2000000
IN_EXCL_UNLINK = 0x4000000
IN_ISDIR = 0x40000000
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = 0o2000000
MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)
EVENT_SIZE = 16  # struct inotify_event: int wd, uint32 mask, cookie, len; then len bytes of NUL-padded name


def git_folder(worktree: str) -> str | None:
    """The git folder of ``worktree`` (its ``.git``, or where a ``.git`` file points); None if it has none."""
    dot = os.path.join(worktree, ".git")
    if os.path.isdir(dot):
        return dot
    try:
        with open(dot, encoding="utf-8") as f:
            line = f.readline().strip()
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    return os.path.join(worktree, line[len("gitdir:"):].strip())


def watch_folder(worktree: str) -> str | None:
    """Where the watcher of ``worktree`` keeps its socket and lock; None outside git."""
    gitdir = git_folder(worktree)
    return None if gitdir is None else os.path.join(gitdir, FOLDER)


def connect(folder: str, timeout: float) -> "_socket.socket":
    """A connection to the watcher's socket in ``folder`` (a Unix socket's path is short: go there to name it)."""
    import _socket

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.settimeout(timeout)
    path = os.path.join(folder, SOCKET)
    try:
        if len(os.fsencode(path)) < 100:
            sock.connect(path)
        else:
            here = os.open(".", os.O_RDONLY)
            try:
                os.chdir(folder)
                sock.connect(SOCKET)
            finally:
                os.fchdir(here)
                os.close(here)
    except BaseException:
        sock.close()
        raise
    return sock


def ask(folder: str, request: bytes, timeout: float) -> bytes:
    """The watcher's whole answer to ``request`` (fields joined by NUL); OSError when there is none.

    A timeout, and an answer cut short (a watcher killed as it answered),
    are OSErrors too: each answer comes after its length.
    """
    import _socket

    deadline = time.monotonic() + timeout
    sock = connect(folder, timeout)
    try:
        sock.sendall(request)
        sock.shutdown(_socket.SHUT_WR)
        parts = []
        while True:
            sock.settimeout(max(0.001, deadline - time.monotonic()))
            part = sock.recv(65536)
            if not part:
                break
            parts.append(part)
    finally:
        sock.close()
    size, newline, body = b"".join(parts).partition(b"\n")
    if not newline or not size.isdigit() or int(size) != len(body):
        raise OSError("the watcher's answer was cut short")
    return body


def start(worktree: str) -> None:
    """Start the watcher of ``worktree`` in a session of its own, its output nowhere (git reads the hook's to the end)."""
    import subprocess

    subprocess.Popen([sys.executable, "-I", "-S", os.path.abspath(__file__), "serve", worktree],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     close_fds=True, start_new_session=True, cwd="/")


def hook(args: list[str]) -> int:
    """git's fsmonitor hook: ``2 TOKEN`` -> the new token and the changed paths on stdout."""
    if not args or args[0] != "2":
        return 1  # only protocol 2 is spoken; git then looks at every file
    token = os.fsencode(args[1]) if len(args) > 1 else b""
    answer = b"lpsectl:none:0\0/\0"
    worktree = os.path.realpath(os.getcwd())  # git runs the hook at the top of the work tree
    folder = watch_folder(worktree)
    if folder is not None:
        try:
            reply = ask(folder, b"query\0" + token + b"\0" + os.fsencode(worktree), HOOK_TIMEOUT)
            if reply.count(b"\0") >= 1 and reply.startswith(b"lpsectl:"):
                answer = reply
        except (FileNotFoundError, ConnectionRefusedError):
            try:
                start(worktree)
            except OSError:
                pass
        except (OSError, ValueError):
            pass  # a watcher that does not answer in time, or answers nonsense: "/"
    sys.stdout.buffer.write(answer)
    sys.stdout.buffer.flush()
    return 0


class Watcher:
    """The changed paths of one work tree, kept from inotify's events; see the module's docstring."""

    def __init__(self, root: str) -> None:
        import ctypes

        self.root = os.fsencode(os.path.realpath(root))
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.get_errno = ctypes.get_errno
        self.fd = self.libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(self.get_errno(), "inotify_init1 failed")
        self.folders: dict[int, bytes] = {}  # watch descriptor -> folder relative to root (b"" for root)
        self.instance = os.urandom(8).hex().encode()
        self.epoch = 1  # the token now being handed out; a change is stamped with it
        self.floor = 1  # tokens below it are answered "/" (the changes before it were lost)
        # path -> the epoch of its last change, in the order of their last changes (oldest first), so an
        # answer reads back from the newest only as far as its token, however many paths are kept.
        self.changed: dict[bytes, int] = {}
        self.blind = False
        self.gone = False  # the work tree went away
        self.started = time.time()
        self.root_wd = -1
        self.watch_tree(b"")

    # -- watching --------------------------------------------------------------
    def _add(self, rel: bytes) -> int:
        path = os.path.join(self.root, rel) if rel else self.root
        wd = self.libc.inotify_add_watch(self.fd, path, MASK)
        if wd < 0:
            import errno

            if self.get_errno() in (errno.ENOENT, errno.ENOTDIR):
                return -1  # gone again: its parent's event names it
            self.blind = True  # cannot watch it (no watches left, no rights): every answer is "/"
            return -1
        self.folders[wd] = rel
        return wd

    def watch_tree(self, rel: bytes) -> None:
        """Watch ``rel`` and every folder below it (but ``.git``), the folder before what it holds."""
        todo = [rel]
        while todo:
            folder = todo.pop()
            wd = self._add(folder)
            if wd < 0:
                if folder == b"":
                    self.gone = True
                continue
            if folder == b"":
                self.root_wd = wd
            try:
                with os.scandir(os.path.join(self.root, folder) if folder else self.root) as entries:
                    for entry in entries:
                        if entry.name != b".git" and entry.is_dir(follow_symlinks=False):
                            todo.append(os.path.join(folder, entry.name) if folder else entry.name)
            except OSError:
                continue  # gone meanwhile: its parent's event names it

    def unwatch_tree(self, rel: bytes) -> None:
        """Stop watching ``rel`` and what is below it (moved away: its watches would name old paths)."""
        prefix = rel + b"/"
        for wd, folder in list(self.folders.items()):
            if folder == rel or folder.startswith(prefix):
                self.libc.inotify_rm_watch(self.fd, wd)
                del self.folders[wd]

    def mark(self, path: bytes) -> None:
        self.changed.pop(path, None)
        self.changed[path] = self.epoch
        if len(self.changed) > MAX_CHANGED:
            self.forget()

    def forget(self) -> None:
        """Changes were lost: every token handed out so far is answered "/"."""
        self.changed.clear()
        self.floor = self.epoch + 1

    # -- events ------------------------------------------------------------------
    def drain(self) -> None:
        """Read every event the kernel has queued."""
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return
            except InterruptedError:
                continue
            if not data:
                return
            self.take(data)

    def take(self, data: bytes) -> None:
        at = 0
        while at + EVENT_SIZE <= len(data):
            wd, mask, size = int.from_bytes(data[at:at + 4], sys.byteorder, signed=True), \
                int.from_bytes(data[at + 4:at + 8], sys.byteorder), int.from_bytes(data[at + 12:at + 16], sys.byteorder)
            name = data[at + EVENT_SIZE:at + EVENT_SIZE + size].rstrip(b"\0")
            at += EVENT_SIZE + size
            self.event(wd, mask, name)

    def event(self, wd: int, mask: int, name: bytes) -> None:
        if mask & IN_Q_OVERFLOW:
            # Events were lost, new folders among them: watch every folder again, then forget.
            self.watch_tree(b"")
            self.forget()
            return
        folder = self.folders.get(wd)
        if mask & IN_IGNORED:
            self.folders.pop(wd, None)
            if wd == self.root_wd:
                self.gone = True
            return
        if folder is None:
            return  # a watch already dropped
        if not name:  # the watched folder itself
            if mask & (IN_DELETE_SELF | IN_MOVE_SELF):
                if wd == self.root_wd:
                    self.gone = True
                else:
                    self.mark(folder + b"/")
            return
        path = os.path.join(folder, name) if folder else name
        if folder == b"" and name == b".git":
            return  # git's own folder: nothing in it is a path of the work tree
        if mask & IN_ISDIR:
            if mask & (IN_CREATE | IN_MOVED_TO):
                self.watch_tree(path)  # watched first, then named whole
            elif mask & (IN_MOVED_FROM | IN_DELETE):
                self.unwatch_tree(path)
            self.mark(path + b"/")
        else:
            self.mark(path)

    # -- answering ---------------------------------------------------------------
    def token(self) -> bytes:
        return b"lpsectl:%s:%d" % (self.instance, self.epoch)

    def answer(self, since: bytes, worktree: bytes | None = None) -> bytes:
        """The answer to git's query ``since`` (a token): a new token, then the paths changed since, NUL-ended.

        ``worktree``: the work tree git asks about; another than this
        watcher's is answered "/".
        """
        self.drain()
        paths: list[bytes] | None = None
        parts = since.split(b":")
        if worktree is not None and worktree != self.root:
            parts = []
        if not self.blind and len(parts) == 3 and parts[0] == b"lpsectl" and parts[1] == self.instance:
            try:
                seq = int(parts[2])
            except ValueError:
                seq = 0
            if self.floor <= seq <= self.epoch:
                paths = []
                for p in reversed(self.changed):
                    if self.changed[p] < seq:
                        break
                    paths.append(p)
        self.epoch += 1  # what changes from now on comes after the new token
        new = self.token()
        if paths is None:
            paths = [EVERYTHING]
        return new + b"\0" + b"".join(p + b"\0" for p in paths)

    def status(self) -> bytes:
        import json

        return json.dumps({"pid": os.getpid(), "root": os.fsdecode(self.root), "folders": len(self.folders),
                           "blind": self.blind, "started": self.started}).encode() + b"\n"


def serve(root: str, idle: float = IDLE_SECONDS) -> int:
    """Run the watcher of ``root`` until it is idle, told to stop, or the work tree is gone."""
    import fcntl
    import select
    import socket

    root = os.path.realpath(root)
    folder = watch_folder(root)
    if folder is None:
        return 1
    os.makedirs(folder, mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    lock = os.open(os.path.join(folder, LOCK), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return 0  # another watcher of this work tree runs
    watcher = Watcher(root)
    if watcher.gone:
        return 1
    sock_path = os.path.join(folder, SOCKET)
    try:
        os.unlink(sock_path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o077)
    try:
        os.chdir(folder)  # the socket is named from its folder: a Unix socket's path is short
        server.bind(SOCKET)
    finally:
        os.umask(old)
        os.chdir("/")  # a watcher standing in the work tree would keep a deleted one alive
    mine = os.stat(sock_path).st_ino
    server.listen(16)
    server.setblocking(False)
    last = time.monotonic()
    try:
        while not watcher.gone:
            wait = idle - (time.monotonic() - last)
            if wait <= 0:
                break
            ready, _, _ = select.select([server, watcher.fd], [], [], min(wait, 5.0))
            if watcher.fd in ready:
                watcher.drain()
            if server in ready:
                try:
                    conn, _addr = server.accept()
                except BlockingIOError:
                    continue
                last = time.monotonic()
                if not _serve_one(watcher, conn):
                    break
            if not ready:
                try:
                    if os.stat(sock_path).st_ino != mine:
                        return 0  # its socket was taken away: another watcher answers now
                except OSError:
                    return 0  # its socket, or the whole work tree, is gone
    finally:
        try:
            if os.stat(sock_path).st_ino == mine:
                os.unlink(sock_path)
        except OSError:
            pass
    return 0


def _serve_one(watcher: Watcher, conn: "socket.socket") -> bool:
    """Answer one request; False when told to stop."""
    with conn:
        conn.setblocking(True)
        conn.settimeout(HOOK_TIMEOUT)
        try:
            request = b""
            while len(request) < 65536:  # the client says all, then shuts its side
                part = conn.recv(65536)
                if not part:
                    break
                request += part
            fields = request.split(b"\0")
            reply = None
            if fields[0] == b"query" and len(fields) == 3:
                reply = watcher.answer(fields[1], fields[2])
            elif fields[0] == b"status":
                reply = watcher.status()
            elif fields[0] == b"stop":
                conn.sendall(b"9\nstopping\n")
                return False
            if reply is not None:
                conn.sendall(b"%d\n" % len(reply) + reply)
        except OSError:
            pass  # a client that went away, or never said anything: its loss
    return True


def main(argv: list[str]) -> int:
    if argv[:1] == ["hook"]:
        return hook(argv[1:])
    if argv[:1] == ["serve"] and len(argv) >= 2:
        idle = float(argv[2]) if len(argv) > 2 else IDLE_SECONDS
        return serve(argv[1], idle)
    sys.stderr.write("usage: watcher.py hook 2 TOKEN | serve ROOT [IDLE_SECONDS]\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
