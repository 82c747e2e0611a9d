"""Handlers that succeed, fail, hang, crash or misbehave in the ways a real hook can."""

import json
import logging
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

logger = logging.getLogger()
logger.setLevel(logging.INFO)

calls = 0  # module state: survives between calls in a warm process


def count(event, context):
    global calls
    calls += 1
    return {"calls": calls, "pid": os.getpid()}


def echo(event, context):
    return event


def chatty(event, context):
    print("plain print line")
    print('{"looks": "like a reply"}')
    os.write(1, b"")  # touching fd 1 directly must not disturb the protocol either
    print("to stderr", file=sys.stderr)
    logger.info("logged with %s", "logging")
    sys.stdout.write("no newline at the end")
    return {"taskInput": {"ok": True}, "isHumanAnnotationRequired": "true"}


def explode(event, context):
    print("about to fail")
    raise ValueError(f"cannot label {event['source-ref']}")


def hang(event, context):
    sleeper = subprocess.Popen(["sleep", "60"])
    with open(event["pid_file"], "w") as handle:
        handle.write(str(sleeper.pid))
    time.sleep(60)
    return {"finished": True}


def nap(event, context):
    time.sleep(event["seconds"])
    return {"pid": os.getpid()}


def exit_three(event, context):
    os._exit(3)


def kill_self(event, context):
    os.kill(os.getpid(), signal.SIGKILL)


def unserialisable(event, context):
    return {"labels": {"cat", "dog"}}


def decimals(event, context):
    return {"whole": Decimal("3"), "part": Decimal("1.5")}


def flaky(event, context):
    """Fails until it has been called ``event["fail_times"]`` times; the count lives in a file."""
    path = event["state_file"]
    seen = json.load(open(path)) if os.path.exists(path) else 0
    with open(path, "w") as handle:
        json.dump(seen + 1, handle)
    if seen < event["fail_times"]:
        raise RuntimeError(f"transient failure {seen + 1}")
    return {"succeeded_on_call": seen + 1}


def rendezvous(event, context):
    """Waits until ``parties`` calls are inside the handler at once (or gives up), so a result of
    ``saw == parties`` proves the calls ran at the same time."""
    folder = event["folder"]
    open(os.path.join(folder, f"{os.getpid()}-{time.monotonic_ns()}"), "w").close()
    give_up = time.monotonic() + event["wait_s"]
    while len(os.listdir(folder)) < event["parties"] and time.monotonic() < give_up:
        time.sleep(0.01)
    return {"pid": os.getpid(), "saw": len(os.listdir(folder))}
