"""Render Word templates with docxtpl, reporting a broken template in French.

A template is compiled once (``compiled.py``) and reused for every document made from it while its bytes
stay the same, so a batch of letters costs one Jinja compilation, not one per letter, and a service folder
copied (a test, a second service, a template put back) does not compile the same template again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from docx.opc.exceptions import OpcError
from docxtpl import DocxTemplate
from jinja2 import TemplateError as JinjaError
from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from ..errors import TemplateError
from . import template_guard
from .compiled import CompiledTemplate, NotCompilable
from .template_check import syntax_error_message
from .typography import typeset_values

# what opening a template that is not a sound Word document raises (python-docx, zipfile, lxml)
_UNREADABLE = (KeyError, ValueError, OSError, BadZipFile, OpcError)
# more than the shipped templates: a long-running service keeps them all
_compiled: template_guard.ByContent[CompiledTemplate | None] = template_guard.ByContent(32)


def render_docx(template: Path, context: dict[str, Any] | Callable[[DocxTemplate], dict[str, Any]],
                target: Path) -> Path:
    """Render ``template`` into ``target`` atomically; the folder is created.

    The texts of a ``context`` given as a dict are typeset the French way (``typography.py``): no amount,
    time or « n° » split across lines. ``context`` may instead be a function of the opened template, for values
    tied to it (images): such a context is used as the caller made it, and its template is rendered by
    docxtpl itself, the others by their compiled form.
    """
    if not template.is_file():
        raise TemplateError(f"Modèle introuvable : {template}")
    template_guard.guard(template)  # before python-docx reads a part whole
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    try:
        compiled = None
        if not callable(context):
            context = typeset_values(context)
            compiled = _compiled_template(template)
        if compiled is not None:
            temp.write_bytes(compiled.render(context))  # type: ignore[arg-type]
        else:
            document = DocxTemplate(str(template))
            # staff edit the templates: a tag must never reach Python objects (__class__, __globals__...)
            document.render(context(document) if callable(context) else context,
                            jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
            document.save(str(temp))
        os.replace(temp, target)
    except TemplateSyntaxError as exc:  # located in Word terms: paragraph, table cell, header…
        raise TemplateError(syntax_error_message(template, exc)) from exc
    except SecurityError as exc:
        raise TemplateError(f"Modèle « {template.name} » refusé : il tente d'accéder à l'intérieur du programme "
                            f"({exc})") from exc
    except JinjaError as exc:
        raise TemplateError(f"Modèle « {template.name} » invalide : {exc.message or exc}") from exc
    except _UNREADABLE as exc:
        raise TemplateError(f"Modèle « {template.name} » illisible : {exc}") from exc
    finally:
        temp.unlink(missing_ok=True)
    return target


def prepare(template: Path) -> None:
    """Check and compile ``template`` ahead of its first document; a template that would be refused or does not
    compile is left for ``render_docx`` to report."""
    try:
        if template_guard.refusal(template) is None:
            _compiled_template(template)
    except (JinjaError, *_UNREADABLE):
        pass


def _compiled_template(template: Path) -> CompiledTemplate | None:
    """The compiled template of these bytes (staff may edit it under a running service)."""
    return _compiled.of(template, _compile)


def _compile(template: Path) -> CompiledTemplate | None:
    try:
        return CompiledTemplate(template, SandboxedEnvironment(autoescape=True))
    except NotCompilable:
        return None
