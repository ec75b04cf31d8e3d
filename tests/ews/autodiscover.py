"""SOAP autodiscover (GetUserSettings) of the EWS test server, as Exchange 2013+ answers it.

The server tells a client where the mailbox's EWS endpoint is and which
schemas it speaks; an unknown mailbox gets the InvalidUser error code.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from .soap import S, sub

A = "http://schemas.microsoft.com/exchange/2010/Autodiscover"
WSA = "http://www.w3.org/2005/08/addressing"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PATH = "/autodiscover/autodiscover.svc"

ET.register_namespace("a", A)
ET.register_namespace("wsa", WSA)
ET.register_namespace("i", XSI)


def requested_users(request: ET.Element) -> list[str]:
    return [(mailbox.text or "").strip() for mailbox in request.iter(f"{{{A}}}Mailbox")]


def user_settings(request: ET.Element, mailboxes: set[str], ews_url: str) -> bytes:
    """The GetUserSettingsResponseMessage for the users the request names."""
    root = ET.Element(f"{{{S}}}Envelope")
    header = sub(root, f"{{{S}}}Header")
    sub(header, f"{{{WSA}}}Action",
        "http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettingsResponse")
    body = sub(root, f"{{{S}}}Body")
    message = sub(body, f"{{{A}}}GetUserSettingsResponseMessage")
    response = sub(message, f"{{{A}}}Response")
    sub(response, f"{{{A}}}ErrorCode", "NoError")
    sub(response, f"{{{A}}}ErrorMessage", "")
    responses = sub(response, f"{{{A}}}UserResponses")
    for user in requested_users(request):
        answer = sub(responses, f"{{{A}}}UserResponse")
        if user.lower() not in mailboxes:
            sub(answer, f"{{{A}}}ErrorCode", "InvalidUser")
            sub(answer, f"{{{A}}}ErrorMessage", f"Invalid user: '{user}'")
            continue
        sub(answer, f"{{{A}}}ErrorCode", "NoError")
        sub(answer, f"{{{A}}}ErrorMessage", "No error.")
        sub(answer, f"{{{A}}}UserSettingErrors")
        settings = sub(answer, f"{{{A}}}UserSettings")
        for name, value in (("AutoDiscoverSMTPAddress", user), ("ExternalEwsUrl", ews_url),
                            ("InternalEwsUrl", ews_url),
                            ("EwsSupportedSchemas", "Exchange2007, Exchange2007_SP1, Exchange2010, "
                                                    "Exchange2010_SP1, Exchange2010_SP2, Exchange2013, "
                                                    "Exchange2013_SP1, Exchange2016")):
            setting = sub(settings, f"{{{A}}}UserSetting", **{f"{{{XSI}}}type": "StringSetting"})
            sub(setting, f"{{{A}}}Name", name)
            sub(setting, f"{{{A}}}Value", value)
    return b"<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(root)
