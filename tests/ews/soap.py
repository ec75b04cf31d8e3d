"""SOAP plumbing of the EWS test server: namespaces, reading requests, writing responses.

Element names and attributes follow the EWS schema (messages.xsd, types.xsd)
as exchangelib writes and reads them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

S = "http://schemas.xmlsoap.org/soap/envelope/"
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
E = "http://schemas.microsoft.com/exchange/services/2006/errors"

for prefix, uri in (("s", S), ("m", M), ("t", T), ("e", E)):
    ET.register_namespace(prefix, uri)


def m(name: str) -> str:
    return f"{{{M}}}{name}"


def t(name: str) -> str:
    return f"{{{T}}}{name}"


def sub(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        child.text = str(text)
    return child


def text_of(elem: ET.Element | None, path: str, default: str = "") -> str:
    if elem is None:
        return default
    found = elem.find(path, {"t": T, "m": M})
    return (found.text or "") if found is not None else default


def envelope(body_child: ET.Element, version: str) -> bytes:
    root = ET.Element(f"{{{S}}}Envelope")
    header = sub(root, f"{{{S}}}Header")
    # Exchange 2016 CU answers with its build and echoes the schema version asked for
    sub(header, t("ServerVersionInfo"), MajorVersion="15", MinorVersion="1", MajorBuildNumber="2507",
        MinorBuildNumber="6", Version=version)
    body = sub(root, f"{{{S}}}Body")
    body.append(body_child)
    return b"<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(root)


def fault(code: str, message: str, back_off_ms: int | None = None) -> bytes:
    """A SOAP fault the way Exchange sends throttling and schema errors (HTTP 500)."""
    root = ET.Element(f"{{{S}}}Envelope")
    body = sub(root, f"{{{S}}}Body")
    fault_elem = sub(body, f"{{{S}}}Fault")
    sub(fault_elem, "faultcode", f"a:{code}")
    sub(fault_elem, "faultstring", message)
    detail = sub(fault_elem, "detail")
    sub(detail, f"{{{E}}}ResponseCode", code)
    sub(detail, f"{{{E}}}Message", message)
    if back_off_ms is not None:
        xml = sub(detail, t("MessageXml"))
        sub(xml, t("Value"), back_off_ms, Name="BackOffMilliseconds")
    return b"<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(root)


def response_message(parent: ET.Element, operation: str, code: str = "NoError",
                     message: str = "") -> ET.Element:
    success = code == "NoError"
    msg = sub(parent, m(f"{operation}ResponseMessage"), ResponseClass="Success" if success else "Error")
    if not success:
        sub(msg, m("MessageText"), message)
    sub(msg, m("ResponseCode"), code)
    if not success:
        sub(msg, m("DescriptiveLinkKey"), 0)
    return msg


def parse_datetime(value: str, default_zone: timezone = timezone.utc) -> datetime:
    """An xs:dateTime as EWS carries it: with Z, with an offset, or local to a given zone."""
    value = value.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=default_zone)


def format_utc(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_local(value: datetime, bias_minutes: int) -> str:
    """A time in the zone of a GetUserAvailability request, without offset as Exchange writes it."""
    local = value.astimezone(timezone(timedelta(minutes=-bias_minutes)))
    return local.strftime("%Y-%m-%dT%H:%M:%S")
