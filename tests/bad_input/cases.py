"""Every case of the corpus, by kind, in the order of the summary table."""

from __future__ import annotations

from . import cases_cells, cases_files, cases_fs, cases_journal, cases_keys, cases_layout, cases_names, cases_values
from . import cases_map, cases_own, cases_ref
from . import cases_planrules
from . import cases_rcpt
from . import cases_inc
from . import cases_cache
from .runner import Case

KINDS: list[tuple[str, list[Case]]] = [
    ("Feuilles, colonnes, en-têtes, formules", cases_layout.CASES),
    ("Cellules et lignes", cases_cells.CASES),
    ("Fichiers, classeur ouvert ou changé avant le report", cases_files.CASES),
    ("Noms saisis qui deviennent des chemins de fichiers", cases_names.CASES),
    ("Valeurs absurdes, dernière ligne d'Excel occupée", cases_values.CASES),
    ("Texte qui atteint les clés, les en-têtes et le terminal", cases_keys.CASES),
    ("Journal abîmé ou perdu", cases_journal.CASES),
    ("Registres et modèles hors d'atteinte : liens, dossiers, lecture seule, bombes zip", cases_fs.CASES),
    ("Champs dont une automatisation a besoin, absents de la correspondance", cases_ref.CASES),
    ("Correspondance : champs mal orthographiés, en-têtes absents des feuilles", cases_map.CASES),
    ("Colonnes propres au service", cases_own.CASES),
    ("Règles du planning de l'année suivante", cases_planrules.CASES),
    ("Accusés de réception", cases_rcpt.CASES),
    ("Courrier arrivé activé sans son registre", cases_inc.CASES),
    ("Cache de lecture abîmé", cases_cache.CASES),
]

CASES: list[Case] = [case for _, cases in KINDS for case in cases]
