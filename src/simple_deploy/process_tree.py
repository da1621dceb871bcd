"""Stopping a command together with every process it started.

On POSIX the command runs in a new session and its process group is killed. On
Windows TerminateProcess stops one process only, and a CLI installed as
`heroku.cmd` is cmd.exe running node.exe: killing cmd.exe would leave node (and
whatever node started) running after the run gave up on it. There the command is
put in a job object as soon as it starts, and the whole job is terminated.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess

__all__ = ["ProcessTree", "popen_options"]

_PROCESS_TERMINATE = 0x0001
_PROCESS_SET_QUOTA = 0x0100


def popen_options() -> dict:
    """Popen arguments that make the command the root of a tree we can stop."""
    if os.name == "posix":
        return {"start_new_session": True}
    return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}


class ProcessTree:
    """`proc` and its descendants; `kill()` stops them all, `close()` frees the job."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self._job = _job_holding(proc.pid) if os.name == "nt" else None

    def kill(self) -> None:
        try:
            if os.name == "posix":
                os.killpg(self.proc.pid, signal.SIGKILL)
            elif self._job is not None:
                _kernel32().TerminateJobObject(self._job, 1)
            else:
                self.proc.kill()
        except OSError:
            pass  # already gone
        self.proc.wait()

    def close(self) -> None:
        if self._job is not None:
            _kernel32().CloseHandle(self._job)
            self._job = None


@functools.cache
def _kernel32():
    """kernel32 with the signatures we call (handles are pointer-sized on 64-bit)."""
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    kernel32.CreateJobObjectW.argtypes = (wintypes.LPVOID, wintypes.LPCWSTR)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
    kernel32.AssignProcessToJobObject.argtypes = (wintypes.HANDLE, wintypes.HANDLE)
    kernel32.TerminateJobObject.argtypes = (wintypes.HANDLE, wintypes.UINT)
    kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
    return kernel32


def _job_holding(pid: int) -> int | None:
    """A new job object holding process `pid` (None if Windows refuses: the caller
    then stops the process alone). Processes it starts from now on join the job.
    A child started in the instant between CreateProcess and this call escapes;
    cmd.exe and node take far longer than that to start anything."""
    kernel32 = _kernel32()
    job = kernel32.CreateJobObjectW(None, None)
    if not job:
        return None
    process = kernel32.OpenProcess(_PROCESS_TERMINATE | _PROCESS_SET_QUOTA, False, pid)
    assigned = bool(process) and bool(kernel32.AssignProcessToJobObject(job, process))
    if process:
        kernel32.CloseHandle(process)
    if not assigned:
        kernel32.CloseHandle(job)
        return None
    return job
