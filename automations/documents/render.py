"""Render Word templates with docxtpl, reporting a broken template in French."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateError as JinjaError

from ..errors import TemplateError


def render_docx(template: Path, context: dict[str, Any], target: Path) -> Path:
    """Render ``template`` into ``target`` atomically; the folder is created."""
    if not template.is_file():
        raise TemplateError(f"Modèle introuvable : {template}")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    try:
        document = DocxTemplate(str(template))
        document.render(context, autoescape=True)
        document.save(str(temp))
        os.replace(temp, target)
    except JinjaError as exc:
        line = f" (ligne {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise TemplateError(f"Modèle « {template.name} » invalide{line} : {exc.message or exc}") from exc
    except (KeyError, ValueError, OSError) as exc:
        raise TemplateError(f"Modèle « {template.name} » illisible : {exc}") from exc
    finally:
        temp.unlink(missing_ok=True)
    return target
