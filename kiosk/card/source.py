"""Which card reader a kiosk uses, from its settings (``card.source``).

- ``pcsc``: real readers through pcscd (production).
- ``emulator``: the TEST-ONLY CNIE chip; through pcscd's "Virtual PCD" reader
  when pcscd with vsmartcard-vpcd answers (the same path as a real card), else in
  memory. The demo's "use the demo card" button inserts and removes it.
- ``demo``: the sample identity, no chip at all (fastest, for UI work).
- ``auto``: ``pcsc`` in production mode, ``emulator`` in demo mode.
"""

from __future__ import annotations

import logging
import threading

from .chip_reader import ChipCardReader, EmulatorLink, PcscLink, Policy
from .demo import DemoCardReader
from .trust import load_trust_store

log = logging.getLogger(__name__)


class VpcdEmulatorLink(PcscLink):
    """The emulated chip served to pcscd through vpcd: inserting connects it to
    the virtual reader, removing disconnects it; reading goes through PC/SC."""

    def __init__(self, chip, reader: str):
        super().__init__(reader)
        self.chip = chip
        self._card = None
        self._lock = threading.Lock()

    def insert(self) -> None:
        from .emulator.vpcd import VpcdCard

        with self._lock:
            if self._card is None:
                self.chip.power_on()
                self._card = VpcdCard(self.chip).start()

    def remove(self) -> None:
        with self._lock:
            card, self._card = self._card, None
        if card is not None:
            threading.Thread(target=card.stop, name="vpcd-remove", daemon=True).start()

    def stop(self) -> None:
        with self._lock:
            card, self._card = self._card, None
        if card is not None:
            card.stop()
        super().stop()


def demo_document():
    from .emulator.chip import profile_path
    from .emulator.document import EmulatedDocument

    return EmulatedDocument.from_profile(profile_path("cnie"))


def make_reader(settings):
    """(reader, how) for these settings; ``how`` names the path for the log."""
    source = settings["card.source"]
    production = settings["kiosk.mode"] == "production"
    if source == "auto":
        source = "pcsc" if production else "emulator"
    if source == "demo":
        return DemoCardReader(delay=settings["card.demo_delay"]), "demo identity"
    policy = Policy(load_trust_store(settings=settings),
                    accept_unverified=settings["card.accept_unverified"] and not production)
    if source == "pcsc":
        return ChipCardReader(PcscLink(settings["card.reader"]), policy), "PC/SC"
    from .emulator.chip import chip_for
    from .emulator.pcscd import VIRTUAL_READER, virtual_reader_ready

    document = demo_document()
    chip = chip_for(document)
    if virtual_reader_ready():
        reader, how = ChipCardReader(VpcdEmulatorLink(chip, VIRTUAL_READER), policy), "emulator through pcscd + vpcd"
    else:
        reader, how = ChipCardReader(EmulatorLink(chip), policy), "emulator in memory"
    reader.demo_can = document.can  # TEST-ONLY card: the demo screen may show it
    return reader, how
