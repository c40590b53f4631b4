# ---
# title: Initialisation and its statistics
# summary: N(0, 1) by default, uniform, Xavier/Glorot, Kaiming and Hugging Face's normal(0, 0.02); measuring mean, std, min and max.
# ---

# %% [markdown]
# Before training, the embedding table must hold *some* numbers. Which numbers matters:
# too large and the first layers saturate, too small and the signal vanishes. PyTorch
# fills a new `nn.Embedding` from the **standard normal distribution** N(0, 1): mean 0,
# standard deviation 1.
#
# Random numbers depend on the **seed**: `torch.manual_seed` makes them repeatable.

# %%
import math
import torch
import torch.nn as nn
_ = torch.manual_seed(0)
a = torch.randn(3)
_ = torch.manual_seed(0)
b = torch.randn(3)
torch.equal(a, b)

# %% [markdown]
# With many numbers, the statistics of the table match the distribution closely. A table
# of 1000 x 64 holds 64000 numbers:

# %%
emb = nn.Embedding(1000, 64)
w = emb.weight
w.mean()
w.std()
w.min(), w.max()

# %% [markdown]
# A quick text histogram shows the bell shape: count the numbers between each pair of
# edges (one `#` per 500 numbers).

# %%
edges = [-3, -2, -1, 0, 1, 2, 3]
for lo, hi in zip(edges, edges[1:]):
    n = ((w >= lo) & (w < hi)).sum().item()
    print(f"{lo:+d} .. {hi:+d} {n:6d} " + "#" * (n // 500))

# %% [markdown] tags=["exercise"] id="init-stats"
# **Your turn.** Set `spread` to the standard deviation of `emb.weight` as a plain Python
# float, and `share` to the fraction of its numbers that lie within one standard
# deviation of 0 (between -1 and 1), also a float. For a normal distribution that is about
# 0.68.
# hint: `.std()` gives a 0-d tensor; `.item()` turns it into a Python float.
# hint: `(w.abs() < 1)` is a tensor of booleans; `.float().mean().item()` is the fraction of True.
# check: isinstance(spread, float) and abs(spread - emb.weight.std().item()) < 1e-6
# check: isinstance(share, float) and abs(share - (emb.weight.abs() < 1).float().mean().item()) < 1e-4
# explain: isinstance(spread, float) | `spread` should be a Python float: use .item()
# explain: isinstance(share, float) | `share` should be a Python float: use .item()
# success: about 68% of a normal distribution lies within one standard deviation.
# solution: spread = emb.weight.std().item()
# solution: share = (emb.weight.abs() < 1).float().mean().item()

# %% [markdown]
# `torch.nn.init` refills a tensor in place (the functions end in `_`). Three common
# choices:
#
# - `uniform_(w, a, b)`: every value in [a, b] equally likely.
# - `xavier_uniform_(w)` (Glorot): uniform in ±sqrt(6 / (fan_in + fan_out)). For a weight
#   of shape [1000, 64], fan_in is 64 and fan_out 1000.
# - `kaiming_normal_(w)` (He): N(0, std) with std = sqrt(2 / fan_in), made for ReLU
#   layers.

# %%
nn.init.uniform_(w, -0.1, 0.1)
w.min(), w.max()
nn.init.xavier_uniform_(w)
bound = math.sqrt(6 / (1000 + 64))
bound
bool(w.abs().max() <= bound)
nn.init.kaiming_normal_(w)
w.std()
math.sqrt(2 / 64)

# %% [markdown] tags=["exercise"] id="init-xavier"
# **Your turn.** Make `table = nn.Embedding(300, 100)` and re-initialise its weight with
# Xavier/Glorot uniform. Then set `limit` to the Xavier bound for this shape (a float).
# hint: `nn.init.xavier_uniform_(table.weight)` refills the weight in place.
# hint: the bound is `math.sqrt(6 / (fan_in + fan_out))`, here fan_in = 100 and fan_out = 300.
# check: table.num_embeddings == 300 and table.embedding_dim == 100
# check: abs(limit - math.sqrt(6 / 400)) < 1e-9
# check: table.weight.abs().max() <= limit and table.weight.abs().max() > 0.9 * limit
# explain: table.num_embeddings == 300 and table.embedding_dim == 100 | `table` should be nn.Embedding(300, 100)
# explain: abs(limit - math.sqrt(6 / 400)) < 1e-9 | `limit` should be math.sqrt(6 / (100 + 300))
# explain: table.weight.abs().max() <= limit | re-initialise table.weight with nn.init.xavier_uniform_
# success: every value lies within ±0.1225, and the largest ones come close to it.
# solution: table = nn.Embedding(300, 100)
# solution: nn.init.xavier_uniform_(table.weight)
# solution: limit = math.sqrt(6 / (100 + 300))

# %% [markdown]
# Transformer models such as BERT and GPT-2 do something simpler: Hugging Face's
# `_init_weights` fills embeddings with `normal_(mean=0.0, std=config.initializer_range)`,
# where `initializer_range` is usually **0.02**. Small numbers, so the sum of token and
# position embeddings starts out small.

# %%
nn.init.normal_(w, mean=0.0, std=0.02)
w.std()
w.abs().max()

# %% [markdown] tags=["exercise"] id="init-hf"
# **Your turn.** Make `tok = nn.Embedding(500, 32, padding_idx=0)` and initialise it the
# way Hugging Face does with `initializer_range = 0.02`, keeping the padding row at zero
# (remember lesson 2: `nn.init` overwrites it).
# hint: `nn.init.normal_(tok.weight, mean=0.0, std=0.02)`
# hint: then `with torch.no_grad():` and, indented, `tok.weight[0].zero_()`
# check: tok.num_embeddings == 500 and tok.embedding_dim == 32 and tok.padding_idx == 0
# check: abs(tok.weight[1:].std().item() - 0.02) < 0.002
# check: tok.weight[0].abs().sum() == 0
# explain: tok.padding_idx == 0 | `tok` should be nn.Embedding(500, 32, padding_idx=0)
# explain: abs(tok.weight[1:].std().item() - 0.02) < 0.002 | the weights should have std 0.02: nn.init.normal_(tok.weight, mean=0.0, std=0.02)
# explain: tok.weight[0].abs().sum() == 0 | the padding row (row 0) should be zero
# success: std 0.02 everywhere except the padding row, which stays zero.
# solution: tok = nn.Embedding(500, 32, padding_idx=0)
# solution: nn.init.normal_(tok.weight, mean=0.0, std=0.02)
# solution: with torch.no_grad():
# solution:     tok.weight[0].zero_()
