"""The interface in French: Datasette's templates translated as they load, value labels, template helpers."""
