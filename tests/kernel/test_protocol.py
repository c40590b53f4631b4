"""The embedlab kernel driven by Debian's jupyter_client: every shell and control message
type, busy/idle ordering, execution counts, errors and stop_on_error, completion,
inspection, completeness, history and comms."""
import time
import unittest

from kerneltest import (KernelCase, SLOW, execute, iopub_for, no_reply, reply_for,
                        send_control, types)


class TestKernelInfo(KernelCase):
    def test_kernel_info_reply_on_shell(self):
        msg_id = self.kc.kernel_info()
        reply = reply_for(self.kc, msg_id)
        c = reply["content"]
        self.assertEqual(reply["msg_type"], "kernel_info_reply")
        self.assertEqual(reply["header"]["version"], "5.3")
        self.assertEqual(c["status"], "ok")
        self.assertEqual(c["protocol_version"], "5.3")
        self.assertEqual(c["implementation"], "embedlab")
        li = c["language_info"]
        self.assertEqual(li["name"], "embedlab")
        self.assertEqual(li["mimetype"], "text/x-python")
        self.assertEqual(li["file_extension"], ".py")
        self.assertEqual(li["pygments_lexer"], "python3")
        self.assertEqual(li["codemirror_mode"], {"name": "ipython", "version": 3})
        self.assertTrue(li["version"])
        self.assertTrue(c["banner"])
        self.assertTrue(c["help_links"] and all("url" in h for h in c["help_links"]))
        # busy/idle around kernel_info too, with the request as parent
        self.assertEqual(types(iopub_for(self.kc, msg_id)), ["status:busy", "status:idle"])

    def test_kernel_info_on_control(self):
        msg_id = send_control(self.kc, "kernel_info_request")
        reply = reply_for(self.kc, msg_id, channel="control")
        self.assertEqual(reply["content"]["implementation"], "embedlab")
        self.assertEqual(types(iopub_for(self.kc, msg_id)), ["status:busy", "status:idle"])

    def test_headers_dates_and_ids(self):
        ids = set()
        for _ in range(3):
            msg_id = self.kc.kernel_info()
            reply = reply_for(self.kc, msg_id)
            h = reply["header"]
            for key in ("msg_id", "session", "username", "date", "msg_type", "version"):
                self.assertIn(key, h)
            # jupyter_client parsed the date: it must carry a timezone
            self.assertIsNotNone(h["date"].tzinfo)
            self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
            ids.add(h["msg_id"])
            for m in iopub_for(self.kc, msg_id):
                ids.add(m["header"]["msg_id"])
        self.assertEqual(len(ids), 9)


class TestExecute(KernelCase):
    def test_01_order_and_counts(self):
        reply, msgs = self.run_ok("x = 1 + 2\nprint('hi', x)\nx * 10")
        self.assertEqual(types(msgs), ["status:busy", "execute_input", "stream",
                                       "execute_result", "status:idle"])
        self.assertEqual(msgs[1]["content"]["code"], "x = 1 + 2\nprint('hi', x)\nx * 10")
        count = msgs[1]["content"]["execution_count"]
        self.assertEqual(msgs[2]["content"], {"name": "stdout", "text": "hi 3\n"})
        self.assertEqual(msgs[3]["content"]["execution_count"], count)
        self.assertEqual(msgs[3]["content"]["data"], {"text/plain": "30"})
        self.assertEqual(reply["content"]["execution_count"], count)
        self.assertEqual(reply["content"]["user_expressions"], {})
        # the next stored execution counts one more
        reply, msgs = self.run_ok("x")
        self.assertEqual(reply["content"]["execution_count"], count + 1)
        self.assertEqual(msgs[1]["content"]["execution_count"], count + 1)

    def test_02_silent_and_store_history(self):
        reply, _ = self.run_ok("0")
        count = reply["content"]["execution_count"]
        reply, msgs = self.run_ok("print('quiet')\n42", silent=True)
        self.assertEqual(types(msgs), ["status:busy", "status:idle"])
        self.assertEqual(reply["content"]["execution_count"], count)
        reply, msgs = self.run_ok("43", store_history=False)
        self.assertEqual(reply["content"]["execution_count"], count)
        self.assertIn("execute_result", types(msgs))
        reply, _ = self.run_ok("44")
        self.assertEqual(reply["content"]["execution_count"], count + 1)

    def test_03_error(self):
        reply, msgs = execute(self.kc, "y = 7\nprint('before')\n[1, 2][5]")
        self.assertEqual(types(msgs), ["status:busy", "execute_input", "stream", "error",
                                       "status:idle"])
        err = msgs[3]["content"]
        self.assertEqual(err["ename"], "IndexError")
        self.assertEqual(err["evalue"], "list index out of range")
        self.assertTrue(all(isinstance(line, str) for line in err["traceback"]))
        self.assertIn("IndexError: list index out of range", err["traceback"])
        c = reply["content"]
        self.assertEqual(c["status"], "error")
        self.assertEqual((c["ename"], c["evalue"]), ("IndexError", "list index out of range"))
        self.assertIsInstance(c["execution_count"], int)
        # earlier bindings survive the error
        self.assertEqual(self.result_of("y"), "7")

    def test_04_stop_on_error_aborts_queued(self):
        self.run_ok("log = []")
        slow = "n = 0\nfor i in range(300000):\n    n += 1\n1 / 0"
        first = self.kc.execute(slow)
        second = self.kc.execute("log.append('second')")
        third = self.kc.execute("print('third')")
        r1 = reply_for(self.kc, first)
        r2 = reply_for(self.kc, second)
        r3 = reply_for(self.kc, third)
        self.assertEqual(r1["content"]["ename"], "ZeroDivisionError")
        self.assertEqual(r2["content"]["status"], "error")
        self.assertEqual(r3["content"]["status"], "error")
        msgs3 = iopub_for(self.kc, third)
        self.assertNotIn("stream", types(msgs3))
        self.assertEqual(self.result_of("log"), "[]")
        # stop_on_error=False: queued requests still run
        first = self.kc.execute(slow, stop_on_error=False)
        second = self.kc.execute("log.append('ran')")
        self.assertEqual(reply_for(self.kc, first)["content"]["status"], "error")
        self.assertEqual(reply_for(self.kc, second)["content"]["status"], "ok")
        self.assertEqual(self.result_of("log"), "['ran']")

    def test_05_user_expressions(self):
        self.run_ok("v = 20")
        reply, _ = self.run_ok("w = 1", user_expressions={"a": "v + 1", "b": "nope",
                                                          "c": "[v, w]"})
        ue = reply["content"]["user_expressions"]
        self.assertEqual(ue["a"], {"status": "ok", "data": {"text/plain": "21"},
                                   "metadata": {}})
        self.assertEqual(ue["b"]["status"], "error")
        self.assertEqual(ue["b"]["ename"], "NameError")
        self.assertEqual(ue["c"]["data"]["text/plain"], "[20, 1]")

    def test_06_syntax_error(self):
        reply, msgs = execute(self.kc, "x = (1,\ny = 2")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "SyntaxError")
        self.assertIn("error", types(msgs))

    def test_07_output_never_on_kernel_stdout(self):
        self.run_ok("print('marker-' + 'xyzzy')")
        self.assertNotIn("marker-xyzzy", self.kernel_log())

    def test_08_many_prints_coalesce(self):
        reply, msgs = self.run_ok("for i in range(2000):\n    print(i)")
        text = "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream")
        self.assertEqual(text, "".join("%d\n" % i for i in range(2000)))
        self.assertLess(types(msgs).count("stream"), 20)

    def test_09_unicode(self):
        self.assertEqual(self.result_of("s = 'h\u00e9llo \U0001f600'\ns"),
                         "'h\u00e9llo \U0001f600'")
        _, msgs = self.run_ok("print(s)")
        self.assertEqual(msgs[2]["content"]["text"], "h\u00e9llo \U0001f600\n")

    def test_10_input_without_stdin_fails_clearly(self):
        reply, msgs = execute(self.kc, "input('name? ')", allow_stdin=False)
        c = reply["content"]
        self.assertEqual(c["status"], "error")
        self.assertTrue(c["ename"].endswith("Error"), c)
        self.assertIn("input", c["evalue"])
        self.assertIn("error", types(msgs))

    def test_11_input_through_stdin(self):
        msg_id = self.kc.execute("answer = input('name? ')\nanswer", allow_stdin=True)
        req = self.kc.get_stdin_msg(timeout=3 * SLOW)
        self.assertEqual(req["msg_type"], "input_request")
        self.assertEqual(req["content"]["prompt"], "name? ")
        self.kc.input("Ada")
        reply = reply_for(self.kc, msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        msgs = iopub_for(self.kc, msg_id)
        results = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "'Ada'")


    def test_12_repr_html_in_the_result_bundle(self):
        code = ("class Table:\n"
                "    def _repr_html_(self):\n"
                "        return '<table><tr><td>cat</td></tr></table>'\n"
                "    def __repr__(self):\n"
                "        return 'Table()'\n"
                "Table()")
        reply, msgs = execute(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok")
        data = [m for m in msgs if m["msg_type"] == "execute_result"][0]["content"]["data"]
        self.assertEqual(data["text/plain"], "Table()")
        self.assertEqual(data["text/html"], "<table><tr><td>cat</td></tr></table>")
        # A failing _repr_html_ leaves the plain text.
        reply, msgs = execute(self.kc, "class Bad:\n    def _repr_html_(self):\n"
                                       "        return 1 / 0\nBad()")
        data = [m for m in msgs if m["msg_type"] == "execute_result"][0]["content"]["data"]
        self.assertNotIn("text/html", data)
        self.assertTrue(data["text/plain"].startswith("<__main__.Bad object at 0x"), data)


    def test_13_modules_show_a_parameter_table(self):
        code = ("import torch.nn as nn\n"
                "class Tied(nn.Module):\n"
                "    def __init__(self):\n"
                "        super().__init__()\n"
                "        self.emb = nn.Embedding(1000, 8, padding_idx=0)\n"
                "        self.head = nn.Linear(8, 1000, bias=False)\n"
                "        self.head.weight = self.emb.weight\n"
                "        self.scale = nn.Parameter(nn.init.ones_(nn.Embedding(1, 1).weight[0]))\n"
                "        self.scale.requires_grad_(False)\n"
                "Tied()")
        reply, msgs = execute(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        data = [m for m in msgs if m["msg_type"] == "execute_result"][0]["content"]["data"]
        html = data["text/html"]
        self.assertIn("<b>Tied</b>: 8,001 parameters (8,000 trainable)", html)
        self.assertIn("<tr><td><code>emb.weight</code></td><td>(1000, 8)</td><td>float32</td>"
                      "<td>True</td><td style=\"text-align:right\">8,000</td></tr>", html)
        self.assertIn("<td><code>scale</code></td><td>(1,)</td>", html)
        self.assertNotIn("head.weight", html)  # tied: listed once, as parameters() does
        self.assertIn("<pre>Tied(\n  (emb): Embedding(1000, 8, padding_idx=0)", html)
        self.assertTrue(data["text/plain"].startswith("Tied(\n"))


class TestIntrospection(KernelCase):
    def complete(self, code, cursor=None):
        msg_id = self.kc.complete(code, len(code) if cursor is None else cursor)
        reply = reply_for(self.kc, msg_id)
        self.assertEqual(types(iopub_for(self.kc, msg_id)), ["status:busy", "status:idle"])
        self.assertEqual(reply["content"]["status"], "ok")
        return reply["content"]

    def test_complete_several_inputs(self):
        c = self.complete("pri")
        self.assertIn("print", c["matches"])
        self.assertEqual((c["cursor_start"], c["cursor_end"]), (0, 3))
        self.run_ok("import torch\nembedding_dim = 3")
        c = self.complete("torch.zer")
        self.assertIn("zeros", c["matches"])
        self.assertEqual((c["cursor_start"], c["cursor_end"]), (6, 9))
        c = self.complete("x = embedding_")
        self.assertEqual(c["matches"], ["embedding_dim"])
        self.assertEqual(c["cursor_start"], 4)
        c = self.complete("qqq_nothing_here")
        self.assertEqual(c["matches"], [])
        # cursor positions count Unicode code points, not bytes or UTF-16 units
        code = "s = '\u00e9\U0001f600'; embedding_"
        c = self.complete(code)
        self.assertEqual(c["matches"], ["embedding_dim"])
        self.assertEqual((c["cursor_start"], c["cursor_end"]), (len(code) - 10, len(code)))
        # a cursor in the middle of the line
        c = self.complete("embedding_ + 1", 5)
        self.assertEqual((c["cursor_start"], c["cursor_end"]), (0, 5))
        self.assertIn("embedding_dim", c["matches"])

    def test_inspect(self):
        msg_id = self.kc.inspect("print(1)", 2)
        reply = reply_for(self.kc, msg_id)
        c = reply["content"]
        self.assertEqual(c["status"], "ok")
        self.assertTrue(c["found"])
        self.assertIn("print(", c["data"]["text/plain"])
        self.run_ok("import torch")
        reply = reply_for(self.kc, self.kc.inspect("torch.nn.Embedding", 15, 1))
        self.assertTrue(reply["content"]["found"])
        self.assertIn("Embedding", reply["content"]["data"]["text/plain"])
        reply = reply_for(self.kc, self.kc.inspect("no_such_name", 4))
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertFalse(reply["content"]["found"])

    def test_is_complete(self):
        cases = [("x = 1", "complete", None),
                 ("for i in range(3):", "incomplete", "    "),
                 ("def f(a,", "incomplete", None),
                 ("x = [1,\n2", "incomplete", None),
                 ("x = )", "invalid", None),
                 ("", "complete", None)]
        for code, status, indent in cases:
            msg = self.kc.session.msg("is_complete_request", {"code": code})
            self.kc.shell_channel.send(msg)
            reply = reply_for(self.kc, msg["header"]["msg_id"])
            self.assertEqual(reply["content"]["status"], status, code)
            if status == "incomplete":
                self.assertIn("indent", reply["content"])
                if indent is not None:
                    self.assertEqual(reply["content"]["indent"], indent)

    def test_history(self):
        self.run_ok("h1 = 1")
        self.run_ok("h2 = 2")
        self.run_ok("h1 + h2")
        self.run_ok("h_not_stored = 0", store_history=False)
        reply = reply_for(self.kc, self.kc.history(hist_access_type="tail", n=3, output=False,
                                                   raw=True))
        hist = reply["content"]["history"]
        self.assertEqual([e[2] for e in hist], ["h1 = 1", "h2 = 2", "h1 + h2"])
        lines = [e[1] for e in hist]
        self.assertEqual(lines, [lines[0], lines[0] + 1, lines[0] + 2])
        reply = reply_for(self.kc, self.kc.history(hist_access_type="range", session=0,
                                                   start=lines[1], stop=lines[2] + 1,
                                                   output=True, raw=True))
        hist = reply["content"]["history"]
        self.assertEqual([e[2] for e in hist], [["h2 = 2", None], ["h1 + h2", "3"]])
        reply = reply_for(self.kc, self.kc.history(hist_access_type="search", pattern="h1*",
                                                   output=False, raw=True))
        self.assertEqual([e[2] for e in reply["content"]["history"]], ["h1 = 1", "h1 + h2"])
        reply = reply_for(self.kc, self.kc.history(hist_access_type="search", pattern="h?=*",
                                                   n=1, output=False, raw=True))
        self.assertEqual(reply["content"]["history"], [])

    def test_comms(self):
        msg = self.kc.session.msg("comm_info_request", {})
        self.kc.shell_channel.send(msg)
        reply = reply_for(self.kc, msg["header"]["msg_id"])
        self.assertEqual(reply["content"], {"status": "ok", "comms": {}})
        msg = self.kc.session.msg("comm_open", {"comm_id": "abc", "target_name": "nobody",
                                                "data": {}})
        self.kc.shell_channel.send(msg)
        msgs = iopub_for(self.kc, msg["header"]["msg_id"])
        self.assertEqual(types(msgs), ["status:busy", "comm_close", "status:idle"])
        self.assertEqual(msgs[1]["content"]["comm_id"], "abc")
        self.assertEqual(no_reply(self.kc, wait=0.3), [])


if __name__ == "__main__":
    unittest.main()
