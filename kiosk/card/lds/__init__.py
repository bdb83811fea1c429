"""ICAO Doc 9303 Logical Data Structure (LDS1): parsing and building the files of
an eMRTD chip, and the pieces passive authentication needs.

Modules, each small and named after what it does:

- ``tlv``       BER-TLV (ISO/IEC 7816-4) decode and encode
- ``mrz``       machine readable zone: check digits, TD1/TD2/TD3, MRZ_information
- ``files``     file identifiers, EF.COM, DG1, DG11, DG12, DG14, DG15
- ``face``      DG2 and the ISO/IEC 19794-5 facial record
- ``image``     face image (JPEG, JPEG 2000) to PNG for display
- ``signature`` public keys (incl. explicit EC parameters) and signature checks
- ``cms``       CMS SignedData: reading the signer, building one
- ``certificates`` X.509 loading, names, validity, issuer signature checks
- ``asn1util``  the asn1crypto parse boundary (any failure -> ParseError), DER helpers
- ``sod``       EF.SOD and its LDS security object
- ``masterlist`` ICAO CSCA master lists
- ``identity_from_lds`` the kiosk's ``Identity`` from DG1, DG11 and DG2

Everything raises ``kiosk.card.errors.ParseError`` on malformed input and never
puts personal data (MRZ, names, numbers, dates, photo) in a message or a repr.
"""
