"""Downloads: complete CSV, spreadsheet-safe CSV, .xlsx, the published package's files."""
