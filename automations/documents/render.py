"""Render Word templates with docxtpl, reporting a broken template in French."""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Callable
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateError as JinjaError
from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from ..errors import TemplateError
from .template_check import syntax_error_message


def render_docx(template: Path, context: dict[str, Any] | Callable[[DocxTemplate], dict[str, Any]],
                target: Path) -> Path:
    """Render ``template`` into ``target`` atomically; the folder is created.

    ``context`` may be a function of the opened template, for values tied to it (images).
    """
    if not template.is_file():
        raise TemplateError(f"Modèle introuvable : {template}")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    try:
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
    except (KeyError, ValueError, OSError) as exc:
        raise TemplateError(f"Modèle « {template.name} » illisible : {exc}") from exc
    finally:
        temp.unlink(missing_ok=True)
    return target
