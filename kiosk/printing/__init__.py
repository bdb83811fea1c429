"""Receipt printers: CUPS queues, ESC/POS thermal printers, and a PDF folder for demos."""
