# ---
# title: EmbeddingBag: many lookups, one vector
# summary: Sum, mean or max of a bag of embeddings in one step, with offsets and per-sample weights.
# ---

# %% [markdown]
# Simple text models often turn a whole sentence into **one** vector: look up every token
# and average (or add) the vectors. `nn.EmbeddingBag` does both steps at once, without
# building the big `[batch, seq, dim]` tensor in between.

# %%
import torch
import torch.nn as nn
import torch.nn.functional as F
_ = torch.manual_seed(0)  # the same random numbers every time
bag = nn.EmbeddingBag(10, 3, mode='mean')
bag

# %% [markdown]
# With a 2-D input `[batch, seq]`, each row is one bag. The result is `[batch, dim]`: one
# vector per sentence. It equals an `nn.Embedding` lookup followed by a mean over the
# sequence dimension.

# %%
sentences = torch.tensor([[1, 2, 4, 5],
                          [4, 3, 2, 9]])
bag(sentences)
emb = nn.Embedding(10, 3)
emb.weight = bag.weight            # the same table for both
emb(sentences).mean(dim=1)

# %% [markdown] tags=["exercise"] id="bag-sum"
# **Your turn.** Make `summer`, an `nn.EmbeddingBag` with 10 rows of size 3 that **adds**
# the vectors of a bag instead of averaging them.
# hint: the reduction is chosen with the `mode` keyword argument.
# hint: `summer = nn.EmbeddingBag(10, 3, mode='sum')`
# check: isinstance(summer, nn.EmbeddingBag)
# check: summer.mode == 'sum' and summer.num_embeddings == 10 and summer.embedding_dim == 3
# explain: isinstance(summer, nn.EmbeddingBag) | `summer` should be an nn.EmbeddingBag
# explain: summer.mode == 'sum' | mode should be 'sum'
# success: mode='sum' adds the rows of each bag.
# solution: summer = nn.EmbeddingBag(10, 3, mode='sum')

# %% [markdown]
# Real sentences have different lengths. Instead of padding, EmbeddingBag takes **all ids
# in one flat 1-D tensor** plus `offsets`: where each bag starts. Offsets `[0, 4]` over 6
# ids make two bags: ids 0..3 and ids 4..5.

# %%
flat = torch.tensor([1, 2, 4, 5, 4, 3])
offsets = torch.tensor([0, 4])
bag(flat, offsets)
torch.allclose(bag(flat, offsets)[1], emb(torch.tensor([4, 3])).mean(dim=0))

# %% [markdown] tags=["exercise"] id="bag-offsets"
# **Your turn.** Three sentences have ids `[7, 1]`, `[2, 2, 8]` and `[6]`. Put all the ids
# in one tensor `ids` and the start of each sentence in `starts`, so that
# `bag(ids, starts)` gives their three mean vectors.
# hint: concatenate the ids: `torch.tensor([7, 1, 2, 2, 8, 6])`.
# hint: the sentences start at positions 0, 2 and 5: `starts = torch.tensor([0, 2, 5])`
# check: torch.equal(ids, torch.tensor([7, 1, 2, 2, 8, 6]))
# check: torch.equal(starts, torch.tensor([0, 2, 5]))
# explain: torch.equal(ids, torch.tensor([7, 1, 2, 2, 8, 6])) | `ids` should hold the three sentences one after the other
# explain: torch.equal(starts, torch.tensor([0, 2, 5])) | `starts` should hold where each sentence begins in `ids`
# success: three bags of lengths 2, 3 and 1, no padding needed.
# solution: ids = torch.tensor([7, 1, 2, 2, 8, 6])
# solution: starts = torch.tensor([0, 2, 5])

# %% [markdown]
# `mode='max'` takes the largest value of each dimension over the bag. And with
# `mode='sum'`, `per_sample_weights` scales each id's vector before adding: a weighted
# sum (think of tf-idf weights for each word).

# %%
maxbag = nn.EmbeddingBag(10, 3, mode='max')
maxbag(flat, offsets)
weights = torch.tensor([0.5, 1.0, 2.0, 1.0, 1.0, 1.0])
summer = nn.EmbeddingBag(10, 3, mode='sum')
summer(flat, offsets, per_sample_weights=weights)

# %% [markdown] tags=["exercise"] id="bag-equal"
# **Your turn.** Show that EmbeddingBag is a lookup plus a reduction: compute `manual`, the
# max over the vectors of ids `[1, 2, 4, 5]` looked up in `maxbag.weight` with
# `F.embedding`, and `same`, a bool that says whether it equals
# `maxbag(torch.tensor([[1, 2, 4, 5]]))[0]`.
# hint: `F.embedding(ids, weight)` is the functional lookup; `.max(dim=0).values` keeps the largest values.
# hint: `manual = F.embedding(torch.tensor([1, 2, 4, 5]), maxbag.weight).max(dim=0).values`
# check: manual.shape == (3,)
# check: torch.allclose(manual, maxbag(torch.tensor([[1, 2, 4, 5]]))[0])
# check: same is True
# explain: manual.shape == (3,) | `manual` should be one vector of 3 numbers (reduce over dim=0)
# explain: same is True | `same` should be the result of comparing the two, e.g. with torch.allclose(...)
# success: lookup + max over the bag = EmbeddingBag(mode='max').
# solution: manual = F.embedding(torch.tensor([1, 2, 4, 5]), maxbag.weight).max(dim=0).values
# solution: same = torch.allclose(manual, maxbag(torch.tensor([[1, 2, 4, 5]]))[0])
