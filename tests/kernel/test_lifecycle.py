"""Process-level behaviour of embedlab-kernel: interrupts (interrupt_request and SIGINT)
during a long loop with state intact, the heartbeat and the control channel during a
5-second computation, shutdown (request, SIGTERM, during a loop), restart, transports
(ipc, unsigned), binding on the given address only, and command-line errors."""
import json
import os
import queue
import signal
import socket
import subprocess
import time
import unittest

import zmq
from jupyter_client.session import Session

from kerneltest import (KERNEL, SLOW, drain, execute, iopub_for, reply_for, send_control,
                        start_kernel, stop_kernel, tmpdir, types)


def kernel_process(km):
    return km.provisioner.process


class TestInterrupt(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_kernel()

    @classmethod
    def tearDownClass(cls):
        stop_kernel(cls.km, cls.kc)

    def interrupt_loop(self, how):
        reply, _ = execute(self.kc, "kept = 41\nkept += 1")
        self.assertEqual(reply["content"]["status"], "ok")
        msg_id = self.kc.execute("spins = 0\nwhile True:\n    spins += 1")
        # wait until it runs
        deadline = time.time() + 5 * SLOW
        while time.time() < deadline:
            m = self.kc.get_iopub_msg(timeout=5 * SLOW)
            if m["msg_type"] == "execute_input" and m["parent_header"]["msg_id"] == msg_id:
                break
        time.sleep(0.3)
        # the control channel answers while shell is busy
        t0 = time.time()
        info = send_control(self.kc, "kernel_info_request")
        reply_for(self.kc, info, channel="control", timeout=2)
        self.assertLess(time.time() - t0, 2.0 * SLOW)
        t0 = time.time()
        how()
        reply = reply_for(self.kc, msg_id, timeout=5)
        self.assertLess(time.time() - t0, 2.0 * SLOW)
        c = reply["content"]
        self.assertEqual(c["status"], "error")
        self.assertEqual(c["ename"], "KeyboardInterrupt")
        msgs = iopub_for(self.kc, msg_id)
        errors = [m for m in msgs if m["msg_type"] == "error"]
        self.assertEqual(errors[0]["content"]["ename"], "KeyboardInterrupt")
        # state intact, and the loop really ran
        reply, msgs = execute(self.kc, "[kept, spins > 0]")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(msgs[-2]["content"]["data"]["text/plain"], "[42, True]")
        drain(self.kc, "control")

    def test_interrupt_request(self):
        self.assertEqual(self.km.kernel_spec.interrupt_mode, "message")
        self.interrupt_loop(self.km.interrupt_kernel)

    def test_interrupt_request_reply(self):
        msg_id = send_control(self.kc, "interrupt_request")
        reply = reply_for(self.kc, msg_id, channel="control")
        self.assertEqual(reply["content"], {"status": "ok"})
        self.assertEqual(types(iopub_for(self.kc, msg_id)), ["status:busy", "status:idle"])
        # an interrupt while idle does not hit the next cell
        reply, _ = execute(self.kc, "1 + 1")
        self.assertEqual(reply["content"]["status"], "ok")

    def test_sigint(self):
        proc = kernel_process(self.km)
        self.interrupt_loop(lambda: os.kill(proc.pid, signal.SIGINT))
        # SIGINT while idle is harmless
        os.kill(proc.pid, signal.SIGINT)
        time.sleep(0.2)
        reply, _ = execute(self.kc, "2 + 2")
        self.assertEqual(reply["content"]["status"], "ok")


class TestLongComputation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_kernel()

    @classmethod
    def tearDownClass(cls):
        stop_kernel(cls.km, cls.kc)

    def iterations_for(self, seconds):
        """A loop that runs at least about `seconds`: calibrated on the fastest of three
        runs, so a machine busy during calibration cannot make it too short."""
        body = "n = 0\nfor i in range(%d):\n    n += 1"
        rate = 0.0
        for _ in range(3):
            t0 = time.time()
            execute(self.kc, body % 500000)
            rate = max(rate, 500000 / max(time.time() - t0, 1e-3))
        return body % int(rate * seconds)

    def test_heartbeat_and_progress_during_5s(self):
        code = "print('started')\n" + self.iterations_for(6.0) + "\nprint('finished')"
        info = self.km.get_connection_info()
        ctx = zmq.Context()
        hb = ctx.socket(zmq.REQ)
        hb.setsockopt(zmq.LINGER, 0)
        hb.connect("tcp://%s:%d" % (info["ip"], info["hb_port"]))
        try:
            t0 = time.time()
            msg_id = self.kc.execute(code)
            pings = 0
            started_at = None
            done = False
            while not done:
                ping = b"ping-%d" % pings
                t = time.time()
                hb.send(ping)
                self.assertTrue(hb.poll(1000), "no heartbeat echo within 1 s after %.1f s"
                                % (t - t0))
                self.assertEqual(hb.recv(), ping)
                pings += 1
                try:
                    while True:
                        m = self.kc.get_iopub_msg(timeout=0.2)
                        if m["parent_header"].get("msg_id") != msg_id:
                            continue
                        if m["msg_type"] == "stream" and "started" in m["content"]["text"]:
                            started_at = time.time() - t0
                        if m["msg_type"] == "status" and \
                                m["content"]["execution_state"] == "idle":
                            done = True
                            break
                except queue.Empty:
                    pass
            elapsed = time.time() - t0
            self.assertGreater(elapsed, 3.0, "the computation was too short to test")
            self.assertGreater(pings, 10)
            # output printed at the start shows long before the end
            self.assertIsNotNone(started_at)
            self.assertLess(started_at, elapsed - 2.0)
            self.assertTrue(self.kc.is_alive())
            reply = reply_for(self.kc, msg_id)
            self.assertEqual(reply["content"]["status"], "ok")
        finally:
            hb.close()
            ctx.term()


class TestShutdown(unittest.TestCase):
    def test_shutdown_request(self):
        km, kc = start_kernel()
        proc = kernel_process(km)
        msg_id = send_control(kc, "shutdown_request", {"restart": False})
        reply = reply_for(kc, msg_id, channel="control")
        self.assertEqual(reply["content"], {"status": "ok", "restart": False})
        msgs = iopub_for(kc, msg_id)
        self.assertEqual(types(msgs), ["status:busy", "shutdown_reply", "status:idle"])
        self.assertEqual(proc.wait(timeout=3 * SLOW), 0)
        kc.stop_channels()
        km.cleanup_resources()

    def test_shutdown_during_loop(self):
        km, kc = start_kernel()
        proc = kernel_process(km)
        kc.execute("while True:\n    pass")
        time.sleep(0.3)
        t0 = time.time()
        km.shutdown_kernel(now=False)  # interrupt, shutdown_request, then wait
        self.assertLess(time.time() - t0, 2.0 * SLOW)
        self.assertEqual(proc.wait(timeout=1), 0)
        kc.stop_channels()

    def test_sigterm(self):
        km, kc = start_kernel()
        proc = kernel_process(km)
        kc.execute("while True:\n    pass")
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=3 * SLOW), 0)
        kc.stop_channels()
        km.cleanup_resources()

    def test_parent_exit(self):
        """The kernel leaves when the process named by JPY_PARENT_PID (its parent) exits,
        even in the middle of an endless loop."""
        from jupyter_client.connect import write_connection_file
        conn = os.path.join(tmpdir(), "orphan.json")
        write_connection_file(conn, ip="127.0.0.1", key=b"k")
        launcher = (
            "import os, subprocess, sys, time\n"
            "from jupyter_client import BlockingKernelClient\n"
            "env = dict(os.environ, JPY_PARENT_PID=str(os.getpid()))\n"
            "p = subprocess.Popen([sys.argv[1], '-f', sys.argv[2]], env=env,\n"
            "                     start_new_session=True, stdout=subprocess.DEVNULL,\n"
            "                     stderr=subprocess.DEVNULL)\n"
            "kc = BlockingKernelClient(connection_file=sys.argv[2])\n"
            "kc.load_connection_file(); kc.start_channels(); kc.wait_for_ready(timeout=30)\n"
            "kc.execute('while True:\\n    pass'); time.sleep(0.3)\n"
            "print(p.pid, flush=True); os._exit(0)\n")
        out = subprocess.run(["/usr/bin/python3", "-c", launcher, KERNEL, conn],
                             capture_output=True, text=True, timeout=60 * SLOW)
        pid = int(out.stdout.split()[0])
        deadline = time.time() + 3 * SLOW
        while time.time() < deadline:
            try:
                with open("/proc/%d/status" % pid) as f:
                    if "State:\tZ" in f.read():
                        break
            except FileNotFoundError:
                break
            time.sleep(0.02)
        else:
            os.kill(pid, signal.SIGKILL)
            self.fail("the kernel outlived its parent")

    def test_restart(self):
        km, kc = start_kernel()
        try:
            execute(kc, "before_restart = 1")
            old = kernel_process(km).pid
            km.restart_kernel(now=False)
            self.assertNotEqual(kernel_process(km).pid, old)
            kc.wait_for_ready(timeout=30 * SLOW)
            reply, _ = execute(kc, "before_restart")
            self.assertEqual(reply["content"]["ename"], "NameError")
            self.assertEqual(reply["content"]["execution_count"], 1)
        finally:
            stop_kernel(km, kc)


class TestTransports(unittest.TestCase):
    def test_ipc(self):
        from jupyter_client import KernelManager  # noqa: F401 (start_kernel imports it)
        km, kc = start_kernel(transport="ipc", ip=os.path.join(tmpdir(), "kipc"))
        try:
            self.assertEqual(km.transport, "ipc")
            reply, msgs = execute(kc, "print('over ipc')\n6 * 7")
            self.assertEqual(msgs[-2]["content"]["data"]["text/plain"], "42")
            self.assertTrue(os.path.exists(os.path.join(tmpdir(), "kipc-%d" % km.shell_port)))
        finally:
            stop_kernel(km, kc)

    def test_unsigned(self):
        km, kc = start_kernel(session=Session(key=b""))
        try:
            with open(km.connection_file) as f:
                self.assertEqual(json.load(f)["key"], "")
            reply, _ = execute(kc, "3 * 3")
            self.assertEqual(reply["content"]["status"], "ok")
        finally:
            stop_kernel(km, kc)

    def test_binds_given_address_only(self):
        km, kc = start_kernel()
        try:
            info = km.get_connection_info()
            ports = {info[k] for k in ("shell_port", "iopub_port", "stdin_port",
                                       "control_port", "hb_port")}
            pid = kernel_process(km).pid
            inodes = set()
            for fd in os.listdir("/proc/%d/fd" % pid):
                try:
                    target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
            listening = {}
            for table in ("/proc/net/tcp", "/proc/net/tcp6"):
                if not os.path.exists(table):
                    continue
                with open(table) as f:
                    next(f)
                    for line in f:
                        fields = line.split()
                        addr, port = fields[1].split(":")
                        if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                            listening[int(port, 16)] = addr
            self.assertEqual(set(listening), ports)
            self.assertTrue(all(a == "0100007F" for a in listening.values()), listening)
        finally:
            stop_kernel(km, kc)


class TestCommandLine(unittest.TestCase):
    def run_kernel(self, *args, timeout=10):
        return subprocess.run([KERNEL, *args], capture_output=True, text=True,
                              timeout=timeout * SLOW, stdin=subprocess.DEVNULL)

    def test_version_and_help(self):
        r = self.run_kernel("--version")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("embedlab "))
        r = self.run_kernel("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--install", r.stdout)

    def test_usage_errors(self):
        for args in ([], ["-f"], ["--bogus"], ["--install", "--user", "--sys-prefix"]):
            r = self.run_kernel(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage:", r.stderr)

    def test_missing_and_malformed_connection_file(self):
        r = self.run_kernel("-f", "/nonexistent/kernel-1.json")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot open connection file /nonexistent/kernel-1.json", r.stderr)
        bad = os.path.join(tmpdir(), "bad.json")
        for text, message in (("{\"shell_port\": ", "invalid JSON"),
                              ("{\"ip\": \"127.0.0.1\"}", "missing \"shell_port\""),
                              ("[]", "expected a JSON object")):
            with open(bad, "w") as f:
                f.write(text)
            r = self.run_kernel("-f", bad)
            self.assertEqual(r.returncode, 1)
            self.assertIn(message, r.stderr)

    def test_port_in_use(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        try:
            conn = os.path.join(tmpdir(), "busy.json")
            with open(conn, "w") as f:
                json.dump({"ip": "127.0.0.1", "transport": "tcp", "key": "k",
                           "signature_scheme": "hmac-sha256", "shell_port": busy,
                           "iopub_port": busy + 1, "stdin_port": busy + 2,
                           "control_port": busy + 3, "hb_port": busy + 4}, f)
            r = self.run_kernel("-f", conn)
            self.assertEqual(r.returncode, 1)
            self.assertIn("cannot bind the shell socket", r.stderr)
        finally:
            s.close()

    def test_install_prefix(self):
        prefix = os.path.join(tmpdir(), "prefix-test")
        r = self.run_kernel("--install", "--prefix", prefix, "--exec", "/opt/embedlab-kernel")
        self.assertEqual(r.returncode, 0, r.stderr)
        spec_dir = os.path.join(prefix, "share", "jupyter", "kernels", "embedlab")
        with open(os.path.join(spec_dir, "kernel.json")) as f:
            spec = json.load(f)
        self.assertEqual(spec["argv"], ["/opt/embedlab-kernel", "-f", "{connection_file}"])
        self.assertEqual(spec["display_name"], "embedlab (PyTorch embeddings)")
        self.assertEqual(spec["interrupt_mode"], "message")
        from jupyter_client.kernelspec import KernelSpecManager
        ksm = KernelSpecManager(kernel_dirs=[os.path.dirname(spec_dir)])
        self.assertEqual(ksm.get_kernel_spec("embedlab").display_name,
                         "embedlab (PyTorch embeddings)")


if __name__ == "__main__":
    unittest.main()
