"""The template language a document template may use, and the checks that keep it to that.

Two fences, both applied to every template before it renders (and by lint):
1. A static check of the parsed template against the context schema: only variables of the
   schema, no attribute starting with "_", no function or method calls (so no `range`, no
   `lipsum`, no `cycler.__init__`), no import/include/extends/macro/autoescape blocks, only a
   few harmless filters, no multiplication or power, and `for` only over lists of the case
   data, at most two loops deep. Output size is then bounded by the data.
2. At run time Jinja's SandboxedEnvironment with StrictUndefined and autoescape: attribute
   access and calls go through the sandbox, any callable is refused, unknown names fail.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

ALLOWED_FILTERS = ("default", "d", "join", "length", "count", "first", "last", "trim", "upper", "lower", "string",
                   "replace")
# Filters whose arguments must be short literals: join(x) or replace(a, x) with a value for x would
# multiply two texts of the case into one (quadratic output).
LITERAL_ARGUMENT_FILTERS = {"join", "replace"}
MAX_LITERAL_ARGUMENT = 20
COMPILED_CACHE_SIZE = 200  # parts of about 60 templates (document, headers, footers): a few MB of source text
MAX_LOOP_DEPTH = 2
# How many times the data's text one output tag or {% set %} may amount to. `{% set a = a ~ a %}`
# doubles a each time and chained `replace` multiplies: thirty of them need gigabytes. Honest tags
# join a few values and words ("{{ name ~ '（' ~ unit ~ '）' }}": 4).
MAX_GROWTH = 100
LOOP = {k: "num" for k in ("index", "index0", "revindex", "revindex0", "length", "depth", "depth0")} | {
    "first": "flag", "last": "flag"}
ANY = "any"

_BLOCKED_NODES = {
    "Import": "不允许 {% import %}：模板只能使用本文书的数据",
    "FromImport": "不允许 {% from … import %}：模板只能使用本文书的数据",
    "Include": "不允许 {% include %}：模板只能使用本文书的数据",
    "Extends": "不允许 {% extends %}",
    "Block": "不允许 {% block %}",
    "Macro": "不允许 {% macro %}",
    "CallBlock": "不允许 {% call %}",
    "FilterBlock": "不允许 {% filter %} 块",
    "With": "不允许 {% with %}",
    "Scope": "不允许 {% with %} 或 {% autoescape %}",
    "EvalContextModifier": "不允许 {% autoescape %}：文字必须转义后写入文档",
    "ScopedEvalContextModifier": "不允许 {% autoescape %}：文字必须转义后写入文档",
    "AssignBlock": "不允许 {% set %}…{% endset %} 块",
    "ExprStmt": "不允许 {% do %}",
    "Call": "不允许调用函数或方法（如 range()、lipsum()、x.format()）",
    "Mul": "不允许乘法运算",
    "Div": "不允许除法运算",
    "FloorDiv": "不允许除法运算",
    "Mod": "不允许取余或格式化运算（%）",
    "Pow": "不允许乘方运算",
    "Slice": "不允许切片",
    "Dict": "不允许字典常量",
    "NSRef": "不允许 namespace",
}


@dataclass(frozen=True)
class Finding:
    code: str  # sandbox_violation | undeclared_variable
    message: str
    lineno: int


class TemplateEnvironment(SandboxedEnvironment):
    """Sandbox, StrictUndefined, autoescape; no globals, few filters, no callables, no * / % **."""

    intercepted_binops = frozenset({"*", "/", "//", "%", "**"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=True)
        self.globals.clear()
        self.filters = {name: self.filters[name] for name in ALLOWED_FILTERS}
        self._compiled: dict[str, Any] = {}
        self._compiled_lock = threading.Lock()

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's own signature
        """The compiled template of a part's XML, compiled once: docxtpl compiles every part of a
        .docx on every render, which costs more than the rendering itself."""
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = super().from_string(source)
            with self._compiled_lock:  # the GUI's worker threads render at once
                if len(self._compiled) >= COMPILED_CACHE_SIZE:
                    self._compiled.pop(next(iter(self._compiled)))  # the oldest first
                self._compiled[source] = compiled
        return compiled

    def call_binop(self, context, operator: str, left, right):
        raise SecurityError(f"operator {operator!r} is not allowed in document templates")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return not attr.startswith("_") and not callable(value) and super().is_safe_attribute(obj, attr, value)

    def is_safe_callable(self, obj: Any) -> bool:
        return False


class Checker:
    """Walks one parsed template; `findings` and `used` (schema paths such as persons[].name) after run()."""

    def __init__(self, schema: dict):
        self.schema = schema
        self.findings: list[Finding] = []
        self.used: set[str] = set()
        self.factors: dict[str, float] = {}  # {% set %} name → its growth (see MAX_GROWTH)

    def run(self, template: nodes.Template) -> Checker:
        self.body(template.body, {}, 0)
        return self

    def use(self, path: str) -> None:
        if "?" not in path and path != "loop" and not path.startswith("loop."):
            self.used.add(path)

    def flag(self, node: nodes.Node, message: str, code: str = "sandbox_violation") -> None:
        lineno = getattr(node, "lineno", 0) or next((n.lineno for n in node.find_all(nodes.Node) if n.lineno), 0)
        self.findings.append(Finding(code, message, lineno))

    # statements
    def body(self, items: list[nodes.Node], scope: dict, depth: int) -> None:
        for item in items:
            self.stmt(item, scope, depth)

    def stmt(self, node: nodes.Node, scope: dict, depth: int) -> None:
        kind = type(node).__name__
        if kind in _BLOCKED_NODES:
            self.flag(node, _BLOCKED_NODES[kind])
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.expr(child, scope)
                    self.bounded(child)
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope)
            self.body(node.body, scope, depth)
            for elif_ in node.elif_:
                self.stmt(elif_, scope, depth)
            self.body(node.else_, scope, depth)
        elif isinstance(node, nodes.For):
            self.for_loop(node, scope, depth)
        elif isinstance(node, nodes.Assign):
            if not isinstance(node.target, nodes.Name):
                self.flag(node, "{% set %} 只能给一个名字赋值")
                return
            scope[node.target.name] = (self.expr(node.node, scope), self.path_of(node.node, scope))
            self.factors[node.target.name] = self.bounded(node.node)
        else:
            self.flag(node, f"不支持的模板语句（{kind}）")

    def for_loop(self, node: nodes.For, scope: dict, depth: int) -> None:
        if depth >= MAX_LOOP_DEPTH:
            self.flag(node, f"循环最多嵌套 {MAX_LOOP_DEPTH} 层")
            return
        if node.recursive:
            self.flag(node, "不允许递归循环")
        if not isinstance(node.target, nodes.Name):
            self.flag(node, "{% for %} 只能用一个循环变量，如 {% for p in persons %}")
            return
        if not isinstance(node.iter, nodes.Name | nodes.Getattr | nodes.Getitem):
            self.flag(node, "循环只能遍历案件数据中的列表（如 persons、sanctions），不能遍历计算出来的值")
            self.expr(node.iter, scope)
            return
        shape = self.expr(node.iter, scope)
        if not isinstance(shape, list):
            if shape is not None:
                self.flag(node, "循环只能遍历案件数据中的列表（如 persons、sanctions）")
            return
        inner = dict(scope)
        inner[node.target.name] = (shape[0], self.path_of(node.iter, scope) + "[]")
        inner["loop"] = (LOOP, "loop")
        if node.test is not None:
            self.expr(node.test, inner)
        self.body(node.body, inner, depth + 1)
        self.body(node.else_, scope, depth)

    # expressions: return the schema shape of the value (None when unknown or refused)
    def path_of(self, node: nodes.Node, scope: dict) -> str:
        if isinstance(node, nodes.Name):
            bound = scope.get(node.name)
            return bound[1] if isinstance(bound, tuple) else node.name
        if isinstance(node, nodes.Getattr):
            return f"{self.path_of(node.node, scope)}.{node.attr}"
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            return f"{self.path_of(node.node, scope)}.{node.arg.value}"
        return "?"

    def member(self, node: nodes.Node, base: Any, key: Any, scope: dict) -> Any:
        if isinstance(key, str) and key.startswith("_"):
            self.flag(node, f"不允许访问以下划线开头的属性“{key}”")
            return None
        if base is None or base == ANY:
            return base
        if isinstance(base, dict) and isinstance(key, str):
            if key in base:
                shape = base[key]
                if not isinstance(shape, dict):
                    self.use(self.path_of(node, scope))
                return shape
            self.flag(node, f"未定义的变量“{self.path_of(node, scope)}”（不在文书数据中）", "undeclared_variable")
            return None
        if isinstance(base, list) and isinstance(key, int):
            return base[0]
        self.flag(node, f"“{self.path_of(node, scope)}”取不到值：类型不符")
        return None

    def expr(self, node: nodes.Node, scope: dict) -> Any:
        kind = type(node).__name__
        if kind in _BLOCKED_NODES:
            self.flag(node, _BLOCKED_NODES[kind])
            return None
        if isinstance(node, nodes.Name):
            if node.name in scope:
                bound = scope[node.name]
                return bound[0] if isinstance(bound, tuple) else bound
            if node.name in self.schema:
                shape = self.schema[node.name]
                if not isinstance(shape, dict):
                    self.use(node.name)
                return shape
            self.flag(node, f"未定义的变量“{node.name}”（不在文书数据中）", "undeclared_variable")
            return None
        if isinstance(node, nodes.Getattr):
            return self.member(node, self.expr(node.node, scope), node.attr, scope)
        if isinstance(node, nodes.Getitem):
            base = self.expr(node.node, scope)
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str | int):
                return self.member(node, base, node.arg.value, scope)
            self.expr(node.arg, scope)
            return ANY
        if isinstance(node, nodes.Filter):
            if node.name not in ALLOWED_FILTERS:
                self.flag(node, f"不允许使用过滤器“{node.name}”（可用：{'、'.join(ALLOWED_FILTERS)}）")
            if node.name in LITERAL_ARGUMENT_FILTERS and not all(
                    isinstance(a, nodes.Const) and isinstance(a.value, str) and len(a.value) <= MAX_LITERAL_ARGUMENT
                    for a in [*node.args, *(k.value for k in node.kwargs)]):
                self.flag(node, f"过滤器“{node.name}”的参数只能是不超过{MAX_LITERAL_ARGUMENT}个字的文字常量")
            self.arguments(node, scope)
            if node.node is not None:
                self.expr(node.node, scope)
            return ANY
        if isinstance(node, nodes.Test):
            self.arguments(node, scope)
            self.expr(node.node, scope)
            return "flag"
        if isinstance(node, nodes.Const | nodes.TemplateData):
            return ANY
        if isinstance(node, nodes.Compare):
            self.expr(node.expr, scope)
            for op in node.ops:
                self.expr(op.expr, scope)
            return "flag"
        if isinstance(node, nodes.CondExpr):
            self.expr(node.test, scope)
            self.expr(node.expr1, scope)
            if node.expr2 is not None:
                self.expr(node.expr2, scope)
            return ANY
        if isinstance(node, nodes.BinExpr | nodes.UnaryExpr | nodes.Concat | nodes.List | nodes.Tuple):
            for child in node.iter_child_nodes():
                self.expr(child, scope)
            return ANY
        self.flag(node, f"不支持的表达式（{kind}）")
        return None

    def bounded(self, node: nodes.Node) -> float:
        """The node's growth, flagged when above MAX_GROWTH (and then capped, so one finding is enough)."""
        factor = self.growth(node)
        if factor > MAX_GROWTH:
            if any(f.message.startswith("文字会成倍增长") for f in self.findings):
                return 1.0  # one finding says it; the chain that follows would only repeat it
            self.flag(node, f"文字会成倍增长（约为案件数据的{factor:.0f}倍，上限{MAX_GROWTH}倍）："
                            "不允许反复拼接同一变量（如 {% set a = a ~ a %}）或连续替换放大文字")
            return 1.0
        return factor

    def growth(self, node: nodes.Node) -> float:
        """An upper bound on how many times the data's text (or a constant) this expression may
        amount to: concatenation adds, `replace` and `join` multiply, a {% set %} name carries its own."""
        if isinstance(node, nodes.Name):
            return self.factors.get(node.name, 1.0)
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            return self.growth(node.node)
        if isinstance(node, nodes.Filter):
            inner = self.growth(node.node) if node.node is not None else 1.0
            args = [a.value if isinstance(a, nodes.Const) and isinstance(a.value, str) else "" for a in node.args]
            if node.name == "replace":
                old, new = (args + ["", ""])[:2]
                return inner * (len(new) / len(old) if old else len(new) + 1) if len(new) > len(old) else inner
            if node.name == "join":
                return inner * (1 + len(args[0] if args else ""))
            if node.name in ("default", "d"):
                return max([inner, *(self.growth(a) for a in node.args)])
            return inner
        if isinstance(node, nodes.Concat):
            return sum(self.growth(n) for n in node.nodes)
        if isinstance(node, nodes.Add | nodes.List | nodes.Tuple):
            return sum(self.growth(n) for n in node.iter_child_nodes())
        if isinstance(node, nodes.CondExpr):
            return max(self.growth(node.expr1), self.growth(node.expr2) if node.expr2 is not None else 0.0)
        return 1.0

    def arguments(self, node: nodes.Filter | nodes.Test, scope: dict) -> None:
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            self.flag(node, "不允许 *args / **kwargs 形式的参数")
        for arg in node.args:
            self.expr(arg, scope)
        for kw in node.kwargs:
            self.expr(kw.value, scope)


_ENV: TemplateEnvironment | None = None


def environment() -> TemplateEnvironment:
    """One shared environment (it holds no state between renders)."""
    global _ENV
    if _ENV is None:
        _ENV = TemplateEnvironment()
    return _ENV


def check_source(source: str, schema: dict) -> tuple[list[Finding], set[str]]:
    """Findings and used variables of one Jinja source; a syntax error raises TemplateSyntaxError."""
    checker = Checker(schema).run(environment().parse(source))
    return checker.findings, checker.used
