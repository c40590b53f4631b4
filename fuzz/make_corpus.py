#!/usr/bin/env python3
"""fuzz/make_corpus.py — writes the committed seed corpora under fuzz/corpus/NAME/.

Seeds are small, valid or nearly valid inputs for each harness (the fuzzers mutate from
there): wire messages in the harness's framing, connection files, vector files with the
harness's two option bytes, and the .npy/.safetensors/vector test files of tests/data.
Crash reproducers are NOT written here: they are added by hand as fuzz/corpus/NAME/crash-*
and replayed by tests/suites/fuzz.sh. Run from the repository root; idempotent.
"""
import json
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
DATA = os.path.join(ROOT, "tests", "data")


def write(name, fname, data):
    d = os.path.join(CORPUS, name)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


def wire_seeds():
    def hdr(t, n):
        return {"msg_id": "m-%d" % n, "session": "s", "username": "u",
                "date": "2026-11-23T08:39:07.126529Z", "msg_type": t, "version": "5.3"}
    contents = [
        ("execute_request", {"code": "x = torch.ones(2)\nprint(x)", "silent": False,
                             "store_history": True, "user_expressions": {"a": "x.sum()"},
                             "allow_stdin": False, "stop_on_error": True}),
        ("execute_request", {"code": "1/0", "silent": False, "store_history": True,
                             "user_expressions": {}, "allow_stdin": False,
                             "stop_on_error": True}),
        ("execute_request", {"code": "%who", "silent": True}),
        ("kernel_info_request", {}),
        ("complete_request", {"code": "torch.ze", "cursor_pos": 8}),
        ("inspect_request", {"code": "nn.Embedding", "cursor_pos": 5, "detail_level": 1}),
        ("is_complete_request", {"code": "for i in range(3):"}),
        ("history_request", {"output": False, "raw": True, "hist_access_type": "tail",
                             "n": 10}),
        ("comm_info_request", {"target_name": ""}),
        ("comm_open", {"comm_id": "c", "target_name": "t", "data": {}}),
        ("comm_msg", {"comm_id": "c", "data": {}}),
        ("comm_close", {"comm_id": "c", "data": {}}),
        ("shutdown_request", {"restart": False}),
        ("interrupt_request", {}),
    ]
    for n, (t, content) in enumerate(contents):
        frames = [b"ident-%d" % n, b"<IDS|MSG>", b"0" * 64,
                  json.dumps(hdr(t, n)).encode(), b"{}", b"{}",
                  json.dumps(content).encode()]
        body = b"|||".join(frames)
        # flags: 1 key, 2 harness signs, 4 replay, 8 control channel
        flags = 0x03 | (0x08 if t in ("shutdown_request", "interrupt_request") else 0)
        write("wire", "%02d-%s" % (n, t), bytes([flags]) + body)
    write("wire", "unsigned", bytes([0]) + b"|||".join(
        [b"<IDS|MSG>", b"", json.dumps(hdr("kernel_info_request", 99)).encode(),
         b"{}", b"{}", b"{}"]))
    write("wire", "buffers", bytes([0x07]) + b"|||".join(
        [b"a", b"b", b"<IDS|MSG>", b"0" * 64, json.dumps(hdr("comm_msg", 98)).encode(),
         b"{}", b"{}", b'{"comm_id":"c","data":{}}', b"\x00\x01\x02", b"buf"]))


def conn_seeds():
    base = {"shell_port": 53794, "iopub_port": 53795, "stdin_port": 53796,
            "control_port": 53797, "hb_port": 53798, "ip": "127.0.0.1",
            "key": "e44bd446-ccf03cbf498d842411dda08c", "transport": "tcp",
            "signature_scheme": "hmac-sha256", "kernel_name": "embedlab"}
    write("conn", "tcp.json", json.dumps(base, indent=1))
    ipc = dict(base, transport="ipc", ip="/tmp/kernel-ipc")
    write("conn", "ipc.json", json.dumps(ipc))
    write("conn", "nokey.json", json.dumps(dict(base, key="")))
    write("conn", "badport.json", json.dumps(dict(base, hb_port=70000)))
    write("conn", "scheme.json", json.dumps(dict(base, signature_scheme="hmac-md5")))


def vector_seeds():
    d = os.path.join(DATA, "vectors")
    for fname in sorted(os.listdir(d)):
        if fname == "expected.txt":
            continue
        with open(os.path.join(d, fname), "rb") as f:
            data = f.read()
        if len(data) > 8192:
            continue
        target = "vectors_bin" if fname.endswith(".bin") else "vectors"
        # option bytes: auto format, strict; and a lenient/replace/limit variant
        write(target, fname, b"\x00\x00" + data)
        write(target, fname + ".lenient", bytes([0x08 | 0x10 | 0x40, 0x03]) + data)
        if target == "vectors":
            write(target, fname + ".vocab", bytes([0x80 | 0x08, 0x10 | 0x20]) + data)


def file_seeds(name, sub, ext):
    d = os.path.join(DATA, sub)
    for fname in sorted(os.listdir(d)):
        if fname.endswith(ext):
            with open(os.path.join(d, fname), "rb") as f:
                write(name, fname, f.read())


if __name__ == "__main__":
    wire_seeds()
    conn_seeds()
    vector_seeds()
    file_seeds("npy", "npy", ".npy")
    file_seeds("safetensors", "safetensors", ".safetensors")
