"""tnl-opendata: the open data of the label Territoire Numérique Libre (sources -> validate -> load -> publish)."""
