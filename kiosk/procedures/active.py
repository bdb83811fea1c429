"""The catalog a kiosk runs with: the active installed edition, else the bundled one.

A damaged installed edition never stops the kiosk: it is reported and the bundled
catalog is used. The compiled copy (see ``loader``) lives in the kiosk's data folder.
"""

from __future__ import annotations

import logging

from ..paths import KioskPaths
from .loader import DEFAULT_CATALOG, CatalogError, load_catalog
from .model import Catalog
from .package import active_catalog_dir

log = logging.getLogger(__name__)


def compiled_dir(paths: KioskPaths):
    return paths.data / "catalog-compiled"


def load_active(paths: KioskPaths) -> Catalog:
    directory = active_catalog_dir(paths)
    try:
        return load_catalog(directory, cache_dir=compiled_dir(paths))
    except CatalogError as e:
        if directory == DEFAULT_CATALOG:
            raise
        log.error("installed catalog %s is invalid (%d problems); using the bundled one",
                  directory.parent.name, len(e.problems))
        return load_catalog(DEFAULT_CATALOG, cache_dir=compiled_dir(paths))
