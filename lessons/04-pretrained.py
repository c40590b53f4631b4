# ---
# title: Pretrained vectors
# summary: Load word vectors in the GloVe text format, build the embedding for your vocabulary, and explore similarity and analogies.
# ---

# %% [markdown]
# Training good word vectors needs a lot of text. Instead, we often start from
# **pretrained** vectors such as GloVe or word2vec. GloVe files are plain text: one word
# per line, followed by its numbers, separated by spaces.
#
# `lessons/data/kjv_50d.txt` is a small file in exactly that format: 422 words with 50
# numbers each, trained on the King James Bible (so the neighbours of words are biblical).
# It is not GloVe itself, but it reads the same way.

# %%
import torch
import torch.nn as nn
import torch.nn.functional as F
_ = torch.manual_seed(0)
with open('lessons/data/kjv_50d.txt', encoding='utf-8') as f:
    first = f.readline()
first[:60]

# %% [markdown]
# Reading the whole file into a dictionary from word to vector takes four lines:

# %%
vectors = {}
with open('lessons/data/kjv_50d.txt', encoding='utf-8') as f:
    for line in f:
        parts = line.rstrip().split(' ')
        vectors[parts[0]] = torch.tensor([float(x) for x in parts[1:]])
len(vectors)
vectors['king'].shape

# %% [markdown]
# Your model has its **own vocabulary**: the tokens of your data, each with an id. Some of
# them are in the pretrained file, some are not (rare words, typos, padding). The usual
# recipe: start from small random rows, copy in the vector of every word that was found,
# keep the padding row at zero, and report the **coverage**.

# %%
vocab = ['<pad>', 'king', 'queen', 'gold', 'computer']
stoi = {word: i for i, word in enumerate(vocab)}
weights = torch.randn(len(vocab), 50) * 0.1
weights[0] = 0
found = 0
for i, word in enumerate(vocab):
    if word in vectors:
        weights[i] = vectors[word]
        found += 1
print(f"Found {found}/{len(vocab)} words")

# %% [markdown] tags=["exercise"] id="pretrained-coverage"
# **Your turn.** For the vocabulary `words = ['the', 'lord', 'spake', 'unto', 'moses',
# 'laptop']`, set `missing` to the list of the words that are **not** in `vectors` (in
# vocabulary order) and `coverage` to the fraction of words that are (a float).
# hint: `word in vectors` tests whether a word has a pretrained vector.
# hint: `missing = [w for w in words if w not in vectors]`, then `coverage = 1 - len(missing) / len(words)`.
# check: words == ['the', 'lord', 'spake', 'unto', 'moses', 'laptop']
# check: missing == [w for w in words if w not in vectors]
# check: abs(coverage - sum([w in vectors for w in words]) / len(words)) < 1e-9
# explain: words == ['the', 'lord', 'spake', 'unto', 'moses', 'laptop'] | start with words = ['the', 'lord', 'spake', 'unto', 'moses', 'laptop']
# explain: missing == [w for w in words if w not in vectors] | `missing` should list the words without a vector, in order
# success: common words have vectors; a modern word like 'laptop' does not.
# solution: words = ['the', 'lord', 'spake', 'unto', 'moses', 'laptop']
# solution: missing = [w for w in words if w not in vectors]
# solution: coverage = 1 - len(missing) / len(words)

# %% [markdown]
# `nn.Embedding.from_pretrained(weights)` makes the layer. By default it is **frozen**
# (`freeze=True`: the weights will not be trained; lesson 5 is about that). The padding id
# can be given too.

# %%
emb = nn.Embedding.from_pretrained(weights, padding_idx=0)
emb
emb.weight.requires_grad
emb(torch.tensor([stoi['king']]))[0, :5]

# %% [markdown]
# **Surprise:** `from_pretrained` does not copy. The layer's weight *is* the tensor you
# passed, so changing `weights` afterwards changes the layer too:

# %%
weights[1, 0] = 99.0
emb.weight[1, 0]

# %% [markdown]
# Pass `weights.clone()` when you want a layer of its own.
#
# Why bother with pretrained vectors? Because similar words get similar vectors. The
# **cosine similarity** measures the angle between two vectors: 1 for the same
# direction, 0 for unrelated, -1 for opposite.

# %%
F.cosine_similarity(vectors['king'], vectors['queen'], dim=0)
F.cosine_similarity(vectors['gold'], vectors['silver'], dim=0)
F.cosine_similarity(vectors['gold'], vectors['mother'], dim=0)

# %% [markdown] tags=["exercise"] id="pretrained-similar"
# **Your turn.** Which is closer to `'father'`: `'mother'` or `'gold'`? Set `sim_mother` and
# `sim_gold` to the two cosine similarities as Python floats.
# hint: `F.cosine_similarity(a, b, dim=0)` compares two 1-D vectors; `.item()` gives a float.
# hint: `sim_mother = F.cosine_similarity(vectors['father'], vectors['mother'], dim=0).item()`
# check: isinstance(sim_mother, float) and abs(sim_mother - F.cosine_similarity(vectors['father'], vectors['mother'], dim=0).item()) < 1e-6
# check: isinstance(sim_gold, float) and abs(sim_gold - F.cosine_similarity(vectors['father'], vectors['gold'], dim=0).item()) < 1e-6
# explain: isinstance(sim_mother, float) | `sim_mother` should be a float: add .item()
# explain: isinstance(sim_gold, float) | `sim_gold` should be a float: add .item()
# success: family words sit together, far from metals.
# solution: sim_mother = F.cosine_similarity(vectors['father'], vectors['mother'], dim=0).item()
# solution: sim_gold = F.cosine_similarity(vectors['father'], vectors['gold'], dim=0).item()

# %% [markdown]
# **Nearest neighbours**: stack every vector into one matrix, compare them all with one
# word at once, and take the `topk` largest similarities. The word itself comes first.

# %%
names = list(vectors)
matrix = torch.stack([vectors[w] for w in names])
matrix.shape
sims = F.cosine_similarity(matrix, vectors['king'].unsqueeze(0), dim=1)
best = sims.topk(6)
[names[i] for i in best.indices.tolist()]

# %% [markdown]
# **Analogies**: "man is to king as woman is to ?" becomes arithmetic on vectors:
# king - man + woman, then the nearest words to the result.

# %%
target = vectors['king'] - vectors['man'] + vectors['woman']
sims = F.cosine_similarity(matrix, target.unsqueeze(0), dim=1)
[names[i] for i in sims.topk(5).indices.tolist()]

# %% [markdown] tags=["exercise"] id="pretrained-neighbours"
# **Your turn.** Set `near_gold` to the list of the 5 nearest words to `'gold'` (the word
# itself included, so it comes first), using `matrix` and `names`.
# hint: compare every row of `matrix` with `vectors['gold'].unsqueeze(0)` using `F.cosine_similarity(..., dim=1)`.
# hint: then `[names[i] for i in sims.topk(5).indices.tolist()]`
# check: isinstance(near_gold, list) and len(near_gold) == 5
# check: near_gold == [names[i] for i in F.cosine_similarity(matrix, vectors['gold'].unsqueeze(0), dim=1).topk(5).indices.tolist()]
# explain: isinstance(near_gold, list) and len(near_gold) == 5 | `near_gold` should be a list of 5 words
# success: gold sits with the other metals.
# solution: sims = F.cosine_similarity(matrix, vectors['gold'].unsqueeze(0), dim=1)
# solution: near_gold = [names[i] for i in sims.topk(5).indices.tolist()]
