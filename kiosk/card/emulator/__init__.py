"""An emulated eMRTD for tests and the demo: TEST-ONLY documents signed by a
TEST-ONLY PKI (``pki``), built from profile files (``document``)."""
