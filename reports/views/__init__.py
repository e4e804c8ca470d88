# One module per report page (continuity, statistics, ...).
