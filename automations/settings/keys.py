"""The meaning of every key of ``config.toml``, in French, beside the code that reads them (``load.py``).

Defaults are not repeated here: the reference records them while ``load.py`` reads a minimal file
(:func:`recorded_defaults`), so what it prints is what the code does. A test checks that these tables name
exactly the keys ``load.py`` (and each transport) accepts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .load import _build
from .section import Section

SECTIONS: dict[str, str] = {
    "service": "le service : son nom, son adresse, qui reçoit les alertes",
    "paths": "où se trouvent les registres, la correspondance, les modèles, et où l'outil écrit",
    "transport": "comment partent les e-mails et les invitations",
    "invitations": "les convocations",
    "packs": "les dossiers de séance",
    "minutes": "les comptes rendus",
    "documents": "les documents produits",
    "follow_ups": "les suites des commissions : courriers de décision, avis aux fournisseurs, bons, courrier départ",
    "budget": "l'enveloppe de l'année par dispositif : une table par année ([budget.2026]), "
              "une clé par dispositif (nom tel qu'écrit dans « Dispositif »), un montant en F CFP",
    "digest": "le résumé hebdomadaire au responsable",
    "report": "le rapport d'activité annuel envoyé au responsable",
    "planning": "le planning de l'année suivante, préparé d'après le rythme de chaque instance cette année",
    "planning.committees": "la règle d'une instance pour le planning, à la place du rythme appris",
    "incoming": "le courrier arrivé : chaque e-mail reçu (ou courrier numérisé) enregistré dans son registre",
    "receipts": "les accusés de réception des demandes, et leurs relances tant que des pièces manquent",
    "serve": "le service planifié (« serve ») : état et journaux",
    "schedule": "jours et heures de chaque automatisation sous « serve » : une table par automatisation "
                "([schedule.followups])",
    "write_back": "le report du suivi dans les registres",
    "safety": "les garde-fous des envois",
    "committees": "une instance décrite dans la configuration, quand les registres n'en "
                  "tiennent pas la liste (ou pour la compléter)",
    "rooms": "une salle décrite dans la configuration, quand les registres n'en tiennent pas la liste",
}

KEYS: dict[str, dict[str, str]] = {
    "service": {
        "name": "nom du service, en tête des courriers et comme expéditeur des e-mails",
        "email": "boîte aux lettres du service : expéditeur des e-mails et organisateur des réunions",
        "city": "ville d'où partent les courriers (« Nouméa, le … »)",
        "address": "adresse postale, en tête des documents",
        "phone": "téléphone du secrétariat, en tête des documents",
        "signatory": "signataire des documents",
        "signatory_title": "qualité du signataire, sous sa signature",
        "timezone": "fuseau horaire des séances",
        "manager": "responsable : reçoit les alertes, le résumé hebdomadaire et le rapport d'activité",
        "admin": "administrateur : un e-mail quand une automatisation du service planifié échoue, "
                 "un autre quand elle refonctionne",
    },
    "paths": {
        "registers": "dossier des classeurs Excel des registres",
        "mapping": "fichier de correspondance des registres",
        "templates": "dossier des modèles Word",
        "output": "dossier des documents produits (un sous-dossier par instance et par séance)",
        "journal": "journal de ce qui a été fait (base SQLite) : il évite les doubles envois",
        "backups": "copies datées des classeurs, faites avant chaque report",
        "reports": "dossier du rapport d'activité",
    },
    "transport": {"kind": "« outbox », « smtp », « exchange » ou « graph » ; les autres clés dépendent de ce choix"},
    "invitations": {
        "enabled": "envoyer les convocations",
        "lead_days": "délai d'envoi, en jours avant la séance, quand l'instance n'en donne pas",
        "duration_hours": "durée d'une séance, en heures, quand ni le planning ni l'instance ne la donnent",
        "suppleants_optional": "les suppléants sont invités comme participants facultatifs",
    },
    "packs": {
        "enabled": "envoyer les dossiers de séance",
        "lead_days": "délai d'envoi, en jours avant la séance, quand l'instance n'en donne pas",
    },
    "minutes": {
        "enabled": "préparer les projets de compte rendu et diffuser ceux marqués validés",
        "within_days": "seules les séances tenues depuis au plus ce nombre de jours reçoivent un projet",
    },
    "documents": {
        "pdf": "un PDF à côté de chaque document Word, joint aux e-mails (LibreOffice nécessaire)",
        "libreoffice": "chemin de LibreOffice, s'il n'est pas trouvé tout seul",
        "pdf_processes": "nombre maximal de LibreOffice qui convertissent en même temps (jamais plus que de "
                         "cœurs du processeur) ; 0 : un par cœur, au plus 8",
    },
    "follow_ups": {
        "enabled": "faire les suites des décisions saisies dans le registre des demandes",
        "within_days": "seules les séances tenues depuis au plus ce nombre de jours ont leurs suites",
        "letters": "courriers de décision aux demandeurs",
        "notices": "avis aux fournisseurs",
        "vouchers": "bons numérotés",
        "voucher_aids": "natures d'aide (colonne « Nature de l'aide ») remises sous forme de bons",
        "voucher_number": "numéro des bons : {year} l'année, {seq:04d} le rang sur 4 chiffres",
        "voucher_valid_days": "durée de validité d'un bon, en jours",
        "outgoing_number": "numéro des lignes ajoutées au courrier départ",
        "outgoing_author": "« Rédacteur » des lignes ajoutées au courrier départ (vide : le nom du service)",
        "mail_corrections": "un courrier rectificatif part aussi par e-mail (sinon il est préparé pour être vérifié)",
    },
    "digest": {
        "enabled": "envoyer le résumé hebdomadaire",
        "weeks_ahead": "nombre de semaines de séances à venir montrées",
        "late_after_days": "une séance dont les décisions manquent après ce nombre de jours est signalée en retard",
    },
    "report": {
        "enabled": "envoyer au responsable, une fois par an, le rapport de l'année écoulée",
        "from_day": "jour de l'année (MM-JJ) à partir duquel le rapport de l'année écoulée est dû",
    },
    "planning": {
        "enabled": "préparer le planning de l'année suivante à chaque passage (sinon : « plan planning » le montre)",
        "from": "jour de l'année (jj/mm) à partir duquel le planning de l'année suivante est préparé",
        "closures": "jours de fermeture du service (« 24/12/2027 »), évités comme les jours fériés",
        "on_avoided": "une date qui tombe un jour évité : « suivant » (jour ouvré suivant) ou « sauter »",
        "committees": "les règles des instances : une table [[planning.committees]] par instance",
        "holds": "envoyer à chaque séance écrite une invitation de réservation (« convocation à suivre ») aux membres "
                 "et à la salle ; la convocation met ensuite à jour ce même rendez-vous",
    },
    "incoming": {
        "enabled": "enregistrer le courrier arrivé à chaque passage",
        "folder": "dossier de la boîte aux lettres lu (« À enregistrer ») ; vide : la boîte de réception",
        "scans": "dossier où le copieur dépose le courrier papier numérisé (PDF) ; vide : aucun",
        "attachments": "dossier des pièces jointes, un sous-dossier par numéro ; vide : « Courrier arrivé » "
                       "dans le dossier des documents",
        "number": "modèle du numéro d'enregistrement, qui continue celui du registre (« A{year}-{seq:04d} »)",
        "max_attachment_mb": "taille maximale d'une pièce jointe enregistrée (Mo) ; au-delà elle est notée, pas "
                             "enregistrée",
        "max_per_run": "nombre maximal de courriers enregistrés par passage ; les autres attendent le suivant",
        "unanswered_days": "un courrier sans réponse après ce nombre de jours est signalé dans le résumé",
    },
    "receipts": {
        "enabled": "envoyer un accusé de réception à chaque nouvelle demande",
        "reminder_days": "relance après ce nombre de jours tant que des pièces manquent",
        "since": "date (jj/mm/aaaa) : les demandes déposées avant ne reçoivent pas d'accusé ; vide : celles "
                 "déposées avant le premier passage",
    },
    "planning.committees": {
        "committee": "nom de l'instance, tel qu'écrit dans le planning",
        "pattern": "rythme : « 2e lundi », « dernier jeudi », « toutes les 2 semaines, le mardi »",
        "first_date": "première séance d'un rythme « toutes les N semaines »",
        "time": "heure des séances (« 8 h 30 »)",
        "duration_hours": "durée des séances, en heures",
        "room": "salle des séances",
        "pauses": "périodes sans séance (« 20/12 – 15/02 »)",
        "extra_dates": "séances ajoutées (« 19/07/2027 »)",
        "skipped_dates": "séances retirées (« 07/06/2027 »)",
        "on_avoided": "« suivant » ou « sauter », pour cette instance (vide : [planning] on_avoided)",
    },
    "serve": {
        "heartbeat": "fichier d'état lu par « status » (vide : serve-etat.json à côté du journal)",
        "logs": "dossier des journaux du service (vide : pas de fichier de journal)",
        "log_rotation": "« jour » (un fichier par jour) ou « taille »",
        "log_max_mb": "taille d'un fichier de journal avant rotation, en Mo",
        "log_keep": "nombre de fichiers de journal gardés",
    },
    "schedule": {
        "days": "jours : « lundi-vendredi », [\"lundi\", \"jeudi\"] ou « tous les jours »",
        "at": "heures fixes (« 07:30 »)",
        "every_minutes": "toutes les N minutes entre les heures de « between » (à la place de « at »)",
        "between": "première et dernière heure, avec « every_minutes »",
    },
    "write_back": {
        "enabled": "reporter le suivi dans les registres",
        "keep_backups": "nombre de copies datées gardées pour chaque classeur",
    },
    "safety": {
        "pilot_address": "mode pilote : tous les e-mails partent vers cette seule adresse",
        "allowed_domains": "domaines autorisés des destinataires (liste vide : pas de restriction)",
        "max_mails_per_run": "au-delà de ce nombre d'e-mails dans un passage, aucun ne part et le responsable "
                             "est prévenu",
        "retention_months": "durée de conservation du journal détaillé et des documents, en mois (0 : tout est gardé)",
    },
    "committees": {
        "name": "nom exact de l'instance, tel qu'écrit dans le planning",
        "scheme": "dispositif examiné",
        "invitation_days": "délai de convocation, en jours (vide : [invitations] lead_days)",
        "usual_room": "salle habituelle",
        "duration_hours": "durée habituelle, en heures (vide : [invitations] duration_hours)",
        "quorum": "présences nécessaires : alerte au responsable 2 jours avant",
        "pack_days": "délai d'envoi du dossier de séance, en jours (vide : [packs] lead_days)",
        "anonymise": "dossier de séance avec les seules initiales des demandeurs",
    },
    "rooms": {
        "name": "nom de la salle, tel qu'écrit dans le planning",
        "email": "adresse de la salle (ressource Exchange ou Microsoft 365), pour la réserver",
        "capacity": "nombre de places",
        "site": "lieu, imprimé sur la convocation",
    },
}

# Keys of each transport kind: meaning and default (the transports read them, not load.py).
TRANSPORT_KEYS: dict[str, dict[str, tuple[str, str]]] = {
    "outbox": {"folder": ("dossier de dépôt des e-mails (un sous-dossier par jour)", "boite-d-envoi")},
    "smtp": {
        "host": ("serveur SMTP", "obligatoire"),
        "port": ("port du serveur", "587 (465 avec ssl, 25 sans chiffrement)"),
        "security": ("« starttls », « ssl » ou « none »", "starttls"),
        "username": ("compte d'envoi", "aucun (envoi sans authentification)"),
        "password_env": ("NOM de la variable d'environnement (ou du trousseau) du mot de passe", "aucun"),
        "timeout": ("attente maximale d'une réponse du serveur, en secondes", "30"),
        "retries": ("nouveaux essais après une coupure réseau", "3"),
        "ca_file": ("autorité de certification privée, si le serveur en utilise une", "aucune"),
        "sent_log": ("trace locale des envois (évite tout double envoi)", "smtp-envois.log"),
        "imap_host": ("serveur IMAP de la boîte de réception, lue par l'enregistrement du courrier arrivé",
                      "aucun (boîte non lue)"),
        "imap_port": ("port du serveur IMAP", "993 (143 avec starttls ou none)"),
        "imap_security": ("« ssl », « starttls » ou « none » (none : serveur sur cette machine seulement)", "ssl"),
        "imap_username": ("compte de la boîte de réception", "celui de username"),
        "imap_password_env": ("NOM de la variable (ou de l'entrée du trousseau) du mot de passe IMAP",
                              "celle de password_env"),
    },
    "exchange": {
        "server": ("adresse EWS du serveur (…/EWS/Exchange.asmx)", "obligatoire, sauf avec autodiscover"),
        "autodiscover": ("trouver le serveur à partir de la boîte", "false"),
        "auth": ("« ntlm », « basic » ou « oauth2 »", "ntlm"),
        "username": ("compte de connexion", "obligatoire, sauf avec oauth2"),
        "password_env": ("NOM de la variable du mot de passe", "obligatoire, sauf avec oauth2"),
        "mailbox": ("boîte organisatrice (du service ou partagée)", "obligatoire"),
        "access": ("« delegate » ou « impersonation »", "delegate"),
        "authority": ("oauth2 : adresse de l'AD FS du service", "https://login.microsoftonline.com"),
        "tenant_id": ("oauth2 : locataire", "aucun"),
        "client_id": ("oauth2 : identifiant de l'application", "aucun"),
        "client_secret_env": ("oauth2 : NOM de la variable qui contient le secret", "aucun"),
        "ca_file": ("autorité de certification interne, si besoin", "aucune"),
        "room_list": ("liste de salles Exchange à utiliser, ou « * » pour toutes", "aucune"),
        "max_wait": ("secondes d'attente acceptées si Exchange est surchargé", "60"),
        "retries": ("nouveaux essais après une coupure réseau", "3"),
    },
    "graph": {
        "mailbox": ("boîte organisatrice (du service ou partagée)", "obligatoire"),
        "tenant_id": ("locataire Microsoft 365 (Microsoft Entra)", "obligatoire"),
        "client_id": ("identifiant de l'application inscrite", "obligatoire"),
        "client_secret_env": ("NOM de la variable qui contient le secret", "obligatoire, sauf avec certificate"),
        "certificate": ("certificat de l'application (clé privée et certificat, PEM), à la place du secret",
                        "aucun"),
        "certificate_thumbprint": ("empreinte SHA-1 du certificat", "lue dans le fichier"),
        "authority": ("adresse de connexion Microsoft", "https://login.microsoftonline.com"),
        "graph_url": ("adresse de Microsoft Graph", "https://graph.microsoft.com/v1.0"),
        "ca_file": ("autorité de certification interne, si besoin", "aucune"),
        "room_list": ("liste de salles Microsoft 365, ou « * » pour toutes", "aucune"),
        "max_wait": ("secondes d'attente acceptées si Microsoft 365 freine", "60"),
        "retries": ("nouveaux essais (freinage, coupure réseau)", "4"),
        "timeout": ("attente maximale d'une réponse, en secondes", "60"),
    },
}

# Defaults ``load.py`` does not pass through :class:`Section` (read straight from the table).
UNRECORDED_DEFAULTS: dict[tuple[str, str], tuple[Any, bool]] = {
    ("schedule", "days"): ("lundi-vendredi", False), ("planning", "closures"): ((), False),
    ("planning", "committees"): ((), False),
    # the planning reads each committee's rule itself (``planning/rules.py``)
    ("planning.committees", "committee"): (None, True), ("planning.committees", "pattern"): ("", False),
    ("planning.committees", "first_date"): ("", False), ("planning.committees", "time"): ("", False),
    ("planning.committees", "duration_hours"): ("", False), ("planning.committees", "room"): ("", False),
    ("planning.committees", "pauses"): ((), False), ("planning.committees", "extra_dates"): ((), False),
    ("planning.committees", "skipped_dates"): ((), False), ("planning.committees", "on_avoided"): ("", False),
}

_MINIMAL: dict[str, Any] = {
    "service": {"name": "", "email": ""}, "paths": {"registers": "", "mapping": ""},
    "committees": [{"name": ""}], "rooms": [{"name": ""}], "schedule": {"x": {}},
}


def recorded_defaults() -> dict[tuple[str, str], tuple[Any, bool]]:
    """(section, key) -> (the default ``load.py`` gives when the key is absent, whether the key must be given).

    A minimal file is read with every key left out; the problems it raises (folders that do not exist)
    are those of a file nobody will use.
    """
    reads: list[tuple[str, str, Any, bool]] = []
    Section.listener = reads
    try:
        _build(_MINIMAL, Path("/config.toml"), [], None)
    finally:
        Section.listener = None
    found = dict(UNRECORDED_DEFAULTS)
    for where, key, default, required in reads:
        section = re.match(r"\[+([a-z_]+)", where)
        if section is not None:  # the root table's own keys are sections, described above
            found.setdefault((section.group(1), key), (default, required))
    return found
