"""Writes the word-vector test fixtures and what Python makes of them.

tests/data/vectors/ gets:
  - hand-made files, one per real-file case (their bytes are literal below): GloVe, word2vec
    text (word2vec.c style, trailing spaces), fastText .vec, CRLF, BOM, words with spaces
    (glove.840B), with U+0085/U+00A0/tab, non-UTF-8 bytes, duplicates, a truncated last line,
    wrong field counts, bad numbers, nan/inf, empty, blank, header-only, a header promising
    too much, word2vec binary with and without the newline after each vector (and cut
    short), archives and a fastText model;
  - files written by gensim 4.2 (Debian's python3-gensim): word2vec text, binary, and text
    without header (GloVe);
and tests/data/vectors/expected.txt (first line: this script's sha256) holds, for every file
that loads: the words and each value's float32 bits as Python reads them (gensim's
load_word2vec_format for gensim's files; np.float32(float(field)) with the documented rules
for the hand-made ones); plus cosine similarities computed by torch's F.cosine_similarity on
lessons/data/kjv_50d.txt, and PCA scores computed with numpy's SVD (signs as sklearn's
svd_flip), for tests/unit/test_vectors.c.

Usage: /usr/bin/python3 tests/tools/gen_vectors.py   (from the repository root)
"""
import hashlib
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "tests", "data", "vectors")
SCRIPT = os.path.relpath(os.path.abspath(__file__), ROOT)

GLOVE_OK = (b"the 0.418 0.24968 -0.41242 0.1217\n"
            b", 0.013441 0.23682 -0.16899 0.40951\n"
            b"cat 0.45281 -0.50108 -0.53714 -0.015697\n"
            b"sat -0.25539 -0.25723 0.13169 -0.042688\n"
            b"mat 1e-05 -1.5E+2 .5 7.\n")

TEXT_FIXTURES = {
    "glove_ok.txt": GLOVE_OK,
    "glove_crlf.txt": GLOVE_OK.replace(b"\n", b"\r\n"),
    "glove_trailing_space.txt": GLOVE_OK.replace(b"\n", b" \n"),
    "glove_bom.txt": b"\xef\xbb\xbf" + GLOVE_OK,
    "glove_no_final_newline.txt": GLOVE_OK[:-1],
    "w2v_header.txt": b"3 4\nthe 0.1 0.2 0.3 0.4 \ncat 1.5 -2 3e-3 4 \ndog -1 -2 -3 -4 \n",
    "fasttext.vec": b"4 3\n</s> 0.0017 -0.0022 0.0031 \nthe 0.12345 -0.6789 1.2346 \n"
                    b"and -0.30159 0.12 0.5 \ncat 1 2 3 \n",
    "spaces_in_word.txt": b"the 1 2 3\n. . . 4 5 6\nat name@domain.com 7 8 9\nend 1 0 1\n",
    "unicode_space_word.txt": "a\u0085b 1 2\nnb\u00a0sp 3 4\ntab\tword 5 6\ncaf\u00e9 7 8\n".encode("utf-8"),
    "non_utf8.txt": b"ok 1 2\ncaf\xe9 3 4\nfine 5 6\n",
    "duplicates.txt": b"the 1 2\ncat 3 4\nthe 5 6\ndog 7 8\ncat 9 10\n",
    "truncated.txt": b"the 1 2 3\ncat 4 5 6\ndog 7 8",
    "truncated_number.txt": b"the 1 2 3\ncat 4 5 6\ndog 7 8 -",
    "wrong_fields.txt": b"the 1 2 3\ncat 4 5 6\ndog 7 8\nend 1 1 1\n",
    "too_many.txt": b"the 1 2 3\ncat 4 5 6 7\nend 1 1 1\n",
    "bad_number.txt": b"the 1 2 3\ncat 4 5x 6\nend 1 1 1\n",
    "nan_inf.txt": b"a nan 1 2\nb inf -inf 3\nc 1 2 3\nd 1e39 -NaN Infinity\n",
    "empty.txt": b"",
    "blank.txt": b"\n\n   \n\n",
    "header_only.txt": b"3 4\n",
    "header_short.txt": b"5 2\na 1 2\nb 3 4\n",
    "no_vector.txt": b"hello world\nfoo bar\n",
    "blank_lines_inside.txt": b"the 1 2\n\ncat 3 4\n   \ndog 5 6\n",
}


def w2v_binary(entries, dim, newline):
    out = b"%d %d\n" % (len(entries), dim)
    for word, vec in entries:
        out += word + b" " + struct.pack("<%df" % dim, *vec)
        if newline:
            out += b"\n"
    return out


BIN_ENTRIES = [(b"the", [0.1, 0.2, 0.3]), (b"cat", [1.0, -2.0, 3.5]),
               ("caf\u00e9".encode(), [-0.5, 0.25, 1e-3]), (b"dog", [4.0, 5.0, 6.0])]
BINARY_FIXTURES = {
    "binary_w2vc.bin": w2v_binary(BIN_ENTRIES, 3, True),
    "binary_gensim_style.bin": w2v_binary(BIN_ENTRIES, 3, False),
    "binary_truncated.bin": w2v_binary(BIN_ENTRIES, 3, True)[:-7],
    "binary_cut_utf8.bin": w2v_binary([(b"ok", [1, 2]), (b"caf\xc3", [3, 4])], 2, True),
    "binary_short_count.bin": b"6" + w2v_binary(BIN_ENTRIES, 3, True)[1:],
    "gzip.txt.gz": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00" * 10,
    "archive.zip": b"PK\x03\x04" + b"\x00" * 26,
    "fasttext_model.bin": struct.pack("<ii", 0x2F4F16BA, 12) + b"\x00" * 32,
}


def python_text_vectors(data):
    """The documented reading rules, in Python: (words, float32 rows) of a valid text file."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = [l.rstrip(" \t\r\v\f") for l in text.split("\n")]
    lines = [l for l in lines if l]
    first = lines[0].split()
    if len(first) == 2 and all(p.isdigit() for p in first):
        count, dim = int(first[0]), int(first[1])
        lines = lines[1:1 + count]
    else:
        fields = [f for f in lines[0].split(" ") if f]
        dim = 0
        for f in reversed(fields[1:]):
            try:
                float(f)
            except ValueError:
                break
            dim += 1
    words, rows, seen = [], [], set()
    for l in lines:
        fields = [f for f in l.split(" ") if f]
        word = l[:l.index(fields[len(fields) - dim])].rstrip(" ")
        if word in seen:
            continue
        seen.add(word)
        words.append(word)
        rows.append([np.float32(float(f)) for f in fields[-dim:]])
    return words, np.array(rows, dtype=np.float32)


def bits(row):
    return " ".join("%08x" % struct.unpack("<I", struct.pack("<f", float(x)))[0] for x in row)


def section(lines, name, words, matrix):
    lines.append("file %s %d %d" % (name, len(words), matrix.shape[1]))
    for w, row in zip(words, matrix):
        lines.append("word %s" % w.encode("utf-8").hex())
        lines.append("bits %s" % bits(row))


def gensim_files(lines):
    from gensim.models import KeyedVectors
    rng = np.random.RandomState(0)
    words = ["the", "cat", "sat", "on", "mat", "caf\u00e9", "na\u00efve", "tokyo_tower"]
    kv = KeyedVectors(vector_size=5)
    kv.add_vectors(words, (rng.randn(len(words), 5) * 0.5).astype(np.float32))
    kv.save_word2vec_format(os.path.join(OUT, "gensim_text.w2v"), binary=False)
    kv.save_word2vec_format(os.path.join(OUT, "gensim_binary.bin"), binary=True)
    kv.save_word2vec_format(os.path.join(OUT, "gensim_noheader.txt"), binary=False,
                            write_header=False)
    for name, binary, no_header in (("gensim_text.w2v", False, False),
                                    ("gensim_binary.bin", True, False),
                                    ("gensim_noheader.txt", False, True)):
        back = KeyedVectors.load_word2vec_format(os.path.join(OUT, name), binary=binary,
                                                 no_header=no_header)
        section(lines, name, list(back.index_to_key), back.vectors)


def similarity_cases(lines):
    import torch
    import torch.nn.functional as F
    path = os.path.join(ROOT, "lessons", "data", "kjv_50d.txt")
    words, mat = python_text_vectors(open(path, "rb").read())
    m = torch.from_numpy(mat)
    index = {w: i for i, w in enumerate(words)}
    for w in ("king", "gold", "wine", "father"):
        sims = F.cosine_similarity(m, m[index[w]].unsqueeze(0), dim=1)
        sims[index[w]] = -2
        top = torch.topk(sims, 5)
        lines.append("similar %s %s" % (w, " ".join("%s:%.9g" % (words[i], s)
                                                    for s, i in zip(top.values.tolist(),
                                                                    top.indices.tolist()))))
    # PCA of the first 12 words, numpy SVD, sklearn's sign rule (largest |score| positive).
    x = mat[:12].astype(np.float64)
    xc = x - x.mean(axis=0)
    u, s, _ = np.linalg.svd(xc, full_matrices=False)
    scores = u[:, :2] * s[:2]
    for c in range(2):
        if scores[np.abs(scores[:, c]).argmax(), c] < 0:
            scores[:, c] = -scores[:, c]
    ratio = s[:2] ** 2 / (s ** 2).sum()
    lines.append("pca %s" % " ".join("%.12g" % v for v in scores.flatten()))
    lines.append("pca_ratio %.12g %.12g" % tuple(ratio))


def main():
    try:
        import gensim  # noqa: F401
    except ImportError:
        print("gen_vectors.py needs gensim (apt-get install -y python3-gensim); "
              "tests/data/vectors left as they are")
        return
    os.makedirs(OUT, exist_ok=True)
    for name, data in {**TEXT_FIXTURES, **BINARY_FIXTURES}.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    sha = hashlib.sha256(open(os.path.abspath(__file__), "rb").read()).hexdigest()
    lines = ["# generated by %s sha256 %s; do not edit" % (SCRIPT, sha)]
    for name in ("glove_ok.txt", "glove_crlf.txt", "glove_trailing_space.txt", "glove_bom.txt",
                 "glove_no_final_newline.txt", "w2v_header.txt", "fasttext.vec",
                 "spaces_in_word.txt", "unicode_space_word.txt", "duplicates.txt",
                 "blank_lines_inside.txt"):
        words, mat = python_text_vectors(TEXT_FIXTURES[name])
        section(lines, name, words, mat)
    words = [w.decode() for w, _ in BIN_ENTRIES]
    mat = np.array([v for _, v in BIN_ENTRIES], dtype=np.float32)
    section(lines, "binary_w2vc.bin", words, mat)
    section(lines, "binary_gensim_style.bin", words, mat)
    gensim_files(lines)
    similarity_cases(lines)
    with open(os.path.join(OUT, "expected.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s (%d fixtures)" % (OUT, len(TEXT_FIXTURES) + len(BINARY_FIXTURES) + 3))


if __name__ == "__main__":
    main()
