"""The meaning of the values staff type in a choice column: « Avis favorable » is an accord, « Sursis à statuer »
an adjournment."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..registers.types import normalize_label
from .vocabulary import canonical

# (role, field) -> (words a value holds, meaning), the first that matches wins: « défavorable » before
# « favorable », « partiel » before « accord »
_RULES: dict[tuple[str, str], tuple[tuple[tuple[str, ...], str], ...]] = {
    ("applications", "decision"): (
        (("partiel", "partielle", "partiellement"), "accord_partiel"),
        (("defavorable", "refus", "refuse", "refusee", "rejet", "rejete", "rejetee", "irrecevable", "non"), "refus"),
        (("ajourne", "ajournee", "ajournement", "sursis", "reporte", "reportee", "differe", "differee", "attente",
          "complement"), "ajourne"),
        (("favorable", "accord", "accorde", "accordee", "accepte", "acceptee", "attribue", "attribuee", "oui",
          "valide", "validee"), "accord"),
    ),
    ("sessions", "status"): (
        (("annule", "annulee", "annulation"), "annulee"),
        (("reporte", "reportee", "report", "decalee", "decale"), "reportee"),
        (("tenue", "realisee", "realise", "effectuee", "faite", "terminee", "passee"), "tenue"),
        (("prevue", "prevu", "planifiee", "venir", "programmee", "confirmee"), "prevue"),
    ),
    ("members", "role"): (
        (("suppleant", "suppleante", "suppl", "remplacant", "remplacante"), "suppleant"),
        (("titulaire", "tit", "membre"), "titulaire"),
    ),
}
# the order the drafted mapping lists them in, as the shipped mappings do
_SHOWN = {("applications", "decision"): ["accord", "accord_partiel", "refus", "ajourne"],
          ("sessions", "status"): ["prevue", "tenue", "annulee", "reportee"],
          ("members", "role"): ["titulaire", "suppleant"]}
# the value a blank cell reads as, where the code has a natural one
DEFAULTS = {("sessions", "status"): "prevue", ("members", "role"): "titulaire"}


def meaning(role: str, field: str, value: str) -> str | None:
    words = set(canonical(value).split())
    for keys, canonical_value in _RULES.get((role, field), ()):
        if words & set(keys):
            return canonical_value
    return None


@dataclass
class ChoiceProposal:
    choices: dict[str, list[str]]  # canonical value -> the spellings met, most frequent first
    unknown: list[str]  # spellings whose meaning was not found

    def recognised_share(self) -> float:
        known = sum(len(v) for v in self.choices.values())
        total = known + len(self.unknown)
        return known / total if total else 1.0


def propose(role: str, field: str, values: Sequence[object]) -> ChoiceProposal:
    counts = Counter(str(v).strip() for v in values if str(v).strip())
    choices: dict[str, list[str]] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    for text, _ in counts.most_common():
        folded = normalize_label(text)
        if folded in seen:  # « Accord » and « accord » are one spelling for the reader
            continue
        seen.add(folded)
        found = meaning(role, field, text)
        if found is None:
            unknown.append(text)
        else:
            choices.setdefault(found, []).append(text)
    order = _SHOWN[(role, field)]
    ordered = {k: choices[k] for k in sorted(choices, key=order.index)}
    return ChoiceProposal(ordered, unknown)
