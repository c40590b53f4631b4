# ---
# title: nn.Embedding is a lookup table
# summary: Token ids in, vectors out: [batch, seq] -> [batch, seq, dim], the same as one-hot times the weight matrix.
# ---

# %% [markdown]
# Neural networks work on numbers, but text is made of **tokens** (words or pieces of
# words). A vocabulary gives every token an integer id. An **embedding layer** turns each
# id into a vector of learnable numbers: it is simply a table with one row per id.
#
# Everything in this lesson is real PyTorch: type it in Python with `torch` installed and
# you get the same output.

# %%
import torch
import torch.nn as nn
import torch.nn.functional as F
_ = torch.manual_seed(0)  # the same random numbers every time

# %% [markdown]
# `nn.Embedding(num_embeddings, embedding_dim)` makes the table: here 10 ids, each mapped
# to a vector of 3 numbers. The table is the layer's `weight`, a matrix of shape
# `[10, 3]`, filled with random numbers from a normal distribution N(0, 1).

# %%
emb = nn.Embedding(10, 3)
emb
emb.weight.shape
emb.weight

# %% [markdown] tags=["exercise"] id="lookup-make"
# **Your turn.** Make an embedding layer `table` for a vocabulary of 20 tokens, with
# vectors of size 4.
# hint: `nn.Embedding` takes the number of rows first, then the size of each vector.
# hint: `table = nn.Embedding(20, ...)`
# check: isinstance(table, nn.Embedding)
# check: table.num_embeddings == 20 and table.embedding_dim == 4
# explain: isinstance(table, nn.Embedding) | `table` should be an nn.Embedding
# explain: table.num_embeddings == 20 | the vocabulary has 20 tokens: num_embeddings should be 20
# explain: table.embedding_dim == 4 | each vector should have 4 numbers: embedding_dim should be 4
# success: 20 rows of 4 numbers: table.weight has shape [20, 4].
# solution: table = nn.Embedding(20, 4)

# %% [markdown]
# Calling the layer with a tensor of ids **looks up** a row for each id. One id gives one
# vector; the vector is exactly row `id` of the weight.

# %%
ids = torch.tensor([1, 5, 1])
emb(ids)
torch.equal(emb(ids)[0], emb.weight[1])

# %% [markdown]
# Models read batches of sequences: a tensor of ids of shape `[batch, seq]`. The output
# gets one more dimension at the end: `[batch, seq, dim]`.

# %%
batch = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])
batch.shape
out = emb(batch)
out.shape

# %% [markdown] tags=["exercise"] id="lookup-batch"
# **Your turn.** Make a tensor `sentences` of ids with 3 sentences of 5 tokens each (any
# ids from 0 to 9), and put their vectors from `emb` in `vectors`.
# hint: a list of 3 lists of 5 integers makes a `[3, 5]` tensor: `torch.tensor([[...], [...], [...]])`.
# hint: call the layer on it: `vectors = emb(sentences)`
# check: sentences.shape == (3, 5)
# check: vectors.shape == (3, 5, 3)
# check: torch.equal(vectors, emb(sentences))
# explain: sentences.shape == (3, 5) | `sentences` should have shape [3, 5]: 3 lists of 5 ids
# explain: vectors.shape == (3, 5, 3) | `vectors` should be emb(sentences), of shape [3, 5, 3]
# success: [3, 5] ids became [3, 5, 3] vectors: one row of the table per id.
# solution: sentences = torch.tensor([[1, 2, 3, 4, 5], [0, 9, 8, 7, 6], [1, 1, 2, 2, 3]])
# solution: vectors = emb(sentences)

# %% [markdown]
# Why call it a layer and not just indexing? Because a lookup is the same as multiplying a
# **one-hot** vector by the weight matrix: a one-hot row has a single 1 at the id's
# position, so the product picks out that row. An `nn.Linear(10, 3, bias=False)` fed
# one-hot vectors would compute the same thing; the lookup is just the fast way to do it,
# without ever building the one-hot vectors.

# %%
one_hot = F.one_hot(torch.tensor([1, 5]), num_classes=10).float()
one_hot
torch.allclose(one_hot @ emb.weight, emb(torch.tensor([1, 5])))

# %% [markdown] tags=["exercise"] id="lookup-onehot"
# **Your turn.** Compute `picked`: the vector of id 7 obtained by multiplying a one-hot
# vector by `emb.weight` (not by calling `emb`).
# hint: `F.one_hot(torch.tensor(7), num_classes=10)` is a one-hot vector; make it `.float()`.
# hint: `picked = F.one_hot(torch.tensor(7), num_classes=10).float() @ emb.weight`
# check: picked.shape == (3,)
# check: torch.allclose(picked, emb.weight[7])
# explain: picked.shape == (3,) | `picked` should be one vector of 3 numbers
# success: one-hot times the weight picks row 7, exactly what emb(7) returns.
# solution: picked = F.one_hot(torch.tensor(7), num_classes=10).float() @ emb.weight

# %% [markdown]
# Ids must be between 0 and `num_embeddings - 1`. An id outside the table is an error,
# and a common one: it usually means the vocabulary and the layer disagree about the
# vocabulary size.

# %% tags=["raises"]
emb(torch.tensor([3, 10]))

# %% [markdown]
# Ids must also be integers (`torch.long`): a float tensor is refused.

# %% tags=["raises"]
emb(torch.tensor([1.0, 2.0]))

# %% [markdown] tags=["exercise"] id="lookup-size"
# **Your turn.** A tokenizer produces ids up to 29999. Make `layer`, an embedding with
# vectors of size 8 that can look up every one of those ids (and no more rows than needed).
# hint: ids go from 0 to 29999: how many rows is that?
# hint: `layer = nn.Embedding(30000, 8)`
# check: layer.num_embeddings == 30000 and layer.embedding_dim == 8
# explain: layer.num_embeddings == 30000 | ids 0..29999 need exactly 30000 rows
# success: 30000 rows: the largest id, 29999, is the last row.
# solution: layer = nn.Embedding(30000, 8)
