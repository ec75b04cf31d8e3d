"""Microsoft Graph over HTTP: an application token from Microsoft Entra (msal), one requests Session, and a
bounded, duplicate-safe retry policy.

msal's ConfidentialClientApplication is kept per process and per application: its token cache then serves
every run of ``serve`` until the token nears its expiry. Graph's throttling answers (429, 503 with
Retry-After) are waited out within ``max_wait`` and ``retries``; after a dropped line the server is asked
whether a send happened before anything is sent again.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests

from ..errors import TransportError
from ..settings.secrets import missing, secret
from .mailbox import after_dropped_line
from ..french import plural

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_GRAPH = "https://graph.microsoft.com/v1.0"
KEYS = {"mailbox", "tenant_id", "client_id", "client_secret_env", "certificate", "certificate_thumbprint",
        "authority", "graph_url", "ca_file", "room_list", "max_wait", "retries", "timeout"}
BATCH_LIMIT = 20  # requests Graph takes in one $batch
PERMISSIONS = "Mail.Send, Mail.ReadWrite, Calendars.ReadWrite (et Place.Read.All avec room_list)"


class GraphLoginError(TransportError):
    """Refused credentials or rights: every further request would fail the same way, so the run stops."""

    fatal = True


class Throttled(Exception):
    def __init__(self, status: int, delay: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status, self.delay = status, delay


class Dropped(Exception):
    """The line went dead before an answer: the request may or may not have been carried out."""


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code} – {message}")
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Call:
    """One request of a $batch; its url is relative to the Graph version root."""

    method: str
    url: str
    body: Any = None
    missing_ok: bool = False  # a 404 is the wanted state (deleting what is already gone)


def check_settings(settings: Mapping[str, Any]) -> list[str]:
    problems = [f"{key} : clé inconnue pour le transport « graph »" for key in sorted(set(settings) - KEYS)]
    if not settings.get("mailbox"):
        problems.append("mailbox : adresse de la boîte du service (organisatrice des réunions) obligatoire")
    for key, what in (("tenant_id", "identifiant du locataire Microsoft 365 (Microsoft Entra)"),
                      ("client_id", "identifiant de l'application inscrite dans Microsoft Entra")):
        if not settings.get(key):
            problems.append(f"{key} : {what} obligatoire")
    if not settings.get("client_secret_env") and not settings.get("certificate"):
        problems.append("client_secret_env : NOM de la variable d'environnement du secret de l'application "
                        "obligatoire (ou certificate, chemin du certificat de l'application)")
    if settings.get("client_secret_env") and settings.get("certificate"):
        problems.append("client_secret_env et certificate : l'un ou l'autre, pas les deux")
    for key in ("authority", "graph_url"):
        url = str(settings.get(key, ""))
        if url and not url.startswith("https://"):
            problems.append(f"{key} : « {url} » doit commencer par https://")
    for key in ("max_wait", "retries", "timeout"):
        value = settings.get(key, 1)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            problems.append(f"{key} : nombre positif attendu, pas « {value} »")
    return problems


# -- the token -------------------------------------------------------------
_APPS: dict[tuple[str, ...], Any] = {}
_APPS_LOCK = threading.Lock()


def _session(verify: str | bool, timeout: float) -> requests.Session:
    """A Session verifying with ``verify`` on every request: set on the Session alone, REQUESTS_CA_BUNDLE from
    the environment would take its place."""
    session = requests.Session()
    session.request = functools.partial(session.request, verify=verify, timeout=timeout)  # type: ignore[method-assign]
    return session


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise GraphLoginError(f"Microsoft Graph : certificat « {path} » illisible ({exc}) ; vérifiez certificate "
                              "dans [transport] (un fichier PEM avec la clé privée).") from exc


class Token:
    """The application's access token for Graph, from msal's cache or from Microsoft Entra."""

    def __init__(self, settings: Mapping[str, Any], base: Path, verify: str | bool, timeout: float) -> None:
        self.settings, self.base, self.verify, self.timeout = settings, base, verify, timeout
        self.client_id = str(settings.get("client_id", ""))
        origin = urlsplit(str(settings.get("graph_url", DEFAULT_GRAPH)))
        self.scopes = [f"{origin.scheme}://{origin.netloc}/.default"]

    def _credential(self) -> tuple[Any, str, str]:
        """msal's credential, a fingerprint naming it in the process's cache, and what to check if refused."""
        if self.settings.get("certificate"):
            path = (self.base / str(self.settings["certificate"])).resolve()
            pem = _read(path)
            credential: dict[str, str] = {"private_key": pem}
            if self.settings.get("certificate_thumbprint"):
                credential["thumbprint"] = str(self.settings["certificate_thumbprint"]).replace(":", "")
            else:
                credential["public_certificate"] = pem  # msal takes the thumbprint from the certificate itself
            return (credential, hashlib.sha256(repr(sorted(credential.items())).encode()).hexdigest(),
                    f"le certificat « {path.name} » et son empreinte, déposés dans l'inscription de l'application")
        variable = str(self.settings.get("client_secret_env", ""))
        value = secret(variable)
        if not value:
            raise GraphLoginError(f"Microsoft Graph, secret de l'application : {missing(variable)}.")
        return (value, hashlib.sha256(value.encode()).hexdigest(),
                f"le secret « {variable} » (expiré, ou son identifiant copié à la place de sa valeur)")

    def _app(self) -> tuple[Any, str]:
        import msal

        credential, fingerprint, fix = self._credential()
        tenant = str(self.settings.get("tenant_id", ""))
        authority = f"{str(self.settings.get('authority', DEFAULT_AUTHORITY)).rstrip('/')}/{tenant}"
        key = (authority, self.client_id, fingerprint, str(self.verify))
        with _APPS_LOCK:
            if key not in _APPS:
                try:
                    # no instance discovery: a national cloud or a test authority is not asked about to the public one
                    _APPS[key] = msal.ConfidentialClientApplication(
                        self.client_id, client_credential=credential, authority=authority, instance_discovery=False,
                        http_client=_session(self.verify, self.timeout))
                except ValueError as exc:
                    raise GraphLoginError(
                        f"Microsoft Graph : Microsoft Entra ne connaît pas le locataire « {tenant} » ou refuse le "
                        f"certificat ({str(exc)[:120]}) ; vérifiez tenant_id, authority et certificate.") from exc
        return _APPS[key], fix

    def get(self, fresh: bool = False) -> str:
        import jwt

        try:
            app, fix = self._app()
            if fresh:
                app.remove_tokens_for_client()
            result = app.acquire_token_for_client(scopes=self.scopes)
        except requests.exceptions.SSLError as exc:
            raise _certificate_error(exc) from exc
        except requests.exceptions.RequestException as exc:
            raise Dropped(f"Microsoft Entra injoignable : {exc}") from exc
        except (ValueError, jwt.PyJWTError) as exc:  # a private key msal cannot read or sign with
            raise GraphLoginError(f"Microsoft Graph : certificat de l'application inutilisable ({exc}) ; "
                                  "vérifiez certificate et certificate_thumbprint.") from exc
        if "access_token" in result:
            return str(result["access_token"])
        # Entra's description starts with its AADSTS code; the rest is English and may name the tenant
        code = str(result.get("error_description", "")).partition(":")[0]
        raise GraphLoginError(
            f"Microsoft Graph : Microsoft Entra refuse l'application « {self.client_id} » "
            f"({result.get('error', 'erreur')}{', ' + code if code.startswith('AADSTS') else ''}) ; vérifiez "
            f"{fix}, ainsi que client_id et tenant_id.")


def _certificate_error(exc: Exception) -> TransportError:
    return TransportError(f"Microsoft Graph : certificat du serveur refusé ({exc}) ; indiquez ca_file si le "
                          "réseau du service passe par sa propre autorité de certification.")


def _delay(headers: Mapping[str, str]) -> float | None:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _json(response: requests.Response) -> Any:
    try:
        return response.json() if response.content else None
    except ValueError:
        return None


def _answer(status: int, headers: Mapping[str, str], body: Any, missing_ok: bool = False) -> Any:
    if 200 <= status < 300 or (missing_ok and status == 404):
        return body
    if status in (429, 503, 504):
        raise Throttled(status, _delay(headers))
    error = body.get("error", {}) if isinstance(body, dict) else {}
    if not isinstance(error, dict):
        error = {"code": str(error)}
    raise Refused(status, str(error.get("code", f"HTTP {status}")), str(error.get("message", "")))


class GraphClient:
    """Requests to Graph for the organizer's mailbox, and the policy every operation of the transport runs under."""

    def __init__(self, settings: Mapping[str, Any], base: Path, sleep: Callable[[float], object] = time.sleep) -> None:
        self.mailbox = str(settings.get("mailbox", ""))
        self.url = str(settings.get("graph_url", DEFAULT_GRAPH)).rstrip("/")
        self.max_wait = float(settings.get("max_wait", 60))
        self.retries = int(settings.get("retries", 4))
        self.timeout = float(settings.get("timeout", 60))
        self.sleep = sleep  # tests wait on their own clock
        verify: str | bool = str((base / str(settings["ca_file"])).resolve()) if settings.get("ca_file") else True
        self.token = Token(settings, base, verify, self.timeout)
        self.session = _session(verify, self.timeout)
        self._bearer: str | None = None

    def user(self, path: str = "") -> str:
        return f"/users/{quote(self.mailbox, safe='@')}{path}"

    # -- one request --------------------------------------------------------
    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, **kwargs)
        except requests.exceptions.SSLError as exc:
            raise _certificate_error(exc) from exc
        except requests.exceptions.RequestException as exc:
            raise Dropped(str(exc)) from exc

    def request(self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None,
                missing_ok: bool = False) -> Any:
        """One authenticated request; its JSON answer (None when empty). An expired token is renewed once."""
        response = self._authorized(method, path, body, headers)
        return _answer(response.status_code, response.headers, _json(response), missing_ok)

    def content(self, path: str, missing_ok: bool = False) -> bytes | None:
        """The bytes a GET answers as they are, not JSON: a message's MIME stream (.../$value); None for a
        404 when ``missing_ok``."""
        response = self._authorized("GET", path, None, None)
        if not 200 <= response.status_code < 300:
            return _answer(response.status_code, response.headers, _json(response), missing_ok) and None
        return response.content

    def _authorized(self, method: str, path: str, body: Any, headers: Mapping[str, str] | None) -> requests.Response:
        url = path if path.startswith("https://") else self.url + path
        for renew in (False, True):
            if self._bearer is None or renew:
                self._bearer = self.token.get(fresh=renew)
            response = self._send(method, url, json=body,
                                  headers={"Authorization": f"Bearer {self._bearer}", **(headers or {})})
            if response.status_code != 401:
                break
            log.info("Graph a répondu 401 à %s %s : jeton renouvelé", method, path.partition("?")[0])
        if response.status_code == 401:
            raise GraphLoginError(f"Microsoft Graph refuse le jeton de l'application « {self.token.client_id} », "
                                  "même renouvelé ; vérifiez que l'administrateur a donné son consentement aux "
                                  f"permissions ({PERMISSIONS}).")
        return response

    def batch(self, calls: Sequence[Call], sequential: bool = False) -> list[Any]:
        """Several requests in one $batch (20 at most), in order if ``sequential``; their answers, in order.

        "JSON batching" and "throttling guidance" (Microsoft Learn): each request of a batch is throttled on
        its own, its 429 carrying its own Retry-After; only those requests (and the ones depending on them,
        answered 424) are sent again, after that delay."""
        if len(calls) > BATCH_LIMIT:
            return [*self.batch(calls[:BATCH_LIMIT], sequential), *self.batch(calls[BATCH_LIMIT:], sequential)]
        if len(calls) == 1:
            only = calls[0]
            return [self.request(only.method, only.url, only.body, missing_ok=only.missing_ok)]
        replies: dict[int, dict[str, Any]] = {}
        pending, waited, rounds = list(range(len(calls))), 0.0, 0
        while pending:
            answers = self._batch([calls[i] for i in pending], sequential)
            throttled = [i for i, r in zip(pending, answers) if int(r.get("status", 500)) in (429, 503, 504)]
            again = [i for i, r in zip(pending, answers)
                     if i in throttled or (throttled and int(r.get("status", 500)) == 424)]
            replies.update((i, r) for i, r in zip(pending, answers))
            rounds += 1
            delays = [_delay(replies[i].get("headers") or {}) for i in throttled]
            delay = max((d for d in delays if d is not None), default=min(2.0 ** rounds, 30.0))
            if not again or rounds > self.retries or waited + delay > self.max_wait:
                break  # past the budget, the 429 is answered below: the operation's policy takes over
            log.info("Graph surchargé pour %d requête(s) d'un $batch : nouvel essai dans %.1f s", len(throttled),
                     delay)
            self.sleep(delay)
            waited, pending = waited + delay, again
        # the first failure is the cause: with dependsOn, the requests after it only say 424
        return [_answer(int(replies[i].get("status", 500)), replies[i].get("headers") or {}, replies[i].get("body"),
                        call.missing_ok) for i, call in enumerate(calls)]

    def _batch(self, calls: Sequence[Call], sequential: bool) -> list[dict[str, Any]]:
        """One $batch on the wire; each request's reply (status, headers, body), in the order of ``calls``."""
        requests_: list[dict[str, Any]] = []
        for index, call in enumerate(calls):
            entry: dict[str, Any] = {"id": str(index), "method": call.method, "url": call.url}
            if call.body is not None:
                entry.update(body=call.body, headers={"Content-Type": "application/json"})
            if sequential and index:
                entry["dependsOn"] = [str(index - 1)]
            requests_.append(entry)
        answer = self.request("POST", "/$batch", {"requests": requests_})
        replies = {str(r.get("id")): r for r in (answer or {}).get("responses", [])}
        return [replies.get(str(i), {"status": 500}) for i in range(len(calls))]

    def pages(self, path: str) -> list[dict[str, Any]]:
        """Every item of a collection, following Graph's next links."""
        items: list[dict[str, Any]] = []
        next_url: str | None = path
        while next_url:
            page = self.request("GET", next_url) or {}
            items.extend(page.get("value", []))
            next_url = page.get("@odata.nextLink")
        return items

    def skipped_pages(self, path: str, size: int) -> list[dict[str, Any]]:
        """Every item of a collection that pages by $top and $skip without next links (the places API):
        pages of ``size`` until a shorter one."""
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        while True:
            page = self.request("GET", f"{path}{'&' if '?' in path else '?'}$top={size}&$skip={len(items)}") or {}
            found = [i for i in page.get("value", []) if str(i.get("id", id(i))) not in seen]
            seen.update(str(i.get("id", id(i))) for i in found)
            items.extend(found)
            # a server that ignored $skip would repeat its page: nothing new ends the loop as well
            if len(found) < size:
                return items

    def upload(self, url: str, content: bytes, chunk: int) -> None:
        """An attachment through its upload session, chunk by chunk; the session's URL carries its own
        authorisation, and Graph refuses a request that adds the token."""
        for start in range(0, len(content), chunk):
            piece = content[start:start + chunk]
            response = self._send("PUT", url, data=piece, headers={
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {start}-{start + len(piece) - 1}/{len(content)}"})
            _answer(response.status_code, response.headers, _json(response))

    # -- the policy ---------------------------------------------------------
    def call(self, what: str, operation: Callable[[], T], recheck: Callable[[], Any] | None = None) -> T:
        """Runs an operation: waits out throttling, retries a dropped line a bounded number of times, and before
        retrying a send asks whether the server already did it (then returns what ``recheck`` found)."""
        waited, throttled, dropped = 0.0, 0, 0
        while True:
            try:
                return operation()
            except Throttled as exc:
                throttled += 1
                delay = exc.delay if exc.delay is not None else min(2.0 ** throttled, 30.0)
                if throttled > self.retries or waited + delay > self.max_wait:
                    raise TransportError(
                        f"Microsoft Graph est surchargé ({what}) : HTTP {exc.status} "
                        f"après {plural(throttled, 'essai', 'essais')}, "
                        f"il demande d'attendre {delay:.0f} s ; nouvel essai au prochain passage.") from exc
                log.info("Graph surchargé (%s, HTTP %d) : nouvel essai dans %.1f s", what, exc.status, delay)
                self.sleep(delay)
                waited += delay
            except Dropped as exc:
                dropped += 1
                done = after_dropped_line("Microsoft Graph", what, dropped, self.retries, exc, recheck, self.call,
                                          self.sleep)
                if done is not None:
                    return done  # type: ignore[no-any-return]
            except Refused as exc:
                raise self._refusal(what, exc) from exc

    def _refusal(self, what: str, exc: Refused) -> TransportError:
        if exc.status == 403:
            return GraphLoginError(
                f"Microsoft Graph : accès refusé pour {what} ({exc.code}) ; l'application doit avoir les "
                f"permissions {PERMISSIONS} avec le consentement de l'administrateur, et la stratégie d'accès "
                f"de l'application doit inclure la boîte « {self.mailbox} ».")
        if exc.status == 404 and exc.code in ("ErrorInvalidUser", "MailboxNotEnabledForRESTAPI"):
            return GraphLoginError(f"Microsoft Graph : la boîte « {self.mailbox} » est inconnue de Microsoft 365 "
                                   f"ou sans messagerie Exchange Online ({exc.code}) ; vérifiez mailbox dans "
                                   "[transport].")
        return TransportError(f"Microsoft Graph a refusé {what} : {exc.code} – {exc.message}")

    def close(self) -> None:
        self.session.close()
