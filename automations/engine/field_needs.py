"""What each enabled automation needs from the registers, and what it does when the mapping lacks it.

``check`` prints one line per missing field (or missing register), so that an administrator knows, before
the first run, that letters will be printed rather than mailed, or that no minutes will ever be drafted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..registers.field_catalog import register_title
from ..registers.mapping import Mapping
from ..settings import Config
from .context import Context
from .registry import AUTOMATIONS


def _always(config: Config) -> bool:
    return True


@dataclass(frozen=True)
class Need:
    automation: str  # registry name
    role: str
    fields: tuple[str, ...]  # any one of them will do (a last name, or a full name)
    without: str  # French: what the automation does when none of them is mapped
    part: str = ""  # French label of the part concerned; the automation's label when empty
    enabled: Callable[[Config], bool] = _always  # the part's own switch in the config
    blocks: bool = False  # without it the part does nothing: its later needs are not worth saying


def _letters(config: Config) -> bool:
    return config.follow_ups.letters


def _notices(config: Config) -> bool:
    return config.follow_ups.notices


def _vouchers(config: Config) -> bool:
    return config.follow_ups.vouchers


_KEPT = "le journal la garde"
LETTERS, NOTICES, VOUCHERS, OUTGOING = "Courriers de décision", "Avis aux fournisseurs", "Bons", "Courrier départ"

# Per role, the first need of an automation (or part) says what happens when the whole register is absent.
NEEDS: tuple[Need, ...] = (
    Need("invitations", "sessions", ("time",), "aucune convocation ne partira : il faut l'heure de chaque séance",
         blocks=True),
    Need("invitations", "members", ("email",), "aucun membre ne recevra de convocation", blocks=True),
    Need("invitations", "sessions", ("duration_hours", "end_time"),
         "la durée habituelle de l'instance, ou [invitations] duration_hours, sera retenue"),
    Need("invitations", "sessions", ("room",), "la salle habituelle de l'instance sera retenue"),
    Need("invitations", "sessions", ("status",),
         "toute séance sera tenue pour prévue : une séance annulée ou reportée sera quand même convoquée"),
    Need("invitations", "sessions", ("invitation_sent_on",), f"la date d'envoi ne sera pas reportée dans le planning "
                                                             f"({_KEPT})"),
    Need("invitations", "sessions", ("room_booked",), "la salle réservée ne sera pas reportée dans le planning"),
    Need("invitations", "members", ("last_name", "full_name"), "les convocations ne nommeront pas les membres"),
    Need("invitations", "members", ("committee",), "chaque membre sera convoqué à toutes les instances"),
    Need("invitations", "members", ("role",), "tous les membres seront convoqués comme titulaires"),
    Need("packs", "members", ("email",), "aucun membre ne recevra le dossier de séance", blocks=True),
    Need("packs", "applications", ("session_date",), "le dossier de séance ne contiendra aucune demande"),
    Need("packs", "sessions", ("pack_sent_on",), f"la date d'envoi ne sera pas reportée dans le planning ({_KEPT})"),
    Need("minutes", "sessions", ("status",),
         "aucun compte rendu ne sera préparé : seule une séance marquée « Tenue » en reçoit un", blocks=True),
    Need("minutes", "sessions", ("minutes_validated",),
         "les projets seront préparés mais jamais diffusés : rien ne dira qu'ils sont validés"),
    Need("minutes", "sessions", ("minutes_sent_on",),
         f"la date de diffusion ne sera pas reportée dans le planning ({_KEPT})"),
    Need("minutes", "applications", ("decision",), "le compte rendu ne donnera pas les décisions"),
    Need("followups", "applications", ("decision",), "aucune suite ne sera donnée : les décisions ne sont pas lues",
         blocks=True),
    Need("followups", "applications", ("session_date",),
         "aucune suite ne sera donnée : une décision n'est rattachée à sa séance que par la date de commission",
         blocks=True),
    Need("followups", "applications", ("amount_granted",),
         "aucun courrier d'accord, aucun avis ni bon ne partira, faute de montant ; seuls les refus et les "
         "ajournements seront notifiés"),
    Need("followups", "applications", ("email",), "les courriers seront préparés pour impression", LETTERS, _letters),
    Need("followups", "applications", ("address",), "les courriers imprimés n'auront pas d'adresse",
         LETTERS, _letters),
    Need("followups", "applications", ("notified_on",),
         f"la date d'envoi ne sera pas reportée dans le registre des demandes ({_KEPT})", LETTERS, _letters),
    Need("followups", "applications", ("supplier",),
         "aucun avis ne sera préparé : la demande ne dit pas quel fournisseur est payé", NOTICES, _notices, True),
    Need("followups", "suppliers", ("email",), "les avis seront préparés pour un envoi par courrier",
         NOTICES, _notices),
    Need("followups", "applications", ("aid_kind",),
         "aucun bon ne sera émis : la nature de l'aide dit lesquels sont des bons ([follow_ups] voucher_aids)",
         VOUCHERS, _vouchers, True),
    Need("followups", "applications", ("voucher_number",),
         "le numéro du bon ne sera pas reporté dans le registre des demandes (le journal le garde)", VOUCHERS, _vouchers),
    Need("followups", "mail_out", ("number",), "aucune ligne ne sera ajoutée au courrier départ", OUTGOING),
    Need("receipts", "applications", ("filed_on",),
         "aucun accusé de réception ne partira : seule la date de dépôt dit qu'une demande est nouvelle",
         blocks=True),
    Need("receipts", "applications", ("email",), "les accusés de réception seront préparés pour impression"),
    Need("receipts", "applications", ("address",), "les accusés imprimés n'auront pas d'adresse"),
    Need("receipts", "applications", ("missing_documents",),
         "les accusés ne citeront aucune pièce manquante et aucune relance ne partira"),
    Need("receipts", "applications", ("receipt_sent_on", "receipt_prepared_on"),
         f"la date de l'accusé ne sera pas reportée dans le registre des demandes ({_KEPT})"),
    Need("incoming", "mail_in", ("number",), "aucun courrier arrivé ne sera enregistré", blocks=True),
    Need("incoming", "mail_in", ("sender",), "l'expéditeur de chaque courrier ne sera pas reporté (le journal le garde)"),
    Need("incoming", "mail_in", ("subject",), "l'objet de chaque courrier ne sera pas reporté (le journal le garde)"),
    Need("report", "applications", ("decision",), "le rapport ne comptera pas les décisions"),
    Need("report", "applications", ("amount_granted",), "le rapport ne donnera pas les montants accordés"),
)


def _absent(fields: tuple[str, ...], register: str) -> str:
    if len(fields) == 1:
        return f"champ « {fields[0]} » absent du {register}"
    return f"{' '.join(f'ni « {name} »' for name in fields)} dans le {register}"


def missing_lines(ctx: Context, mapping: Mapping) -> list[str]:
    """One French line per need of an enabled automation that the mapping does not meet."""
    lines: list[str] = []
    absent_said: set[tuple[str, str]] = set()
    idle: set[str] = set()  # parts a missing field already stops: nothing more to say of them
    for need in NEEDS:
        automation = AUTOMATIONS[need.automation]
        label = need.part or automation.label
        if not automation.enabled(ctx) or not need.enabled(ctx.config) or label in idle:
            continue
        spec = mapping.get(need.role)
        register = register_title(need.role)
        if spec is None:
            if (label, need.role) not in absent_said:
                absent_said.add((label, need.role))
                lines.append(f"{label} : {register} absent de la correspondance — {need.without}.")
        elif not any(name in spec.fields for name in need.fields):
            lines.append(f"{label} : {_absent(need.fields, register)} — {need.without}.")
        else:
            continue
        if need.blocks:
            idle.add(label)
    return lines
