"""Spreadsheets in and out: build a model from CSV/XLSX tables, and write a model back in the same shape.

:func:`import_model` reads a systems table and a flows table (plus optional
companion tables: sources, model, taxonomy, incidents, accepted);
:func:`csv_files` and :func:`xlsx_bytes` write every table, so an export
imports back to the same canonical model. The columns are documented in
docs/import-export.md; templates live in examples/spreadsheet/.
"""

from flowmap.spreadsheet.build import Imported, import_model
from flowmap.spreadsheet.columns import TABLES
from flowmap.spreadsheet.write import csv_files, import_changes, model_tables, model_yaml, xlsx_bytes

__all__ = ["Imported", "import_model", "csv_files", "xlsx_bytes", "import_changes", "model_tables", "model_yaml", "TABLES"]
