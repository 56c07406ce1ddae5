"""Data files of the kinship engine (the default allele frequency table)."""
