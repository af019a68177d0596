"""What a worker process (parse or OCR pool) runs when it starts, kept free of Scrapy.

A pool pickles its initializer by reference, so each worker imports the initializer's module
before its first task. Defined in `govreports.pipelines.parse`, that import pulled Scrapy, Twisted,
cryptography and sqlite3 into every worker (≈ 20 MB each, private: the forkserver never had them);
here it costs nothing, and `govreports.parsing.preload` imports this module so that the forkserver
already has it.

Both pools (parse and OCR) start their workers from the same forkserver, made by `forkserver_context`.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import threading
import time
from multiprocessing.context import ForkServerContext

# what the forkserver imports before it forks any worker, so that every worker shares it
PRELOAD = "govreports.parsing.preload"


def forkserver_context() -> ForkServerContext:
    """The start method of both pools: a forkserver that preloaded the parser's modules, whichever
    pool starts it first (an OCR task can come before the first parse).

    Not the main module: CPython 3.11's forkserver is handed `init_main_from_path` but looks for
    `main_path`, so a `"__main__"` preload is silently ignored. Each worker therefore imports the
    main module itself: nothing under `python -m scrapy`, the `scrapy` console script and
    scrapy.cmdline under `scrapy crawl` (measured: 24 MB of private memory per worker).
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])
    return context


def exit_with_the_crawl(crawl_pid: int) -> None:
    """Worker initializer: end this worker when the crawl process ends.

    A crawl killed with SIGKILL cannot shut its pool down, and a waiting worker never notices
    (it holds its own queue open, and keeps the forkserver alive with it): without this, every
    killed crawl would leave a worker and a forkserver behind.
    """
    def watch() -> None:
        try:
            gone = os.pidfd_open(crawl_pid)   # readable once the process has ended (Linux ≥ 5.3)
            select.select([gone], [], [])
        except (AttributeError, OSError):    # no pidfd: poll
            while True:
                time.sleep(1.0)
                try:
                    os.kill(crawl_pid, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    continue
        os._exit(1)

    threading.Thread(target=watch, name="govreports-crawl-watch", daemon=True).start()
