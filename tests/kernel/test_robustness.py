"""Bad input never crashes the kernel: forged, unsigned and replayed messages are dropped
(and logged), malformed frames, invalid JSON, wrong types, unknown message types and huge
messages are survived. Raw ZeroMQ sockets send exactly the frames under test."""
import hashlib
import hmac
import json
import os
import time
import unittest

import zmq
from jupyter_client.session import Session

from kerneltest import (KernelCase, SLOW, execute, iopub_for, no_reply, start_kernel,
                        stop_kernel, types)


class TestBadInput(KernelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        info = cls.km.get_connection_info()
        cls.key = info["key"]
        cls.ctx = zmq.Context()
        cls.raw = cls.ctx.socket(zmq.DEALER)
        cls.raw.setsockopt(zmq.IDENTITY, b"raw-client")
        cls.raw.setsockopt(zmq.LINGER, 0)
        cls.raw.connect("tcp://%s:%d" % (info["ip"], info["shell_port"]))
        cls.raw_control = cls.ctx.socket(zmq.DEALER)
        cls.raw_control.setsockopt(zmq.LINGER, 0)
        cls.raw_control.connect("tcp://%s:%d" % (info["ip"], info["control_port"]))
        cls.session = Session(key=cls.key, signature_scheme="hmac-sha256")
        time.sleep(0.2)

    @classmethod
    def tearDownClass(cls):
        cls.raw.close()
        cls.raw_control.close()
        cls.ctx.term()
        super().tearDownClass()

    def frames(self, msg_type, content, **over):
        msg = self.session.msg(msg_type, content)
        return self.session.serialize(msg), msg["header"]["msg_id"]

    def raw_reply(self, sock=None, wait=1.0):
        sock = sock or self.raw
        if sock.poll(int(wait * 1000 * SLOW)):
            _, msg_list = self.session.feed_identities(sock.recv_multipart())
            return self.session.deserialize(msg_list)
        return None

    def assert_dropped(self, frames, why):
        self.raw.send_multipart(frames)
        self.assertIsNone(self.raw_reply(wait=0.5), "a reply to a dropped message")
        self.assertIn(why, self.kernel_log())
        self.assert_alive()

    def test_signed_raw_message_is_answered(self):
        frames, msg_id = self.frames("kernel_info_request", {})
        self.raw.send_multipart(frames)
        reply = self.raw_reply()
        self.assertEqual(reply["msg_type"], "kernel_info_reply")
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)

    def test_forged_signature_ignored(self):
        frames, _ = self.frames("execute_request", {"code": "forged = 1", "silent": False})
        sig = bytearray(frames[1])
        sig[0] = ord("0") if sig[0] != ord("0") else ord("1")
        frames[1] = bytes(sig)
        self.assert_dropped(frames, "invalid signature")
        # and nothing ran
        reply, msgs = execute(self.kc, "forged")
        self.assertEqual(reply["content"]["ename"], "NameError")

    def test_wrong_key_and_unsigned_ignored(self):
        other = Session(key=b"not-the-key", signature_scheme="hmac-sha256")
        msg = other.msg("execute_request", {"code": "forged2 = 1"})
        self.assert_dropped(other.serialize(msg), "invalid signature")
        frames, _ = self.frames("kernel_info_request", {})
        frames[1] = b""
        self.assert_dropped(frames, "unsigned message")

    def test_replayed_message_ignored(self):
        frames, msg_id = self.frames("execute_request", {"code": "counter_r = 1"})
        self.raw.send_multipart(frames)
        self.assertEqual(self.raw_reply()["content"]["status"], "ok")
        self.assert_dropped(frames, "duplicate signature")

    def test_malformed_frames_survived(self):
        good, _ = self.frames("kernel_info_request", {})
        for bad in ([b"just one frame"],
                    [b"<IDS|MSG>"],
                    good[:-1],                                  # too few frames
                    [f for f in good if f != b"<IDS|MSG>"],      # no delimiter
                    [b"\xff" * 100, b"\x00", b""]):
            self.raw.send_multipart(bad)
        self.assertIsNone(self.raw_reply(wait=0.5))
        self.assertIn("malformed message", self.kernel_log())
        self.assert_alive()

    def sign(self, parts):
        return hmac.new(self.key, b"".join(parts), hashlib.sha256).hexdigest().encode()

    def test_invalid_json_and_wrong_types_survived(self):
        header = json.dumps({"msg_id": "m1", "session": "s", "username": "u",
                             "date": "2026-01-01T00:00:00Z", "msg_type": "execute_request",
                             "version": "5.3"}).encode()
        for parts in ([header, b"{}", b"{}", b"{not json"],
                      [header, b"{}", b"{}", b"[1, 2, 3]"],
                      [b"[]", b"{}", b"{}", b"{}"],
                      [header.replace(b'"execute_request"', b"12"), b"{}", b"{}", b"{}"],
                      [header, b"null", b"{}", b"{}"]):
            self.raw.send_multipart([b"<IDS|MSG>", self.sign(parts)] + parts)
        self.assertIsNone(self.raw_reply(wait=0.5))
        self.assertIn("is not a JSON object", self.kernel_log())
        # well-formed messages with ill-typed content get error replies
        for content in ({"code": 5}, {"code": None}, {}):
            frames, _ = self.frames("execute_request", content)
            self.raw.send_multipart(frames)
            reply = self.raw_reply()
            self.assertEqual(reply["content"]["status"], "error")
        frames, _ = self.frames("complete_request", {"code": "pri", "cursor_pos": "x"})
        self.raw.send_multipart(frames)
        self.assertIn("print", self.raw_reply()["content"]["matches"])
        frames, _ = self.frames("execute_request", {"code": "1", "silent": "no",
                                                    "user_expressions": [1]})
        self.raw.send_multipart(frames)
        self.assertEqual(self.raw_reply()["content"]["status"], "ok")
        self.assert_alive()

    def test_unknown_message_type(self):
        msg = self.kc.session.msg("no_such_request", {})
        self.kc.shell_channel.send(msg)
        msgs = iopub_for(self.kc, msg["header"]["msg_id"])
        self.assertEqual(types(msgs), ["status:busy", "status:idle"])
        self.assertEqual(no_reply(self.kc, wait=0.3), [])
        self.assertIn("unknown message type 'no_such_request'", self.kernel_log())
        self.assert_alive()

    def test_execute_on_control_not_served(self):
        msg = self.session.msg("execute_request", {"code": "on_control = 1"})
        self.raw_control.send_multipart(self.session.serialize(msg))
        self.assertIsNone(self.raw_reply(self.raw_control, wait=0.5))
        self.assertIn("not served on control", self.kernel_log())
        reply, _ = execute(self.kc, "on_control")
        self.assertEqual(reply["content"]["ename"], "NameError")

    def test_huge_messages(self):
        # a 12 MB comment is a valid program; beyond the session's 16 MB a clear error
        self.run_ok("# " + "x" * (12 << 20) + "\nbig = 1")
        self.assertEqual(self.result_of("big"), "1")
        reply, _ = execute(self.kc, "# " + "x" * (17 << 20))
        self.assertEqual(reply["content"]["ename"], "SyntaxError")
        self.assertIn("too long", reply["content"]["evalue"])
        # 32 MB of garbage without a delimiter, and a huge forged message
        self.raw.send_multipart([os.urandom(32 << 20)])
        frames, _ = self.frames("execute_request", {"code": "y" * (8 << 20)})
        frames[1] = b"0" * 64
        self.raw.send_multipart(frames)
        self.assertIsNone(self.raw_reply(wait=1.0))
        self.assert_alive()


if __name__ == "__main__":
    unittest.main()


class TestOutputLimit(unittest.TestCase):
    """A cell that prints without end gets its output cut at EMBEDLAB_MAX_OUTPUT_BYTES, with a
    note, and the kernel goes on serving."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_kernel(env={"EMBEDLAB_MAX_OUTPUT_BYTES": "1000"})

    @classmethod
    def tearDownClass(cls):
        stop_kernel(cls.km, cls.kc)

    def test_output_is_truncated_with_a_note(self):
        reply, msgs = execute(self.kc, "for i in range(500):\n    print('é' * 9)")
        self.assertEqual(reply["content"]["status"], "ok")
        out = "".join(m["content"]["text"] for m in msgs
                      if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")
        self.assertLessEqual(len(out.encode()), 1000)
        self.assertTrue(out.startswith("ééééééééé\n"))
        notes = [m["content"]["text"] for m in msgs
                 if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"]
        self.assertEqual(len(notes), 1, notes)
        self.assertIn("[embedlab: output truncated: this cell printed 8500 more bytes than its "
                      "limit of 1000; EMBEDLAB_MAX_OUTPUT_BYTES sets the limit]", notes[0])
        # The limit is per cell: the next one prints in full.
        reply, msgs = execute(self.kc, "print('next')")
        self.assertEqual([m["content"]["text"] for m in msgs if m["msg_type"] == "stream"],
                         ["next\n"])
