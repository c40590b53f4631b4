"""Golden cases for the parser (tests/unit/test_parse.c), from CPython 3.11's own parser.

Writes tests/data/parse_cases.txt, one case per line, fields separated by tabs:
  ast   <source as hex> <ast.dump(ast.parse(source))>
  pos   <source as hex> <ast.dump(ast.parse(source), include_attributes=True)>
  error <source as hex> <exception class> <msg> <lineno> <offset> <end_lineno> <end_offset>
  unsupported <source as hex>    (valid Python that embedlab must reject with a SyntaxError
                                  saying it is not supported)
The error fields come from compile(source, '<stdin>', 'exec'). Sources are hex-encoded
UTF-8 so every case stays on one line.
"""
import ast
import hashlib
import itertools
import os
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.path.relpath(os.path.abspath(__file__), ROOT)
OUT = os.path.join(ROOT, "tests", "data", "parse_cases.txt")

BINOPS = ["+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^"]
CMPOPS = ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"]


def valid_snippets():
    out = []
    # every binary operator pair: precedence and associativity
    for a, b in itertools.product(BINOPS, BINOPS):
        out.append("x = a %s b %s c\n" % (a, b))
    for op in BINOPS:
        out.append("y = -a %s b\n" % op)
        out.append("y = a %s -b\n" % op)
        out.append("y = not a %s b\n" % op if op != "**" else "y = not a ** b\n")
        out.append("x %s= 2\n" % op)
    for op in CMPOPS:
        out.append("r = a %s b\n" % op)
        out.append("r = a < b %s c\n" % op)
        out.append("r = not a %s b + 1\n" % op)
    out += [
        "-2**2\n", "2**-1\n", "-2**-2**3\n", "a**b**c\n", "~x**2\n", "+x\n", "- - x\n",
        "not not x\n", "a and b or c and d\n", "a or b and not c\n", "not a == b\n",
        "a if b else c\n", "a if b else c if d else e\n", "(a if b else c) + 1\n",
        "x = a or b if c else d\n", "lambda: 0\n", "lambda x, y=2, *a, z, w=3, **k: x + y\n",
        "f = lambda x: lambda y: x * y\n", "lambda *, k: k\n", "sorted(v, key=lambda t: -t[1])\n",
        "w[0]\n", "w[-1]\n", "out[0, 3]\n", "w[:, :2]\n", "x[::2]\n", "x[1:2:3]\n", "x[:]\n",
        "x[..., 0]\n", "x[None]\n", "x[a:b, c]\n", "x[1:]\n", "x[::]\n", "x[(1, 2)]\n",
        "x[*a]\n", "x[i][j] = 0\n", "a.b.c.d\n", "f(x)(y)[z].w\n", "f()\n", "f(1, 2)\n",
        "f(a, b=1, *c, **d)\n", "f(*a, *b, k=1, **c, **d)\n", "f(x for x in y)\n",
        "f(a)(b)\n", "print('hi', end='')\n", "torch.tensor([[1.0, 2.0], [3.0, 4.0]])\n",
        "nn.Embedding(10, 3, padding_idx=0)\n", "emb = nn.Embedding(1000, 300)\n",
        "v, d = w.shape\n", "a = b = 0\n", "a, b = b, a\n", "a, *rest = xs\n", "*a, b = xs\n",
        "[a, b] = 1, 2\n", "(a, b), c = x\n", "x.y = 1\n", "x[0] = 1\n", "x.y[0].z = 3\n",
        "del a\n", "del a, b\n", "del a.b, c[0]\n", "del (a, b)\n", "del [a, b]\n", "del (a)\n",
        "x += 1\n", "x.y -= 2\n", "x[0] *= 3\n", "a @= b\n",
        "x: int = 3\n", "x: int\n", "(x): int = 1\n", "a.b: int = 2\n", "a[0]: float\n",
        "d: Dict[str, List[int]] = {}\n", "def f(a: int, b: str = 'x') -> bool: pass\n",
        "pass\n", "x = 1; y = 2\n", "x = 1; y = 2;\n", "pass;\n",
        "import torch\n", "import torch.nn as nn\n", "import torch.nn.functional as F\n",
        "import a, b.c as d\n", "from torch import nn\n", "from torch.nn import Embedding\n",
        "from a import (b as c, d)\n", "from a import (b, c,)\n", "from a import *\n",
        "from . import x\n", "from ..a import b\n", "from ... import c\n", "from .... import d\n",
        "from typing import Dict, List\n", "import math\n",
        "global x\n", "global x, y\n", "def f():\n    nonlocal a, b\n",
        "assert x\n", "assert x, 'msg'\n", "return\n", "return 1, 2\n", "break\n", "continue\n",
        "raise\n", "raise ValueError('x')\n", "raise X from Y\n", "raise X from None\n",
        "if x:\n    pass\n", "if x:\n    a\nelif y:\n    b\nelse:\n    c\n",
        "if a:\n    pass\nelif b:\n    pass\nelif c:\n    pass\n",
        "if x: pass\n", "if x: a; b\nelse: c\n",
        "while x:\n    x -= 1\nelse:\n    pass\n", "while True:\n    break\n",
        "for i in range(10):\n    continue\n", "for i, (a, b) in enumerate(zip(x, y)):\n    pass\n",
        "for x, in y: pass\n", "for x in 1, 2, 3: pass\n", "for *a, b in c: pass\n",
        "for i in x:\n    pass\nelse:\n    done()\n",
        "with torch.no_grad():\n    w[0] = 0\n", "with a as b, c as d:\n    pass\n",
        "with open(p) as f: pass\n", "with (a as b, c):\n    pass\n", "with (a, b) as c:\n    pass\n",
        "with a as (b, c): pass\n", "with (a): pass\n",
        "def f():\n    pass\n", "def f(a, b=1, *args, c, d=2, **kwargs):\n    return a\n",
        "def f(a, /, b, *, c):\n    pass\n", "def f(*, a=1): pass\n", "def f(**k): pass\n",
        "def f(a=1, /, b=2): pass\n", "def f(*a): return a\n",
        "def f(x):\n    '''doc'''\n    return x\n",
        "def f():\n    def g():\n        return 1\n    return g\n",
        "class A:\n    pass\n", "class A(B, C):\n    x = 1\n    def f(self):\n        return self.x\n",
        "class M(nn.Module, metaclass=Meta):\n    def __init__(self):\n        super().__init__()\n",
        "class A(): pass\n", "class A(*bases, **kw): pass\n",
        "try:\n    a\nexcept:\n    b\n", "try:\n    a\nexcept E:\n    b\n",
        "try:\n    a\nexcept E as e:\n    b\nelse:\n    c\nfinally:\n    d\n",
        "try:\n    a\nfinally:\n    b\n", "try:\n    a\nexcept (A, B) as e:\n    raise\n",
        "try:\n    a\nexcept A:\n    pass\nexcept B:\n    pass\n",
        # blocks, dedent to several levels, comments, blank lines, continuation
        "if a:\n    if b:\n        if c:\n            x\ny\n",
        "for i in x:\n    for j in y:\n        if z:\n            pass\n    w\nv\n",
        "if a:\n\n    # comment\n    x = 1\n\n\n    y = 2\n# end\n",
        "x = 1  # comment\n", "# only a comment\n", "\n\n\n", "", "x = (1 +\n     2)\n",
        "x = [\n    1,\n    2,\n]\n", "x = {\n  'a': 1,\n}\n", "x = 1 + \\\n    2\n",
        "if a and \\\n   b:\n    pass\n", "f(a,\n  b)\n", "x = 1", "if x:\n    y", "if x:\n\tpass\n",
        "if x:\n  a\n  b\n", "def f():\n    return (\n        1\n    )\n",
        "x = 1\r\ny = 2\r\n",
        # strings
        "'abc'\n", '"abc"\n', "'''a\nb'''\n", '"""doc"""\n', "r'\\n'\n", "R'a\\b'\n",
        "'a' 'b'\n", "'a' \"b\" '''c'''\n", "'\\n\\t\\\\\\'\\\"'\n", "'\\x41\\u00e9\\U0001F600'\n",
        "'\\101\\0'\n", "'\\d'\n", "'line\\\ncont'\n", "u'x'\n", "'é'\n", "'日本語'\n", "'😀'\n",
        "'it\\'s'\n", "\"it's\"\n", "'say \"hi\"'\n", "'both \\' and \"'\n", "'\\x00\\x7f\\x80'\n",
        "'\\u200b'\n", "'tab\\there'\n", "''\n", "''''''\n", "'a' '' 'b'\n",
        # f-strings
        "f'{x}'\n", "f'{x!r}'\n", "f'{x!s}'\n", "f'{x!a}'\n", "f'{x:.4f}'\n", "f'{x:,}'\n",
        "f'{x:>8}'\n", "f'{x:>{width}}'\n", "f'{x:{w}.{p}f}'\n", "f'{{}}'\n", "f'{{x}} {x}'\n",
        "f'{x=}'\n", "f'{x = }'\n", "f'{x=:.2f}'\n", "f'{x=!s}'\n", "f'a' 'b'\n", "'a' f'{b}' 'c'\n",
        "f''\n", "f'{a}{b}'\n", "f'{a + b * 2}'\n", "f'{d[\"k\"]}'\n", "f'{f(x, y=1)}'\n",
        "f'{x!r:^10}'\n", "f'{a, b}'\n", "f'{x:}'\n", "f'{3.14:.1f} rest'\n",
        "f'''{x}\n{y}'''\n", "rf'\\n{x}'\n", "f'\\n{x}\\t'\n", "f'{x}' f'{y}'\n",
        "f'{\"a\" if x else \"b\"}'\n", "f'{[i for i in x]}'\n", "f'{x!r:{w}}'\n",
        "print(f\"{'loss':>8} {loss.item():.4f}\")\n", "f'{x:%Y-%m-%d}'\n", "f'{a}' 'x' f'{b}'\n",
        # numbers
        "1\n", "0\n", "50_000\n", "0x1F\n", "0o17\n", "0b1010\n", "0xFF_FF\n", "1e-3\n", "1E5\n",
        ".5\n", "5.\n", "1.5e+10\n", "1_000.000_1\n", "00\n", "0.0\n", "9223372036854775807\n",
        "9223372036854775808\n", "123456789012345678901234567890\n", "0xFFFFFFFFFFFFFFFFFFFF\n",
        "1e400\n", "1e-400\n", "0.1\n", "1e16\n", "1e15\n", "123456.789\n", "3.141592653589793\n",
        "x = -1\n", "1if x else 2\n",
        # displays and comprehensions
        "[]\n", "()\n", "{}\n", "[1]\n", "(1,)\n", "(1)\n", "1,\n", "{1: 2}\n", "{1, 2}\n",
        "{**a, 'b': 1}\n", "{'a': 1, **b}\n", "[*a, *b]\n", "(*a, b)\n", "{*a}\n",
        "[x for x in y]\n", "[x for x in y if x if z]\n", "[x * y for x in a for y in b]\n",
        "{k: v for k, v in d.items()}\n", "{x for x in y}\n", "(x for x in y)\n",
        "[(a, b) for a, b in zip(x, y)]\n", "[x for x in y if not x]\n", "sum(x for x in y)\n",
        "[[i * j for j in range(3)] for i in range(3)]\n", "{i: [j for j in i] for i in x}\n",
        "x = ...\n", "print(x, sep=', ')\n", "x = [1, 2, 3,]\n",
        # soft keywords and unusual names
        "match = 1\n", "case = 2\n", "_ = 3\n", "match(x)\n", "print(match.group)\n",
        "typing.List[int]\n", "a.b = c.d = e\n", "é = 1\n", "数据 = 1\n",
        "x = (yield_ := 1) if False else 2\n".replace("(yield_ := 1)", "1"),
    ]
    # a realistic lesson cell
    out.append(
        "import torch\nimport torch.nn as nn\n\ntorch.manual_seed(0)\n"
        "emb = nn.Embedding(10, 3, padding_idx=0)\nx = torch.tensor([[1, 2, 0], [4, 3, 2]])\n"
        "out = emb(x)\nprint(out.shape)\nfor name, p in emb.named_parameters():\n"
        "    print(f\"{name}: {tuple(p.shape)}\")\n"
        "opt = torch.optim.SGD(emb.parameters(), lr=0.1)\nloss = out.sum()\nloss.backward()\n"
        "opt.step()\nemb.weight[0]\n")
    return out


def error_snippets():
    return [
        "x = 'abc", "x = rb'abc", "x = '''abc\n\n", "x = '''abc", "'''\n\n\nabc", "a $ b", "a ? b",
        "a ! b", "x = “hi”", "if x:\n  a\n b\n", "if x:\npass", "x = (1,\n2", "x = (1,\n2\ny = 3\nz z",
        "a b\nx = (", "a b\n'abc", "f(a b)", "[1, 2 3]", "(a b)", "{a b}", "f(x, a b)", "1 +", "1 +\n",
        "\\x", "x = 1 \\", "x = 1 \\\n", "x = 1\ny = 2 \\x", "if x\n  pass", "for x in y\n",
        "while x\n  pass", "def f()\n  pass", "class A\n  pass", "with a\n  pass",
        "elif x:\n  pass", "else:\n  pass", "x = [1, 2", "x = [1, 2)", "x = {1: ]",
        "x = (\n1,\n2]", "x = 1)", "x = 1]", " x = 1", "x = 1\n    y = 2", "if x:\n    a\n        b",
        "f() = 1", "(a, 1) = x", "a, f() = x", "a and b = 1", "f() += 1", "del f()", "del a + b",
        "del *a", "for f() in x: pass", "for 1 in x: pass", "x + 1 = 2", "if x = 1: pass",
        "1 = x", "None = 1", "True = 1", "x = f() = 1", "[a, 1] = x", "f(), a = x", "1, a = x",
        "a < b = 1", "(a + b) = 1", "[x for x in y] = 1", "x = 1 = 2", "'abc' = 1",
        "f'{x}' = 1", "a.b + 1 += 2", "a, b += 1", "(a, b): int", "[a]: int", "a, b: int",
        "f(): int", "*a = 1", "a, *b, *c = x", "def f(:\n pass", "def f(a, a): pass",
        "def f(a=1, b): pass", "def f(*): pass", "def f(*, **k): pass", "def f(*a=1): pass",
        "def f(**k=1): pass", "def f(**k, a): pass", "def f(a, /, /): pass", "def f(/): pass",
        "def f(*a, /): pass", "def f((a, b)): pass", "def f(a=): pass", "def f x: pass",
        "def 1(): pass", "lambda (a): a", "f(**k, *a)", "f(a=1, b)", "f(**k, a)", "f(a for a in b, c)",
        "f(c, a for a in b)", "f(True=1)", "f(a.b=1)", "f(a=1 for a in b)", "f(x=)",
        "f'{}'", "f'{x'", "f'}'", "f'{x!z}'", "f'{a b}'", "f'{x!}'", "f'{#}'", "f'{x:{y:{z}}}'",
        "f'{)}'", "f'{x!r=}'", "x = 0777", "x = 1_000_", "x = 0x", "x = 1e", "x = 0b2", "x = 0o8",
        "x = 1__0", "x = 5abc", "x = 1.2.3", "x = '\\x4'", "x = '\\u12'", "x = '\\U00110000'",
        "print 'x'", "print x", "exec 'code'", "a b", "x = 1 2", "if x:\n    pass\n  else:\n    pass",
        "try:\n    pass\n", "try:\n    pass\nelse:\n    pass", "try:\n    pass\nexcept A, B:\n    pass",
        "try\n    pass", "try:\n    a\nexcept A\n    pass", "try:\n    a\nfinally\n    pass",
        "for x in y:\npass", "while x:\npass", "def f():\npass", "class A:\npass", "with a:\npass",
        "try:\npass", "if x:\n    pass\nelse:\npass", "if x:\n    pass\nelif y:\npass",
        "for x in y:\n    pass\nelse:\npass", "if x:\n", "def f():\n", "x = (", "x = [1,\n",
        "return 1", "break", "continue", "if x:\n    break", "def f():\n    for x in y:\n        pass\n    break",
        "x = {1: 2, 3}", "x = {1: 2, 3: }", "x = {1: *a}", "{**a for a in b}", "[*a for a in b]",
        "(*a)", "(**a)", "x = a if b", "x = a if b else", "x = not", "x = [1, 2,, 3]",
        "import", "import a.", "from a import", "from a import b,", "from import a",
        "import a as", "a.1", "a.(b)", "x = 1 +* 2", "x = *a", "@decorator\ndef f(): pass",
        "def f():\n    yield 1", "async def f(): pass", "await x", "x = (y := 1)", "a <> b",
        "x = $", "if x:\n\tpass\n        pass", "\tif x:\n        pass\n\tpass",
        "if True:\n    x = 1\n   y = 2", "def f(a, *, b, *c): pass", "del 1", "del (a, f())",
        "with a as f(): pass", "x = (1 for x in y) = 2", "f(*)", "f(**)", "a[1:2:3:4]",
        "x = 'a' 'b' = 1", "class A(x for x in y): pass", "x.y.z() = 1",
        "".join(" " * i + "for x in y:\n" for i in range(21)) + " " * 21 + "pass\n",
        "x = " + "(" * 201 + ")" * 201,
        "x = " + "9" * 4301,
        "f(a=1, a=2)", "f(a=1, b=2, a=3)", "f(x, a=1, **k, a=2)", "f(a=1, a=2)\nreturn 2",
        "def g(): return 1\nreturn 2\nf(a=1, a=2)", "f(a=1, a=2)\n1 +",
    ]


def main():
    warnings.simplefilter("ignore")
    lines = []
    for src in valid_snippets():
        tree = ast.parse(src)
        hexsrc = src.encode("utf-8").hex()
        lines.append("ast\t%s\t%s" % (hexsrc, ast.dump(tree)))
        if "f'" not in src and 'f"' not in src and "rf'" not in src:
            lines.append("pos\t%s\t%s" % (hexsrc, ast.dump(tree, include_attributes=True)))
    for src in error_snippets():
        hexsrc = src.encode("utf-8").hex()
        try:
            compile(src, "<stdin>", "exec")
        except SyntaxError as e:
            fields = [type(e).__name__, e.msg, e.lineno, e.offset, e.end_lineno, e.end_offset]
            lines.append("error\t%s\t%s" % (hexsrc, "\t".join(str(f) for f in fields)))
            continue
        # valid Python that embedlab rejects (decorators, yield, async, :=, ...)
        lines.append("unsupported\t%s" % hexsrc)
    with open(os.path.abspath(__file__), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# generated by %s sha256 %s; do not edit\n" % (SCRIPT, digest))
        for line in lines:
            assert "\n" not in line
            f.write(line + "\n")
    print("wrote %s (%d cases)" % (OUT, len(lines)))


if __name__ == "__main__":
    main()
