"""The weekly digest as the manager reads it: HTML for Outlook, the same facts as plain text, a budget chart.

Outlook draws HTML with Word's engine: it ignores most CSS, <style> blocks,
floats and widths set only in CSS. The HTML is therefore a layout of tables
with widths, colours and borders given as attributes and inline styles, and
no resource from outside the mail: the chart is a PNG carried by the mail and
named by its Content-ID.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..follow_ups.budget import SchemeBudget
from .content import DONE, MISSING, NOT_NEEDED, PLANNED, ComingSession, DigestFacts, Problems, Step, ToPrint
from .mail_facts import (MailFacts, MailItem, incomplete_item, incomplete_line, mail_lines, receipts_line,
                         reminders_line, unanswered_title)
from .planning_facts import FAILED, PlanningFacts, declined_line, holds_line, overview, planning_lines, written_line
from .. import french

BLUE, RED, GREEN, GREY = "#1f4e79", "#b42318", "#1a7f37", "#57606a"
BORDER, HEAD, PAGE, TEXT = "#c8ccd1", "#dde7f0", "#eef1f4", "#1f2328"
ENVELOPE = "#d0d7de"
FONT = "font-family:Arial,Helvetica,sans-serif;"
WIDTH, INNER = 680, 632  # the mail's width, and its content's inside the margins
STEP_COLOURS = {DONE: GREEN, PLANNED: GREY, MISSING: RED, NOT_NEEDED: GREY}
STEP_MARKS = {DONE: "✓", PLANNED: "…", MISSING: "✗", NOT_NEEDED: "·"}
CHART_WIDTH = 600  # as shown in the mail, in pixels
PRINT_HINT = ("Chaque passage réunit ses documents à imprimer dans un seul PDF, dossier « À imprimer » des "
              "documents ; un courrier quitte cette liste quand « Notifié le » est rempli à son envoi postal.")


def title(facts: DigestFacts) -> str:
    return f"Résumé hebdomadaire des commissions – semaine du {french.date_medium(facts.monday)}"


def _when(session: ComingSession) -> str:
    day = french.date_long(session.day)
    return f"{day} à {french.time_fr(session.start)}" if session.start else day


def _budget_line(line: SchemeBudget) -> tuple[str, str]:
    """The share used, and what is left or by how much the envelope is exceeded."""
    share = f"{round(100 * line.committed / line.envelope)} %" if line.envelope else "—"
    left = (f"reste {french.amount_xpf(line.left)}" if line.left >= 0
            else f"dépassement de {french.amount_xpf(-line.left)}")
    return share, left


def _overview(facts: DigestFacts) -> list[tuple[str, str]]:
    problems = facts.problems
    return [(f"Séances d'ici au {french.date_short(facts.ahead_until)}", str(len(facts.sessions))),
            ("Envois de la semaine écoulée", str(facts.total_sent)),
            ("Documents préparés pour le service", str(facts.total_filed)),
            ("À imprimer et poster", str(len(facts.to_print))),
            ("Dossiers en retard (décision ou courrier)", str(facts.late)),
            ("Problèmes dans les registres", _problem_count(problems))]


def _problem_count(problems: Problems) -> str:
    return (f"{french.plural(problems.errors, 'erreur', 'erreurs')}, "
            f"{french.plural(problems.warnings, 'avertissement', 'avertissements')}")


# -- plain text -------------------------------------------------------------------------------------------------

def render_text(facts: DigestFacts, service_name: str) -> str:
    lines = [title(facts), service_name, "", "EN BREF"]
    lines += [f"  {label} : {value}" for label, value in _overview(facts)]
    lines += ["", f"SÉANCES D'ICI AU {french.date_long(facts.ahead_until).upper()}"]
    for s in facts.sessions:
        lines.append(f"  {_when(s)} – {s.committee} – {s.status}, "
                     f"{french.plural(s.applications, 'dossier', 'dossiers')}")
        for name, step in (("Salle", s.room), ("Convocation", s.invitation), ("Dossier de séance", s.pack)):
            lines.append(f"    {STEP_MARKS[step.state]} {name} : {step.text}")
    if not facts.sessions:
        lines.append("  Aucune séance dans cette période.")
    lines += ["", f"ENVOYÉ DU {french.date_short(facts.sent_since.date())} AU {french.date_short(facts.now.date())}"]
    for group in facts.sent:
        lines.append(f"  {group.label} : {french.plural(group.sent, 'envoi', 'envois')}, "
                     f"{french.plural(group.filed, 'document préparé', 'documents préparés')}")
        lines += [f"    - {summary}" for summary in group.summaries]
        if group.more:
            lines.append(f"    … et {french.plural(group.more, 'autre', 'autres')}")
    if not facts.sent:
        lines.append("  Rien n'a été envoyé cette semaine.")
    lines += ["", "EN RETARD"]
    if facts.undecided:
        lines.append(f"  Décisions non saisies {facts.late_after_days} jours après la séance :")
        lines += [f"    - {u.label} (il y a {u.days_since} jours) : "
                  f"{french.plural(u.undecided, 'dossier', 'dossiers')} sans décision "
                  f"sur {u.examined}" for u in facts.undecided]
    if facts.unsent:
        lines.append("  Courriers de décision non envoyés :")
        for u in facts.unsent:
            waiting = f" ; montant accordé à saisir : {', '.join(u.waiting_amount)}" if u.waiting_amount else ""
            letters = french.plural(len(u.numbers), "courrier", "courriers")
            lines.append(f"    - {u.label} : {letters} ({', '.join(u.numbers)}{waiting})")
    if not facts.undecided and not facts.unsent:
        lines.append("  Rien en retard.")
    if facts.mail is not None:
        lines += ["", "COURRIER", *(f"  {line}" for line in mail_lines(facts.mail))]
    if facts.planning is not None:
        lines += ["", f"PLANNING {facts.planning.year}", *(f"  {line}" for line in planning_lines(facts.planning))]
    lines += ["", f"BUDGET {facts.year}"]
    for line in facts.budget:
        share, left = _budget_line(line)
        lines.append(f"  {line.scheme} : {french.amount_xpf(line.committed)} engagés sur "
                     f"{french.amount_xpf(line.envelope)} ({share}), {left}")
    if not facts.budget:
        lines.append(f"  Aucune enveloppe pour {facts.year} dans la configuration ([budget.{facts.year}]).")
    problems = facts.problems
    lines += ["", f"PROBLÈMES DANS LES REGISTRES : {_problem_count(problems)}"]
    lines += [f"  {'✗' if error else '⚠'} {text}" for error, text in problems.shown]
    if problems.more:
        lines.append(f"  … et {french.plural(problems.more, 'autre', 'autres')}.")
    if problems.shown:
        lines.append("  Le détail complet : commande « check » de l'outil.")
    lines += ["", "À IMPRIMER ET POSTER"]
    lines += [f"  - {item.label} : {item.what}, préparé le {french.date_short(item.since)}" for item in facts.to_print]
    lines.append(f"  {PRINT_HINT}" if facts.to_print else "  Rien en attente d'impression.")
    if facts.backlog:
        lines += ["", "REPORTS DANS LES REGISTRES"]
        lines += [f"  ⚠ {line}" for line in facts.backlog]
    lines += ["", "--", _footer(facts)]
    return "\n".join(lines) + "\n"


def _footer(facts: DigestFacts) -> str:
    return (f"Message envoyé automatiquement chaque semaine par l'outil des commissions, le "
            f"{french.date_long(facts.now.date())} à {french.time_fr(facts.now.timetz())}. "
            "Les demandeurs n'y sont désignés que par le numéro de leur dossier.")


# -- HTML ---------------------------------------------------------------------------------------------------------

def _cell(content: str, width: int, *, head: bool = False, align: str = "left", colour: str = TEXT) -> str:
    tag = "th" if head else "td"
    background = f' bgcolor="{HEAD}"' if head else ""
    fill = f"background-color:{HEAD};" if head else ""
    return (f'<{tag} width="{width}" align="{align}" valign="top"{background} style="width:{width}px;'
            f'border:1px solid {BORDER};padding:6px;{fill}{FONT}font-size:13px;color:{colour};'
            f'text-align:{align};vertical-align:top;">{content}</{tag}>')


def _table(ident: str, columns: Sequence[tuple[str, int, str]], rows: Sequence[Sequence[str | tuple[str, str]]],
           *, headed: bool = True) -> str:
    """A bordered table; a cell is HTML, or (HTML, colour)."""
    head = "".join(_cell(escape(name), width, head=True, align=align) for name, width, align in columns)
    head = f"<tr>{head}</tr>" if headed else ""
    body = []
    for row in rows:
        cells = []
        for (_, width, align), value in zip(columns, row):
            content, colour = value if isinstance(value, tuple) else (value, TEXT)
            cells.append(_cell(content, width, align=align, colour=colour))
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<table id="{ident}" width="{INNER}" border="1" cellpadding="6" cellspacing="0" '
            f'style="width:{INNER}px;border-collapse:collapse;border:1px solid {BORDER};">'
            f"{head}{''.join(body)}</table>")


def _p(text: str, *, size: int = 14, colour: str = TEXT, bold: bool = False) -> str:
    weight = "font-weight:bold;" if bold else ""
    return f'<p style="margin:0 0 8px 0;{FONT}font-size:{size}px;color:{colour};{weight}">{text}</p>'


def _gap(pixels: int) -> str:
    # Outlook drops the margins of most blocks: an empty block of fixed height spaces two of them
    return f'<div style="height:{pixels}px;line-height:{pixels}px;font-size:1px;">&nbsp;</div>'


def _section(heading: str, content: str) -> str:
    return (f'<tr><td style="padding:20px 24px 0 24px;">'
            f'<h2 style="margin:0 0 10px 0;{FONT}font-size:17px;color:{BLUE};">{escape(heading)}</h2>'
            f"{content}</td></tr>")


def _step(step: Step) -> tuple[str, str]:
    return f"{STEP_MARKS[step.state]} {escape(step.text)}", STEP_COLOURS[step.state]


def _sessions_html(facts: DigestFacts) -> str:
    if not facts.sessions:
        return _p("Aucune séance dans cette période.")
    columns = [("Date", 120, "left"), ("Instance", 160, "left"), ("Salle", 110, "left"),
               ("Convocation", 122, "left"), ("Dossier de séance", 120, "left")]
    rows = [[escape(_when(s)),
             f"{escape(s.committee)}<br><span style=\"color:{GREY};font-size:12px;\">{escape(s.status)}, "
             f"{french.plural(s.applications, 'dossier', 'dossiers')}</span>",
             _step(s.room), _step(s.invitation), _step(s.pack)]
            for s in facts.sessions]
    return _table("seances", columns, rows)


def _sent_html(facts: DigestFacts) -> str:
    if not facts.sent:
        return _p("Rien n'a été envoyé cette semaine.")
    columns = [("Automatisation", 332, "left"), ("Envois", 150, "right"), ("Documents préparés", 150, "right")]
    rows = [[escape(g.label), str(g.sent), str(g.filed)] for g in facts.sent]
    rows.append(["<b>Total</b>", f"<b>{facts.total_sent}</b>", f"<b>{facts.total_filed}</b>"])
    details = []
    for group in facts.sent:
        items = "".join(f"<br>– {escape(summary)}" for summary in group.summaries)
        more = f"<br>… et {french.plural(group.more, 'autre', 'autres')}" if group.more else ""
        details.append(_p(f"<b>{escape(group.label)}</b>{items}{more}", size=12, colour=GREY))
    return _table("envois", columns, rows) + _gap(10) + "".join(details)


def _late_html(facts: DigestFacts) -> str:
    parts = []
    if facts.undecided:
        parts.append(_p(f"Décisions non saisies {facts.late_after_days} jours après la séance :", bold=True))
        columns = [("Séance", 332, "left"), ("Tenue il y a", 100, "right"), ("Sans décision", 100, "right"),
                   ("Examinés", 100, "right")]
        parts.append(_table("retards-decisions", columns, [
            [escape(u.label), f"{u.days_since} jours", (str(u.undecided), RED), str(u.examined)]
            for u in facts.undecided]))
    if facts.unsent:
        spacer = _gap(12) if parts else ""
        parts.append(spacer + _p("Courriers de décision non envoyés :", bold=True))
        columns = [("Séance", 232, "left"), ("Courriers", 90, "right"), ("Dossiers", 310, "left")]
        rows = []
        for u in facts.unsent:
            waiting = (f'<br><span style="color:{GREY};font-size:12px;">montant accordé à saisir : '
                       f"{escape(', '.join(u.waiting_amount))}</span>") if u.waiting_amount else ""
            rows.append([escape(u.label), (str(len(u.numbers)), RED), escape(", ".join(u.numbers)) + waiting])
        parts.append(_table("retards-courriers", columns, rows))
    return "".join(parts) or _p("Rien en retard.", colour=GREEN)


def _to_print_html(facts: DigestFacts) -> str:
    if not facts.to_print:
        return _p("Rien en attente d'impression.", colour=GREEN)
    # one row per session, its documents in a few words: a run can prepare dozens of letters
    by_session: dict[str, list[ToPrint]] = {}
    for item in facts.to_print:
        by_session.setdefault(item.label, []).append(item)
    columns = [("Séance", 232, "left"), ("Documents", 90, "right"), ("À imprimer", 310, "left")]
    rows = [[escape(label), str(len(items)),
             escape(", ".join(item.short for item in items))
             + f'<br><span style="color:{GREY};font-size:12px;">'
               f"{'préparé' if len(items) == 1 else 'préparés'} depuis le "
               f"{french.date_short(min(item.since for item in items))}</span>"]
            for label, items in by_session.items()]
    return _table("a-imprimer", columns, rows) + _gap(8) + _p(escape(PRINT_HINT), size=12, colour=GREY)


def _planning_html(planning: PlanningFacts) -> str:
    parts = [_p(escape(overview(planning)))]
    if planning.committees:
        # a date on one line: « 28 décembre 2027 » is the widest
        columns = [("Instance", 272, "left"), ("Séances", 70, "right"), ("Première", 145, "left"),
                   ("Dernière", 145, "left")]
        parts.append(_table("planning", columns, [[escape(c.committee), str(c.sessions),
                                                   escape(french.date_medium(c.first)),
                                                   escape(french.date_medium(c.last))]
                                                  for c in planning.committees]) + _gap(10))
    if planning.failed:
        parts.append(_p(escape(FAILED), colour=RED))
    written = written_line(planning)
    parts.append(_p(escape(written), colour=RED if planning.due else TEXT, bold=planning.due))
    parts.append(_p(escape(holds_line(planning))))
    if planning.declined:
        columns = [("Instance", 232, "left"), ("Séance", 150, "left"), ("Salle", 250, "left")]
        rows = [[escape(room.committee), escape(french.date_medium(room.day)),
                 (escape(declined_line(room)), GREY if room.replaced_by else RED)] for room in planning.declined]
        parts.append(_p("Salles des séances réservées à l'avance :", bold=True) + _table("salles-a-remplacer",
                                                                                          columns, rows))
    return "".join(parts)


def _mail_table(ident: str, items: Sequence[MailItem]) -> str:
    columns = [("N°", 100, "left"), ("Date", 90, "left"), ("Expéditeur", 180, "left"), ("Objet", 262, "left")]
    return _table(ident, columns, [[escape(i.number), escape(french.date_short(i.day)), escape(i.sender or "—"),
                                    escape(i.subject or "—")] for i in items])


def _and_more(more: int) -> str:
    return f" ; et {french.plural(more, 'autre', 'autres')}" if more > 0 else ""


def _mail_html(mail: MailFacts) -> str:
    parts = [_p(f"Courriers arrivés ces 7 derniers jours : <b>{mail.received}</b>")]
    if mail.latest:
        more = mail.received - len(mail.latest)
        parts.append(_mail_table("courrier-recu", mail.latest)
                     + (_p(f"… et {french.plural(more, 'autre', 'autres')}", size=12, colour=GREY) if more else "")
                     + _gap(10))
    parts.append(_p(escape(unanswered_title(mail)), colour=RED if mail.unanswered else GREEN, bold=True))
    if mail.oldest_unanswered:
        more = mail.unanswered - len(mail.oldest_unanswered)
        parts.append(_mail_table("courrier-sans-reponse", mail.oldest_unanswered)
                     + _p(escape(f"Les plus anciens d'abord{_and_more(more)}. Une "
                                 "réponse est une ligne du courrier départ qui cite le numéro (V/Réf ou objet) ; "
                                 "une « Suite donnée » remplie clôt aussi le courrier."), size=12, colour=GREY)
                     + _gap(10))
    parts += [_p(escape(receipts_line(mail))), _p(escape(reminders_line(mail))),
              _p(escape(incomplete_line(mail)), bold=bool(mail.incomplete))]
    if mail.oldest_incomplete:
        parts.append(_p(escape(", ".join(incomplete_item(n, d) for n, d in mail.oldest_incomplete))
                        + (" …" if mail.incomplete > len(mail.oldest_incomplete) else ""), size=12, colour=GREY))
    if mail.troubles:
        parts.append(_gap(6) + _p("Courriers enregistrés avec une remarque :", bold=True)
                     + "".join(_p(f"⚠ {escape(line)}", colour=RED, size=13) for line in mail.troubles))
    return "".join(parts)


def _budget_html(facts: DigestFacts, chart: Chart | None, cid: str | None) -> str:
    if not facts.budget:
        return _p(f"Aucune enveloppe pour {facts.year} dans la configuration ([budget.{facts.year}]).")
    image = ""
    if chart is not None and cid:
        image = (f'<img src="cid:{escape(cid)}" width="{CHART_WIDTH}" height="{chart.shown_height}" '
                 f'alt="Budget {facts.year} : engagé par dispositif" border="0" '
                 f'style="display:block;width:{CHART_WIDTH}px;height:{chart.shown_height}px;margin:0 0 10px 0;">')
    columns = [("Dispositif", 172, "left"), ("Enveloppe", 120, "right"), ("Engagé", 120, "right"),
               ("Taux", 50, "right"), ("Reste", 170, "right")]
    rows = []
    for line in facts.budget:
        share, _ = _budget_line(line)
        colour = RED if line.left < 0 else TEXT
        left = f"reste {_amount(line.left)}" if line.left >= 0 else f"dépassement de {_amount(-line.left)}"
        rows.append([escape(line.scheme), _amount(line.envelope), (_amount(line.committed), colour),
                     (_amount_text(share), colour), (left, colour)])
    return image + _table("budget", columns, rows)


def _amount_text(text: str) -> str:
    # an amount cut between its digits, or before « F CFP », reads as two numbers
    return text.replace(" ", "&nbsp;")


def _amount(value: int) -> str:
    return _amount_text(french.amount_xpf(value))


def _problems_html(facts: DigestFacts) -> str:
    problems = facts.problems
    intro = _p(f"{_problem_count(problems)}. Une ligne en erreur est "
               "écartée : les automatisations ne la voient pas tant qu'elle n'est pas corrigée.")
    if not problems.shown:
        return _p("Aucun problème dans les registres.", colour=GREEN)
    rows = [[("Erreur", RED) if error else ("Avertissement", GREY), escape(text)] for error, text in problems.shown]
    more = f"… et {french.plural(problems.more, 'autre', 'autres')}. " if problems.more else ""
    return (intro + _table("registres", [("Type", 110, "left"), ("Où et pourquoi", 522, "left")], rows)
            + _gap(8)
            + _p(f"{more}Le détail complet : commande « check » de l'outil.", size=12, colour=GREY))


def render_html(facts: DigestFacts, service_name: str, chart: Chart | None = None, cid: str | None = None) -> str:
    overview = _table("en-bref", [("", 452, "left"), ("", 180, "right")],
                      [[escape(label), f"<b>{escape(value)}</b>"] for label, value in _overview(facts)], headed=False)
    sections = [
        _section("En bref", overview),
        _section(f"Séances d'ici au {french.date_long(facts.ahead_until)}", _sessions_html(facts)),
        _section(f"Envoyé du {french.date_short(facts.sent_since.date())} au {french.date_short(facts.now.date())}",
                 _sent_html(facts)),
        _section("En retard", _late_html(facts)),
        *([_section("Courrier", _mail_html(facts.mail))] if facts.mail else []),
        *([_section(f"Planning {facts.planning.year}", _planning_html(facts.planning))] if facts.planning else []),
        _section(f"Budget {facts.year}", _budget_html(facts, chart, cid)),
        _section("Problèmes dans les registres", _problems_html(facts)),
        # staff's list more than the manager's: after the figures, however long it is
        _section("À imprimer et poster", _to_print_html(facts)),
    ]
    if facts.backlog:
        sections.append(_section("Reports dans les registres", "".join(
            _p(f"⚠ {escape(line)}", colour=RED) for line in facts.backlog)))
    heading = escape(title(facts))
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html lang="fr" xmlns="http://www.w3.org/1999/xhtml"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f"<title>{heading}</title></head>\n"
        f'<body style="margin:0;padding:0;background-color:{PAGE};">'
        f'<table role="presentation" width="100%" border="0" cellpadding="0" cellspacing="0" bgcolor="{PAGE}" '
        f'style="background-color:{PAGE};"><tr><td align="center" style="padding:16px 8px;">'
        f'<table role="presentation" width="{WIDTH}" border="0" cellpadding="0" cellspacing="0" bgcolor="#ffffff" '
        f'style="width:{WIDTH}px;background-color:#ffffff;border:1px solid {BORDER};">'
        f'<tr><td bgcolor="{BLUE}" style="padding:18px 24px;background-color:{BLUE};{FONT}color:#ffffff;">'
        f'<p style="margin:0;{FONT}font-size:20px;font-weight:bold;color:#ffffff;">'
        "Résumé hebdomadaire des commissions</p>"
        f'<p style="margin:4px 0 0 0;{FONT}font-size:14px;color:#ffffff;">Semaine du '
        f"{escape(french.date_medium(facts.monday))} – {escape(service_name)}</p></td></tr>\n"
        + "\n".join(sections)
        + f'\n<tr><td style="padding:20px 24px 18px 24px;">{_p(escape(_footer(facts)), size=12, colour=GREY)}</td></tr>'
        "</table></td></tr></table></body></html>\n")


# -- chart --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chart:
    png: bytes
    width: int  # pixels of the image
    height: int

    @property
    def shown_height(self) -> int:
        return round(CHART_WIDTH * self.height / self.width)


def _spaced(value: float) -> str:
    return f"{int(value):,}".replace(",", " ")


def budget_chart(lines: Sequence[SchemeBudget], year: int) -> Chart:
    """Committed against the envelope, one bar per scheme; red when the envelope is exceeded."""
    # the figure API alone: pyplot would keep global state and pick a display backend on a server
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=(7.2, 1.2 + 0.7 * len(lines)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    rows = list(range(len(lines)))[::-1]  # the first scheme on top
    over = [line.left < 0 for line in lines]
    axes.barh(rows, [line.envelope for line in lines], height=0.7, color=ENVELOPE)
    axes.barh(rows, [line.committed for line in lines], height=0.38, color=[RED if o else BLUE for o in over])
    widest = max([line.envelope for line in lines] + [line.committed for line in lines] + [1])
    for row, line in zip(rows, lines):
        share, _ = _budget_line(line)
        axes.text(max(line.envelope, line.committed) + widest * 0.015, row, f"{_spaced(line.committed)} ({share})",
                  va="center", fontsize=10, color=RED if line.left < 0 else TEXT)
    axes.set_yticks(rows, [textwrap.fill(line.scheme, 22) for line in lines], fontsize=10)
    axes.set_xlim(0, widest * 1.4)
    axes.set_xticks([t for t in MaxNLocator(4).tick_values(0, widest) if 0 <= t <= widest])
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _spaced(value)))
    axes.tick_params(axis="x", labelsize=9)
    axes.set_xlabel(f"F CFP engagés en {year}, sur l'enveloppe de chaque dispositif", fontsize=10)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    handles = [Patch(color=ENVELOPE, label="Enveloppe"), Patch(color=BLUE, label="Engagé")]
    if any(over):
        handles.append(Patch(color=RED, label="Engagé au-delà de l'enveloppe"))
    # above the bars, where no bar can hide it
    axes.legend(handles=handles, fontsize=10, loc="lower left", bbox_to_anchor=(0, 1), ncols=len(handles),
                frameon=False, borderaxespad=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    # no software version in the file: the same facts give the same bytes
    figure.savefig(buffer, format="png", metadata={"Software": None})
    width, height = figure.canvas.get_width_height()
    return Chart(buffer.getvalue(), width, height)
