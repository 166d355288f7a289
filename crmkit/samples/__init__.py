"""Seeded sample CRM data (accounts, contacts, owners) for docs, tests and benchmarks.

- :func:`generate`: realistic accounts and contacts at any size, as DataFrames.
- :func:`write_sample_files`: those, and the same people as other tools export them.
- :func:`load_sample`: a sample folder (or a fresh set) loaded into a CRM.
"""

from crmkit.samples._files import write_sample_files
from crmkit.samples._generate import LOCALES, SampleData, generate
from crmkit.samples._load import load_sample

__all__ = ["LOCALES", "SampleData", "generate", "load_sample", "write_sample_files"]
