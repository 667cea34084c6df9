"""SIGTERM and SIGINT honoured even while the main thread is blocked in a driver's C code (libpq
waiting on a database that never answers), where Python's own handlers cannot run: the run gets a
grace period to stop as Dagster stops it, then the process exits."""

import os
import signal
import sys
import threading
import time

GRACE_S = 15.0
EXIT_CODE = 143  # 128 + SIGTERM, as a process killed by it
_installed = threading.Event()


def exit_after_grace_on_termination(grace_s: float = GRACE_S) -> None:
    """From the main thread: on SIGTERM or SIGINT, whichever handler Python runs (Dagster's, which
    stops the run), exit the process `grace_s` seconds later if it is still running. Once per
    process; nothing where another part of the process watches the signals already."""
    if _installed.is_set() or threading.current_thread() is not threading.main_thread():
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    earlier = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)  # written by the C-level handler
    if earlier != -1:  # an event loop's: leave it
        signal.set_wakeup_fd(earlier)
        os.close(read_end)
        os.close(write_end)
        return
    _installed.set()
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_now)  # a Python handler, so that the wakeup byte is written
    threading.Thread(target=_watch, args=(read_end, grace_s), name="termination-watch", daemon=True).start()


def _exit_now(_signum: int, _frame) -> None:
    """SIGTERM outside a run: exit as the default action would, cleanup blocks run."""
    raise SystemExit(EXIT_CODE)


def _watch(read_end: int, grace_s: float) -> None:
    watched = {signal.SIGTERM, signal.SIGINT}
    while (received := os.read(read_end, 1)) and received[0] not in watched:  # another handled signal
        continue
    name = signal.Signals(received[0]).name if received else "a signal"
    time.sleep(grace_s)
    sys.stderr.write(
        f"error: stopped by {name}: still blocked {grace_s:g} s later (a database or source that does not "
        "answer); exiting without waiting for it\n"
    )
    sys.stderr.flush()
    os._exit(EXIT_CODE)
