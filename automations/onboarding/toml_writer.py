"""The drafted mapping.toml and config.toml, commented for the administrator who finishes them."""

from __future__ import annotations

import json
from pathlib import Path

from ..registers.mapping import ROLE_LABELS
from .draft import Draft, FieldDraft, RegisterDraft, relative

_ROLE_ORDER = ("committees", "sessions", "members", "rooms", "applications", "suppliers", "mail_in", "mail_out")


def _s(text: str) -> str:
    # a TOML basic string: JSON's escapes are TOML's
    return json.dumps(text, ensure_ascii=False)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_s(i) for i in items) + "]"


def _inline(f: FieldDraft) -> str:
    parts: list[str] = []
    if f.value is not None:
        parts.append(f"value = {_s(f.value)}")
    else:
        parts.append(f"headers = {_list(f.headers)}")
        parts.append(f"type = {_s(f.type)}")
    if f.required:
        parts.append("required = true")
    if f.write_back:
        parts.append("write_back = true")
    return "{ " + ", ".join(parts) + " }"


def _choice_table(prefix: str, f: FieldDraft) -> list[str]:
    lines = [f"[{prefix}.{f.name}]", f"headers = {_list(f.headers)}", 'type = "choice"']
    if f.required:
        lines.append("required = true")
    if f.default is not None:
        lines.append(f"default = {_s(f.default)}")
    body = ", ".join(f"{k} = {_list(v)}" for k, v in f.choices.items())
    lines.append(f"choices = {{ {body} }}")
    return lines


def _register(r: RegisterDraft) -> list[str]:
    lines = ["", f"# Registre « {ROLE_LABELS[r.role]} » : " + " ; ".join(r.places)]
    lines += [f"[registers.{r.role}]", f"files = {_list(r.files)}", f"sheets = {_list(r.sheets)}",
              'header_row = "auto"', f"key = {_list(r.key)}", "", f"[registers.{r.role}.fields]"]
    tables: list[str] = []
    for f in r.fields.values():
        if f.type == "choice":
            tables += [""] + ([f"# {f.note}"] if f.note else []) + _choice_table(f"registers.{r.role}.fields", f)
            continue
        if f.note:
            lines.append(f"# {f.note}")
        lines.append(f"{f.name} = {_inline(f)}")
    lines += tables
    if r.own:
        lines += ["", "# Colonnes propres au service, sans champ de l'outil : les modèles de documents les lisent",
                  "# sous « own.<nom> » (par exemple {{ application.own.quartier }}) ; retirez celles qui ne servent pas."]
        for f in r.own.values():
            lines += [f"[registers.{r.role}.own_fields.{f.name}]",
                      f"headers = {_list(f.headers)}", f"type = {_s(f.type)}"]
    return lines


def mapping_text(d: Draft) -> str:
    lines = [f"# Correspondance des registres, ébauchée par « python run.py draft » à partir de {d.folder.name}.",
             "# Chaque registre indique ses fichiers, ses feuilles, la ligne d'en-têtes (\"auto\" : trouvée sous les",
             "# lignes de titre), la clé, puis pour chaque champ les en-têtes, le type, s'il est obligatoire et si",
             "# l'outil y reporte un suivi (write_back). Les lignes « À VÉRIFIER » attendent une décision.",
             f"name = {_s('Registres de ' + d.folder.name)}"]
    for role in _ROLE_ORDER:
        if role in d.registers:
            lines += _register(d.registers[role])
    return "\n".join(lines) + "\n"


def config_text(d: Draft, out: Path, templates: Path) -> str:
    lines = ["# Configuration ébauchée par « python run.py draft » : complétez les lignes « À VÉRIFIER »,",
             "# puis « python run.py --config " + (out / "config.toml").as_posix() + " check ».",
             "[service]", "# À VÉRIFIER : nom, adresse e-mail du service, ville et signataire des courriers",
             f"name = {_s(d.folder.name)}", 'email = "secretariat@service.nc"', 'city = "Nouméa"',
             'signatory = ""', 'timezone = "Pacific/Noumea"', "",
             "[paths]", f"registers = {_s(relative(d.folder, out))}", 'mapping = "mapping.toml"',
             f"templates = {_s(relative(templates, out))}", 'output = "documents"', 'journal = "journal.sqlite3"',
             'backups = "sauvegardes"', "",
             "# Boîte d'envoi locale : les courriers sont écrits en fichiers .eml, rien ne part tant que",
             "# le transport n'est pas changé (smtp, exchange ou graph).", "[transport]", 'kind = "outbox"',
             'folder = "boite-d-envoi"']
    for name in d.committees:
        lines += ["", "# À VÉRIFIER : nom exact de l'instance, délai des convocations, salle habituelle",
                  "[[committees]]", f"name = {_s(name)}"]
    if d.rooms:
        lines += ["", "# Salles citées par le planning, sans registre des salles : décommentez celles que l'outil doit",
                  "# réserver, avec leur adresse Exchange ou Microsoft 365 et leur capacité."]
        for name in d.rooms:
            lines += ["# [[rooms]]", f"# name = {_s(name)}", '# email = ""']
    return "\n".join(lines) + "\n"
