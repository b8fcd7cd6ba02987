"""Datasette's own templates in French, translated as they load from the installed Datasette.

An explicit table of (English, French) pairs per template replaces copies of Datasette's templates: each English
fragment must occur in the installed template exactly as many times as the pair says, else start-up fails and names
the template and the fragment, so that upgrading Datasette is a version bump plus a look at the failing pairs.
The French side may call the helpers of tnl/site/french/french_wording.py for text Datasette builds in Python.
Translation happens once, when Jinja first loads a template (templates are cached, auto_reload is off).
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

import datasette
import jinja2

from tnl.site.french import french_wording, value_labels

DATASETTE_TEMPLATES = Path(datasette.__file__).parent / "templates"
SITE_NAME = "Territoire Numérique Libre"
ROWS_OF = '{{ "{:,}".format(%s) }} row{%% if %s == 1 %%}{%% else %%}s{%% endif %%}'


class Pair(NamedTuple):
    english: str
    french: str
    times: int = 1  # occurrences expected in the installed template


class TemplateDrift(RuntimeError):
    """An English fragment of the table no longer occurs as expected in the installed Datasette."""


def _rows_of(expression: str) -> Pair:
    return Pair(ROWS_OF % (expression, expression), "{{ fr_rows(%s) }}" % expression)


RENDERER_LINKS = Pair('<a href="{{ url }}">{{ name }}</a>',
                      '<a href="{{ url }}"{% if name in ("csvfr", "xlsx") %} download{% endif %}>{{ name|fr_renderer }}</a>')
# Datasette's CSV link shows the file as text unless _dl=1 asks for it as an attachment: it is a download here.
CSV_LINK = Pair('<a href="{{ url_csv }}">CSV</a>',
                '<a href="{{ url_csv }}{{ \'&\' if \'?\' in url_csv else \'?\' }}_dl=1" download>CSV</a>')
COLUMN = "{{ column.name|fr_column(metadata) }}"

TRANSLATIONS: dict[str, list[Pair]] = {
    "base.html": [
        Pair("<html>", '<html lang="fr">'),
        Pair('<body class="{% block body_class %}{% endblock %}">',
             '<body class="{% block body_class %}{% endblock %}">\n'
             '<a class="lien-evitement" href="#contenu">Aller au contenu</a>'),
        Pair('<section class="content">\n{% block content %}\n{% endblock %}\n</section>',
             '<main id="contenu" class="content" tabindex="-1">\n{% block content %}\n{% endblock %}\n</main>'),
        Pair("<header><nav>", '<header><nav aria-label="Fil d\'Ariane">'),
        Pair("Log out", "Se déconnecter"),
    ],
    "_crumbs.html": [
        Pair("{{ item.label }}", "{{ fr_crumb(loop.index0, item.label, database) }}"),
    ],
    "_footer.html": [
        Pair("Powered by", "Propulsé par"),
        Pair("Queries took {{ query_ms|round(3) }}ms",
             'Requête exécutée en {{ query_ms|round(3)|string|replace(".", ",") }}&nbsp;ms'),
        Pair("Data license:", "Licence des données&nbsp;:"),
        Pair("Data source:", "Source des données&nbsp;:"),
        Pair("About:", "À propos&nbsp;:"),
    ],
    "_description_source_license.html": [
        Pair("Data license:", "Licence des données&nbsp;:"),
        Pair("Data source:", "Source des données&nbsp;:"),
        Pair("About:", "À propos&nbsp;:"),
    ],
    "_facet_results.html": [
        Pair("{% for facet_value in facet_info.results %}",
             "{% for facet_value in fr_facet_values(request, table, facet_info, filtered_table_rows_count) %}"),
        Pair('{{ facet_info.name }}{% if facet_info.type != "column" %} ({{ facet_info.type }}){% endif %}',
             '{{ facet_info.name|fr_column(metadata) }}{% if facet_info.type != "column" %}'
             ' ({{ facet_info.type|fr_facet_type }}){% endif %}'),
        Pair('{{ "{:,}".format(facet_value.count) }}', "{{ number(facet_value.count) }}", times=2),
        Pair('{{ (facet_value.label | string()) or "-" }}',
             '{{ (fr_value(table, facet_info.name, facet_value.label) | string()) or "-" }}'),
        Pair('{{ facet_value.label or "-" }}', '{{ fr_value(table, facet_info.name, facet_value.label) or "-" }}'),
    ],
    "_suggested_facets.html": [
        Pair("Suggested facets:", "Facettes suggérées&nbsp;:"),
        Pair(">{{ facet.name }}</a>{% if facet.type %} ({{ facet.type }}){% endif %}",
             ">{{ facet.name|fr_column(metadata) }}</a>{% if facet.type %} ({{ facet.type|fr_facet_type }}){% endif %}"),
    ],
    "_table.html": [
        # Every data table named for screen readers (the page's title says it to the eye).
        Pair('<table class="rows-and-columns">',
             '<table class="rows-and-columns">\n        <caption class="visually-hidden">{{ metadata.title or table }}</caption>'),
        Pair("{{ column.name }}\n", COLUMN + "\n"),
        Pair("{{ column.name }}&nbsp;▼", COLUMN + "&nbsp;▼"),
        Pair("{{ column.name }}{% if column.name == sort_desc %}", COLUMN + "{% if column.name == sort_desc %}"),
        Pair('<p class="zero-results">0 records</p>', '<p class="zero-results">Aucune ligne</p>'),
        Pair('type-{{ cell.value_type }}">{{ cell.value }}</td>', 'type-{{ cell.value_type }}">{{ fr_cell(cell) }}</td>'),
    ],
    "table.html": [
        Pair("{% block title %}{{ database }}: {{ table }}: {% if filtered_table_rows_count or filtered_table_rows_count == 0 %}"
             + ROWS_OF % ("filtered_table_rows_count", "filtered_table_rows_count")
             + "{% endif %}{% if human_description_en %} {{ human_description_en }}{% endif %}{% endblock %}",
             "{% block title %}{{ metadata.title or table }} : {% if filtered_table_rows_count or filtered_table_rows_count == 0 %}"
             "{{ fr_rows(filtered_table_rows_count) }}{% endif %}{% if human_description_en %} {{ fr_human_description("
             "request.args, filters, search, sort, sort_desc, filtered_table_rows_count, human_description_en, metadata) }}{% endif %}"
             " — " + SITE_NAME + "{% endblock %}"),
        Pair("<script src=\"{{ urls.static('table.js') }}\" defer></script>",
             "<script src=\"{{ urls.static('table.js') }}\" defer></script>\n"
             "<script src=\"{{ urls.path('/static/datasette-fr.js') }}\" defer></script>"),
        Pair('content: "{{ column.name|escape_css_string }}"', 'content: "{{ (column.name|fr_column(metadata))|escape_css_string }}"'),
        Pair("{% if is_view %} (view){% endif %}", "{% if is_view %} (vue){% endif %}"),
        Pair("Table actions", "Actions sur la table"),
        # Data first: the column dictionary folded, the SQL tools (query, table definition) behind one control at
        # the end of the page, where a developer looks and a journalist does not have to scroll past them.
        Pair('{% if metadata.columns %}\n<dl class="column-descriptions">',
             '{% if metadata.columns %}\n<details class="dictionnaire"><summary>Description des colonnes</summary>\n'
             '<dl class="column-descriptions">'),
        Pair("    {% endfor %}\n</dl>\n{% endif %}", "    {% endfor %}\n</dl>\n</details>\n{% endif %}"),
        Pair("{% if query.sql and allow_execute_sql %}\n    <p><a class=\"not-underlined\" title=\"{{ query.sql }}\" "
             "href=\"{{ urls.database(database) }}?{{ {'sql': query.sql}|urlencode|safe }}{% if query.params %}&amp;"
             "{{ query.params|urlencode|safe }}{% endif %}\">&#x270e; <span class=\"underlined\">View and edit SQL</span>"
             "</a></p>\n{% endif %}\n", ""),
        Pair("{% if table_definition %}\n    <pre class=\"wrapped-sql\">{{ table_definition }}</pre>\n{% endif %}\n\n"
             "{% if view_definition %}\n    <pre class=\"wrapped-sql\">{{ view_definition }}</pre>\n{% endif %}",
             '{% if (query.sql and allow_execute_sql) or table_definition or view_definition %}\n'
             '<details class="outils-sql"><summary>Outils SQL : la requête de cette page et la définition de la '
             "{% if is_view %}vue{% else %}table{% endif %}</summary>\n"
             "{% if query.sql and allow_execute_sql %}\n"
             '    <p><a class="not-underlined" href="{{ urls.database(database) }}?{{ {\'sql\': query.sql}|urlencode|safe }}'
             "{% if query.params %}&amp;{{ query.params|urlencode|safe }}{% endif %}\">&#x270e; "
             '<span class="underlined">Voir et modifier la requête SQL</span></a></p>\n{% endif %}\n'
             '{% if table_definition %}\n    <pre class="wrapped-sql">{{ table_definition }}</pre>\n{% endif %}\n'
             '{% if view_definition %}\n    <pre class="wrapped-sql">{{ view_definition }}</pre>\n{% endif %}\n'
             "</details>\n{% endif %}"),
        Pair("<dd>{{ column_description }}</dd>", "<dd>{{ fr_described_codes(column_name, column_description) }}</dd>"),
        Pair("<dt>{{ column_name }}</dt>", "<dt>{{ column_name|fr_column(metadata) }} <code>{{ column_name }}</code></dt>"),
        Pair("<h3>{% if filtered_table_rows_count or filtered_table_rows_count == 0 %}"
             + ROWS_OF % ("filtered_table_rows_count", "filtered_table_rows_count")
             + "{% endif %}\n        {% if human_description_en %}{{ human_description_en }}{% endif %}\n    </h3>",
             '<h2 class="nombre-lignes">{% if filtered_table_rows_count or filtered_table_rows_count == 0 %}'
             "{{ fr_rows(filtered_table_rows_count) }}{% endif %}\n        {% if human_description_en %}{{ fr_human_description("
             "request.args, filters, search, sort, sort_desc, filtered_table_rows_count, human_description_en, metadata) }}{% endif %}\n    </h2>"),
        Pair('<label for="_search">Search:</label>', '<label for="_search" style="width: auto">Rechercher&nbsp;:</label>'),
        Pair('<select name="_filter_column_{{ loop.index }}">',
             '<select name="_filter_column_{{ loop.index }}" aria-label="Colonne du filtre {{ loop.index }}">'),
        Pair('<select name="_filter_op_{{ loop.index }}">',
             '<select name="_filter_op_{{ loop.index }}" aria-label="Opération du filtre {{ loop.index }}">'),
        Pair('class="filter-value" value="{{ value }}">',
             'class="filter-value" value="{{ value }}" aria-label="Valeur du filtre {{ loop.index }}">'),
        Pair("- remove filter -", "- retirer le filtre -"),
        Pair("<option{% if c == column %} selected{% endif %}>{{ c }}</option>",
             '<option value="{{ c }}"{% if c == column %} selected{% endif %}>{{ c|fr_column(metadata) }}</option>'),
        Pair('<select name="_filter_column">', '<select name="_filter_column" aria-label="Colonne du nouveau filtre">'),
        Pair('<select name="_filter_op">', '<select name="_filter_op" aria-label="Opération du nouveau filtre">'),
        Pair('<input type="text" name="_filter_value" class="filter-value">',
             '<input type="text" name="_filter_value" class="filter-value" aria-label="Valeur du nouveau filtre">'),
        Pair("{{ display }}</option>", "{{ display|fr_filter_label }}</option>", times=2),
        Pair("- column -", "- colonne -"),
        Pair("<option>{{ column }}</option>", '<option value="{{ column }}">{{ column|fr_column(metadata) }}</option>'),
        Pair('<select name="_sort" id="sort_by">', '<select name="_sort" id="sort_by" aria-label="Trier par">'),
        Pair("Sort...", "Trier…"),
        Pair("Sort by {{ column.name }}", "Trier par {{ column.name|fr_column(metadata) }}"),
        Pair("> descending</label>", "> ordre décroissant</label>"),
        Pair('<input type="submit" value="Apply">', '<input type="submit" value="Appliquer">'),
        Pair("<h3>{{ extra_wheres_for_ui|length }} extra where clause{% if extra_wheres_for_ui|length != 1 %}s{% endif %}</h3>",
             "<h2>{{ extra_wheres_for_ui|length }} condition{% if extra_wheres_for_ui|length != 1 %}s{% endif %} SQL "
             "supplémentaire{% if extra_wheres_for_ui|length != 1 %}s{% endif %} (where)</h2>"),
        Pair(">remove</a>]", ">retirer</a>]"),
        Pair("This data as", "Ces données en"),
        RENDERER_LINKS,
        CSV_LINK,
        Pair('(<a href="#export">advanced</a>)', '(<a href="#export">export avancé</a>)'),
        Pair("These facets timed out:", "Ces facettes ont dépassé le délai imparti&nbsp;:"),
        Pair("Next page", "Page suivante"),
        Pair("<h3>Advanced export</h3>", "<h2>Export avancé</h2>"),
        Pair("JSON shape:", "Forme du JSON&nbsp;:"),
        Pair(">default</a>", ">par défaut</a>"),
        Pair(">array</a>", ">tableau</a>"),
        Pair(">newline-delimited</a>", ">un objet par ligne</a>"),
        Pair(">object</a>", ">objet</a>"),
        Pair("CSV options:", "Options CSV&nbsp;:"),
        Pair("> download file</label>", "> télécharger le fichier</label>"),
        Pair("> expand labels</label>", "> développer les libellés</label>"),
        Pair("> stream all rows</label>", "> toutes les lignes (en flux)</label>"),
        Pair('value="Export CSV"', 'value="Exporter en CSV"'),
    ],
    "row.html": [
        Pair('<h1 style="padding-left: 10px; border-left: 10px solid #{{ database_color(database) }}">', "<h1>"),
        Pair("{% block title %}{{ database }}: {{ table }}{% endblock %}",
             "{% block title %}{{ metadata.title or table }} : {% if metadata.label_column and rows %}"
             "{{ rows[0][metadata.label_column] }}{% else %}{{ ', '.join(primary_key_values) }}{% endif %} — " + SITE_NAME
             + "{% endblock %}"),
        Pair('content: "{{ column|escape_css_string }}"', 'content: "{{ (column|fr_column(metadata))|escape_css_string }}"'),
        Pair("{{ table }}: {{ ', '.join(primary_key_values) }}{% if private %}",
             "{{ metadata.title or table }} : {% if metadata.label_column and rows and (rows[0][metadata.label_column]|string)"
             " != ', '.join(primary_key_values) %}{{ rows[0][metadata.label_column] }}"
             # an official code helps (« Échirolles (213801517) »); a distinction's id does not (« niveau_3 »)
             "{% if table != 'distinctions' %} ({{ ', '.join(primary_key_values) }}){% endif %}"
             "{% else %}{{ ', '.join(primary_key_values) }}{% endif %}"
             "{% if private %}"),
        Pair("This data as", "Ces données en"),
        RENDERER_LINKS,
        Pair("Links from other tables", "Liens depuis d'autres tables"),
        _rows_of("other.count"),
        Pair("from {{ other.other_column }} in {{ other.other_table }}",
             "dans {{ fr_table_title(database, other.other_table) }} (colonne "
             "« {{ fr_table_column(database, other.other_table, other.other_column) }} »)"),
    ],
    "query.html": [
        Pair('<div class="table-wrapper"><table class="rows-and-columns">',
             '<div class="table-wrapper"><table class="rows-and-columns">\n    <caption class="visually-hidden">'
             "{{ query_heading or metadata.title or 'Résultat de la requête SQL' }}</caption>"),
        Pair('<h1 style="padding-left: 10px; border-left: 10px solid #{{ database_color(database) }}">', "<h1>"),
        Pair('<p class="message-error">{{ error }}</p>', '<p class="message-error">{{ error|sql_error }}</p>'),
        Pair("{% block title %}{{ database }}{% if query and query.sql %}: {{ query.sql }}{% endif %}{% endblock %}",
             "{% block title %}{{ query_heading or metadata.title or 'Requête SQL personnalisée' }} — " + SITE_NAME
             + "{% endblock %}"),
        Pair("This query cannot be executed because the database is immutable.",
             "Cette requête ne peut pas être exécutée car la base de données est en lecture seule."),
        Pair("{{ metadata.title or database }}{% if canned_query and not metadata.title %}: {{ canned_query }}{% endif %}",
             "{{ query_heading or metadata.title or 'Requête SQL personnalisée' }}"),
        Pair('{% block description_source_license %}{% include "_description_source_license.html" %}{% endblock %}',
             '{% block description_source_license %}{% include "_description_source_license.html" %}'
             '{% include "_couverture_requete.html" %}{% endblock %}'),
        Pair("<h3>Custom SQL query{% if display_rows %} returning {% if truncated %}more than {% endif %}"
             + ROWS_OF % ("display_rows|length", "display_rows|length") + "{% endif %}",
             "<h2>{% if not canned_query %}Requête SQL personnalisée{% if display_rows %} renvoyant {% endif %}{% endif %}"
             "{% if display_rows %}{% if truncated %}plus de {% endif %}{{ fr_rows(display_rows|length) }}"
             "{% elif canned_query %}Résultat{% endif %}"),
        Pair("{{ show_hide_text }}</a>)</span>\n    {% endif %}</h3>",
             "{{ show_hide_text|fr_show_hide }}</a>)</span>\n    {% endif %}</h2>"),
        Pair("<h3>Query parameters</h3>", "<h3>Paramètres de la requête</h3>"),
        Pair('<p><label for="qp{{ loop.index }}">{{ name }}</label> <input type="text" id="qp{{ loop.index }}" name="{{ name }}" value="{{ value }}"></p>',
             '<p>{% set qp_index = loop.index %}{% include "_parametre_requete.html" %}</p>'),
        Pair("Format SQL", "Mettre en forme le SQL"),
        Pair('value="Run SQL"', 'value="Exécuter la requête"'),
        Pair(">Edit SQL</a>", ">Modifier la requête SQL</a>"),
        Pair("This data as", "Ces données en"),
        RENDERER_LINKS,
        CSV_LINK,
        Pair('content: "{{ column|escape_css_string }}"', 'content: "{{ (column|fr_column(metadata))|escape_css_string }}"'),
        Pair('scope="col">{{ column }}</th>', 'scope="col">{{ column|fr_column(metadata) }}</th>'),
        Pair('<p class="zero-results">0 results</p>', '<p class="zero-results">Aucun résultat</p>'),
    ],
    "_codemirror_foot.html": [
        # CodeMirror replaces the textarea with an input of its own, which screen readers must be able to name.
        Pair("        cmResize(editor, {resizableWidth: false});",
             '        editor.getInputField().setAttribute("aria-label", "Requête SQL");\n'
             "        cmResize(editor, {resizableWidth: false});"),
    ],
    "database.html": [
        Pair("{% block title %}{{ database }}{% endblock %}",
             "{% block title %}{{ metadata.title or database }} : tables, vues et requêtes{% endblock %}"),
        Pair("Table actions", "Actions sur la base"),
        Pair("<h3>Custom SQL query</h3>", "<h2>Requête SQL personnalisée</h2>"),
        Pair("Format SQL", "Mettre en forme le SQL"),
        Pair('value="Run SQL"', 'value="Exécuter la requête"'),
        Pair("The following databases are attached to this connection, and can be used for cross-database joins:",
             "Les bases suivantes sont attachées à cette connexion et peuvent servir à des jointures entre bases&nbsp;:"),
        Pair(">Queries</h2>", ">Requêtes</h2>"),
        Pair('<a href="{{ urls.table(database, table.name) }}">{{ table.name }}</a>',
             '<a href="{{ urls.table(database, table.name) }}">{{ fr_table_title(database, table.name) }}</a>'
             ' <code>{{ table.name }}</code>'),
        Pair("<em> (hidden)</em>", "<em> (masquée)</em>"),
        Pair("{% for column in table.columns %}{{ column }}",
             "{% for column in table.columns %}{{ fr_table_column(database, table.name, column) }}"),
        Pair("Many rows", "De nombreuses lignes"),
        _rows_of("table.count"),
        Pair('<p>... and <a href="{{ urls.database(database) }}?_show_hidden=1">{{ "{:,}".format(hidden_count) }} hidden '
             "table{% if hidden_count == 1 %}{% else %}s{% endif %}</a></p>",
             '<p>… et <a href="{{ urls.database(database) }}?_show_hidden=1">{{ number(hidden_count) }} table'
             "{% if hidden_count > 1 %}s{% endif %} masquée{% if hidden_count > 1 %}s{% endif %}</a></p>"),
        Pair(">Views</h2>", ">Vues</h2>"),
        Pair(">{{ view.name }}</a>", ">{{ fr_table_title(database, view.name) }}</a> <code>{{ view.name }}</code>"),
        Pair("Download SQLite DB:", "Télécharger la base SQLite&nbsp;:"),
        Pair("<em>{{ format_bytes(size) }}</em>", "<em>{{ fr_byte_size(format_bytes(size)) }}</em>"),
    ],
    "error.html": [
        Pair("Error {{ status }}", "Erreur {{ status }}", times=2),
        Pair("{{ error }}</div>", "{{ fr_error(error) }}</div>"),
    ],
}


def translate(name: str, source: str, table: dict[str, list[Pair]] = TRANSLATIONS) -> str:
    """source of Datasette's template `name` with every pair of the table applied; TemplateDrift if one no longer fits."""
    for pair in table.get(name, ()):
        found = source.count(pair.english)
        if found != pair.times:
            raise TemplateDrift(
                f"Datasette {datasette.__version__}, template {name}: {pair.english!r} found {found} time(s), "
                f"expected {pair.times}; update tnl/site/french/french_templates.py"
            )
        source = source.replace(pair.english, pair.french)
    return source


class FrenchLoader(jinja2.BaseLoader):
    """Wraps Datasette's loader: a template read from Datasette's own folder is translated, ours are left alone."""

    def __init__(self, inner: jinja2.BaseLoader, datasette_templates: Path = DATASETTE_TEMPLATES,
                 table: dict[str, list[Pair]] = TRANSLATIONS):
        self.inner = inner
        self.datasette_templates = datasette_templates
        self.table = table

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        if filename and Path(filename).parent == self.datasette_templates:
            source = translate(Path(filename).name, source, self.table)
        return source, filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()


def check(datasette_templates: Path = DATASETTE_TEMPLATES, table: dict[str, list[Pair]] = TRANSLATIONS) -> None:
    """Apply every pair to the installed templates now, so that a drift stops the start-up rather than a page."""
    for name in table:
        translate(name, (datasette_templates / name).read_text(encoding="utf-8"), table)


def install(env: jinja2.Environment, ds) -> None:
    check()
    if not isinstance(env.loader, FrenchLoader):  # Datasette runs this hook again if an earlier start-up was cut short
        env.loader = FrenchLoader(env.loader)
    env.globals.update(french_wording.GLOBALS)
    env.filters.update(french_wording.FILTERS)
    env.globals["fr_human_description"] = functools.partial(
        french_wording.human_description, value_label=lambda column, value: value_labels.label(ds, None, column, value))
    env.globals["fr_described_codes"] = value_labels.described_codes
    env.globals["fr_crumb"] = lambda index, label, database: crumb(ds, index, label, database)
    env.globals["fr_table_title"] = lambda database, table: table_title(ds, database, table)
    env.globals["fr_table_column"] = lambda database, table, column: french_wording.column_label(
        column, ds.metadata(database=database, table=table, fallback=False))


def crumb(ds, index: int, label: str, database: str | None) -> str:
    """Breadcrumb words: « Accueil », then the database's and the table's French titles rather than their names."""
    if index == 0:
        return "Accueil"
    if index == 1:
        return ds.metadata("title", database=label, fallback=False) or label
    return table_title(ds, database, label)


def table_title(ds, database: str | None, table: str) -> str:
    return ds.metadata("title", database=database, table=table, fallback=False) or table
