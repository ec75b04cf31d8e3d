"""Check a Word template against the data it is rendered with, in French.

``check_template`` collects the data paths the docxtpl (Jinja2) tags of a template read (body, headers,
footers; ``applications[].number`` for ``a.number`` in a loop over ``applications``) and compares them
with a sample of the data: fields the data lacks stay empty in the documents, data never used is worth
knowing. A broken template is reported where staff find it in Word: paragraph, table cell, header…
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from docx import Document
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import Environment, TemplateSyntaxError, nodes

from ..french import plural
from . import template_guard

_UNREADABLE = (OpcError, BadZipFile, KeyError, ValueError, OSError, SyntaxError)  # lxml errors are SyntaxErrors


@dataclass(frozen=True)
class TemplateReport:
    name: str
    missing: tuple[str, ...]  # used by the template, not provided by the data
    unused: tuple[str, ...]  # provided by the data, never used
    broken: str | None = None  # French message saying where the template breaks
    located: tuple[str, ...] = ()  # each missing field as typed in Word, and where (same order as ``missing``)
    why: tuple[str, ...] = ()  # for each missing field, what to do about it when known, else "" (same order)

    def lines(self, verbose: bool = False) -> list[str]:
        """French lines for the ``check`` command; the details of a line start with spaces."""
        if self.broken is not None:
            return [self.broken]
        head = f"Modèle « {self.name} »"
        count = len(self.missing)
        if count:
            empty = "il restera vide" if count == 1 else "ils resteront vides"
            result = [f"{head} : {plural(count, 'champ', 'champs')} que l'outil ne fournit pas ({empty} "
                      "dans les documents) :"]
            located = self.located or [f"« {{{{ {p} }}}} »" for p in self.missing]
            why = self.why or ("",) * len(located)
            result += [f"  - {where}{f' : {note}' if note else ''}" for where, note in zip(located, why)]
        else:
            result = [f"{head} : correct."]
        if self.unused and verbose:  # for whoever edits the template: fields it could show
            result.append(f"{head} : champs disponibles que le modèle n'utilise pas : "
                          f"{', '.join(f'{{{{ {p} }}}}' for p in self.unused)}")
        return result


def check_template(path: Path, sample: Mapping[str, Any], hints: Mapping[str, str] | None = None) -> TemplateReport:
    """Compare the fields ``path`` reads with those ``sample`` provides; never raises for a bad file.

    ``hints``: for the data path holding a missing field (``application.own``), what to do about it."""
    refused = template_guard.refusal(path)
    if refused is not None:
        return TemplateReport(path.name, (), (), refused)
    reading = _reading(path)
    if isinstance(reading, str):
        return TemplateReport(path.name, (), (), reading)
    shape = _shape(sample)
    missing = {m for r in reading.reads if r.required and (m := _missing(r.path, shape)) is not None}
    unused = {leaf for leaf in _leaves(shape, "") if not any(r.covers(leaf) for r in reading.reads)}
    found = _locate(reading.tags, sorted(missing))
    why = tuple(_hint(m, shape, hints or {}) for m in sorted(missing))
    return TemplateReport(path.name, tuple(sorted(missing)), tuple(sorted(unused)), located=found,
                          why=why if any(why) else ())


@dataclass(frozen=True)
class _Reading:
    """What a template reads, whatever the data: its data accesses and its tags as typed in Word."""

    reads: tuple[_Read, ...]
    tags: tuple[tuple[str, str, str], ...]  # (Word location, kind, tag as shown) of each closed tag


# Reading a template (python-docx, then Jinja on every part) costs far more than comparing it with the data;
# ``check`` compares each template with several samples and a service checks the same files again and again.
# Only the file's name and bytes go into a reading, so the same name and bytes give the same reading.
_readings: template_guard.ByContent[_Reading | str] = template_guard.ByContent(128)


def _reading(path: Path) -> _Reading | str:
    """The reading of ``path``, or the French message saying why it breaks."""
    try:
        return _readings.of(path, _read)
    except OSError:
        return _read(path)  # missing or unreadable: its message names the path, nothing worth keeping


def _read(path: Path) -> _Reading | str:
    try:
        template = DocxTemplate(str(path))
        template.init_docx()
        parts = [template.get_xml()]  # then headers and footers, each rendered alone as docxtpl does
        for uri in (template.HEADER_URI, template.FOOTER_URI):
            parts += [template.get_part_xml(part) for _, part in template.get_headers_footers(uri)]
    except _UNREADABLE:
        problem = ("ce fichier n'est pas un document Word (.docx) lisible ; enregistrez-le au format .docx"
                   if path.is_file() else f"fichier introuvable ({path})")
        return f"Modèle « {path.name} » invalide : {problem}."
    try:
        paragraphs = list(_parts(template.docx))  # the same document, not opened a second time
    except _UNREADABLE:
        paragraphs = []  # nothing to blame nor locate, as when a second opening failed
    collector = _Collector(env := Environment(autoescape=True))
    for xml in parts:
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", template.patch_xml(xml))  # one line a paragraph, as docxtpl
        try:
            tree = env.parse(source)
            collector.template(tree)
            env.compile(tree)  # unknown filters and tests only show when compiling
        except TemplateSyntaxError as exc:
            exc.source = exc.source or source
            blame = _blame(paragraphs)
            return f"Modèle « {path.name} » invalide : {blame or _explain(exc)}"
    if (blame := _blame(paragraphs, blocks=False)) is not None:  # docxtpl silently eats some broken tags
        return f"Modèle « {path.name} » invalide : {blame}"
    tags = tuple((label, kind, shown) for part in paragraphs for label, text in part
                 for _, kind, inner, shown, _ in _tags(text) if inner is not None and kind != "#")
    return _Reading(tuple(collector.reads), tags)


def _hint(missing: str, shape: Any, hints: Mapping[str, str]) -> str:
    """What ``hints`` says of the table holding ``missing``, with the closest name that table has."""
    parent, name = missing.rsplit(".", 1) if "." in missing else ("", missing)
    hint = hints.get(parent, "")
    node = _node(parent, shape)
    close = difflib.get_close_matches(name, list(node), n=1) if hint and isinstance(node, dict) else []
    return f"{hint} ; vouliez-vous dire « {close[0]} » ?" if close else hint


def _node(path: str, shape: Any) -> Any:
    """The part of the data's shape at ``path`` (``applications[].own``), None when it has none."""
    node = shape
    for token in path.replace("[]", ".[]").split("."):
        if isinstance(node, list) and token == "[]":
            node = node[0]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return None
    return node


def _locate(tags: tuple[tuple[str, str, str], ...], fields: list[str]) -> tuple[str, ...]:
    """Each field as staff typed it (``{{ a.montant }}`` in a loop, not ``applications[].montant``), and where."""
    located = []
    for field in fields:
        plain, last = field.replace("[]", ""), field.replace("[]", "").rsplit(".", 1)[-1]
        # the whole path first (``session.salle``), else its last name after any loop variable (``a.montant``)
        found = next((t for pattern in (rf"(?<![\w.]){re.escape(plain)}\b", rf"(?<![\w]){re.escape(last)}\b")
                      for t in tags if re.search(pattern, t[2])), None)
        if found is None:
            located.append(f"« {{{{ {field} }}}} »")
        else:
            label, kind, shown = found
            located.append(f"« {{{{ {shown} }}}} » ({label})" if kind == "{" else f"« {{% {shown} %}} » ({label})")
    return tuple(located)


# --- where a template breaks -------------------------------------------------------------------

_OPENER = re.compile(r"\{[{%#]")
_CLOSER = {"{": "}}", "%": "%}", "#": "#}"}
_UNCLOSED = {"{": "accolade fermante manquante (« }} » attendu)", "%": "balise non fermée (« %} » attendu)",
             "#": "commentaire non fermé (« #} » attendu)"}
_PREFIX = re.compile(r"^(tr|tc|p|r) ")  # docxtpl's {%tr …%}, {{r …}}, …
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
_BLOCKS = {"if", "for", "macro", "call", "filter", "with", "autoescape", "block"}
_IGNORED = {"vm", "hm", "colspan", "cellbg", "raw", "endraw"}  # docxtpl's own tags; raw text


def syntax_error_message(path: Path, error: TemplateSyntaxError) -> str:
    """``Modèle « X » invalide : …`` naming the faulty paragraph, else Jinja's message in French."""
    return f"Modèle « {path.name} » invalide : {_blame_paragraph(path) or _explain(error)}"


def _blame_paragraph(path: Path, blocks: bool = True) -> str | None:
    """A malformed tag first (the most precise), then an ``end…`` closing nothing or a block never closed."""
    try:
        parts = list(_parts(Document(str(path))))
    except _UNREADABLE:
        return None
    return _blame(parts, blocks)


def _blame(parts: list[list[tuple[str, str]]], blocks: bool = True) -> str | None:
    """``_blame_paragraph`` on paragraphs already read."""
    env = Environment(autoescape=True)
    for label, text in (paragraph for part in parts for paragraph in part):
        for start, kind, inner, shown, keyword in _tags(text):
            problem = _UNCLOSED[kind] if inner is None else _check_tag(kind, inner, shown, keyword, env)
            if problem is not None:
                return f"{label} (« {_excerpt(text, start)} ») : {problem}"
    return next((blame for part in parts if blocks and (blame := _unbalanced(part)) is not None), None)


def _parts(document: Any) -> Iterator[list[tuple[str, str]]]:
    """(Word location, text) of the paragraphs of each part docxtpl renders alone: body, headers, footers."""
    yield list(_paragraphs(document.element.body, ""))
    seen: set[int] = set()
    sections = list(document.sections)
    for number, section in enumerate(sections, 1):
        where = f" de la section {number}" if len(sections) > 1 else ""
        for kind, label in (("header", "en-tête"), ("footer", "pied de page")):
            for page, which in (("", ""), ("first_page_", " de première page"), ("even_page_", " des pages paires")):
                part = getattr(section, page + kind)
                if not part.is_linked_to_previous and id(part.part) not in seen:
                    seen.add(id(part.part))
                    yield list(_paragraphs(part.part.element, f"{label}{which}{where}, "))


def _paragraphs(root: Any, prefix: str) -> Iterator[tuple[str, str]]:
    paragraphs = tables = 0
    for child in root.iterchildren():
        if child.tag == qn("w:tbl"):
            tables += 1
            for r, row in enumerate(child.iterchildren(qn("w:tr")), 1):
                for c, cell in enumerate(row.iterchildren(qn("w:tc")), 1):
                    for p in cell.iter(qn("w:p")):
                        yield f"{prefix}tableau {tables}, ligne {r}, colonne {c}", p.text
        else:
            for p in [child] if child.tag == qn("w:p") else child.iter(qn("w:p")):
                paragraphs += 1
                yield f"{prefix}paragraphe {paragraphs}", p.text


def _tags(text: str) -> Iterator[tuple[int, str, str | None, str, str]]:
    """Each tag of a paragraph: position, kind (« { », « % », « # »), inside (None if never closed) without
    docxtpl's prefix and Word's curly quotes, the same as shown, and its first word."""
    position = 0
    while (found := _OPENER.search(text, position)) is not None:
        start, kind = found.start(), text[found.start() + 1]
        end, following = text.find(_CLOSER[kind], start + 2), _OPENER.search(text, start + 2)
        if end < 0 or (kind != "#" and following is not None and following.start() < end):
            yield start, kind, None, "", ""
            return
        inner = _PREFIX.sub("", text[start + 2:end]).translate(_QUOTES)
        shown = re.sub(r"^[-+]|[-+]$", "", inner).strip()  # without whitespace control
        yield start, kind, inner, shown, shown.split(maxsplit=1)[0] if shown else ""
        position = end + 2


def _check_tag(kind: str, inner: str, shown: str, keyword: str, env: Environment) -> str | None:
    """Why one tag does not parse on its own, if it does not."""
    if kind == "#" or keyword in _IGNORED:
        return None
    if kind == "{":
        error = _parse_error(env, f"{{{{{inner}}}}}")
        named = re.match(r"No (filter|test) named '([^']+)'", error)
        if named:
            return f"{'filtre' if named[1] == 'filter' else 'test'} « {named[2]} » inconnu dans « {shown} »"
        return (f"expression illisible « {shown} »" if shown else "expression vide « {{ }} »") if error else None
    if keyword.startswith("end"):
        return None if keyword[3:] in _BLOCKS | {"set"} else f"balise « {keyword} » inconnue"
    tag = f"{{%{inner}%}}"
    if keyword in _BLOCKS or (keyword == "set" and "=" not in shown):
        tag += f"{{% end{keyword} %}}"
    elif keyword in ("elif", "else"):
        tag = f"{{% if true %}}{tag}{{% endif %}}"
    if not _parse_error(env, tag):
        return None
    if keyword and "unknown tag" in _parse_error(env, f"{{% {keyword} %}}"):
        return f"balise « {keyword} » inconnue"
    return f"instruction illisible « {shown} »" if shown else "balise vide « {% %} »"


def _parse_error(env: Environment, source: str) -> str:
    """Jinja's message for ``source``, empty when it compiles."""
    try:
        env.compile(source)
    except TemplateSyntaxError as exc:
        return exc.message or "?"
    return ""


def _unbalanced(part: list[tuple[str, str]]) -> str | None:
    """The ``end…`` tag closing no open block, or the innermost block never closed, located."""
    stack: list[tuple[str, str, str, int]] = []  # keyword, location, text, position
    for label, text in part:
        for start, kind, inner, shown, keyword in _tags(text):
            if kind != "%" or inner is None or keyword in _IGNORED:
                continue
            if keyword in _BLOCKS or (keyword == "set" and "=" not in shown):
                stack.append((keyword, label, text, start))
            elif keyword.startswith("end") and stack and stack[-1][0] == keyword[3:]:
                stack.pop()
            elif keyword.startswith("end"):
                expected = f" : « end{stack[-1][0]} » était attendu avant" if stack else " : aucun bloc à fermer"
                return f"{label} (« {_excerpt(text, start)} ») : balise « {keyword} » inattendue{expected}"
    if not stack:
        return None
    keyword, label, text, start = stack[-1]
    return f"{label} (« {_excerpt(text, start)} ») : bloc « {keyword} » jamais fermé (« end{keyword} » manquant)"


def _excerpt(text: str, start: int, width: int = 90) -> str:
    begin = max(0, min(start - 30, len(text) - width))
    return ("…" if begin else "") + text[begin:begin + width] + ("…" if begin + width < len(text) else "")


_JINJA_MESSAGES = (  # Jinja's message, matched from its start -> French
    (r"Unexpected end of template.*closed is '(\w+)'",
     "balise « end{0} » manquante : un bloc « {0} » n'est jamais fermé"),
    (r"Encountered unknown tag '(\w+)'.*closed is '(\w+)'",
     "balise « {0} » inattendue : « end{1} » était attendu avant"),
    (r"Encountered unknown tag '(end\w*)'", "balise « {0} » sans bloc à fermer"),
    (r"Encountered unknown tag '(\w+)'", "balise « {0} » inconnue"),
    (r"No filter named '([^']+)'", "filtre « {0} » inconnu"),
    (r"No test named '([^']+)'", "test « {0} » inconnu"),
    (r"unexpected '(.)'", "caractère « {0} » inattendu"),
    (r"(?i)unexpected end of template", "fin du modèle inattendue : une balise n'est pas fermée"),
)


def _explain(error: TemplateSyntaxError) -> str:
    """Jinja's message in French, with the text near the fault, then the original message."""
    message = error.message or str(error)
    found = ((french, m) for pattern, french in _JINJA_MESSAGES if (m := re.match(pattern, message, re.S)))
    french, match = next(found, ("syntaxe incorrecte", None))
    text = french.format(*match.groups()) if match else french
    lines = (error.source or "").splitlines()
    if error.lineno and error.lineno <= len(lines) and not message.startswith("Unexpected end of template"):
        near = re.sub(r"<[^>]+>", "", lines[error.lineno - 1]).strip()
        text += f", près de « {_excerpt(near, 0, 80)} »" if near else ""
    return f"{text} ({message})"


# --- what a template reads ---------------------------------------------------------------------

_NOT_DATA = {"loop", "caller", "varargs", "kwargs", "self", "super"}
_MAPPING_METHODS = {"items", "values", "keys"}
_COUNTING, _OPTIONAL = {"length", "count"}, {"default", "d", "defined", "undefined"}
_Scope = dict[str, str | None]  # template name -> the data path it stands for (None: not data)


@dataclass(frozen=True)
class _Read:
    path: str
    deep: bool  # the value itself is read (output), not only tested or iterated
    required: bool = True  # False under ``|default`` or ``is defined``

    def covers(self, leaf: str) -> bool:
        return self.path == leaf or _under(self.path, leaf) or (self.deep and _under(leaf, self.path))


def _under(path: str, parent: str) -> bool:
    return path.startswith((parent + ".", parent + "[]"))


class _Collector:
    """Walks a Jinja tree, resolving loop variables and ``set`` aliases to data paths."""

    def __init__(self, env: Environment) -> None:
        self.env, self.reads, self.bound = env, list[_Read](), set[str]()

    def template(self, tree: nodes.Template) -> None:
        self.bound = _NOT_DATA | set(self.env.globals) | {m.name for m in tree.find_all(nodes.Macro)}
        self.bound |= {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
        self.statements(tree.body, {})

    def statements(self, body: Iterable[nodes.Node], scope: _Scope) -> None:
        for node in body:
            self.statement(node, scope)

    def statement(self, node: nodes.Node, scope: _Scope) -> None:
        if isinstance(node, nodes.For):
            self.expr(node.iter, scope, deep=False)
            source, inner = self.path(node.iter, scope), dict(scope, loop=None)
            self.bind(node.target, None if source is None else f"{source}[]", inner)
            if node.test is not None:
                self.expr(node.test, inner, deep=False)
            self.statements(node.body, inner)
            self.statements(node.else_, scope)
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope, deep=False)
            self.statements([*node.body, *node.elif_, *node.else_], scope)
        elif isinstance(node, nodes.Assign):
            self.expr(node.node, scope, deep=False)
            self.bind(node.target, self.path(node.node, scope), scope)
        else:  # output, macros, with, call blocks…: names they bind are in self.bound
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Expr):
                    self.expr(child, scope, deep=True)
                else:
                    self.statement(child, scope)

    @staticmethod
    def bind(target: nodes.Node, path: str | None, scope: _Scope) -> None:
        for name in [target] if isinstance(target, nodes.Name) else target.find_all(nodes.Name):
            scope[name.name] = path if name is target else None  # unpacked tuples are template values

    def path(self, node: nodes.Node, scope: _Scope) -> str | None:
        """The data path ``node`` reads, or None when it is not plain data access."""
        if isinstance(node, nodes.Name):
            return scope[node.name] if node.name in scope else None if node.name in self.bound else node.name
        if isinstance(node, nodes.Getattr):
            base = self.path(node.node, scope)
            return None if base is None else f"{base}.{node.attr}"
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            base, key = self.path(node.node, scope), node.arg.value
            if base is None or isinstance(key, bool) or not isinstance(key, (str, int)):
                return None
            return f"{base}.{key}" if isinstance(key, str) else f"{base}[]"
        return None

    def expr(self, node: nodes.Node, scope: _Scope, deep: bool, required: bool = True) -> None:
        path = self.path(node, scope)
        if path is not None:
            self.reads.append(_Read(path, deep, required))
        elif isinstance(node, nodes.Getattr):
            self.expr(node.node, scope, deep, required)
        elif isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            base, method, args = self.path(node.node.node, scope), node.node.attr, node.args
            if base is not None and method in _MAPPING_METHODS:
                self.reads.append(_Read(base, True, required))
            elif base is not None and method == "get" and args and isinstance(args[0], nodes.Const):
                self.reads.append(_Read(f"{base}.{args[0].value}", True, False))
            else:
                self.expr(node.node, scope, deep, required)
            self.children([*args, *node.kwargs, node.dyn_args, node.dyn_kwargs], scope)
        elif isinstance(node, (nodes.Filter, nodes.Test)):  # ``|length``, ``is defined`` only test their value
            if node.node is not None:
                self.expr(node.node, scope, deep and isinstance(node, nodes.Filter) and node.name not in _COUNTING,
                          required and node.name not in _OPTIONAL)
            self.children([*node.args, *node.kwargs, node.dyn_args, node.dyn_kwargs], scope)
        elif isinstance(node, nodes.CondExpr):
            self.expr(node.test, scope, False)
            self.children([node.expr1, node.expr2], scope, deep)
        elif isinstance(node, (nodes.Not, nodes.And, nodes.Or, nodes.Compare, nodes.Operand)):
            self.children(node.iter_child_nodes(), scope, deep)
        else:
            self.children(node.iter_child_nodes(), scope)

    def children(self, children: Iterable[nodes.Node | None], scope: _Scope, deep: bool = True) -> None:
        for child in children:
            if child is not None:
                self.expr(child, scope, deep)


# --- what the data provides: dicts stay dicts, a list of dicts is [union of their keys], else a leaf (None)

def _shape(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _shape(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and any(isinstance(v, Mapping) for v in value):
        merged: dict[str, Any] = {}
        for item in value:
            if isinstance(item, Mapping):
                _merge(merged, _shape(item))
        return [merged]
    return None


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        current = into.get(key)
        if isinstance(current, list) and isinstance(value, list):
            current, value = current[0], value[0]
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        elif key not in into or into[key] is None:
            into[key] = value


def _missing(path: str, shape: Any) -> str | None:
    """The part of ``path`` the data lacks: a key absent from a dict the data does provide."""
    tokens = path.replace("[]", ".[]").split(".")
    node = shape
    for index, token in enumerate(tokens):
        if isinstance(node, dict) and token != "[]":
            if token not in node:
                return ".".join(tokens[:index + 1]).replace(".[]", "[]")
            node = node[token]
        elif isinstance(node, list) and token == "[]":
            node = node[0]
        else:  # a leaf (string methods…) or an unusual access: not ours to judge
            return None
    return None


def _leaves(shape: Any, prefix: str) -> Iterator[str]:
    if isinstance(shape, list):
        shape, prefix = (shape[0], f"{prefix}[]") if shape[0] else (None, prefix)
    if isinstance(shape, dict) and shape:
        for key, value in shape.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else key)
    elif prefix and not isinstance(shape, dict):  # an empty table (no own column declared) offers nothing
        yield prefix
