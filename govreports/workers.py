"""What a worker process (parse or OCR pool) runs when it starts, kept free of Scrapy.

A pool pickles its initializer by reference, so each worker imports the initializer's module
before its first task. Defined in `govreports.pipelines.parse`, that import pulled Scrapy, Twisted,
cryptography and sqlite3 into every worker (≈ 20 MB each, private: the forkserver never had them);
here it costs nothing, and `govreports.parsing.preload` imports this module so that the forkserver
already has it.
"""

from __future__ import annotations

import os
import select
import threading
import time


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
