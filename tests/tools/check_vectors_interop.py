"""Cross-checks embedlab's vector, .npy and safetensors files and similarity numbers against
Python's own tools, on this machine (not part of CI, which has no torch or gensim):

  - gensim 4.2 loads embedlab.save_word2vec's text and binary files with the same words and
    float32 values;
  - numpy loads embedlab.save_npy's files, byte-identical to np.save's;
  - safetensors files from embedlab.save parse with a few lines of Python following the
    format's specification (Debian has no python3-safetensors) and hold torch's values;
  - embedlab.most_similar / similarity / analogy give the numbers torch computes with
    F.cosine_similarity (to 1e-6) and the same ranking;
  - embedlab.load_glove's missing rows are torch.randn(len(vocab), dim) * 0.01 after
    torch.manual_seed(0), and its coverage line is the seed lesson's;
  - embedlab.load_vectors reads a file gensim wrote exactly as gensim reads it back.

Usage: /usr/bin/python3 tests/tools/check_vectors_interop.py [path/to/embedlab]
Prints one line per check and exits non-zero on the first mismatch.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from gensim.models import KeyedVectors

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMBEDLAB = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, os.environ.get("EMBEDLAB_BUILD", "build"), "embedlab")
SAMPLE = os.path.join(ROOT, "lessons", "data", "kjv_50d.txt")


def run(code):
    out = subprocess.run([EMBEDLAB, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        sys.exit("embedlab failed:\n%s\n%s" % (code, out.stderr))
    return out.stdout


def ok(what):
    print("ok   %s" % what)


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    buf = data[8 + n:]
    kinds = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "BOOL": np.bool_}
    out, end = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, e = info["data_offsets"]
        assert b == end, "offsets not contiguous"
        end = e
        out[name] = np.frombuffer(buf[b:e], dtype=kinds[info["dtype"]]).reshape(info["shape"])
    assert end == len(buf), "buffer not covered"
    return out, meta


def main():
    tmp = tempfile.mkdtemp(prefix="embedlab-interop-")
    words, mat = [], []
    for line in open(SAMPLE, encoding="utf-8"):
        parts = line.rstrip("\n").split(" ")
        words.append(parts[0])
        mat.append([np.float32(float(x)) for x in parts[1:]])
    mat = np.array(mat, dtype=np.float32)

    # word2vec text and binary written by embedlab, read by gensim.
    run(f"""
import embedlab
v = embedlab.load_vectors({SAMPLE!r}, verbose=False)
embedlab.save_word2vec(v, {tmp + '/s.txt'!r})
embedlab.save_word2vec(v, {tmp + '/s.bin'!r}, binary=True)
""")
    for name, binary in (("s.txt", False), ("s.bin", True)):
        kv = KeyedVectors.load_word2vec_format(os.path.join(tmp, name), binary=binary)
        assert list(kv.index_to_key) == words, name
        assert np.array_equal(kv.vectors, mat), name
        ok("gensim reads embedlab's word2vec %s file (%d words, bit-identical)" % ("binary" if binary else "text", len(words)))

    # gensim writes, embedlab reads.
    kv = KeyedVectors(vector_size=50)
    kv.add_vectors(words, mat * np.float32(1.0 / 3))
    kv.save_word2vec_format(os.path.join(tmp, "g.bin"), binary=True)
    kv.save_word2vec_format(os.path.join(tmp, "g.txt"), binary=False, write_header=False)
    for name in ("g.bin", "g.txt"):
        run(f"""
import embedlab
v = embedlab.load_vectors({tmp + '/' + name!r}, verbose=False)
embedlab.save_npy(v.vectors, {tmp + '/' + name + '.npy'!r})
""")
        back = KeyedVectors.load_word2vec_format(os.path.join(tmp, name), binary=name.endswith(".bin"),
                                                 no_header=name.endswith(".txt"))
        assert np.array_equal(np.load(os.path.join(tmp, name + ".npy")), back.vectors), name
        ok("embedlab reads gensim's %s exactly as gensim does" % name)

    # .npy: numpy reads embedlab's files, byte-identical to np.save.
    run(f"""
import torch, embedlab
torch.manual_seed(0)
embedlab.save_npy(torch.randn(7, 3), {tmp + '/a.npy'!r})
embedlab.save_npy(torch.arange(10).reshape(2, 5).t(), {tmp + '/b.npy'!r})
embedlab.save_npy(torch.tensor([True, False]), {tmp + '/c.npy'!r})
embedlab.save_npy(torch.tensor(2.5, dtype=torch.float64), {tmp + '/d.npy'!r})
""")
    torch.manual_seed(0)
    refs = {"a": torch.randn(7, 3).numpy(), "b": np.ascontiguousarray(np.arange(10).reshape(2, 5).T),
            "c": np.array([True, False]), "d": np.array(2.5)}
    for name, ref in refs.items():
        got = np.load(os.path.join(tmp, name + ".npy"))
        assert got.dtype == ref.dtype and np.array_equal(got, ref), name
        np.save(os.path.join(tmp, name + "_np.npy"), ref)
        assert open(os.path.join(tmp, name + ".npy"), "rb").read() == open(os.path.join(tmp, name + "_np.npy"), "rb").read(), name
    ok("numpy loads embedlab's .npy files; bytes equal np.save's")

    # safetensors.
    run(f"""
import torch, embedlab
import torch.nn as nn
torch.manual_seed(0)
emb = nn.Embedding(10, 4, padding_idx=0)
embedlab.save(emb, {tmp + '/emb.safetensors'!r})
embedlab.save({{'w': torch.randn(3, 2), 'ids': torch.arange(5), 'm': torch.tensor([True, False])}}, {tmp + '/d.safetensors'!r}, metadata={{'note': 'hi'}})
v = embedlab.load_vectors({SAMPLE!r}, limit=20, verbose=False)
embedlab.save(v, {tmp + '/v.safetensors'!r})
""")
    torch.manual_seed(0)
    emb = torch.nn.Embedding(10, 4, padding_idx=0)
    t, meta = read_safetensors(os.path.join(tmp, "emb.safetensors"))
    assert list(t) == ["weight"] and np.array_equal(t["weight"], emb.weight.detach().numpy())
    assert meta == {"format": "pt", "embedlab": "state_dict"}
    w = torch.randn(3, 2)
    t, meta = read_safetensors(os.path.join(tmp, "d.safetensors"))
    assert np.array_equal(t["w"], w.numpy()) and np.array_equal(t["ids"], np.arange(5))
    assert t["m"].tolist() == [True, False] and meta["note"] == "hi"
    t, meta = read_safetensors(os.path.join(tmp, "v.safetensors"))
    assert json.loads(meta["itos"]) == words[:20] and np.array_equal(t["vectors"], mat[:20])
    ok("embedlab's safetensors files parse per the specification with torch's values")

    # Similarities against torch.
    m = torch.from_numpy(mat)
    index = {w: i for i, w in enumerate(words)}
    out = run(f"""
import embedlab
v = embedlab.load_vectors({SAMPLE!r}, verbose=False)
for w in ['king', 'egypt', 'bread', 'david', 'water']:
    for other, s in v.most_similar(w, k=8):
        print('ms', w, other, repr(s))
for a, b in [('king', 'queen'), ('gold', 'silver'), ('sheep', 'sword')]:
    print('sim', a, b, repr(embedlab.similarity(v, a, b)))
for other, s in embedlab.analogy(v, 'man', 'king', 'woman', k=5):
    print('an', other, repr(s))
""")
    checked = 0
    for line in out.splitlines():
        parts = line.split()
        if parts[0] == "ms":
            w, other, s = parts[1], parts[2], float(parts[3])
            sims = F.cosine_similarity(m, m[index[w]].unsqueeze(0), dim=1)
            sims[index[w]] = -2
            assert abs(sims[index[other]].item() - s) < 1e-6, line
            checked += 1
        elif parts[0] == "sim":
            ref = F.cosine_similarity(m[index[parts[1]]], m[index[parts[2]]], dim=0).item()
            assert abs(ref - float(parts[3])) < 1e-6, line
            checked += 1
    for w in ['king', 'egypt', 'bread', 'david', 'water']:
        sims = F.cosine_similarity(m, m[index[w]].unsqueeze(0), dim=1)
        sims[index[w]] = -2
        top = [words[i] for i in torch.topk(sims, 8).indices.tolist()]
        got = [l.split()[2] for l in out.splitlines() if l.startswith("ms %s " % w)]
        assert got == top, (w, got, top)
    unit = F.normalize(m, dim=1)
    q = unit[index["king"]] - unit[index["man"]] + unit[index["woman"]]
    sims = F.cosine_similarity(m, q.unsqueeze(0), dim=1)
    for w in ("man", "king", "woman"):
        sims[index[w]] = -2
    top = [words[i] for i in torch.topk(sims, 5).indices.tolist()]
    got = [l.split()[1] for l in out.splitlines() if l.startswith("an ")]
    assert got == top, (got, top)
    ok("most_similar / similarity / analogy match torch's cosine_similarity (%d numbers, same rankings)" % checked)

    # load_glove as the seed lesson.
    out = run(f"""
import torch, embedlab
torch.manual_seed(0)
vocab = {{'king': 0, 'xyzzy': 1, 'gold': 2, 'plugh': 3, 'wine': 4}}
m = embedlab.load_glove({SAMPLE!r}, vocab, 50)
embedlab.save_npy(m, {tmp + '/glove.npy'!r})
""")
    assert out == "Found 3/5 words in GloVe (60.0%)\n", out
    torch.manual_seed(0)
    ref = (torch.randn(5, 50) * 0.01).numpy()
    for w, i in (("king", 0), ("gold", 2), ("wine", 4)):
        ref[i] = mat[index[w]]
    assert np.array_equal(np.load(os.path.join(tmp, "glove.npy")), ref)
    ok("load_glove: the seed's coverage line; missing rows are torch.randn(5, 50) * 0.01")


if __name__ == "__main__":
    main()
