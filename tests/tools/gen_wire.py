"""Wire-protocol vectors for tests/unit/test_wire.c, from Python's hmac module and
jupyter_client's own Session (the reference implementation of the Jupyter wire format).

Writes tests/data/wire_vectors.txt, one case per line, fields separated by spaces, every
byte string hex-encoded ('-' for empty), lists comma-separated:
  hmac   KEY PART,PART,... MAC
      HMAC-SHA256 over the concatenated parts (RFC 4231 inputs, split into pieces to
      exercise the streaming API, plus Jupyter-style keys).
  decode KEY STATUS N_IDENTS N_BUFFERS MSG_TYPE CODE FRAME FRAME ...
      A multipart message as jupyter_client's Session.serialize sends it (some tampered
      with); STATUS is the decoder's expected verdict (ok, malformed, unsigned,
      bad_signature, bad_json); MSG_TYPE and CODE (content["code"]) are hex, '-' if none.
  encode KEY IDENTS HEADER PARENT METADATA CONTENT SIGNATURE
      Compact JSON frames (separators ',' ':' and UTF-8, as Jansson's JSON_COMPACT writes
      them) and the signature jupyter_client computes over them.
"""
import hashlib
import hmac
import json
import os

from jupyter_client.session import Session

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.path.relpath(os.path.abspath(__file__), ROOT)
OUT = os.path.join(ROOT, "tests", "data", "wire_vectors.txt")


def hx(b):
    return b.hex() if b else "-"


def hlist(parts):
    return ",".join(hx(p) for p in parts) if parts else "-"


def split(data, n):
    """data in n nearly equal pieces (some may be empty)."""
    step = max(1, len(data) // n)
    pieces = [data[i * step:(i + 1) * step] for i in range(n - 1)]
    pieces.append(data[(n - 1) * step:])
    return pieces


RFC4231 = [
    (b"\x0b" * 20, b"Hi There"),
    (b"Jefe", b"what do ya want for nothing?"),
    (b"\xaa" * 20, b"\xdd" * 50),
    (bytes(range(1, 26)), b"\xcd" * 50),
    (b"\xaa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First"),
    (b"\xaa" * 131, b"This is a test using a larger than block-size key and a larger "
                    b"than block-size data. The key needs to be hashed before being used "
                    b"by the HMAC algorithm."),
]

JUPYTER_KEY = b"e44bd446-ccf03cbf498d842411dda08c"
KEYS = [JUPYTER_KEY, b"k", b"x" * 64, b"\x00\x01secret\xff" * 9]


def hmac_cases():
    lines = []
    for key, data in RFC4231:
        for n in (1, 2, 4):
            parts = split(data, n)
            mac = hmac.new(key, data, hashlib.sha256).hexdigest()
            lines.append("hmac %s %s %s" % (hx(key), hlist(parts), mac))
    for key in KEYS:
        parts = [b'{"msg_id":"1"}', b"{}", b"{}", b'{"code":"1+1"}']
        mac = hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest()
        lines.append("hmac %s %s %s" % (hx(key), hlist(parts), mac))
    return lines


def header(msg_type, n):
    return {"msg_id": "c0ffee-%d" % n, "session": "c0ffee", "username": "student",
            "date": "2026-11-23T08:39:07.126529Z", "msg_type": msg_type, "version": "5.3"}


def message(msg_type, n, content, parent=None):
    return {"header": header(msg_type, n), "parent_header": parent or {}, "metadata": {},
            "content": content, "buffers": []}


def serialize(key, msg, idents):
    s = Session(key=key, signature_scheme="hmac-sha256")
    return s.serialize(msg, ident=idents)


def decode_line(key, status, frames, n_idents=0, n_buffers=0, msg_type=None, code=None):
    return "decode %s %s %d %d %s %s %s" % (
        hx(key), status, n_idents, n_buffers, hx(msg_type.encode()) if msg_type else "-",
        hx(code.encode()) if code is not None else "-", " ".join(hx(f) for f in frames))


def resign(key, frames, at):
    """Signs the four JSON frames after the delimiter at index `at` again."""
    frames = list(frames)
    frames[at + 1] = hmac.new(key, b"".join(frames[at + 2:at + 6]),
                              hashlib.sha256).hexdigest().encode()
    return frames


def decode_cases():
    lines = []
    code = "x = torch.ones(2)\nprint('h\u00e9llo \U0001f600')"
    execute = {"code": code, "silent": False, "store_history": True,
               "user_expressions": {}, "allow_stdin": True, "stop_on_error": True}
    ident = b"\x00k\x8b\xd1\x7f"
    for key in (JUPYTER_KEY, b"", b"\xaa" * 131):
        frames = serialize(key, message("execute_request", 1, execute), [ident])
        lines.append(decode_line(key, "ok", frames, 1, 0, "execute_request", code))
    # two identities, a parent header and binary buffers
    msg = message("comm_msg", 2, {"comm_id": "c", "data": {}}, parent=header("x", 0))
    msg["buffers"] = [b"\x00\x01\x02", b"buffer two"]
    # (Session.send appends the buffers after what serialize returns)
    frames = serialize(JUPYTER_KEY, msg, [b"router-a", b"dealer-b"]) + msg["buffers"]
    lines.append(decode_line(JUPYTER_KEY, "ok", frames, 2, 2, "comm_msg"))
    # no identities at all
    frames = serialize(JUPYTER_KEY, message("kernel_info_request", 3, {}), [])
    lines.append(decode_line(JUPYTER_KEY, "ok", frames, 0, 0, "kernel_info_request"))
    base = serialize(JUPYTER_KEY, message("execute_request", 4, execute), [ident])
    at = base.index(b"<IDS|MSG>")
    # a forged signature: one hex digit changed
    forged = list(base)
    sig = bytearray(forged[at + 1])
    sig[10] = ord("0") if sig[10] != ord("0") else ord("1")
    forged[at + 1] = bytes(sig)
    lines.append(decode_line(JUPYTER_KEY, "bad_signature", forged))
    # signed with another key
    lines.append(decode_line(JUPYTER_KEY, "bad_signature",
                             serialize(b"not the key", message("execute_request", 5, execute),
                                       [ident])))
    # content changed after signing
    tampered = list(base)
    tampered[at + 5] = tampered[at + 5].replace(b"torch", b"TORCH")
    lines.append(decode_line(JUPYTER_KEY, "bad_signature", tampered))
    # upper-case hex is not what jupyter_client produces
    upper = list(base)
    upper[at + 1] = upper[at + 1].upper()
    lines.append(decode_line(JUPYTER_KEY, "bad_signature", upper))
    # a truncated signature
    short = list(base)
    short[at + 1] = short[at + 1][:63]
    lines.append(decode_line(JUPYTER_KEY, "bad_signature", short))
    # unsigned while a key is set
    unsigned = list(base)
    unsigned[at + 1] = b""
    lines.append(decode_line(JUPYTER_KEY, "unsigned", unsigned))
    # no delimiter, too few frames, nothing at all
    lines.append(decode_line(JUPYTER_KEY, "malformed", [f for f in base if f != b"<IDS|MSG>"]))
    lines.append(decode_line(JUPYTER_KEY, "malformed", base[:-1]))
    lines.append(decode_line(JUPYTER_KEY, "malformed", [b"<IDS|MSG>"]))
    # correctly signed but not JSON objects
    for bad in (b"{not json", b"[1, 2]", b"", b'"text"'):
        frames = list(base)
        frames[at + 5] = bad
        lines.append(decode_line(JUPYTER_KEY, "bad_json", resign(JUPYTER_KEY, frames, at)))
    frames = list(base)
    frames[at + 2] = json.dumps({"msg_id": "x", "msg_type": 7}).encode()
    lines.append(decode_line(JUPYTER_KEY, "bad_json", resign(JUPYTER_KEY, frames, at)))
    frames = list(base)
    frames[at + 2] = b"{}"
    lines.append(decode_line(JUPYTER_KEY, "bad_json", resign(JUPYTER_KEY, frames, at)))
    return lines


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def encode_cases():
    lines = []
    cases = [
        ("execute_reply", [b"\x00k\x8b\xd1\x7f"], header("execute_request", 9),
         {"status": "ok", "execution_count": 3, "user_expressions": {}, "payload": []}),
        ("stream", [b"stream.stdout"], header("execute_request", 10),
         {"name": "stdout", "text": "h\u00e9llo \U0001f600\n\ttab \"quoted\" back\\slash"}),
        ("status", [], {}, {"execution_state": "idle"}),
        ("kernel_info_reply", [b"a", b"b"], header("kernel_info_request", 11),
         {"status": "ok", "protocol_version": "5.3", "language_info": {"name": "embedlab",
          "codemirror_mode": {"name": "ipython", "version": 3}}, "debugger": False,
          "help_links": [{"text": "t", "url": "u"}], "n": None}),
    ]
    for key in (JUPYTER_KEY, b"", b"\xaa" * 131):
        for i, (msg_type, idents, parent, content) in enumerate(cases):
            hdr = header(msg_type, 100 + i)
            parts = [compact(hdr), compact(parent), compact({}), compact(content)]
            s = Session(key=key, signature_scheme="hmac-sha256")
            sig = s.sign(parts).decode() if key else ""
            lines.append("encode %s %s %s %s" % (hx(key), hlist(idents),
                                                 " ".join(hx(p) for p in parts),
                                                 sig or "-"))
    return lines


def main():
    lines = hmac_cases() + decode_cases() + encode_cases()
    with open(os.path.abspath(__file__), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# generated by %s sha256 %s; do not edit\n" % (SCRIPT, digest))
        for line in lines:
            assert "\n" not in line
            f.write(line + "\n")


if __name__ == "__main__":
    main()
