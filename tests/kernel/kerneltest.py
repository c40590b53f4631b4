"""Shared helpers for the kernel integration tests: a private Jupyter environment with the
embedlab kernelspec installed, a kernel started through jupyter_client's KernelManager,
and helpers to run code and collect the IOPub messages of one request.

Nothing touches the real Jupyter paths: JUPYTER_PATH, JUPYTER_DATA_DIR, JUPYTER_RUNTIME_DIR
and JUPYTER_CONFIG_DIR point into one temporary directory per test run.
"""
import atexit
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("EMBEDLAB_BUILD", "build")
KERNEL = os.path.join(ROOT, BUILD, "embedlab-kernel")
PYTHON = "/usr/bin/python3"

# Sanitized builds run several times slower; timeouts scale with this.
SLOW = 4.0 if "sanitize" in BUILD else 1.0

_TMP = tempfile.mkdtemp(prefix="embedlab-kernel-tests-")
atexit.register(shutil.rmtree, _TMP, True)
os.environ["JUPYTER_PATH"] = os.path.join(_TMP, "share", "jupyter")
os.environ["JUPYTER_DATA_DIR"] = os.path.join(_TMP, "data")
os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(_TMP, "runtime")
os.environ["JUPYTER_CONFIG_DIR"] = os.path.join(_TMP, "config")
os.environ["IPYTHONDIR"] = os.path.join(_TMP, "ipython")

_installed = False


def install_kernelspec():
    """Installs the kernelspec into the private prefix (once)."""
    global _installed
    if not _installed:
        subprocess.run([KERNEL, "--install", "--prefix", _TMP], check=True,
                       stdout=subprocess.DEVNULL)
        _installed = True
    return os.path.join(_TMP, "share", "jupyter", "kernels", "embedlab")


def tmpdir():
    return _TMP


def start_kernel(stderr_path=None, env=None, **manager_kwargs):
    """Starts embedlab-kernel through jupyter_client; returns (manager, blocking client).
    env: extra environment variables for the kernel process."""
    from jupyter_client import KernelManager
    install_kernelspec()
    km = KernelManager(kernel_name="embedlab", **manager_kwargs)
    kw = {}
    if stderr_path:
        kw["stderr"] = open(stderr_path, "wb")
    if env:
        kw["env"] = dict(os.environ, **env)
    km.start_kernel(**kw)
    kc = km.blocking_client()
    kc.start_channels()
    kc.wait_for_ready(timeout=30 * SLOW)
    drain(kc)
    return km, kc


def stop_kernel(km, kc):
    try:
        kc.stop_channels()
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=False)


def drain(kc, channel="iopub", wait=0.05):
    """Discards pending messages on a channel."""
    get = getattr(kc, "get_%s_msg" % channel)
    while True:
        try:
            get(timeout=wait)
        except queue.Empty:
            return


def iopub_for(kc, msg_id, timeout=10.0):
    """IOPub messages whose parent is msg_id, from busy through idle (inclusive)."""
    out = []
    deadline = time.time() + timeout * SLOW
    while True:
        left = deadline - time.time()
        if left <= 0:
            raise AssertionError("no idle for %s; got %s" % (msg_id, [m["msg_type"] for m in out]))
        try:
            msg = kc.get_iopub_msg(timeout=left)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        out.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return out


def reply_for(kc, msg_id, channel="shell", timeout=10.0):
    get = getattr(kc, "get_%s_msg" % channel)
    deadline = time.time() + timeout * SLOW
    while True:
        left = deadline - time.time()
        if left <= 0:
            raise AssertionError("no %s reply for %s" % (channel, msg_id))
        try:
            msg = get(timeout=left)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def no_reply(kc, channel="shell", wait=0.5):
    """Asserts that nothing arrives on a channel for `wait` seconds; returns what came."""
    get = getattr(kc, "get_%s_msg" % channel)
    got = []
    deadline = time.time() + wait
    while time.time() < deadline:
        try:
            got.append(get(timeout=max(0.01, deadline - time.time())))
        except queue.Empty:
            pass
    return got


def execute(kc, code, timeout=10.0, **kw):
    """Runs code; returns (reply, iopub messages for it)."""
    msg_id = kc.execute(code, **kw)
    reply = reply_for(kc, msg_id, timeout=timeout)
    return reply, iopub_for(kc, msg_id, timeout=timeout)


def types(msgs):
    return [m["msg_type"] if m["msg_type"] != "status" else
            "status:" + m["content"]["execution_state"] for m in msgs]


def send_control(kc, msg_type, content=None):
    msg = kc.session.msg(msg_type, content or {})
    kc.control_channel.send(msg)
    return msg["header"]["msg_id"]


class KernelCase(unittest.TestCase):
    """One kernel per test class."""
    km = kc = None
    stderr_path = None

    @classmethod
    def setUpClass(cls):
        cls.stderr_path = os.path.join(tmpdir(), cls.__name__ + ".stderr")
        cls.km, cls.kc = start_kernel(stderr_path=cls.stderr_path)

    @classmethod
    def tearDownClass(cls):
        stop_kernel(cls.km, cls.kc)

    def setUp(self):
        drain(self.kc, "iopub", 0.01)
        drain(self.kc, "shell", 0.01)

    def kernel_log(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def run_ok(self, code, **kw):
        reply, msgs = execute(self.kc, code, **kw)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        return reply, msgs

    def result_of(self, code):
        reply, msgs = self.run_ok(code)
        results = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1, types(msgs))
        return results[0]["content"]["data"]["text/plain"]

    def assert_alive(self):
        self.assertEqual(self.result_of("1 + 1"), "2")
