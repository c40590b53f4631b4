"""scripts/kernel_load.py — embedlab-kernel under load (issue 11), against the real binary
over loopback with raw ZeroMQ sockets and jupyter_client's Session for signing.

    /usr/bin/python3 scripts/kernel_load.py [--requests 10000] [--clients 4]
                                            [--forged 1000] [--compute 10]

1. Concurrent clients: CLIENTS DEALER sockets (distinct identities) send REQUESTS
   execute_requests in total, each with a user expression whose value depends on the
   client and the request; every reply must come back to its sender with status ok and
   the right value.
2. Forged and malformed messages interleaved with good ones: FORGED bad messages (wrong
   signature, unsigned, replayed, truncated frames, invalid JSON, wrong types) between good
   requests; each good one must be answered correctly, none of the bad ones may run (each
   bad one would set a variable; the variable must stay undefined).
3. Heartbeat: during a computation of about COMPUTE seconds, pings on the heartbeat
   socket every 100 ms must each come back within 1 s.
4. Interrupts: an interrupt_request on control during each kind of long operation (a
   Python loop, a big matrix product loop, a backward loop) ends it with
   KeyboardInterrupt within 2 s, and the kernel then answers normally.

Prints one line per part and "N passed, N failed"; exit status 1 on a failure. A load
test, not part of `make test` (it takes a minute).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import zmq
from jupyter_client.connect import write_connection_file
from jupyter_client.session import Session

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("EMBEDLAB_BUILD", "build")
KERNEL = os.path.join(ROOT, BUILD, "embedlab-kernel")

results = []


def report(name, ok, detail=""):
    results.append(ok)
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail else ""),
          flush=True)


class Kernel:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="embedlab-load-")
        self.cf = os.path.join(self.dir, "kernel.json")
        self.key = uuid.uuid4().hex
        _, self.info = write_connection_file(self.cf, ip="127.0.0.1", key=self.key.encode())
        self.log = open(os.path.join(self.dir, "kernel.log"), "wb")
        self.proc = subprocess.Popen([KERNEL, "-f", self.cf], stdout=self.log, stderr=self.log)
        self.ctx = zmq.Context()
        self.session = Session(key=self.key.encode(), signature_scheme="hmac-sha256")

    def socket(self, kind, port, identity=None):
        s = self.ctx.socket(kind)
        s.setsockopt(zmq.LINGER, 0)
        if identity:
            s.setsockopt(zmq.IDENTITY, identity)
        s.connect("tcp://127.0.0.1:%d" % self.info[port])
        return s

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.ctx.destroy(0)
        self.log.close()


def reply_of(session, sock, msg_id, timeout):
    """The reply to msg_id on a DEALER socket (others are skipped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sock.poll(int(max(1, (deadline - time.monotonic()) * 1000))):
            _, msg = session.feed_identities(sock.recv_multipart())
            m = session.deserialize(msg)
            if m["parent_header"].get("msg_id") == msg_id:
                return m
    return None


def execute(k, sock, code, exprs=None, timeout=30):
    msg = k.session.msg("execute_request", {"code": code, "silent": False,
                                            "store_history": True,
                                            "user_expressions": exprs or {},
                                            "allow_stdin": False, "stop_on_error": False})
    k.session.send(sock, msg)
    return reply_of(k.session, sock, msg["header"]["msg_id"], timeout)


def wait_ready(k):
    sock = k.socket(zmq.DEALER, "shell_port")
    for _ in range(100):
        r = execute(k, sock, "1", timeout=0.5)
        if r:
            sock.close()
            return True
    sock.close()
    return False


def part_concurrent(k, requests, clients):
    per = requests // clients
    bad = []
    lock = threading.Lock()

    def client(c):
        sock = k.socket(zmq.DEALER, "shell_port", identity=b"load-client-%d" % c)
        window = 16  # requests in flight per client
        pending = {}
        sent = done = 0
        while done < per:
            while sent < per and len(pending) < window:
                want = str(sent * 7 + c)
                msg = k.session.msg("execute_request", {
                    "code": "c%d = %d" % (c, sent), "silent": False, "store_history": False,
                    "user_expressions": {"v": "%d * 7 + %d" % (sent, c)},
                    "allow_stdin": False, "stop_on_error": False})
                k.session.send(sock, msg)
                pending[msg["header"]["msg_id"]] = want
                sent += 1
            if not sock.poll(30000):
                with lock:
                    bad.append("client %d: no reply in 30 s (%d pending)" % (c, len(pending)))
                break
            _, frames = k.session.feed_identities(sock.recv_multipart())
            m = k.session.deserialize(frames)
            want = pending.pop(m["parent_header"].get("msg_id"), None)
            if want is None:
                with lock:
                    bad.append("client %d: a reply to a request it did not send" % c)
                continue
            got = m["content"].get("user_expressions", {}).get("v", {})
            value = got.get("data", {}).get("text/plain")
            if m["content"].get("status") != "ok" or value != want:
                with lock:
                    bad.append("client %d: wanted %s, got %r" % (c, want, m["content"]))
            done += 1
        sock.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.monotonic() - t0
    report("%d execute requests from %d concurrent clients" % (per * clients, clients),
           not bad, "; ".join(bad[:3]) if bad else "%.1f s, %.0f requests/s" %
           (secs, per * clients / secs))


def part_forged(k, forged):
    sock = k.socket(zmq.DEALER, "shell_port", identity=b"forger")
    wrong = Session(key=b"not-the-key", signature_scheme="hmac-sha256")
    unsigned = Session(key=b"", signature_scheme="hmac-sha256")
    kinds = ["wrong_key", "unsigned", "replayed", "truncated", "bad_json", "wrong_types",
             "bad_signature_hex"]
    bad_good = []
    replay_frames = None
    for i in range(forged):
        kind = kinds[i % len(kinds)]
        code = "forged_%d = 1" % i
        content = {"code": code, "silent": False, "store_history": True,
                   "user_expressions": {}, "allow_stdin": False, "stop_on_error": False}
        if kind == "wrong_key":
            wrong.send(sock, wrong.msg("execute_request", content))
        elif kind == "unsigned":
            unsigned.send(sock, unsigned.msg("execute_request", content))
        elif kind == "replayed":
            if replay_frames is None:
                # a good message, sent once now (it sets replayed_ok) and replayed after
                msg = k.session.msg("execute_request", dict(content, code="replayed_ok = 1"))
                replay_frames = k.session.serialize(msg)
                sock.send_multipart(replay_frames)
                reply_of(k.session, sock, msg["header"]["msg_id"], 10)
            sock.send_multipart(replay_frames[:1] + [f for f in replay_frames[1:]])
        else:
            msg = k.session.msg("execute_request", content)
            frames = k.session.serialize(msg)
            if kind == "truncated":
                frames = frames[:3]
            elif kind == "bad_json":
                frames[-1] = b"{not json" + code.encode()
                frames[1] = k.session.sign(frames[2:6])
            elif kind == "wrong_types":
                frames[-1] = json.dumps({"code": 7, "user_expressions": [], "silent": "x"}).encode()
                frames[1] = k.session.sign(frames[2:6])
            elif kind == "bad_signature_hex":
                frames[1] = frames[1][:-1] + (b"0" if frames[1][-1:] != b"0" else b"1")
            sock.send_multipart(frames)
        if i % 10 == 9:  # a good one every ten bad ones
            r = execute(k, sock, "good = %d" % i, {"v": "good + 1"}, timeout=10)
            v = r and r["content"].get("user_expressions", {}).get("v", {}).get(
                "data", {}).get("text/plain")
            if v != str(i + 1):
                bad_good.append("good %d: %r" % (i, r and r["content"]))
    # None of the forged ones ran: no forged_* variable exists, and replayed_ok ran once.
    probe = execute(k, sock, "n = len([k for k in dir() if k.startswith('forged_')])",
                    {"n": "n"}, timeout=10)
    n = probe and probe["content"].get("user_expressions", {}).get("n", {}).get(
        "data", {}).get("text/plain")
    sock.close()
    ok = not bad_good and n == "0" and k.proc.poll() is None
    report("%d forged/malformed messages interleaved with %d good ones" % (forged, forged // 10),
           ok, "; ".join(bad_good[:3]) or ("forged variables defined: %s" % n if n != "0" else
                                             "none executed, all good ones answered"))


def part_heartbeat(k, compute):
    shell = k.socket(zmq.DEALER, "shell_port")
    hb = k.socket(zmq.REQ, "hb_port")
    hb.setsockopt(zmq.REQ_RELAXED, 1)
    # a computation of about `compute` seconds: a loop of matrix products, calibrated
    code = ("import torch\na = torch.randn(200, 200)\n"
            "for _ in range(N):\n    b = a @ a\n")
    # measure 500 products in-band, less an empty request's round trip, to pick N
    t0 = time.monotonic()
    execute(k, shell, "pass", timeout=60)
    round_trip = time.monotonic() - t0
    t0 = time.monotonic()
    execute(k, shell, code.replace("N", "500"), timeout=120)
    per = max((time.monotonic() - t0 - round_trip) / 500, 1e-6)
    n = int(compute / per)
    msg = k.session.msg("execute_request", {"code": code.replace("N", str(n)), "silent": False,
                                            "store_history": False, "user_expressions": {},
                                            "allow_stdin": False, "stop_on_error": False})
    t_start = time.monotonic()
    k.session.send(shell, msg)
    worst = 0.0
    pings = lost = 0
    done = None
    while done is None:
        t0 = time.monotonic()
        hb.send(b"ping %d" % pings)
        pings += 1
        if hb.poll(1000):
            hb.recv()
            worst = max(worst, time.monotonic() - t0)
        else:
            lost += 1
        if shell.poll(100):
            _, frames = k.session.feed_identities(shell.recv_multipart())
            m = k.session.deserialize(frames)
            if m["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                done = time.monotonic() - t_start
        if time.monotonic() - t_start > compute * 6 + 60:
            break
    shell.close()
    hb.close()
    report("heartbeat during a %.1f s computation" % (done or -1),
           done is not None and lost == 0 and worst < 1.0,
           "%d pings, %d unanswered within 1 s, slowest %.0f ms" % (pings, lost, worst * 1e3))


def part_interrupts(k):
    shell = k.socket(zmq.DEALER, "shell_port")
    control = k.socket(zmq.DEALER, "control_port")
    cases = [
        ("a Python loop", "i = 0\nwhile True:\n    i += 1\n"),
        ("tensor products", "import torch\na = torch.randn(300, 300)\nwhile True:\n    b = a @ a\n"),
        ("backward passes", "import torch\nimport torch.nn as nn\ne = nn.Embedding(50000, 64)\n"
                            "x = torch.randint(0, 50000, (256, 64))\nwhile True:\n"
                            "    e(x).sum().backward()\n"),
        ("a long list comprehension", "xs = [i * i for i in range(10**9)]\n"),
    ]
    for name, code in cases:
        msg = k.session.msg("execute_request", {"code": code, "silent": False,
                                                "store_history": False, "user_expressions": {},
                                                "allow_stdin": False, "stop_on_error": False})
        k.session.send(shell, msg)
        time.sleep(1.0)
        t0 = time.monotonic()
        k.session.send(control, k.session.msg("interrupt_request", {}))
        r = reply_of(k.session, shell, msg["header"]["msg_id"], 10)
        took = time.monotonic() - t0
        ename = r and r["content"].get("ename")
        after = execute(k, shell, "1 + 1", {"v": "1 + 1"}, timeout=10)
        v = after and after["content"].get("user_expressions", {}).get("v", {}).get(
            "data", {}).get("text/plain")
        report("interrupt during %s" % name, ename == "KeyboardInterrupt" and took < 2 and v == "2",
               "%s after %.2f s; then 1 + 1 = %s" % (ename, took, v))
    shell.close()
    control.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=10000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--forged", type=int, default=1000)
    ap.add_argument("--compute", type=float, default=10.0)
    args = ap.parse_args()
    k = Kernel()
    try:
        if not wait_ready(k):
            report("kernel start", False, "no reply within 50 s")
        else:
            part_concurrent(k, args.requests, args.clients)
            part_forged(k, args.forged)
            part_heartbeat(k, args.compute)
            part_interrupts(k)
            report("kernel still running", k.proc.poll() is None)
    finally:
        k.close()
    print("%d passed, %d failed" % (sum(results), len(results) - sum(results)))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
