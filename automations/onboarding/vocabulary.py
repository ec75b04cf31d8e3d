"""French headers staff give each field, per register role, and the words that name a register.

The synonyms of the shipped mappings come first; the others are spellings met in services' workbooks.
Headers are compared through :func:`canonical` (accents, case, punctuation, « N° » and small words aside),
so each spelling is listed once.
"""

from __future__ import annotations

import re

from ..registers.types import normalize_label

# role -> field -> headers; the first role listing a header wins nothing: each sheet is scored per role
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "committees": {
        "name": ("Instance", "Commission", "Comité", "Nom de l'instance", "Intitulé"),
        "scheme": ("Dispositif", "Type d'aide", "Politique"),
        "invitation_days": ("Délai invitation (jours)", "Délai convocation (jours)", "Délai convocation",
                            "Délai invitation", "Convocation (jours avant)"),
        "pack_days": ("Délai dossier (jours)", "Délai dossier", "Délai envoi dossier", "Dossier (jours avant)"),
        "usual_room": ("Salle habituelle", "Salle", "Lieu habituel"),
        "duration_hours": ("Durée (h)", "Durée", "Durée (heures)"),
        "quorum": ("Quorum",),
        "anonymise": ("Dossier anonymisé", "Anonymiser le dossier", "Anonymisation"),
    },
    "sessions": {
        "committee": ("Instance", "Commission", "Comité", "Instance concernée"),
        "number": ("N°", "N° séance", "Numéro de séance"),
        "date": ("Date", "Date de séance", "Date commission", "Date de la commission", "Date de réunion", "Séance",
                 "Jour"),
        "time": ("Heure", "Heure de début", "Début", "Horaire"),
        "end_time": ("Fin", "Heure de fin", "Fin de séance"),
        "duration_hours": ("Durée (h)", "Durée", "Durée (heures)"),
        "room": ("Lieu", "Salle", "Lieu de réunion"),
        "chair": ("Président(e)", "Présidence", "Président", "Présidente", "Présidé par"),
        "status": ("Statut", "État", "Etat de la séance"),
        "agenda": ("Ordre du jour / observations", "Ordre du jour", "Observations", "ODJ"),
        "attendance": ("Membres présents", "Présents", "Nombre de présents"),
        "room_booked": ("Salle réservée", "Réservation salle"),
        "invitation_sent_on": ("Invitations envoyées le", "Convocations envoyées le", "Convocation envoyée le"),
        "pack_sent_on": ("Dossier envoyé le", "Dossier de séance envoyé le"),
        "minutes_sent_on": ("CR diffusé le", "Compte rendu diffusé le", "PV diffusé le"),
        "minutes_validated": ("CR validé", "Compte rendu validé", "PV validé"),
    },
    "members": {
        "last_name": ("Nom", "Nom de famille"),
        "first_name": ("Prénom",),
        "full_name": ("Nom et prénom", "Nom prénom", "Prénom et nom", "Membre", "Identité"),
        "organisation": ("Organisme", "Structure", "Institution", "Représente", "Organisme représenté"),
        "function": ("Fonction", "Qualité", "Titre"),
        "email": ("Courriel", "E-mail", "Mail", "Adresse mail", "Adresse électronique", "Email", "Adresse e-mail"),
        "committee": ("Instances", "Instance", "Commission", "Commissions"),
        "role": ("Rôle", "Qualité", "Titulaire / suppléant", "Statut"),
        "substitute_for": ("Suppléant de", "Remplace"),
    },
    "rooms": {
        "name": ("Salle", "Nom de la salle"),
        "email": ("Adresse Exchange", "Courriel", "E-mail", "Mail", "Adresse de la salle"),
        "capacity": ("Capacité", "Places", "Nombre de places"),
        "site": ("Site", "Bâtiment", "Lieu", "Adresse"),
    },
    "applications": {
        "number": ("N° dossier", "N°", "Numéro de dossier", "Référence", "Réf.", "N° de demande", "Dossier"),
        "filed_on": ("Date de dépôt", "Date réception", "Date de réception", "Déposé le", "Reçu le",
                     "Date de la demande"),
        "last_name": ("Nom", "Nom du demandeur", "Nom de famille", "Nom du bénéficiaire", "Nom de l'usager"),
        "first_name": ("Prénom", "Prénom du demandeur", "Prénom du bénéficiaire", "Prénom de l'usager"),
        "full_name": ("NOM Prénom", "Nom et prénom", "Demandeur", "Bénéficiaire", "Nom prénom"),
        "commune": ("Commune", "Ville", "Commune de résidence", "Localité", "Lieu de résidence"),
        "tribe": ("Tribu",),
        "district": ("District",),
        "scheme": ("Dispositif", "Politique"),
        "aid_kind": ("Nature de l'aide", "Type d'aide", "Aide demandée", "Objet de la demande", "Nature",
                     "Type de secours", "Nature du secours", "Type d'aide demandée", "Aide sollicitée"),
        "amount_asked": ("Montant demandé", "Montant sollicité", "Montant de la demande", "Demandé", "Somme demandée",
                         "Somme sollicitée", "Sollicité", "Montant du devis", "Coût", "Montant de l'aide demandée"),
        "social_worker": ("Référent", "Travailleur social", "Référent social", "Instructeur", "Suivi par"),
        "session_date": ("Date commission", "Passage commission", "Date de passage", "Date de la commission",
                         "Séance", "Date de séance", "Commission du", "Date passage en commission",
                         "Date de passage en commission", "Passage en commission"),
        "decision": ("Décision", "Avis", "Avis de la commission", "Décision de la commission", "Suite donnée",
                     "Résultat", "Avis commission", "Décision commission"),
        "amount_granted": ("Montant accordé", "Montant attribué", "Accordé", "Montant alloué", "Montant octroyé",
                           "Somme accordée", "Somme attribuée", "Somme allouée", "Attribué", "Aide accordée",
                           "Montant de l'aide accordée", "Montant retenu"),
        "reason": ("Motif", "Motif du refus", "Motivation", "Motif de la décision", "Justification",
                   "Motif du rejet", "Motif de l'ajournement"),
        "supplier": ("Fournisseur", "Bailleur", "Créancier", "Tiers payé", "Bénéficiaire du paiement", "Prestataire",
                     "Commerçant", "Payé à", "Versé à"),
        "notified_on": ("Notifié le", "Notification le", "Date de notification", "Courrier envoyé le",
                        "Date de notification de la décision", "Notification", "Réponse envoyée le"),
        "prepared_on": ("Préparé le",),
        "voucher_number": ("Bon n°", "N° bon", "N° de bon"),
        "handed_on": ("Remis le", "Bon remis le", "Date de remise"),
        "notes": ("Observations", "Remarques", "Commentaire", "Commentaires"),
        "email": ("Courriel", "E-mail", "Mail", "Adresse mail", "Adresse e-mail"),
        "address": ("Adresse", "Adresse postale"),
    },
    "suppliers": {
        "name": ("Raison sociale", "Fournisseur", "Nom", "Organisme", "Bailleur"),
        "category": ("Catégorie", "Type", "Secteur"),
        "email": ("Courriel", "E-mail", "Mail", "Adresse mail", "Adresse e-mail"),
        "phone": ("Téléphone", "Tél.", "Tel"),
        "address": ("Adresse", "Adresse postale"),
        "ridet": ("N° RIDET", "RIDET"),
    },
    "mail_in": {
        "date": ("Date", "Date d'arrivée", "Reçu le", "Date de réception"),
        "number": ("N° enregistrement", "N°", "N° d'arrivée", "Numéro", "Réf.", "Référence", "N° d'ordre",
                   "N° chrono"),
        "sender": ("Expéditeur", "Provenance", "De"),
        "subject": ("Objet", "Objet du courrier"),
        "recipient": ("Destinataire", "Attribué à", "Service destinataire"),
        "follow_up": ("Suite donnée", "Suite", "Traitement"),
    },
    "mail_out": {
        "date": ("Date", "Date d'envoi", "Envoyé le"),
        "number": ("N°", "N° départ", "N° enregistrement", "Numéro", "Réf.", "Référence", "N° d'ordre", "N° chrono"),
        "recipient": ("Destinataire",),
        "subject": ("Objet", "Objet du courrier"),
        "author": ("Rédacteur", "Signataire", "Auteur"),
    },
}

# Words of a sheet's (or workbook's) name that point to a role
SHEET_WORDS: dict[str, tuple[str, ...]] = {
    "committees": ("instance", "instances", "commissions", "comites"),
    "sessions": ("planning", "seance", "seances", "calendrier", "reunions", "commission"),
    "members": ("membres", "membre", "composition"),
    "rooms": ("salles", "salle"),
    "applications": ("demandes", "demande", "dossiers", "aides", "beneficiaires"),
    "suppliers": ("fournisseurs", "fournisseur", "tiers", "bailleurs"),
    "mail_in": ("arrivee", "arrive", "entrant"),
    "mail_out": ("depart", "sortant"),
}

_SMALL_WORDS = {"et", "de", "du", "des", "d", "la", "le", "l", "les", "a", "au", "aux", "en", "par", "the"}
_NUMBER_SIGN = re.compile(r"\b(?:n\s*[°º]|no\b\.?|num\b\.?|numero\b|nr\b\.?)")
_CURRENCY_NOTE = re.compile(r"\((?:\s*(?:en\s+)?(?:xpf|f\s*cfp|cfp|f|francs?|€|eur|euros?)\s*)\)")


def canonical(header: str) -> str:
    """A header as compared: lower case, no accent, « N° »/« Nº »/« No »/« Num. » as one word, no currency note,
    no punctuation nor small word (« Date dépôt » and « Date de dépôt » are one header)."""
    text = normalize_label(str(header))
    text = _CURRENCY_NOTE.sub(" ", text)
    text = _NUMBER_SIGN.sub(" numero ", text)
    text = text.replace("(h)", " heures ").replace("(heures)", " heures ")
    words = re.findall(r"[a-z0-9]+", text)
    return " ".join(w for w in words if w not in _SMALL_WORDS)


def sheet_words(name: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", normalize_label(name)))


# canonical header -> role -> fields it may name; and per role, canonical header -> its first field
INDEX: dict[str, dict[str, list[str]]] = {}
KNOWN: dict[str, dict[str, str]] = {}
for _role, _fields in HEADERS.items():
    for _field, _headers in _fields.items():
        for _header in _headers:
            INDEX.setdefault(canonical(_header), {}).setdefault(_role, []).append(_field)
            KNOWN.setdefault(_role, {}).setdefault(canonical(_header), _field)
