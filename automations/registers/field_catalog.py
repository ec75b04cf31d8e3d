"""What each known field of a register means, which automations read it, and whether the tool writes it.

The reference (``python -m automations.cli.reference``) prints this catalogue; a test checks it names
exactly the fields of :data:`ROLE_FIELDS`, so that a field added to the code cannot be left undocumented.
Automations are named as the registry names them (``invitations``, ``packs``, ``minutes``, ``followups``,
``report``, ``digest``, ``receipts``, ``incoming``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .mapping import ROLE_FIELDS, ROLE_LABELS


@dataclass(frozen=True)
class FieldInfo:
    meaning: str  # French, for the administrator
    uses: tuple[str, ...] = ()  # automations that read (or write) it
    written: bool = False  # the tool fills this column (``write_back = true`` in the mapping)
    essential: bool = False  # the register cannot be used without it


INV, PACK, MIN, FUP, REP, DIG = "invitations", "packs", "minutes", "followups", "report", "digest"
RCP = "receipts"
INC = "incoming"
_SESSION_ALL = (INV, PACK, MIN, FUP, REP, DIG)

CATALOG: dict[str, dict[str, FieldInfo]] = {
    "committees": {
        "name": FieldInfo("nom de l'instance, tel que le planning et la liste des membres l'écrivent",
                          (*_SESSION_ALL, RCP), essential=True),
        "scheme": FieldInfo("dispositif examiné par l'instance : ses séances examinent les demandes de ce dispositif",
                            (PACK, MIN, FUP, REP, RCP)),
        "invitation_days": FieldInfo("délai d'envoi de la convocation, en jours avant la séance "
                                     "(à défaut : [invitations] lead_days)", (INV,)),
        "pack_days": FieldInfo("délai d'envoi du dossier de séance, en jours avant la séance "
                               "(à défaut : [packs] lead_days)", (PACK, RCP)),
        "usual_room": FieldInfo("salle habituelle de l'instance, quand le planning n'en indique pas",
                                (INV, PACK, MIN, DIG)),
        "duration_hours": FieldInfo("durée habituelle d'une séance, en heures "
                                    "(à défaut : [invitations] duration_hours)", (INV,)),
        "quorum": FieldInfo("nombre de membres présents nécessaire pour délibérer", (INV, MIN)),
        "anonymise": FieldInfo("les demandeurs n'apparaissent que par leurs initiales dans le dossier de séance "
                               "et le compte rendu", (PACK, MIN)),
    },
    "sessions": {
        "committee": FieldInfo("instance qui se réunit (nom de la liste des instances)", (*_SESSION_ALL, RCP),
                               essential=True),
        "number": FieldInfo("numéro de la séance, pour le personnel"),
        "date": FieldInfo("date de la séance", (*_SESSION_ALL, RCP), essential=True),
        "time": FieldInfo("heure de début de la séance", (INV, PACK, MIN, DIG)),
        "end_time": FieldInfo("heure de fin, à la place de la durée", (INV,)),
        "duration_hours": FieldInfo("durée de la séance, en heures (à défaut : celle de l'instance)", (INV,)),
        "room": FieldInfo("salle ou lieu de la séance (à défaut : la salle habituelle de l'instance)",
                          (INV, PACK, MIN, DIG)),
        "chair": FieldInfo("président(e) de la séance", (INV, PACK, MIN)),
        "status": FieldInfo("état de la séance : prévue, tenue, annulée, reportée", (*_SESSION_ALL, RCP)),
        "agenda": FieldInfo("ordre du jour", (INV, PACK, MIN)),
        "attendance": FieldInfo("nombre de membres présents, saisi après la séance", (MIN,)),
        "room_booked": FieldInfo("salle effectivement réservée pour la séance", (INV, PACK, MIN, DIG), written=True),
        "invitation_sent_on": FieldInfo("date d'envoi des convocations", (INV, DIG), written=True),
        "pack_sent_on": FieldInfo("date d'envoi du dossier de séance", (PACK, DIG), written=True),
        "minutes_sent_on": FieldInfo("date de diffusion du compte rendu", (MIN,), written=True),
        "minutes_validated": FieldInfo("le compte rendu est validé et peut être diffusé", (MIN,)),
    },
    "members": {
        "last_name": FieldInfo("nom de famille du membre", (INV, PACK, MIN)),
        "first_name": FieldInfo("prénom du membre", (INV, PACK, MIN)),
        "full_name": FieldInfo("nom complet, quand le registre ne sépare pas nom et prénom", (INV, PACK, MIN)),
        "organisation": FieldInfo("organisme que le membre représente", (INV, PACK, MIN)),
        "function": FieldInfo("fonction du membre", (INV, PACK)),
        "email": FieldInfo("adresse e-mail où le membre reçoit convocations, dossiers et comptes rendus",
                           (INV, PACK, MIN)),
        "committee": FieldInfo("instance dont il est membre (vide : membre de toutes)", (INV, PACK, MIN)),
        "role": FieldInfo("titulaire ou suppléant", (INV, MIN)),
        "substitute_for": FieldInfo("titulaire que le suppléant remplace (nom ou adresse)", (MIN,)),
    },
    "rooms": {
        "name": FieldInfo("nom de la salle, tel que le planning l'écrit", (INV, PACK, MIN), essential=True),
        "email": FieldInfo("adresse de la salle dans la messagerie, pour la réserver", (INV,)),
        "capacity": FieldInfo("nombre de places", (INV,)),
        "site": FieldInfo("site ou bâtiment, imprimé avec la salle", (INV, PACK)),
    },
    "applications": {
        "number": FieldInfo("numéro du dossier", (PACK, MIN, FUP, REP, DIG, RCP), essential=True),
        "filed_on": FieldInfo("date de dépôt de la demande ; sans elle, aucun accusé de réception",
                              (PACK, FUP, REP, DIG, RCP)),
        "last_name": FieldInfo("nom du demandeur", (PACK, MIN, FUP, RCP)),
        "first_name": FieldInfo("prénom du demandeur", (PACK, MIN, FUP, RCP)),
        "full_name": FieldInfo("nom complet, quand le registre ne sépare pas nom et prénom", (PACK, MIN, FUP, RCP)),
        "commune": FieldInfo("commune du demandeur", (PACK, FUP, REP, DIG, RCP)),
        "tribe": FieldInfo("tribu du demandeur (à la place de la commune)", (PACK, FUP, REP)),
        "district": FieldInfo("district coutumier du demandeur", (REP,)),
        "scheme": FieldInfo("dispositif de la demande : dit quelle instance l'examine",
                            (PACK, MIN, FUP, REP, DIG, RCP)),
        "aid_kind": FieldInfo("nature de l'aide ; celles de [follow_ups] voucher_aids donnent des bons",
                              (PACK, FUP, REP)),
        "amount_asked": FieldInfo("montant demandé", (PACK, MIN, FUP, REP)),
        "social_worker": FieldInfo("travailleur social qui suit le dossier", (PACK, FUP, RCP)),
        "session_date": FieldInfo("date de la commission qui examine la demande", (PACK, MIN, FUP, REP, DIG, RCP)),
        "decision": FieldInfo("décision : accord, accord partiel, refus, ajourné", (MIN, FUP, REP, DIG, RCP)),
        "amount_granted": FieldInfo("montant accordé", (MIN, FUP, REP, DIG)),
        "reason": FieldInfo("motif de la décision", (MIN, FUP)),
        "notes": FieldInfo("observations sur le dossier, reprises dans le dossier de séance", (PACK,)),
        "supplier": FieldInfo("fournisseur payé, ou chez qui le bon est utilisé", (FUP, REP)),
        "notified_on": FieldInfo("date d'envoi du courrier de décision", (FUP, REP), written=True),
        "prepared_on": FieldInfo("date où le courrier de décision a été préparé pour impression", (FUP,),
                                 written=True),
        "voucher_number": FieldInfo("numéro du bon remis", (FUP, REP), written=True),
        "handed_on": FieldInfo("date de remise de l'aide", (REP,)),
        "email": FieldInfo("adresse e-mail du demandeur, où partent son courrier de décision et son accusé de "
                           "réception", (FUP, RCP)),
        "address": FieldInfo("adresse postale du demandeur", (FUP, RCP)),
        "missing_documents": FieldInfo("pièces encore manquantes, citées dans l'accusé de réception et ses relances "
                                       "(séparées par des virgules, des points-virgules ou des retours à la ligne)",
                                       (RCP, DIG)),
        "receipt_sent_on": FieldInfo("date d'envoi par e-mail de l'accusé de réception", (RCP, DIG), written=True),
        "receipt_prepared_on": FieldInfo("date où l'accusé de réception a été préparé pour impression",
                                         (RCP, DIG), written=True),
        "reminder_sent_on": FieldInfo("date de la dernière relance pour pièces manquantes (envoyée ou préparée)",
                                      (RCP, DIG), written=True),
    },
    "suppliers": {
        "name": FieldInfo("nom du fournisseur, tel que le registre des demandes l'écrit", (FUP,), essential=True),
        "category": FieldInfo("catégorie (bailleur, électricité, commerce…), pour le personnel"),
        "email": FieldInfo("adresse e-mail où partent les avis", (FUP,)),
        "phone": FieldInfo("téléphone, pour le personnel"),
        "address": FieldInfo("adresse postale, imprimée sur les avis et les bons", (FUP,)),
        "ridet": FieldInfo("numéro RIDET, imprimé sur les avis", (FUP,)),
    },
    "mail_in": {
        "date": FieldInfo("date d'arrivée", (INC, REP, DIG), written=True),
        "number": FieldInfo("numéro d'enregistrement ; l'outil ajoute une ligne par courrier arrivé, à la suite "
                            "des numéros du registre", (INC, REP, DIG), written=True, essential=True),
        "sender": FieldInfo("expéditeur", (INC, REP, DIG), written=True),
        "subject": FieldInfo("objet", (INC, DIG), written=True),
        "recipient": FieldInfo("destinataire dans le service"),
        "follow_up": FieldInfo("suite donnée ; remplie, le courrier n'est plus compté sans réponse", (DIG,)),
        "attachments": FieldInfo("pièces jointes enregistrées (et celles notées sans être enregistrées)", (INC,),
                                 written=True),
        "notes": FieldInfo("remarques de l'enregistrement : courrier mal formé, pièce trop lourde ou exécutable…",
                           (INC,), written=True),
    },
    "mail_out": {
        "date": FieldInfo("date de départ", (FUP, REP, DIG), written=True),
        "number": FieldInfo("numéro du courrier ; l'outil ajoute une ligne par courrier, avis ou bon qui part",
                            (FUP,), written=True, essential=True),
        "recipient": FieldInfo("destinataire", (FUP,), written=True),
        "subject": FieldInfo("objet ; cite le numéro du courrier arrivé auquel il répond", (FUP, REP, DIG),
                             written=True),
        "author": FieldInfo("rédacteur (à défaut : [follow_ups] outgoing_author)", (FUP,), written=True),
        "reference": FieldInfo("numéro du courrier arrivé auquel il répond (« V/Réf »)", (REP, DIG)),
    },
}

TYPE_MEANINGS: dict[str, str] = {
    "text": "texte",
    "date": "date (vraie date Excel, 16/05/2025, 16.05.2025, 2025-05-16, 16 mai 2025…)",
    "time": "heure (vraie heure Excel, 8h30, 08:30, 14h…)",
    "amount": "montant en F CFP, sans décimales (125000, 125 000 F, 125 000 XPF…)",
    "integer": "nombre entier",
    "number": "nombre, décimales permises",
    "bool": "oui ou non (oui, non, x, vrai, faux)",
    "email": "une adresse e-mail",
    "choice": "une valeur parmi celles que l'outil connaît, écrite comme le service l'écrit (voir « choices »)",
}

CHOICE_MEANINGS: dict[tuple[str, str], dict[str, str]] = {
    ("sessions", "status"): {"prevue": "séance prévue", "tenue": "séance tenue", "annulee": "séance annulée",
                             "reportee": "séance reportée"},
    ("members", "role"): {"titulaire": "membre titulaire", "suppleant": "membre suppléant"},
    ("applications", "decision"): {"accord": "accord", "accord_partiel": "accord partiel", "refus": "refus",
                                   "ajourne": "ajourné, examen reporté"},
}


# The keys of a mapping file: meaning and default, at each level.
MAPPING_KEYS: dict[str, tuple[str, str]] = {
    "name": ("nom de la correspondance", "le nom du fichier"),
    "registers": ("une table par registre : [registers.sessions], [registers.applications]…", "obligatoire"),
}
REGISTER_KEYS: dict[str, tuple[str, str]] = {
    "files": ("motifs des classeurs du registre (« Planning des instances *.xlsx »)", "obligatoire"),
    "sheets": ("motifs des feuilles à lire", "\"*\" (toutes)"),
    "header_row": ("numéro de la ligne d'en-têtes, ou \"auto\" : trouvée sous les lignes de titre et les lignes "
                   "vides (jusqu'à la 30e ligne)", "\"auto\""),
    "key": ("les champs qui identifient une ligne (une ligne saisie deux fois est signalée)", "aucun"),
    "fields": ("une table par champ connu de l'outil ([registers.sessions.fields.date]) : voir les registres "
               "ci-dessous", "aucun"),
    "own_fields": ("une table par colonne propre au service, que l'outil ne connaît pas "
                   "([registers.applications.own_fields.quartier]) : mêmes clés qu'un champ ; le nom, en minuscules "
                   "ASCII, arrive aux modèles comme « own.quartier » sur l'objet de la ligne", "aucun"),
}
FIELD_KEYS: dict[str, tuple[str, str]] = {
    "headers": ("les intitulés de colonne acceptés, sans tenir compte des majuscules, des accents ni des espaces",
                "obligatoire, sauf avec « value »"),
    "type": ("le type des valeurs (voir « Types ») ; un champ connu doit avoir le sien", "\"text\""),
    "required": ("une ligne sans cette valeur est écartée et signalée", "false"),
    "default": ("valeur quand la cellule est vide", "aucune"),
    "value": ("valeur constante, quand le classeur n'a pas la colonne (le nom de l'unique commission d'un CCAS)",
              "aucune"),
    "write_back": ("l'outil peut remplir cette colonne de suivi ; il n'écrit nulle part ailleurs", "false"),
    "choices": ("pour le type « choice » : chaque valeur connue avec ses écritures dans le classeur, "
                "{ accord = [\"Avis favorable\", \"Accord\"] } ; les documents l'écrivent comme la première",
                "obligatoire pour « choice »"),
}


def register_title(role: str) -> str:
    """« registre des séances », « registre du courrier départ »: the mail registers are named in the singular."""
    return f"registre {'du' if role.startswith('mail_') else 'des'} {ROLE_LABELS[role]}"


def field_type(role: str, name: str) -> str:
    """The type the code expects for a known field."""
    return ROLE_FIELDS[role][name]


def known_fields(role: str) -> dict[str, FieldInfo]:
    """The catalogue of a role, in its own order: a field added to ROLE_FIELDS's order does not move the reference."""
    return CATALOG[role]
