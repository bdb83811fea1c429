"""Secure messaging, ICAO 9303-11 §9.8, terminal side and chip side.

3DES (§9.8.6.2 / App. D.4): CBC with IV 0, ISO/IEC 9797-1 MAC algorithm 3, 8-byte
SSC. AES (§9.8.7): CBC with IV = E(KS_enc, SSC), AES-CMAC truncated to 8 bytes,
16-byte SSC. Both pad with ISO/IEC 9797-1 method 2. The SSC is incremented before
each command is MACed and again before each response is MACed.

Protected command: CLA | 0C, INS, P1, P2, [DO'87' (DO'85' for odd INS)], [DO'97'],
DO'8E', Le = 00 (short) or 0000 (extended). Protected response: [DO'87'/'85'],
DO'99', DO'8E', SW.
"""

from __future__ import annotations

import hmac

from .. import apdu
from ..apdu import Command, Response, Transmit
from ..errors import ParseError, SecureMessagingError
from . import tlv
from .cipher import MAC_LENGTH, Cipher, decrypt_cbc, encrypt_block, encrypt_cbc, mac, pad, unpad

SM_CLA = 0x0C

TAG_PLAIN_ODD = 0x85  # cryptogram, odd INS (no padding-content indicator)
TAG_CRYPTOGRAM = 0x87  # padding-content indicator 01 || cryptogram
TAG_LE = 0x97
TAG_STATUS = 0x99
TAG_MAC = 0x8E


class SMUnprotectedError(SecureMessagingError):
    """The chip answered an error status word without any secure-messaging data
    objects: it has dropped the session keys (for instance after a wrong command
    or a card reset). The caller should redo access control; ``sw`` is the status."""

    def __init__(self, sw: int):
        self.sw = sw
        super().__init__(f"chip answered {sw:04X} without secure messaging")


class SecureMessaging:
    """Session state of a secure channel: keys, cipher and send sequence counter.

    ``ssc`` is the initial counter value (bytes of the cipher's block size, or an
    int): ``RND.IC[4:8] || RND.IFD[4:8]`` after BAC, zero after PACE.
    One instance serves one side of the channel (terminal or chip)."""

    def __init__(self, ks_enc: bytes, ks_mac: bytes, ssc: bytes | int, cipher: Cipher):
        if len(ks_enc) != cipher.key_length or len(ks_mac) != cipher.key_length:
            raise ValueError(f"{cipher.value} session keys must be {cipher.key_length} bytes")
        self.cipher = cipher
        self._ks_enc = bytes(ks_enc)
        self._ks_mac = bytes(ks_mac)
        self._ssc_len = cipher.block_size
        if isinstance(ssc, (bytes, bytearray)):
            if len(ssc) != self._ssc_len:
                raise ValueError(f"SSC must be {self._ssc_len} bytes for {cipher.value}")
            ssc = int.from_bytes(ssc, "big")
        self._ssc = ssc % (1 << (8 * self._ssc_len))
        self._odd_ins = False  # chip side: the last command's INS was odd

    def __repr__(self) -> str:  # never show keys
        return f"SecureMessaging({self.cipher.value})"

    @property
    def ssc(self) -> bytes:
        return self._ssc.to_bytes(self._ssc_len, "big")

    # --- primitives ---------------------------------------------------------------

    def _next_ssc(self) -> bytes:
        self._ssc = (self._ssc + 1) % (1 << (8 * self._ssc_len))
        return self.ssc

    def _iv(self, ssc: bytes) -> bytes:
        if self.cipher.is_aes:
            return encrypt_block(self.cipher, self._ks_enc, ssc)
        return bytes(8)

    def _encrypt(self, data: bytes, ssc: bytes) -> bytes:
        return encrypt_cbc(self.cipher, self._ks_enc, pad(data, self.cipher.block_size), self._iv(ssc))

    def _decrypt(self, data: bytes, ssc: bytes) -> bytes:
        if not data or len(data) % self.cipher.block_size:
            raise SecureMessagingError("cryptogram is not a whole number of blocks")
        return unpad(decrypt_cbc(self.cipher, self._ks_enc, data, self._iv(ssc)))

    def _mac(self, data: bytes) -> bytes:
        return mac(self.cipher, self._ks_mac, pad(data, self.cipher.block_size))

    def _header(self, cla: int, ins: int, p1: int, p2: int) -> bytes:
        return pad(bytes((cla, ins, p1, p2)), self.cipher.block_size)

    def _cryptogram_do(self, ins: int, data: bytes, ssc: bytes) -> bytes:
        if not data:
            return b""
        if ins & 1:
            return tlv.encode(TAG_PLAIN_ODD, self._encrypt(data, ssc))
        return tlv.encode(TAG_CRYPTOGRAM, b"\x01" + self._encrypt(data, ssc))

    def _split(self, data: bytes, what: str) -> tuple[dict[int, tlv.Tlv], bytes]:
        """Parse SM data objects; return them by tag and the bytes the MAC covers."""
        try:
            objs = tlv.parse(data)
        except ParseError as e:
            raise SecureMessagingError(f"malformed secure-messaging {what}: {e}") from None
        if not objs or objs[-1].tag != TAG_MAC:
            raise SecureMessagingError(f"secure-messaging {what} without a final DO'8E'")
        if len(objs[-1].value) != MAC_LENGTH:
            raise SecureMessagingError(f"DO'8E' of {len(objs[-1].value)} bytes")
        try:
            by_tag = tlv.as_dict(objs)
        except ParseError as e:
            raise SecureMessagingError(f"secure-messaging {what}: {e}") from None
        covered = b"".join(o.raw for o in objs[:-1])
        return by_tag, covered

    def _check_mac(self, mac_input: bytes, received: bytes, what: str) -> None:
        if not hmac.compare_digest(self._mac(mac_input), received):
            raise SecureMessagingError(f"secure-messaging MAC of the {what} does not verify")

    def _open_cryptogram(self, by_tag: dict[int, tlv.Tlv], ssc: bytes) -> bytes:
        if TAG_CRYPTOGRAM in by_tag and TAG_PLAIN_ODD in by_tag:
            raise SecureMessagingError("both DO'85' and DO'87'")
        if TAG_CRYPTOGRAM in by_tag:
            value = by_tag[TAG_CRYPTOGRAM].value
            if not value or value[0] != 0x01:
                raise SecureMessagingError("DO'87' without padding-content indicator 01")
            return self._decrypt(value[1:], ssc)
        if TAG_PLAIN_ODD in by_tag:
            return self._decrypt(by_tag[TAG_PLAIN_ODD].value, ssc)
        return b""

    # --- terminal side ------------------------------------------------------------

    def protect(self, cmd: Command) -> Command:
        """Wrap a plain command (§9.8.6.1). The Le of DO'97' keeps the command's length
        form (1 byte short, 2 bytes extended); the outer Le asks for the maximum."""
        ssc = self._next_ssc()
        cla = cmd.cla | SM_CLA
        do87 = self._cryptogram_do(cmd.ins, cmd.data, ssc)
        extended = cmd.needs_extended
        do97 = b""
        if cmd.le is not None:
            if extended:
                le = b"\x00\x00" if cmd.le == apdu.EXTENDED_MAX_LE else cmd.le.to_bytes(2, "big")
            else:
                le = b"\x00" if cmd.le == apdu.SHORT_MAX_LE else bytes((cmd.le,))
            do97 = tlv.encode(TAG_LE, le)
        cc = self._mac(self.ssc + self._header(cla, cmd.ins, cmd.p1, cmd.p2) + do87 + do97)
        data = do87 + do97 + tlv.encode(TAG_MAC, cc)
        outer_extended = extended or len(data) > apdu.SHORT_MAX_LC
        le = apdu.EXTENDED_MAX_LE if outer_extended else apdu.SHORT_MAX_LE
        return Command(cla, cmd.ins, cmd.p1, cmd.p2, data, le)

    def unprotect(self, resp: Response) -> Response:
        """Verify and decrypt a protected response (§9.8.6.2).

        Like field-proven readers, a response without DO'99' is accepted and the
        outer status word used. An error status with no SM data at all raises
        :class:`SMUnprotectedError`; any other defect raises ``SecureMessagingError``."""
        ssc = self._next_ssc()
        if not resp.data:
            if resp.sw != apdu.SW_OK:
                raise SMUnprotectedError(resp.sw)
            raise SecureMessagingError("response without secure-messaging data objects")
        by_tag, covered = self._split(resp.data, "response")
        unknown = set(by_tag) - {TAG_CRYPTOGRAM, TAG_PLAIN_ODD, TAG_STATUS, TAG_MAC}
        if unknown:
            raise SecureMessagingError(f"unexpected data object {min(unknown):X} in response")
        self._check_mac(ssc + covered, by_tag[TAG_MAC].value, "response")
        sw = resp.sw
        if TAG_STATUS in by_tag:
            value = by_tag[TAG_STATUS].value
            if len(value) != 2:
                raise SecureMessagingError(f"DO'99' of {len(value)} bytes")
            sw = int.from_bytes(value, "big")
        return Response(self._open_cryptogram(by_tag, ssc), sw)

    def wrap(self, transmit: Transmit) -> Transmit:
        """A ``Transmit`` that protects every command and unprotects every response."""
        def protected(cmd: Command) -> Response:
            return self.unprotect(transmit(self.protect(cmd)))
        return protected

    # --- chip side ----------------------------------------------------------------

    def unprotect_command(self, cmd: Command) -> Command:
        """Verify and decrypt a protected command (the chip's view of §9.8.6.1)."""
        ssc = self._next_ssc()
        if cmd.cla & SM_CLA != SM_CLA:
            raise SecureMessagingError(f"command CLA {cmd.cla:02X} does not indicate secure messaging")
        by_tag, covered = self._split(cmd.data, "command")
        unknown = set(by_tag) - {TAG_CRYPTOGRAM, TAG_PLAIN_ODD, TAG_LE, TAG_MAC}
        if unknown:
            raise SecureMessagingError(f"unexpected data object {min(unknown):X} in command")
        header = self._header(cmd.cla, cmd.ins, cmd.p1, cmd.p2)
        self._check_mac(ssc + header + covered, by_tag[TAG_MAC].value, "command")
        le = None
        if TAG_LE in by_tag:
            raw = by_tag[TAG_LE].value
            if len(raw) > 2:
                raise SecureMessagingError(f"DO'97' of {len(raw)} bytes")
            n = int.from_bytes(raw, "big")
            le = n or (apdu.EXTENDED_MAX_LE if len(raw) == 2 else apdu.SHORT_MAX_LE)
        data = self._open_cryptogram(by_tag, ssc)
        self._odd_ins = bool(cmd.ins & 1)
        return Command(cmd.cla & ~SM_CLA & 0xFF, cmd.ins, cmd.p1, cmd.p2, data, le)

    def protect_response(self, resp: Response) -> Response:
        """Wrap a plain response: [DO'87'/'85'], DO'99', DO'8E' (§9.8.6.2)."""
        ssc = self._next_ssc()
        do87 = self._cryptogram_do(1 if self._odd_ins else 0, resp.data, ssc)
        do99 = tlv.encode(TAG_STATUS, resp.sw.to_bytes(2, "big"))
        cc = self._mac(ssc + do87 + do99)
        return Response(do87 + do99 + tlv.encode(TAG_MAC, cc), resp.sw)
