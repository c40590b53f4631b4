"""Makes lessons/data/kjv_50d.txt: 50-dimensional word vectors in the GloVe text format,
trained by embedlab itself on the King James Bible (public domain), so the lessons have real,
meaningful vectors to load without downloading anything.

Method (count-based word vectors, Levy, Goldberg & Dagan 2015, "Improving Distributional
Similarity with Lessons Learned from Word Embeddings"):

 1. Text: the King James Version as Debian's bible-kjv package prints it
    (`bible "gen1:1-rev22:21"`; apt-get install bible-kjv), or a text file given as the first
    argument. Lowercased; tokens are runs of letters (verse numbers and punctuation dropped).
 2. Vocabulary: the 6000 most frequent words (ties: alphabetical); contexts: the 2000 most
    frequent.
 3. Co-occurrence counts in a symmetric window of 4 words, each pair weighted 1/distance (as
    GloVe), over the whole text.
 4. Positive pointwise mutual information with context-distribution smoothing (alpha 0.75).
 5. Truncated SVD (numpy.linalg.svd, deterministic): vector = U[:, :50] * sqrt(S[:50]), then
    each vector scaled to length 1 and multiplied by 3 (so values look like GloVe's, about
    +-0.4), written with 5 decimals.
 6. Words shipped: the 400 most frequent words of at least 3 letters outside a short stop-word
    list, plus the demo words below, in frequency order.

Run from the repository root:  /usr/bin/python3 lessons/data/make_sample.py [TEXT_FILE]
Requires numpy only. The output is byte-for-byte reproducible (see lessons/data/README.md for
its sha256).
"""
import collections
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "kjv_50d.txt")
DIM = 50
VOCAB = 6000
CONTEXTS = 2000
WINDOW = 4
SHIP = 400
DEMO = """king queen prince princess man woman men women son daughter sons daughters father
mother brother sister husband wife child children lord god jesus christ moses david solomon
israel judah egypt jerusalem babylon gold silver brass iron bread wine water oil sheep goat
oxen horse camel lion bear dove fish tree vine fig seed fruit sword spear bow shield war
battle peace heaven earth sea river mountain city house temple altar priest prophet
servant master love hate sin death life light darkness day night morning evening""".split()
STOP = set("""the and of to that in he shall unto for i his a lord they be is him not them it
with all thou thy was which my me said but ye their have will thee from as are when this
out were upon by you there hath then into so up had on her before came also an or now
come did we us our she your what do made no at let these those who whom over even any
say hast because them which went yet again every shalt set thereof unto more one two
did according saith after against how whose therefore been""".split())


def read_text():
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as f:
            return f.read()
    return subprocess.run(["bible", "gen1:1-rev22:21"], check=True, capture_output=True,
                          stdin=subprocess.DEVNULL, text=True).stdout


def main():
    tokens = re.findall(r"[a-z]+", read_text().lower())
    counts = collections.Counter(tokens)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    vocab = [w for w, _ in ranked[:VOCAB]]
    index = {w: i for i, w in enumerate(vocab)}
    ids = np.array([index.get(t, -1) for t in tokens], dtype=np.int64)

    cooc = np.zeros((VOCAB, CONTEXTS), dtype=np.float64)
    for d in range(1, WINDOW + 1):
        a, b = ids[:-d], ids[d:]
        for left, right in ((a, b), (b, a)):
            keep = (left >= 0) & (right >= 0) & (right < CONTEXTS)
            np.add.at(cooc, (left[keep], right[keep]), 1.0 / d)

    total = cooc.sum()
    word_p = cooc.sum(axis=1) / total
    ctx = cooc.sum(axis=0) ** 0.75
    ctx_p = ctx / ctx.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log((cooc / total) / np.outer(word_p, ctx_p))
    ppmi = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)

    u, s, _ = np.linalg.svd(ppmi, full_matrices=False)
    vec = u[:, :DIM] * np.sqrt(s[:DIM])
    # Sign convention as sklearn's svd_flip: the largest |entry| of each column is positive.
    signs = np.sign(vec[np.abs(vec).argmax(axis=0), np.arange(DIM)])
    vec = vec * signs
    vec = 3.0 * vec / np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)

    chosen = []
    for w in vocab:
        if len(chosen) >= SHIP:
            break
        if len(w) >= 3 and w not in STOP:
            chosen.append(w)
    for w in DEMO:
        if w in index and w not in chosen:
            chosen.append(w)
    chosen.sort(key=lambda w: index[w])

    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for w in chosen:
            f.write(w + "".join(" %.5f" % x for x in vec[index[w]]) + "\n")
    print(f"wrote {OUT}: {len(chosen)} words x {DIM} dims from {len(tokens)} tokens")


if __name__ == "__main__":
    main()
