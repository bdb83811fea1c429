"""The printers a technician can choose from: the CUPS server's queues (CUPS-Get-Printers
over IPP), plus the ESC/POS address and the PDF folder of the settings."""

from __future__ import annotations

import httpx

from . import ipp

CUPS_GET_PRINTERS = 0x4002


def cups_queues(server: str | None = None, timeout: float = 2.0) -> list[dict]:
    """[{"queue", "info", "state", "accepting"}] of every queue; [] when CUPS does not answer."""
    client = ipp.IppClient(server, timeout=timeout)
    body = ipp.encode(ipp.Message((1, 1), CUPS_GET_PRINTERS, 1, [ipp.group(
        ipp.OPERATION_ATTRIBUTES,
        ipp.attr(ipp.CHARSET, "attributes-charset", "utf-8"),
        ipp.attr(ipp.NATURAL_LANGUAGE, "attributes-natural-language", "en"),
        ipp.attr(ipp.KEYWORD, "requested-attributes", "printer-name", "printer-info",
                 "printer-state", "printer-is-accepting-jobs"))]))
    try:
        resp = client._http.post(f"http://{client.host}:{client.port}/", content=body)
        reply = ipp.decode(resp.content) if resp.status_code == 200 else None
    except (httpx.HTTPError, ipp.IppError):
        reply = None
    finally:
        client.close()
    if reply is None or reply.code >= 0x0400:
        return []
    states = {3: "idle", 4: "processing", 5: "stopped"}
    return sorted(({"queue": str(g.get("printer-name")), "info": str(g.get("printer-info") or ""),
                    "state": states.get(g.get("printer-state"), "unknown"),
                    "accepting": bool(g.get("printer-is-accepting-jobs", True))}
                   for g in reply.groups if g.tag == ipp.PRINTER_ATTRIBUTES and g.get("printer-name")),
                  key=lambda q: q["queue"])
