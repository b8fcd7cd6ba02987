"""Importers that bring the label operator's files (official lists, questionnaire exports) into data/."""
