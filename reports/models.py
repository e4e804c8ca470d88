# Reports are computed from contacts' data; this app has no tables of its own.
