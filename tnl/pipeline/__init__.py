"""Sources -> validate -> load -> publish: the steps `tnl validate` and `tnl build` run, one module each."""
