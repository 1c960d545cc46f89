"""What a turn sends survives the outbox: every kind of payload is read back as it was
written (a row holds JSON; the channel renders it when it sends)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs import Content
from dialogs.engine.document import Bullets, Document, Heading, Item, MapPicture, Paragraph
from dialogs.engine.outputs import Button, ShowNetworkMap
from dialogs.engine.state import Closeness, Resource, ResourceKind
from dialogs.resources.network import NetworkMap, map_labels
from storage.outbox import OutgoingRecord
from turns.outbox import (
    Acknowledge,
    Address,
    Alert,
    Deletion,
    Edit,
    Export,
    Fallback,
    Letter,
    Message,
    MyData,
    Payload,
    Summary,
    outgoing,
)

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def network(content: Content) -> NetworkMap:
    resources = (
        Resource(1, "Mijn zus", ResourceKind.CLOSE, Closeness.CLOSE, goal=1, help_with="geld"),
        Resource(2, "Buurthuis", ResourceKind.COMMUNITY, Closeness.FAR, domain="housing"),
    )
    return NetworkMap(resources, map_labels(content, "nl"))


def payloads(content: Content) -> list[Payload]:
    buttons = ((Button("✅ Ja", "p:1:ok"), Button("Nee", "p:1:no")),)
    # Paragraph and Heading have the same first field: each must come back as itself.
    document = Document(
        "Samenvatting van Jan",
        (
            Heading("Krachten", 2),
            Paragraph("Nog niet gedeeld.", quiet=True),
            Paragraph("<b>niet vet</b>"),
            Bullets((Item("Een eigen kamer", "Wat ik wil"), Item("zonder label"))),
            MapPicture(network(content)),
        ),
    )
    return [
        Message("Hoe woon je nu?", buttons, reminder=7),
        Summary(document),
        Export(document, "krachtwerk-1-2026-12-07", "Voor het dossier"),
        Edit(42, "Gekozen", buttons),
        Edit(None, "Opnieuw gestuurd"),
        Acknowledge("press-1", "Deze knop is niet meer actief."),
        Acknowledge(None, None),
        ShowNetworkMap(network(content), "Je netwerk", "netwerkkaart"),
        MyData({"client": {"id": 1}, "answers": [{"key": "a", "text": "😊"}]}, "nl"),
        Deletion((11, 12, 13)),
        Alert(
            "⚠️ Jan", buttons, delivers=3, if_unreachable=Fallback("telegram", "1001", 1, "Sorry")
        ),
    ]


@pytest.mark.parametrize("index", range(11))
def test_every_payload_comes_back_as_it_was_written(content: Content, index: int) -> None:
    payload = payloads(content)[index]
    row = outgoing(Address("telegram", "1001", 1), payload)
    record = OutgoingRecord(5, row.channel, row.chat, row.client_id, row.kind, row.payload, 0, NOW)
    assert Letter.read(record).payload == payload
