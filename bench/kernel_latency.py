"""Jupyter kernel latency: embedlab-kernel against Debian's ipykernel, in the same run.

    /usr/bin/python3 bench/kernel_latency.py [--starts 20] [--rounds 300] [--code '1 + 1']

For each kernel:
  start -> ready    time from launching the process to its first kernel_info_reply
                    (the client keeps one kernel_info_request queued from the start, on a
                    socket that retries the connection every millisecond);
  execute -> reply  execute_request to execute_reply on shell, and to status idle on IOPub,
                    `--rounds` times after 20 warm-up rounds.
Both kernels are driven by the same minimal client (pyzmq + jupyter_client's Session for
signing), so client overhead is the same on both sides. Reports medians and p99 and the
ratios against the issue's targets (ready < 1/10 and round trip < 1/5 of ipykernel's).
A benchmark, not a test: it never fails on timings.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import zmq
from jupyter_client.connect import write_connection_file
from jupyter_client.session import Session

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("EMBEDLAB_BUILD", "build")


def percentile(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


class Client:
    """Shell DEALER + IOPub SUB with one-millisecond reconnects."""

    def __init__(self, ctx, info, session):
        self.session = session
        self.shell = ctx.socket(zmq.DEALER)
        self.iopub = ctx.socket(zmq.SUB)
        self.control = ctx.socket(zmq.DEALER)
        self.iopub.setsockopt(zmq.SUBSCRIBE, b"")
        for s, port in ((self.shell, "shell_port"), (self.iopub, "iopub_port"),
                        (self.control, "control_port")):
            s.setsockopt(zmq.RECONNECT_IVL, 1)
            s.setsockopt(zmq.LINGER, 0)
            s.connect("tcp://%s:%d" % (info["ip"], info[port]))

    def send(self, sock, msg_type, content):
        msg = self.session.msg(msg_type, content)
        self.session.send(sock, msg)
        return msg["header"]["msg_id"]

    def recv(self, sock, timeout):
        if not sock.poll(int(timeout * 1000)):
            raise TimeoutError("no message within %.1f s" % timeout)
        _, parts = self.session.feed_identities(sock.recv_multipart())
        return self.session.deserialize(parts)

    def wait_reply(self, msg_id, timeout=30.0):
        deadline = time.perf_counter() + timeout
        while True:
            msg = self.recv(self.shell, deadline - time.perf_counter())
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def wait_idle(self, msg_id, timeout=30.0):
        deadline = time.perf_counter() + timeout
        while True:
            msg = self.recv(self.iopub, deadline - time.perf_counter())
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "idle"):
                return msg

    def close(self):
        for s in (self.shell, self.iopub, self.control):
            s.close()


def connection_file(tmp, n):
    conn = os.path.join(tmp, "kernel-%d.json" % n)
    write_connection_file(conn, ip="127.0.0.1", key=os.urandom(16).hex().encode())
    with open(conn) as f:
        info = json.load(f)
    return conn, info


def stop(client, proc):
    try:
        client.send(client.control, "shutdown_request", {"restart": False})
        client.recv(client.control, 5.0)
        proc.wait(timeout=5)
    except Exception:
        proc.kill()
        proc.wait()


def measure(name, argv_for, starts, rounds, code):
    ctx = zmq.Context()
    tmp = tempfile.mkdtemp(prefix="kernel-bench-")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=tmp, JUPYTER_DATA_DIR=tmp,
               JUPYTER_CONFIG_DIR=tmp, IPYTHONDIR=os.path.join(tmp, "ipython"),
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    ready = []
    reply_rt, idle_rt = [], []
    for n in range(starts):
        conn, info = connection_file(tmp, n)
        session = Session(key=info["key"].encode(), signature_scheme="hmac-sha256")
        client = Client(ctx, info, session)
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv_for(conn), env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        msg_id = client.send(client.shell, "kernel_info_request", {})
        client.wait_reply(msg_id, timeout=60)
        ready.append(time.perf_counter() - t0)
        if n == 0:
            time.sleep(0.2)  # let IOPub subscriptions settle
            for i in range(20 + rounds):
                t = time.perf_counter()
                mid = client.send(client.shell, "execute_request",
                                  {"code": code, "silent": False, "store_history": True,
                                   "user_expressions": {}, "allow_stdin": False,
                                   "stop_on_error": True})
                client.wait_reply(mid)
                t_reply = time.perf_counter()
                client.wait_idle(mid)
                t_idle = time.perf_counter()
                if i >= 20:
                    reply_rt.append(t_reply - t)
                    idle_rt.append(t_idle - t)
        stop(client, proc)
        client.close()
    ctx.term()
    return {"name": name, "ready": ready, "reply": reply_rt, "idle": idle_rt}


def summary(r):
    return {"ready_median_ms": 1e3 * statistics.median(r["ready"]),
            "ready_p99_ms": 1e3 * percentile(r["ready"], 99),
            "reply_median_ms": 1e3 * statistics.median(r["reply"]),
            "reply_p99_ms": 1e3 * percentile(r["reply"], 99),
            "idle_median_ms": 1e3 * statistics.median(r["idle"]),
            "idle_p99_ms": 1e3 * percentile(r["idle"], 99)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--starts", type=int, default=20, help="process starts per kernel")
    ap.add_argument("--rounds", type=int, default=300, help="execute round trips per kernel")
    ap.add_argument("--code", default="1 + 1", help="the cell executed each round")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args()
    kernel = os.path.join(ROOT, BUILD, "embedlab-kernel")
    if not os.access(kernel, os.X_OK):
        sys.exit("build %s first (make)" % kernel)
    import ipykernel
    runs = [
        measure("embedlab-kernel", lambda c: [kernel, "-f", c], args.starts, args.rounds,
                args.code),
        measure("ipykernel %s" % ipykernel.__version__,
                lambda c: ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", c],
                args.starts, args.rounds, args.code),
    ]
    e, p = summary(runs[0]), summary(runs[1])
    print("Jupyter kernel latency: %d starts, %d execute round trips of %r, same client"
          % (args.starts, args.rounds, args.code))
    print("%-26s %16s %16s %8s %8s" % ("", runs[0]["name"], runs[1]["name"], "ratio",
                                      "target"))
    rows = [("start -> ready, median", "ready_median_ms", "< 0.10"),
            ("start -> ready, p99", "ready_p99_ms", ""),
            ("execute -> reply, median", "reply_median_ms", "< 0.20"),
            ("execute -> reply, p99", "reply_p99_ms", "< 0.20"),
            ("execute -> idle, median", "idle_median_ms", ""),
            ("execute -> idle, p99", "idle_p99_ms", "")]
    for label, key, target in rows:
        print("%-26s %13.3f ms %13.3f ms %8.3f %8s" % (label, e[key], p[key], e[key] / p[key],
                                                      target))
    if args.json:
        print(json.dumps({"embedlab": e, "ipykernel": p}, indent=1))


if __name__ == "__main__":
    main()
