"""Pages of the cases app, one module per concern: validate, call one service or selector, redirect.

Who may see or do what is asked of the access door (cases.access); reads are recorded there."""
