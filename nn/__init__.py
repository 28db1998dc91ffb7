"""weightgrad's neural-network modules, built from engine Values (filled in by the nn issue)."""
