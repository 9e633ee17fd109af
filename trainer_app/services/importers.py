"""Every kind of import, by the name the command line and the window use."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trainer_app.domain.errors import DomainError
from trainer_app.services.imports import TableImport, TraineeImport, write_template_for
from trainer_app.services.imports_training import CompletionImport, EnrolmentImport

IMPORTERS: Mapping[str, type[TableImport[Any]]] = {
    importer.kind: importer for importer in (TraineeImport, EnrolmentImport, CompletionImport)
}


def write_template(kind: str, path: Path) -> Path:
    """Write the template for ``kind`` (.csv or .xlsx by ``path``'s extension)."""
    if kind not in IMPORTERS:
        kinds = ", ".join(sorted(IMPORTERS))
        raise DomainError(f"There is no template for '{kind}'; the templates are {kinds}")
    return write_template_for(IMPORTERS[kind], path)
