"""One Python interpreter that runs a page's Python blocks in order, sharing their names, as a notebook does.

Run as ``python notebook_kernel.py``. Each request is one JSON line on stdin: ``{"name", "code",
"env", "cwd"}``; the block runs with exactly that environment (what the page's shell blocks exported)
and working folder. Each reply is one JSON line on stdout: ``{"ok", "stdout", "error"}``, with what
the block printed and, when it raised, the traceback. Everything else the process writes (warnings,
subprocesses' output) goes to stderr.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback


def main() -> None:
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # nothing a block starts may write into the replies
    namespace: dict[str, object] = {"__name__": "__main__"}
    for line in sys.stdin:
        request = json.loads(line)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        printed = io.StringIO()
        reply: dict[str, object] = {"ok": True, "error": None}
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(request["code"], request["name"], "exec"), namespace)  # noqa: S102 -- the page's own code
        except BaseException:  # noqa: BLE001 -- every failure of the block is reported to the test
            reply = {"ok": False, "error": traceback.format_exc()}
        reply["stdout"] = printed.getvalue()
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
