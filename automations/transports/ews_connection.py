"""Opening the Exchange mailbox with exchangelib, and calling it with a bounded, duplicate-safe retry policy.

exchangelib's own fault tolerance re-posts a request after a dropped
connection, which would send a meeting twice; the transport therefore runs
exchangelib fail-fast and retries here, looking the delivery up first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from ..errors import TransportError
from ..settings.secrets import missing, secret
from .mailbox import after_dropped_line

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
# Exchange Online's EWS endpoints and Microsoft Entra's sign-in hosts, worldwide and in the national clouds
# (Microsoft Learn, "Microsoft 365 URLs and IP address ranges" and "National cloud deployments")
ONLINE_HOSTS = ("outlook.office365.com", "outlook.office.com", "outlook.office365.us", "outlook.office.de",
                "partner.outlook.cn", "webmail.apps.mil")
ONLINE_SUFFIXES = (".outlook.com", ".office365.com", ".onmicrosoft.com")
ENTRA_HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn",
               "login.microsoftonline.de", "login.windows.net")
ONLINE = ("Exchange Online n'accepte plus EWS (bloqué depuis le 1er octobre 2026, arrêté en avril 2027) : "
          "utilisez le transport kind = \"graph\" (Microsoft Graph), voir le README, « Microsoft 365 »")
AUTHS = ("ntlm", "basic", "oauth2")
ACCESS = ("delegate", "impersonation")


class ExchangeLoginError(TransportError):
    """Refused credentials: every further request would fail the same way, so the run stops."""

    fatal = True


class PrivateAuthorityAdapter(requests.adapters.HTTPAdapter):
    """Verifies the server against the service's own certificate authority when one is configured.

    Many administrations sign their Exchange certificate with an internal
    authority; verification stays on, against that authority.
    """

    authorities: dict[str, str] = {}  # "host:port", or ".domain" for its every host -> CA bundle

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        ca_file = self.authority(_netloc(request.url or ""))
        if ca_file and kwargs.get("verify", True) is not False:
            kwargs["verify"] = ca_file
        return super().send(request, **kwargs)

    @classmethod
    def authority(cls, netloc: str) -> str | None:
        if netloc in cls.authorities:
            return cls.authorities[netloc]
        host = netloc.partition(":")[0]
        return next((ca for key, ca in cls.authorities.items() if key.startswith(".") and
                     (host.endswith(key) or f".{host}" == key)), None)


def _netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


def check_settings(settings: Mapping[str, Any], known: set[str]) -> list[str]:
    problems = [f"{key} : clé inconnue pour le transport « exchange »" for key in sorted(set(settings) - known)]
    if not settings.get("mailbox"):
        problems.append("mailbox : adresse de la boîte du service (organisatrice des réunions) obligatoire")
    if not settings.get("server") and not settings.get("autodiscover"):
        problems.append("server : adresse EWS obligatoire (https://.../EWS/Exchange.asmx), ou autodiscover = true")
    server = str(settings.get("server", ""))
    if server and not server.startswith("https://"):
        problems.append(f"server : « {server} » doit commencer par https:// (le mot de passe ne circule pas en clair)")
    auth = settings.get("auth", "ntlm")
    if auth not in AUTHS:
        problems.append(f"auth : « {auth} » inconnu (au choix : {', '.join(AUTHS)})")
    elif auth == "oauth2":
        for key in ("tenant_id", "client_id", "client_secret_env"):
            if not settings.get(key):
                problems.append(f"{key} : obligatoire avec auth = \"oauth2\"")
    elif not settings.get("username") or not settings.get("password_env"):
        problems.append("username et password_env : identifiant et NOM de la variable d'environnement "
                        "du mot de passe obligatoires")
    online = exchange_online(settings)
    if online:
        problems.append(f"{online} : {ONLINE}")
    if settings.get("access", "delegate") not in ACCESS:
        problems.append(f"access : « {settings.get('access')} » inconnu (au choix : {', '.join(ACCESS)})")
    for key in ("max_wait", "retries"):
        value = settings.get(key, 1)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            problems.append(f"{key} : nombre positif attendu, pas « {value} »")
    return problems


def exchange_online(settings: Mapping[str, Any]) -> str:
    """The setting that shows the mailbox is in Exchange Online, where EWS is switched off; empty otherwise."""
    host = urlsplit(str(settings.get("server", ""))).hostname or ""
    if host in ONLINE_HOSTS or host.endswith(ONLINE_SUFFIXES):
        return "server"
    if settings.get("autodiscover") and str(settings.get("mailbox", "")).lower().endswith(".onmicrosoft.com"):
        return "mailbox"
    authority = urlsplit(str(settings.get("authority", DEFAULT_AUTHORITY))).hostname or ""
    if settings.get("auth") == "oauth2" and authority in ENTRA_HOSTS:  # an on-premises AD FS has its own authority
        return "auth"
    return ""


def _secret(settings: Mapping[str, Any], key: str) -> str:
    name = str(settings.get(key, ""))
    value = secret(name)
    if not value:
        raise ExchangeLoginError(f"Exchange : {missing(name)}.")
    return value


def open_account(settings: Mapping[str, Any], base: Path) -> Any:
    """The exchangelib Account of the organizer mailbox; only autodiscover sends requests here."""
    from exchangelib import (
        BASIC, DELEGATE, IMPERSONATION, NTLM, OAUTH2, Account, Build, Configuration, Credentials, FailFast,
        Identity, OAuth2Credentials, Version,
    )
    from exchangelib.errors import AutoDiscoverFailed, ErrorNonExistentMailbox, UnauthorizedError
    from exchangelib.protocol import BaseProtocol

    mailbox = str(settings["mailbox"])
    auth = settings.get("auth", "ntlm")
    authority = str(settings.get("authority", DEFAULT_AUTHORITY)).rstrip("/")
    BaseProtocol.HTTP_ADAPTER_CLS = PrivateAuthorityAdapter
    if settings.get("ca_file"):
        ca_file = str((base / str(settings["ca_file"])).resolve())
        for url in (str(settings.get("server", "")), authority):
            if url:
                PrivateAuthorityAdapter.authorities[_netloc(url)] = ca_file
        if settings.get("autodiscover"):
            # autodiscover visits hosts of the mailbox's domain that no setting names
            PrivateAuthorityAdapter.authorities["." + mailbox.rpartition("@")[2].lower()] = ca_file
    if auth == "oauth2":
        class TenantCredentials(OAuth2Credentials):
            # national clouds and tests sign tokens elsewhere than login.microsoftonline.com
            @property
            def token_url(self) -> str:
                return f"{authority}/{self.tenant_id}/oauth2/v2.0/token"

        credentials: Any = TenantCredentials(client_id=str(settings["client_id"]),
                                             client_secret=_secret(settings, "client_secret_env"),
                                             tenant_id=str(settings["tenant_id"]),
                                             identity=Identity(primary_smtp_address=mailbox))
        access = IMPERSONATION  # an application has no mailbox of its own
    else:
        credentials = Credentials(str(settings["username"]), _secret(settings, "password_env"))
        access = IMPERSONATION if settings.get("access") == "impersonation" else DELEGATE
    # Exchange 2013 SP1's schema is understood by 2013, 2016, 2019 and Exchange Online:
    # fixing it spares a version probe on every run
    options: dict[str, Any] = {"credentials": credentials, "retry_policy": FailFast(),
                               "auth_type": {"ntlm": NTLM, "basic": BASIC, "oauth2": OAUTH2}[auth],
                               "version": Version(build=Build(15, 0, 847, 32))}
    if not settings.get("autodiscover"):
        return Account(mailbox, config=Configuration(service_endpoint=str(settings["server"]), **options),
                       autodiscover=False, access_type=access)
    try:
        return Account(mailbox, config=Configuration(**options), autodiscover=True, access_type=access)
    except AutoDiscoverFailed as exc:
        raise ExchangeLoginError(
            f"Exchange : la découverte automatique (autodiscover) n'a pas trouvé le serveur de « {mailbox} » "
            "(ni autodiscover.<domaine>, ni enregistrement DNS _autodiscover._tcp) ; indiquez l'adresse EWS "
            "avec server = \"https://.../EWS/Exchange.asmx\" dans [transport].") from exc
    except UnauthorizedError as exc:
        raise ExchangeLoginError(f"Exchange : identifiants refusés par autodiscover pour « {mailbox} » ; "
                                 "vérifiez l'identifiant et le secret (variable d'environnement ou trousseau).") from exc
    except ErrorNonExistentMailbox as exc:
        raise ExchangeLoginError(f"Exchange : la boîte « {mailbox} » est inconnue du serveur trouvé par "
                                 "autodiscover ; vérifiez mailbox dans [transport].") from exc


class Caller:
    """Runs one exchangelib operation: honours ErrorServerBusy's back-off, retries a dropped line a bounded
    number of times, and before retrying a send asks whether the server already did it."""

    def __init__(self, settings: Mapping[str, Any], sleep: Callable[[float], None] = time.sleep) -> None:
        self.max_wait = float(settings.get("max_wait", 60))
        self.retries = int(settings.get("retries", 3))
        self.login = str(settings.get("username") or settings.get("client_id") or "")
        self.sleep = sleep

    def __call__(self, what: str, operation: Callable[[], T], recheck: Callable[[], Any] | None = None) -> T:
        from exchangelib.errors import (
            EWSError, ErrorServerBusy, ErrorTimeoutExpired, RateLimitError, UnauthorizedError,
        )
        from exchangelib.errors import TransportError as EwsTransportError

        waited, attempts = 0.0, 0
        while True:
            try:
                return operation()
            except UnauthorizedError as exc:
                raise ExchangeLoginError(
                    f"Exchange : identifiants refusés pour « {self.login} » ; vérifiez l'identifiant, le secret "
                    "(variable d'environnement ou trousseau) et le droit d'accès à la boîte du service.") from exc
            except ErrorServerBusy as exc:
                delay = exc.back_off or 1.0
                if waited + delay > self.max_wait:
                    raise TransportError(f"Exchange est surchargé ({what}) : il demande d'attendre {delay:.0f} s, "
                                         "au-delà de max_wait ; nouvel essai au prochain passage.") from exc
                log.info("serveur Exchange occupé (%s) : nouvel essai dans %.1f s", what, delay)
                self.sleep(delay)
                waited += delay
            except RateLimitError as exc:
                raise TransportError(f"Exchange est surchargé ({what}) ; nouvel essai au prochain passage.") from exc
            except (ErrorTimeoutExpired, requests.exceptions.RequestException, ConnectionError) as exc:
                # exchangelib reports a dropped line as ErrorTimeoutExpired, a kind of its TransportError
                attempts += 1
                done = after_dropped_line("Exchange", what, attempts, self.retries, exc, recheck, self, self.sleep)
                if done is not None:
                    return done  # type: ignore[no-any-return]
            except EwsTransportError as exc:
                if "SSL" in str(exc):
                    raise TransportError(f"Exchange : certificat du serveur refusé ({exc}) ; indiquez ca_file "
                                         "si le service a sa propre autorité de certification.") from exc
                raise TransportError(f"Exchange : réponse inattendue ({what}) : {exc}") from exc
            except EWSError as exc:
                raise TransportError(f"Exchange a refusé {what} : {type(exc).__name__} – {exc}") from exc
