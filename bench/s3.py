"""S3 on crowdform's endpoint: 64 KB GetObject/PutObject under 8 concurrent clients against moto's
server in the same run, and a 1 GB multipart upload with the server's peak RSS.

    .venv/bin/python bench/s3.py                      # both parts, 15 s per phase
    .venv/bin/python bench/s3.py --seconds 5 --big-mb 0

Each client keeps one connection and sends requests signed by botocore exactly as boto3 signs them
(SigV4 over the body's SHA-256, with the CRC32 header boto3 adds), replayed so that the load
generator, which shares the two cores, spends little CPU; clients are spread over processes. crowdform runs as ``crowdform serve`` (embedded store in
its data folder, SQLite); moto as ``moto_server``; both on loopback, one after the other, with the
same client code. The server's RSS is the sum over its process tree (server and background
process), sampled every 50 ms while ``upload_file`` sends the file in 8 MiB parts.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    MB,
    free_port,
    log,
    machine,
    percentile,
    proc_cpu_s,
    save_results,
    start_server,
    table,
    workdir,
)

BUCKET = "bench"
KEYS_PER_CLIENT = 50


def client(url: str, key: str, secret: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, max_pool_connections=4))


def signed_requests(url: str, key: str, secret: str, op: str, ident: int, body: bytes) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, headers) of one client's requests, signed by botocore as boto3 signs them (SigV4
    with the body's SHA-256, and its CRC32 as boto3 sends by default). A SigV4 request may be sent
    again within 15 minutes, so the load loop replays them without paying for boto3 on every call:
    what is measured is the server."""
    from urllib.parse import urlsplit

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from crowdform.storage.buckets import checksums

    crc = checksums.new("CRC32")
    crc.update(body)
    signer = S3SigV4Auth(Credentials(key, secret), "s3", "us-east-1")
    requests = []
    for i in range(KEYS_PER_CLIENT):
        path = f"/{BUCKET}/c{ident}/obj-{i}"
        if op == "put":
            request = AWSRequest("PUT", url + path, data=body, headers={
                "x-amz-checksum-crc32": checksums.encode(crc.digest()), "x-amz-sdk-checksum-algorithm": "CRC32",
                "Content-Length": str(len(body))})
        else:
            request = AWSRequest("GET", url + path, headers={"x-amz-checksum-mode": "ENABLED"})
        signer.add_auth(request)
        headers = dict(request.headers.items())
        headers["Host"] = urlsplit(url).netloc
        requests.append((request.method, path, headers))
    return requests


def _worker(url: str, key: str, secret: str, op: str, ident: int, seconds: float, size: int, out: Any) -> None:
    import http.client
    from urllib.parse import urlsplit

    body = os.urandom(size)
    requests = signed_requests(url, key, secret, op, ident, body)
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        method, path, headers = requests[i % KEYS_PER_CLIENT]
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body if method == "PUT" else None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            if response.status != 200 or (method == "GET" and len(data) != size):
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        latencies.append(time.perf_counter() - started)
        i += 1
    connection.close()
    out.put((latencies, errors))


def _process(url: str, key: str, secret: str, op: str, first: int, threads: int, seconds: float, size: int,
             out: Any) -> None:
    workers = [threading.Thread(target=_worker, args=(url, key, secret, op, first + t, seconds, size, out))
               for t in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()


def load(url: str, key: str, secret: str, op: str, clients: int, processes: int, seconds: float, size: int,
         server_pid: int) -> dict[str, Any]:
    queue: Any = multiprocessing.Queue()
    per = clients // processes
    server = psutil.Process(server_pid)
    cpu0, t0 = proc_cpu_s(server), time.perf_counter()
    procs = [multiprocessing.Process(target=_process, args=(url, key, secret, op, p * per, per, seconds, size, queue))
             for p in range(processes)]
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in range(clients)]
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - t0
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    return {"ops": len(latencies), "errors": errors, "seconds": round(elapsed, 2),
            "ops_per_s": round(len(latencies) / seconds, 1),
            "p50_ms": round((percentile(latencies, 50) or 0) * 1000, 2),
            "p99_ms": round((percentile(latencies, 99) or 0) * 1000, 2),
            "server_cpu_s": round(proc_cpu_s(server) - cpu0, 1)}


def prefill(url: str, key: str, secret: str, clients: int, size: int) -> None:
    s3 = client(url, key, secret)
    try:
        s3.create_bucket(Bucket=BUCKET)
    except Exception:  # noqa: BLE001 - it may exist from the put phase
        pass
    body = os.urandom(size)
    for c in range(clients):
        for i in range(KEYS_PER_CLIENT):
            s3.put_object(Bucket=BUCKET, Key=f"c{c}/obj-{i}", Body=body)


def rss_mb(pid: int) -> tuple[float, float]:
    """(RSS of the server process, RSS summed over its process tree) in MB."""
    try:
        root = psutil.Process(pid)
        own = root.memory_info().rss
        return own / MB, (own + sum(p.memory_info().rss for p in root.children(recursive=True))) / MB
    except psutil.Error:
        return 0.0, 0.0


def big_upload(url: str, key: str, secret: str, server_pid: int, folder: Path, megabytes: int) -> dict[str, Any]:
    source = folder / "big.bin"
    block = os.urandom(MB)
    with open(source, "wb") as stream:
        for _ in range(megabytes):
            stream.write(block)
    s3 = client(url, key, secret)
    if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET)
    peak, stop = [rss_mb(server_pid)], threading.Event()
    before = peak[0]

    def sample() -> None:
        while not stop.is_set():
            peak.append(rss_mb(server_pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    s3.upload_file(str(source), BUCKET, "big/one-gigabyte.bin")
    elapsed = time.perf_counter() - t0
    stop.set()
    sampler.join()
    size = s3.head_object(Bucket=BUCKET, Key="big/one-gigabyte.bin")["ContentLength"]
    source.unlink()
    return {"megabytes": megabytes, "stored_bytes": size, "seconds": round(elapsed, 1),
            "mb_per_s": round(megabytes / elapsed, 1),
            "server_rss_before_mb": round(before[0], 1), "server_peak_rss_mb": round(max(p[0] for p in peak), 1),
            "tree_rss_before_mb": round(before[1], 1), "tree_peak_rss_mb": round(max(p[1] for p in peak), 1)}


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = free_port()
    binary = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    process = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(url + "/moto-api/", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("moto_server did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=15.0, help="length of each load phase (0: skip them)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--processes", type=int, default=4, help="client processes the clients are spread over")
    ap.add_argument("--size-kb", type=int, default=64)
    ap.add_argument("--big-mb", type=int, default=1024, help="size of the multipart upload (0: skip)")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    size = args.size_kb * 1024
    results: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv), "clients": args.clients,
                               "object_kb": args.size_kb}
    with workdir("s3") as folder:
        data = folder / "data"
        data.mkdir()
        database = f"sqlite:///{data / 'crowdform.db'}"
        from crowdform.engine.access_keys import AccessKeys
        from crowdform.engine.runtime import Runtime
        from crowdform.settings import Settings

        runtime = Runtime.open(Settings(data_dir=data, database_url=database))
        info, secret = AccessKeys(runtime).create("bench")
        runtime.close()
        server = start_server(data, database)
        moto, moto_url = start_moto()
        try:
            targets = {"crowdform": (server.url, info.access_key_id, secret, server.pid),
                       "moto": (moto_url, "testing", "testing", moto.pid)}
            for name, (url, key, sec, pid) in targets.items() if args.seconds else ():
                prefill(url, key, sec, args.clients, size)
                for op in ("put", "get"):
                    log(f"{name}: {op} for {args.seconds} s with {args.clients} clients")
                    results[f"{name}_{op}"] = load(url, key, sec, op, args.clients, args.processes, args.seconds,
                                                   size, pid)
            if args.big_mb:
                log(f"crowdform: upload_file of {args.big_mb} MB")
                results["big_upload"] = big_upload(server.url, info.access_key_id, secret, server.pid, folder,
                                                   args.big_mb)
        finally:
            server.stop()
            moto.terminate()
            moto.wait(timeout=30)
    if not args.seconds:
        print("1 GB upload_file:", results.get("big_upload"))
        print("results:", save_results("s3", results, args.out))
        return
    rows = [[f"{name} {op}", r["ops_per_s"], r["p50_ms"], r["p99_ms"], r["errors"], r["server_cpu_s"]]
            for name in ("crowdform", "moto") for op in ("put", "get") for r in [results[f"{name}_{op}"]]]
    print(table(["target", "ops/s", "p50 ms", "p99 ms", "errors", "server CPU s"], rows))
    for op in ("put", "get"):
        ratio = results[f"crowdform_{op}"]["ops_per_s"] / max(results[f"moto_{op}"]["ops_per_s"], 0.1)
        results[f"{op}_ratio"] = round(ratio, 2)
        print(f"{op}: crowdform / moto = {ratio:.2f}x")
    if "big_upload" in results:
        print("1 GB upload_file:", results["big_upload"])
    print("results:", save_results("s3", results, args.out))


if __name__ == "__main__":
    main()
