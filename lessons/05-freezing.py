# ---
# title: Freezing and fine-tuning
# summary: requires_grad, freeze=True, an optimizer step that leaves frozen weights alone, and frozen vs fine-tuned embeddings on a tiny sentiment task.
# ---

# %% [markdown]
# A parameter is trained only if it has `requires_grad=True`: then `backward()` computes
# its gradient and the optimizer changes it. **Freezing** an embedding means turning that
# off, so its pretrained vectors stay exactly as they are.
#
# `nn.Embedding.from_pretrained` freezes by default:

# %%
import torch
import torch.nn as nn
_ = torch.manual_seed(0)
pretrained = torch.randn(6, 4)      # pretend these came from GloVe
frozen = nn.Embedding.from_pretrained(pretrained.clone())
frozen.weight.requires_grad
tuned = nn.Embedding.from_pretrained(pretrained.clone(), freeze=False)
tuned.weight.requires_grad

# %% [markdown]
# Let's put a small linear layer on top and take one optimizer step. The frozen weight
# gets no gradient at all (`None`), and the step leaves it unchanged. The linear layer
# does learn.

# %%
head = nn.Linear(4, 2)
opt = torch.optim.SGD(list(frozen.parameters()) + list(head.parameters()), lr=0.5)
before = frozen.weight.clone()
head_before = head.weight.clone()
loss = head(frozen(torch.tensor([1, 2, 3]))).sum()
loss.backward()
frozen.weight.grad
opt.step()
torch.equal(frozen.weight, before)
torch.equal(head.weight, head_before)

# %% [markdown] tags=["exercise"] id="freeze-flag"
# **Your turn.** Make `layer`, an embedding built from a copy of `pretrained` (so that
# training it cannot change `pretrained`) that **can** be trained.
# hint: `freeze=False` keeps the weight trainable.
# hint: `.clone()` gives the layer its own copy: `nn.Embedding.from_pretrained(pretrained.clone(), freeze=False)`
# check: isinstance(layer, nn.Embedding) and layer.weight.requires_grad
# check: torch.equal(layer.weight, pretrained)
# explain: isinstance(layer, nn.Embedding) | `layer` should be an nn.Embedding (use nn.Embedding.from_pretrained)
# explain: layer.weight.requires_grad | the weight should be trainable: freeze=False
# explain: torch.equal(layer.weight, pretrained) | the weight should hold the pretrained vectors
# success: trainable, and its own copy of the vectors.
# solution: layer = nn.Embedding.from_pretrained(pretrained.clone(), freeze=False)

# %% [markdown]
# Freezing can be switched at any time: set `requires_grad` on the weight, or call
# `requires_grad_()` on a whole module. A common schedule: train only the new layers
# first, then **unfreeze** the embedding and fine-tune everything with a small learning
# rate.

# %%
frozen.weight.requires_grad = True     # unfrozen
frozen.weight.requires_grad
tuned.requires_grad_(False)            # frozen, module-wide
tuned.weight.requires_grad

# %% [markdown] tags=["exercise"] id="freeze-count"
# **Your turn.** Make `model = nn.Sequential(nn.Embedding(100, 8), nn.Linear(8, 2))`,
# freeze its embedding (the module `model[0]`), and set `trainable` to the number of
# numbers the optimizer can still change.
# hint: `model[0].requires_grad_(False)` freezes the first module.
# hint: `trainable = sum([p.numel() for p in model.parameters() if p.requires_grad])`
# check: isinstance(model, nn.Sequential) and model[0].num_embeddings == 100 and model[0].embedding_dim == 8
# check: not model[0].weight.requires_grad and model[1].weight.requires_grad
# check: trainable == 8 * 2 + 2
# explain: isinstance(model, nn.Sequential) | `model` should be nn.Sequential(nn.Embedding(100, 8), nn.Linear(8, 2))
# explain: not model[0].weight.requires_grad | freeze the embedding: model[0].requires_grad_(False)
# explain: model[1].weight.requires_grad | only the embedding should be frozen, not the linear layer
# explain: trainable == 18 | count only the parameters with requires_grad: the linear layer has 8 * 2 weights and 2 biases
# success: 800 frozen numbers, 18 trainable ones.
# solution: model = nn.Sequential(nn.Embedding(100, 8), nn.Linear(8, 2))
# solution: model[0].requires_grad_(False)
# solution: trainable = sum([p.numel() for p in model.parameters() if p.requires_grad])

# %% [markdown]
# **Frozen vs fine-tuned** on a tiny sentiment task: four two-word "reviews" (ids into a
# vocabulary of 6), positive (1) or negative (0). The model averages the word vectors
# (an EmbeddingBag) and classifies with a linear layer. We train it twice for 30 steps,
# once with the embedding frozen and once fine-tuned, from the same starting point.

# %%
texts = torch.tensor([[1, 2], [1, 3], [4, 5], [4, 2]])
labels = torch.tensor([1, 1, 0, 0])
loss_fn = nn.CrossEntropyLoss()

def train(freeze):
    _ = torch.manual_seed(1)
    bag = nn.EmbeddingBag.from_pretrained(pretrained.clone(), mode='mean', freeze=freeze)
    clf = nn.Linear(4, 2)
    params = [p for p in list(bag.parameters()) + list(clf.parameters()) if p.requires_grad]
    opt = torch.optim.SGD(params, lr=0.5)
    for step in range(30):
        opt.zero_grad()
        loss = loss_fn(clf(bag(texts)), labels)
        loss.backward()
        opt.step()
    return round(loss.item(), 4), clf(bag(texts)).argmax(dim=1)

train(freeze=True)
train(freeze=False)

# %% [markdown]
# Fine-tuning reaches a lower loss: the word vectors moved to fit the task. With four
# examples that is mostly memorising. The usual advice:
#
# - little data: pretrained vectors, **frozen** (too few examples to move them well);
# - medium data: pretrained vectors, **fine-tuned** (often after a few frozen epochs);
# - plenty of data: pretrained or random initialisation both work;
# - a special domain (medicine, law, code): fine-tune, or train from scratch.
#
# Transformers (BERT, GPT) come with their own trained embedding layer: you fine-tune
# the model's embeddings rather than loading separate word vectors.

# %% [markdown] tags=["exercise"] id="freeze-step"
# **Your turn.** Prove that a frozen embedding survives training: make
# `emb = nn.Embedding.from_pretrained(pretrained.clone())` and `clf = nn.Linear(4, 2)`,
# an SGD optimizer `sgd` over the parameters of both (lr=0.1), compute a loss
# `clf(emb(torch.tensor([0, 5]))).sum()`, call `backward()` and take one `sgd.step()`.
# hint: `sgd = torch.optim.SGD(list(emb.parameters()) + list(clf.parameters()), lr=0.1)`
# hint: then `clf(emb(torch.tensor([0, 5]))).sum().backward()` and `sgd.step()`.
# check: isinstance(emb, nn.Embedding) and not emb.weight.requires_grad
# check: torch.equal(emb.weight, pretrained)
# check: clf.weight.grad is not None
# check: isinstance(sgd, torch.optim.SGD) and len(sgd.param_groups[0]['params']) == 3
# explain: isinstance(emb, nn.Embedding) | `emb` should be nn.Embedding.from_pretrained(pretrained.clone())
# explain: isinstance(sgd, torch.optim.SGD) | `sgd` should be a torch.optim.SGD over emb's and clf's parameters
# explain: clf.weight.grad is not None | run the forward pass and backward() so the linear layer gets gradients
# success: the linear layer got gradients; the frozen embedding did not move.
# solution: emb = nn.Embedding.from_pretrained(pretrained.clone())
# solution: clf = nn.Linear(4, 2)
# solution: sgd = torch.optim.SGD(list(emb.parameters()) + list(clf.parameters()), lr=0.1)
# solution: clf(emb(torch.tensor([0, 5]))).sum().backward()
# solution: sgd.step()

# %% [markdown]
# **Putting it together.** A reusable text-embedding module: an `nn.Embedding` with a
# padding id, optional pretrained weights that are frozen or not, and dropout. Assigning
# an `nn.Parameter(..., requires_grad=not freeze)` to the weight is another way to load
# vectors (it is what `from_pretrained` does for you).

# %%
class TextEmbedding(nn.Module):
    def __init__(self, vocab_size, embedding_dim, padding_idx=0,
                 pretrained_weights=None, freeze=False, dropout=0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=padding_idx)
        if pretrained_weights is not None:
            self.embedding.weight = nn.Parameter(pretrained_weights.clone(),
                                                 requires_grad=not freeze)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.embedding(x))

text_emb = TextEmbedding(vocab_size=50, embedding_dim=4, dropout=0.5)
text_emb
x = torch.randint(0, 50, (2, 3))
x
text_emb(x).shape

# %% [markdown]
# Dropout zeroes random values *during training* (and scales the others up); `eval()`
# switches it off, which is what you want when you use the model. `train()` switches it
# back on.

# %%
text_emb(x)[0]
text_emb.eval()
text_emb(x)[0]

# %% [markdown] tags=["exercise"] id="freeze-module"
# **Your turn.** Make `encoder = TextEmbedding(6, 4, pretrained_weights=pretrained,
# freeze=True, dropout=0.1)`, put it in evaluation mode, and set `vecs` to its output for
# the ids `torch.tensor([[1, 2, 3]])`.
# hint: `encoder.eval()` turns dropout off.
# hint: `vecs = encoder(torch.tensor([[1, 2, 3]]))`
# check: isinstance(encoder, TextEmbedding) and not encoder.embedding.weight.requires_grad
# check: not encoder.training
# check: vecs.shape == (1, 3, 4) and torch.equal(vecs[0], pretrained[1:4])
# explain: isinstance(encoder, TextEmbedding) | `encoder` should be a TextEmbedding
# explain: not encoder.embedding.weight.requires_grad | the pretrained weights should be frozen: freeze=True
# explain: not encoder.training | put the module in evaluation mode: encoder.eval()
# explain: vecs.shape == (1, 3, 4) | `vecs` should be encoder(torch.tensor([[1, 2, 3]]))
# success: frozen pretrained rows, no dropout: exactly the vectors of ids 1, 2 and 3.
# solution: encoder = TextEmbedding(6, 4, pretrained_weights=pretrained, freeze=True, dropout=0.1)
# solution: encoder.eval()
# solution: vecs = encoder(torch.tensor([[1, 2, 3]]))
